"""Idle timeout in the running app: countdown in the last 20 s, then wipe and home."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.ui


def _countdown(ui):
    return ui.app.root.ids.countdown


def test_idle_timeout_wipes_typed_field_and_returns_home(ui, manual_time):
    ui.tap("btn_lookup")
    ui.pump_until(lambda: ui.current == "lookup")
    code_input = ui.find("code_input")
    ui.type("K7Q2M9XPA34", into=code_input)
    ui.type("482913", into=ui.find("pin_input"))
    assert code_input.text == "K7Q2M9XPA34"
    assert _countdown(ui).opacity == 0

    manual_time.advance(71)  # 19 s left: inside the 20 s warning window
    ui.pump_until(lambda: _countdown(ui).opacity == 1, "countdown shown")
    assert "19" in _countdown(ui).text
    ui.screenshot(ui.app.root, "idle-countdown-zh-CN")
    assert ui.current == "lookup", "the countdown warns before it wipes"

    manual_time.advance(19)
    ui.pump_until(lambda: ui.current == "home", "back home after the timeout")
    assert code_input.text == ""
    assert ui.find("pin_input", "lookup").text == ""
    assert _countdown(ui).opacity == 0
    # Undo must not bring the last person's text back.
    code_input.do_undo()
    assert code_input.text == ""


def test_touch_restarts_the_countdown(ui, manual_time):
    ui.tap("btn_ticket")
    ui.pump_until(lambda: ui.current == "ticket")
    manual_time.advance(80)
    ui.pump_until(lambda: _countdown(ui).opacity == 1, "countdown shown")
    ui.tap("number_label")  # any touch counts as activity
    ui.pump_until(lambda: _countdown(ui).opacity == 0, "countdown hidden after a touch")
    manual_time.advance(80)
    assert not ui.app.idle.check(), "80 s after the touch is not yet a timeout"
    ui.pump()
    assert ui.current == "ticket"


def test_idle_resets_language_for_the_next_person(ui, manual_time):
    ui.tap("btn_lookup")
    ui.tap("lang_toggle")
    ui.pump_until(lambda: ui.find("submit_button").text == "Check")
    manual_time.advance(91)
    ui.pump_until(lambda: ui.current == "home")
    assert ui.find("btn_complaint").text.startswith("我要维权/投诉")


def test_home_screen_never_times_out(ui, manual_time):
    manual_time.advance(600)
    assert not ui.app.idle.check()
    ui.pump()
    assert ui.current == "home"
    assert _countdown(ui).opacity == 0


def test_wipe_hooks_run(kiosk_app, ui):
    called = []
    kiosk_app.wipe_hooks.append(lambda: called.append(True))
    ui.tap("btn_lookup")
    ui.tap("home_button")
    ui.pump_until(lambda: ui.current == "home")
    assert called == [True]


def test_english_left_on_home_is_reset_after_the_timeout(ui, manual_time):
    ui.tap("lang_toggle")
    ui.pump_until(lambda: ui.find("btn_complaint").text.startswith("File a complaint"))
    manual_time.advance(75)
    ui.pump_until(lambda: _countdown(ui).opacity == 1, "countdown on home in English")
    manual_time.advance(16)
    ui.pump_until(lambda: ui.find("btn_complaint").text.startswith("我要维权/投诉"), "zh-CN")
    assert ui.current == "home"
    manual_time.advance(600)
    assert not ui.app.idle.check()
    ui.pump()
    assert _countdown(ui).opacity == 0, "back in Chinese, home needs no countdown"


def test_half_filled_complaint_is_gone_after_timeout_with_no_way_back(ui, manual_time):
    from kivy.core.window import Window

    ui.tap("btn_complaint")
    ui.tap("matter_work_injury")
    ui.pump_until(lambda: ui.screen().step_name == "checklist")
    ui.tap("next_button")
    ui.type("张三", into="claimant_name")
    ui.type("11010519491231002X", into="claimant_id_number")
    manual_time.advance(91)
    ui.pump_until(lambda: ui.current == "home", "home after the timeout")
    screen = ui.screen("complaint")
    assert screen.matter_type == ""
    assert screen.step_name == "matter"
    for widget_id in ("claimant_name", "claimant_id_number"):
        field = screen.ids[widget_id]
        assert field.text == ""
        field.do_undo()
        assert field.text == "", "undo must not bring the text back"
    # Escape/back key: swallowed, neither closing the app nor returning to the form.
    assert Window.dispatch("on_keyboard", 27, 0, None, [])
    ui.pump()
    assert ui.current == "home"
    # Reopening the wizard starts from scratch.
    ui.tap("btn_complaint")
    assert screen.step_name == "matter"
    assert screen.values()["claimant.name"] == ""


def test_receipt_is_gone_after_timeout(ui, manual_time, fake_services):
    ui.app.show_receipt(fake_services.make_receipt(), "wage_arrears")
    ui.pump_until(lambda: ui.screen("receipt").qr is not None, "QR")
    manual_time.advance(91)
    ui.pump_until(lambda: ui.current == "home")
    ui.app.screens.current = "receipt"  # even forced back onto the screen ...
    ui.pump(2)
    assert ui.find("code_label").text == ""  # ... nothing of the last person is there
    assert ui.find("pin_label").text == ""
    assert ui.screen().qr is None

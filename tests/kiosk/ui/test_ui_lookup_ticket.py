"""Status lookup by code + PIN on the keypad, and taking a queue number."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.ui


def test_lookup_by_keypad_shows_status(ui, fake_services):
    fake_services.make_receipt("K7Q2M9XPA34", "482913")
    ui.tap("btn_lookup")
    ui.pump_until(lambda: ui.current == "lookup")
    keyboard = ui.find("keyboard")
    ui.tap("code_input")
    for ch in "K7Q2M9XPA34":
        ui.tap(keyboard.key(ch))
    ui.tap("pin_input")
    ui.pump_until(lambda: keyboard.layout == "digits", "digits for the PIN")
    for ch in "482913":
        ui.tap(keyboard.key(ch))
    ui.tap("submit_button")
    ui.pump_until(lambda: "调解中" in ui.find("result_label").text, "status shown")
    assert "调解员将在3个工作日内" in ui.find("result_label").text
    calls = [(c[0], c[1]) for c in fake_services.calls]
    assert ("lookup_status", ("K7Q2M9XPA34", "482913")) in calls
    ui.screenshot(ui.app.root, "lookup-zh-CN")
    ui.tap("lang_toggle")
    ui.pump_until(lambda: "In mediation" in ui.find("result_label").text, "English status")


def test_lookup_wrong_pin_says_so(ui, fake_services):
    fake_services.make_receipt("K7Q2M9XPA34", "482913")
    ui.tap("btn_lookup")
    ui.type("K7Q2M9XPA34", into="code_input")
    ui.type("000000", into="pin_input")
    ui.tap("submit_button")
    ui.pump_until(lambda: "编号或密码不正确" in ui.find("result_label").text, "not found")


@pytest.mark.parametrize(("refusal", "zh", "en"), [
    ("other_station_offline", "暂时查不了其他站点的回执", "cannot check other stations' receipts"),
    ("receipt_locked", "已被锁定", "it is locked"),
])
def test_another_stations_receipt_refused_says_why(ui, fake_services, monkeypatch, refusal,
                                                   zh, en):
    """Issue 15: offline, another station's receipt is not "wrong code or PIN"."""
    from kiosk.errors import receipt_locked
    from kiosk.sync.lookup import OFFLINE

    error = OFFLINE if refusal == "other_station_offline" else receipt_locked()

    def refuse(code, pin, lang="zh"):
        raise error

    monkeypatch.setattr(fake_services, "lookup_status", refuse)
    ui.tap("btn_lookup")
    ui.type("K7Q2M9XPA34", into="code_input")
    ui.type("482913", into="pin_input")
    ui.tap("submit_button")
    ui.pump_until(lambda: zh in ui.find("result_label").text, refusal)
    assert "不正确" not in ui.find("result_label").text
    ui.tap("lang_toggle")
    ui.pump_until(lambda: en in ui.find("result_label").text, refusal + " in English")


def test_lookup_needs_code_and_pin(ui, fake_services):
    ui.tap("btn_lookup")
    ui.tap("submit_button")
    assert "请输入编号和密码" in ui.find("result_label").text
    assert fake_services.calls == []


def test_take_ticket_once(ui, fake_services):
    ui.tap("btn_ticket")
    ui.pump_until(lambda: ui.current == "ticket")
    ui.tap("take_button")
    ui.pump_until(lambda: ui.find("number_label").text == "A001", "number shown")
    assert "前面还有 3 人" in ui.find("ahead_label").text
    assert ui.find("take_button").disabled
    ui.screenshot(ui.app.root, "ticket-zh-CN")
    assert [c[0] for c in fake_services.calls] == ["take_ticket"]

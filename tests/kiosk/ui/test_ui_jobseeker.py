"""Job-seeker wizard walked by taps and typing: chips plus free text, errors, submit."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.ui

ID_NUMBER = "11010519491231002X"


def _screen(ui):
    return ui.screen("jobseeker")


def _at(ui, step):
    ui.pump_until(lambda: _screen(ui).step_name == step, f"step {step}")
    ui.pump(2)


def test_jobseeker_walked_end_to_end(ui, fake_services):
    ui.tap("btn_jobseeker")
    ui.pump_until(lambda: ui.current == "jobseeker")
    ui.type("李四", into="js_name")
    ui.type(ID_NUMBER, into="js_id_number")
    ui.type("13800138000", into="js_phone")
    ui.tap("next_button")
    _at(ui, "skills")
    ui.tap(ui.find("skills").chip("电工"))
    ui.tap(ui.find("skills").chip("焊工"))
    ui.type("水管工，焊工", into="skills_text")
    ui.screenshot(ui.app.root, "jobseeker-zh-CN-2-skills")
    from kiosk.ui.keyboard import TO_LETTERS, TO_PINYIN

    keyboard = ui.find("keyboard")
    # Issue 10: a field that takes Chinese starts on the pinyin keyboard (was: letters).
    assert keyboard.layout == "pinyin"
    for switch in (TO_LETTERS, TO_PINYIN):  # every key of the widest layouts is on the screen
        for key in keyboard.key_buttons():
            left = key.to_window(key.x, key.y)[0]
            assert left + key.width <= ui.app.root.width, key.value
        ui.tap(keyboard.key(switch))
    ui.tap("next_button")
    _at(ui, "jobs")
    ui.tap(ui.find("wanted_jobs").chip("装修"))
    ui.tap("next_button")
    _at(ui, "work")
    ui.tap(ui.find("availability").chip("weekdays"))
    ui.tap(ui.find("employment").chip("gig"))
    ui.type("曾都区", into="area")
    ui.screenshot(ui.app.root, "jobseeker-zh-CN-4-work")
    ui.tap("next_button")
    _at(ui, "review")
    assert "电工、焊工、水管工" in ui.find("review_label").text
    ui.screenshot(ui.app.root, "jobseeker-zh-CN-5-review")
    ui.tap("submit_button")
    ui.pump_until(lambda: ui.current == "receipt", "receipt")
    [record] = [a[0] for n, a, _ in fake_services.calls if n == "submit_jobseeker"]
    assert record == {
        "name": "李四", "id_number": ID_NUMBER, "phone": "13800138000",
        "skills": ["电工", "焊工", "水管工"], "wanted_jobs": ["装修"],
        "availability": "weekdays", "area": "曾都区", "employment": "gig",
    }
    assert ui.find("code_label", "receipt").text == "J4H8-W2RC-B6Y"
    assert _screen(ui).step_name == "identity"
    assert ui.find("skills", "jobseeker").selected == []


def test_missing_choice_is_shown_beside_it(ui):
    ui.tap("btn_jobseeker")
    _screen(ui).step = 3
    _at(ui, "work")
    ui.type("曾都区", into="area")
    ui.tap("next_button")
    screen = _screen(ui)
    assert screen.step_name == "work"
    assert screen.field("employment").error
    assert screen.field("availability").error
    assert screen.field("area").error == []
    ui.tap("lang_toggle")
    ui.pump()
    assert "Employment type" in screen.field("employment").error[1]
    assert "Gig / by the day" in ui.find("employment").chip("gig").text

"""Complaint wizard walked by taps and typing: every step, errors beside fields, submit."""

from __future__ import annotations

import pytest

from shared._errors import FieldError

pytestmark = pytest.mark.ui

ID_NUMBER = "11010519491231002X"
USCC = "91350100M000100Y43"


def _screen(ui):
    return ui.screen("complaint")


def _at(ui, step):
    ui.pump_until(lambda: _screen(ui).step_name == step, f"step {step}")


def _tap_keys(ui, text):
    keyboard = ui.find("keyboard")
    for ch in text:
        ui.tap(keyboard.key(ch))


FILLED = {
    "claimant_name": "张三", "claimant_id_number": ID_NUMBER, "claimant_phone": "13800138000",
    "employer_name": "某某建筑劳务有限公司", "employer_uscc": USCC, "amount": "12500.50",
    "period_start": "2026-03-01", "period_end": "2026-08-31", "coworkers": "12",
    "description": "工程结束后包工头拖欠三个月工资。",
}


def fill_to_consent(ui):
    """A complete form set straight into the inputs (the taps are tested once, below)."""
    ui.tap("btn_complaint")
    ui.tap("matter_wage_arrears")
    _at(ui, "checklist")
    screen = _screen(ui)
    for widget_id, text in FILLED.items():
        screen.ids[widget_id].text = text
    screen.step = screen.step_names.index("consent")
    _at(ui, "consent")
    ui.pump(2)  # let the layout place the step's widgets before tapping them
    return screen


def walk_to_consent(ui, *, amount="12500.50", id_number=ID_NUMBER, shots=None):
    """Home -> every step of the complaint wizard up to consent, by taps and typing."""
    ui.tap("btn_complaint")
    ui.pump_until(lambda: ui.current == "complaint")
    if shots:
        ui.screenshot(ui.app.root, f"{shots}-1-matter")
    ui.tap("matter_wage_arrears")
    _at(ui, "checklist")
    ui.pump_until(lambda: "居民身份证" in ui.find("checklist_label").text
                  or "ID card" in ui.find("checklist_label").text, "checklist")
    if shots:
        ui.screenshot(ui.app.root, f"{shots}-2-checklist")
    ui.tap("next_button")
    _at(ui, "claimant")
    ui.type("张三", into="claimant_name")
    ui.tap("claimant_id_number")
    assert ui.find("keyboard").layout == "id_number"
    _tap_keys(ui, id_number)
    ui.tap("claimant_phone")
    assert ui.find("keyboard").layout == "number"
    _tap_keys(ui, "13800138000")
    ui.tap("conceal_identity")
    if shots:
        ui.screenshot(ui.app.root, f"{shots}-3-claimant")
    ui.tap("next_button")
    _at(ui, "employer")
    ui.type("某某建筑劳务有限公司", into="employer_name")
    ui.type(USCC, into="employer_uscc")
    if shots:
        ui.screenshot(ui.app.root, f"{shots}-4-employer")
    ui.tap("next_button")
    _at(ui, "claim")
    ui.tap("amount")
    assert ui.find("keyboard").layout == "amount"
    _tap_keys(ui, amount)
    ui.tap("period_start")
    _tap_keys(ui, "2026-03-01")
    ui.type("2026-08-31", into="period_end")
    ui.type("12", into="coworkers")
    if shots:
        ui.screenshot(ui.app.root, f"{shots}-5-claim")
    ui.tap("next_button")
    _at(ui, "details")
    ui.type("工程结束后包工头拖欠三个月工资。", into="description")
    ui.tap(ui.find("handling").chip("mediation"))
    if shots:
        ui.screenshot(ui.app.root, f"{shots}-6-details")
    ui.tap("next_button")
    _at(ui, "review")
    if shots:
        ui.screenshot(ui.app.root, f"{shots}-7-review")
    ui.tap("next_button")
    _at(ui, "consent")
    return _screen(ui)


def test_complaint_walked_end_to_end_files_fen_and_shows_receipt(ui, fake_services):
    screen = walk_to_consent(ui, shots="complaint-zh-CN")
    ui.screenshot(ui.app.root, "complaint-zh-CN-8-consent")
    review = ui.find("review_label").text
    for shown in ("￥12,500.50", "张三", "调解", "2026-03-01 – 2026-08-31"):
        assert shown in review
    assert ui.find("submit_button").disabled, "no submit before consent"
    ui.tap("consent")
    ui.tap("submit_button")
    ui.pump_until(lambda: ui.current == "receipt", "receipt shown")
    [record] = [args[0] for name, args, _ in fake_services.calls if name == "submit_complaint"]
    assert record == {
        "matter_type": "wage_arrears",
        "claimant": {"name": "张三", "id_number": ID_NUMBER, "phone": "13800138000",
                     "conceal_identity": True},
        "employer": {"name": "某某建筑劳务有限公司", "uscc": USCC},
        "amount_claimed_fen": 1250050,
        "period": {"start": "2026-03-01", "end": "2026-08-31"},
        "coworkers_affected": 12,
        "description": "工程结束后包工头拖欠三个月工资。",
        "preferred_handling": "mediation",
        "consent": True,
    }
    assert ui.find("code_label", "receipt").text == "K7Q2-M9XP-A34"
    # The wizard forgot the form: nothing to go back to.
    assert screen.step_name == "matter"
    assert ui.find("claimant_name", "complaint").text == ""
    assert screen.matter_type == ""


def test_wrong_id_number_is_shown_beside_its_field_and_blocks_the_step(ui, fake_services):
    ui.tap("btn_complaint")
    ui.tap("matter_labor_contract")
    _at(ui, "checklist")
    ui.tap("next_button")
    ui.type("张三", into="claimant_name")
    ui.type("110105194912310021", into="claimant_id_number")  # wrong check digit
    ui.type("13800138000", into="claimant_phone")
    ui.tap("next_button")
    screen = _screen(ui)
    assert screen.step_name == "claimant"
    field = screen.field("claimant.id_number")
    assert "校验位不正确" in field.error[0]
    assert screen.field("claimant.name").error == []
    ui.screenshot(ui.app.root, "complaint-error-zh-CN")
    ui.tap("lang_toggle")
    ui.pump()
    assert "check digit" in field.error[1]
    # Correcting it lets the worker on.
    ui.find("claimant_id_number").text = ""
    ui.type(ID_NUMBER, into="claimant_id_number")
    ui.tap("next_button")
    _at(ui, "employer")
    assert field.error == []


def test_amount_with_three_decimals_is_refused_in_place(ui):
    ui.tap("btn_complaint")
    ui.tap("matter_wage_arrears")
    _at(ui, "checklist")
    ui.tap("next_button")
    ui.tap("next_button")
    assert _screen(ui).step_name == "claimant", "required fields keep the worker here"
    assert _screen(ui).field("claimant.name").error
    # Skip ahead the way the services' errors would send the worker back.
    _screen(ui).step = 4
    _at(ui, "claim")
    ui.type("100.505", into="amount")
    ui.tap("next_button")
    assert _screen(ui).step_name == "claim"
    assert "最多两位小数" in _screen(ui).field("amount_claimed_fen").error[0]


def test_service_errors_jump_back_to_the_earliest_step(ui, fake_services):
    fill_to_consent(ui)
    fake_services.submit_errors = [
        FieldError("employer.name", "too_short", "用人单位名称：内容太短",
                   "Employer name: too short"),
        FieldError("claimant.phone", "phone_format", "联系电话：格式不对", "Phone: wrong format"),
    ]
    ui.tap("consent")
    ui.tap("submit_button")
    screen = _screen(ui)
    ui.pump_until(lambda: screen.step_name == "claimant", "back at the claimant step")
    assert screen.field("claimant.phone").error == ["联系电话：格式不对", "Phone: wrong format"]
    assert screen.field("employer.name").error[0] == "用人单位名称：内容太短"
    assert ui.current == "complaint"
    assert ui.find("claimant_name").text == "张三", "the form is kept for correction"


def test_submit_fault_keeps_the_form_and_says_so(ui, fake_services):
    fill_to_consent(ui)
    fake_services.submit_fault = OSError("disk full")
    ui.tap("consent")
    ui.tap("submit_button")
    ui.pump_until(lambda: _screen(ui).message_key == "wizard.failed", "failure shown")
    assert "暂时无法提交" in ui.find("submit_message").text
    assert ui.current == "complaint"
    assert not ui.find("submit_button").disabled, "the worker may try again"


def test_checklist_follows_the_language(ui, fake_services):
    ui.tap("btn_complaint")
    ui.tap("matter_wage_arrears")
    ui.pump_until(lambda: "居民身份证" in ui.find("checklist_label").text, "zh checklist")
    ui.tap("lang_toggle")
    ui.pump_until(lambda: "ID card" in ui.find("checklist_label").text, "en checklist")
    langs = [args[1] for name, args, _ in fake_services.calls if name == "checklist"]
    assert langs == ["zh", "en"]


def test_back_from_the_first_step_ends_the_visit(ui):
    ui.tap("btn_complaint")
    ui.tap("matter_other")
    _at(ui, "checklist")
    ui.tap("back_button")
    _at(ui, "matter")
    ui.tap("back_button")
    ui.pump_until(lambda: ui.current == "home")
    assert _screen(ui).matter_type == ""


def test_queue_number_in_the_same_visit_is_linked_to_the_receipt(ui, fake_services):
    fill_to_consent(ui)
    ui.tap("consent")
    ui.tap("submit_button")
    ui.pump_until(lambda: ui.current == "receipt", "receipt shown")
    ui.pump(2)
    ui.tap("ticket_button")
    ui.pump_until(lambda: "A001" in ui.find("ticket_label").text, "number shown")
    assert ("take_ticket", ("K7Q2M9XPA34",)) in [(n, a) for n, a, _ in fake_services.calls]
    assert ui.find("ticket_button").disabled, "one number per visit"

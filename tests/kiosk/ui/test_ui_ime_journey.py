"""A Chinese complaint typed only on the touchscreen reaches the county, over real parts only.

A real ``yizhan-server serve`` on 127.0.0.1 (``server`` fixture); the real kiosk services over
a real data folder; the real app in the offscreen window with the real input engines. Staff
enroll the kiosk by tapping the URL and token on the staff keyboard; a worker files a
complaint whose name, employer and description are entered only by tapping pinyin keys and
candidates, and one character drawn on the handwriting pad as touch down/move/up events; ID
number and phone on their keypads. Staff sync; ``yizhan-server export --format jsonl`` then
holds exactly those strings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kiosk.root import KioskServices
from tests.kiosk.ui.ime_kit import SAN, draw, engines_ready, pick, type_chinese
from tests.kiosk.ui.ui_kit import REAL_STAFF_PIN, REAL_STATION
from tests.sync_server.server_kit import ServerProcess, server_cli

pytestmark = pytest.mark.ui

ID_NUMBER = "11010519491231002X"
PHONE = "13800138000"
NAME = "张三"
EMPLOYER = "建筑劳务有限公司"
DESCRIPTION = "包工头拖欠三个月工资。"


def tap_text(ui: Any, keyboard: Any, text: str) -> None:
    """Tap ``text`` on a staff ``text`` keyboard, switching case as needed."""
    from kiosk.ui.keyboard import TO_LOWER, TO_UPPER

    for ch in text:
        if ch.isupper() and keyboard.layout != "text_upper":
            ui.tap(keyboard.key(TO_UPPER))
        elif ch.islower() and keyboard.layout != "text":
            ui.tap(keyboard.key(TO_LOWER))
        ui.tap(keyboard.key(ch))


def tap_keys(ui: Any, keyboard: Any, text: str) -> None:
    for ch in text:
        ui.tap(keyboard.key(ch))


def at(ui: Any, step: str) -> None:
    screen = ui.screen("complaint")
    ui.pump_until(lambda: screen.step_name == step, f"step {step}")
    ui.pump(2)


def enroll(ui: Any, county: Path, server: ServerProcess) -> None:
    token = json.loads(server_cli("enroll-token", "--station", REAL_STATION, "--data",
                                  str(county), "--json").stdout)["token"]
    staff = ui.unlock_staff(REAL_STAFF_PIN)
    ui.tap("page_enroll")
    ui.pump(2)
    keyboard = ui.find("staff_keyboard")
    ui.tap("enroll_url")
    tap_text(ui, keyboard, server.url)
    ui.tap("enroll_token")
    tap_text(ui, keyboard, token)
    ui.tap("enroll_button")
    ui.pump_until(lambda: "登记成功" in staff.message, f"enrolled ({staff.message})",
                  timeout=60)
    ui.tap("exit_button")
    ui.pump_until(lambda: ui.current == "home")


def file_complaint_by_taps(ui: Any) -> str:
    """Home -> a complaint typed on the screen's keys only -> receipt; returns its code."""
    from kiosk.ui.keyboard import TO_HANDWRITING, TO_PINYIN

    ui.tap("btn_complaint")
    ui.pump_until(lambda: ui.current == "complaint")
    ui.tap("matter_wage_arrears")
    at(ui, "checklist")
    ui.tap("next_button")
    at(ui, "claimant")
    keyboard = ui.find("keyboard")
    ui.tap("claimant_name")
    type_chinese(ui, keyboard, ("zhangsan", "张三"))
    ui.tap("claimant_id_number")
    tap_keys(ui, keyboard, ID_NUMBER)
    ui.tap("claimant_phone")
    tap_keys(ui, keyboard, PHONE)
    ui.tap("next_button")
    at(ui, "employer")
    ui.tap("employer_name")
    type_chinese(ui, keyboard, ("jianzhu", "建筑"), ("laowu", "劳务"),
                 ("youxiangongsi", "有限公司"))
    ui.tap("next_button")
    at(ui, "claim")
    ui.tap("next_button")
    at(ui, "details")
    ui.tap("description")
    type_chinese(ui, keyboard, ("baogongtou", "包工头"), ("tuoqian", "拖欠"))
    ui.tap(keyboard.key(TO_HANDWRITING))
    draw(ui, keyboard.pad, SAN)
    pick(ui, keyboard, "三")
    ui.tap(keyboard.key(TO_PINYIN))
    type_chinese(ui, keyboard, ("geyue", "个月"), ("gongzi", "工资"))
    ui.tap(keyboard.key("。"))
    ui.tap(ui.find("handling").chip("mediation"))
    ui.tap("next_button")
    at(ui, "review")
    review = ui.find("review_label").text
    for typed in (NAME, EMPLOYER, DESCRIPTION, ID_NUMBER, PHONE):
        assert typed in review
    ui.tap("next_button")
    at(ui, "consent")
    ui.tap("consent")
    ui.tap("submit_button")
    ui.pump_until(lambda: ui.current == "receipt", "receipt after the real submit")
    receipt = ui.screen("receipt")
    ui.pump_until(lambda: receipt.qr is not None, "receipt QR on screen")
    ui.pump(2)
    code = receipt.receipt["receipt_code"]
    ui.tap("done_button")
    ui.pump_until(lambda: ui.current == "home")
    return str(code)


def test_chinese_complaint_typed_on_screen_reaches_the_county_export(
        real_ui: Any, kiosk_services: KioskServices, county: Path,
        server: ServerProcess) -> None:
    from test_ui_journey import sync_from_staff_screen

    ui = real_ui
    engines = engines_ready(ui)
    assert (engines.pinyin_state, engines.handwriting_state) == ("ready", "ready"), (
        engines.pinyin_problem, engines.handwriting_problem)
    enroll(ui, county, server)
    code = file_complaint_by_taps(ui)

    staff = ui.unlock_staff(REAL_STAFF_PIN)
    sync_from_staff_screen(ui, staff)
    assert (staff.last_summary["pushed"], staff.last_summary["acknowledged"]) == (1, 1)
    ui.tap("exit_button")
    ui.pump_until(lambda: ui.current == "home")

    exported = [json.loads(line) for line in
                server_cli("export", "--format", "jsonl", "--data", str(county)).stdout
                .splitlines()]
    [case] = [c for c in exported if c["receipt_code"] == code]
    record = case["record"]
    assert record["claimant"]["name"] == NAME
    assert record["claimant"]["id_number"] == ID_NUMBER
    assert record["claimant"]["phone"] == "+86" + PHONE  # typed on the keypad, stored E.164
    assert record["employer"]["name"] == EMPLOYER
    assert record["description"] == DESCRIPTION

"""The whole worker journey in one test, over real components only.

A county server runs as a real ``yizhan-server serve`` process on 127.0.0.1 over a data folder
made by ``yizhan-server init``; the kiosk is the real ``KioskServices`` over a real data folder
(``init_kiosk``), driven through the real app in the offscreen window:

staff mode: enroll with a token from ``yizhan-server enroll-token`` -> home -> complaint
wizard walked by taps and typing -> receipt (the QR on screen, captured as an image, decodes
with zxing-cpp to a receipt whose signature verifies against the device key) -> staff mode:
sync now (on the background worker, the progress followed to ``done``) -> a county staff
status change (``yizhan-server case status CODE in_mediation``) -> staff sync again ->
status lookup by the receipt's code and PIN on the keypad shows 调解中 and its as-of time.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image

from kiosk.root import KioskServices
from kiosk.ui.display import local_time
from shared.clock import parse_utc
from shared.receipt import parse_code, verify_receipt
from tests.kiosk.ui.ui_kit import REAL_STAFF_PIN, REAL_STATION
from tests.sync_server.server_kit import ServerProcess, add_staff, server_cli

pytestmark = pytest.mark.ui

STATION = REAL_STATION
STAFF_PIN = REAL_STAFF_PIN


def sync_from_staff_screen(ui: Any, screen: Any) -> list[dict[str, Any]]:
    """Sync now and follow its progress until it reports ``done``; returns the progress
    reports seen (on the UI thread)."""
    seen: list[dict[str, Any]] = []
    screen.bind(sync_phase=lambda _w, phase: seen.append({"phase": phase}))
    ui.tap("page_sync")
    ui.pump(2)
    ui.tap("sync_button")
    ui.pump_until(lambda: not screen.syncing and screen.sync_phase == "done",
                  f"sync done ({screen.message})", timeout=60)
    return seen


def test_worker_journey_complaint_sync_staff_change_status_lookup(
        real_ui: Any, kiosk_services: KioskServices, county: Path,
        server: ServerProcess) -> None:
    from test_ui_complaint import walk_to_consent

    ui = real_ui
    # -- staff enroll this kiosk with a one-time token from county staff -------------------
    token = json.loads(server_cli("enroll-token", "--station", STATION, "--data", str(county),
                                  "--json").stdout)["token"]
    staff = ui.unlock_staff(STAFF_PIN)
    ui.tap("page_enroll")
    ui.pump(2)
    ui.type(server.url, into="enroll_url")
    ui.type(token, into="enroll_token")
    ui.tap("enroll_button")
    ui.pump_until(lambda: "登记成功" in staff.message, f"enrolled ({staff.message})",
                  timeout=60)
    ui.tap("exit_button")
    ui.pump_until(lambda: ui.current == "home")

    # -- a worker files a complaint by taps and typing ----------------------------------------
    walk_to_consent(ui)
    ui.tap("consent")
    ui.tap("submit_button")
    ui.pump_until(lambda: ui.current == "receipt", "receipt after the real submit")
    receipt_screen = ui.screen("receipt")
    ui.pump_until(lambda: receipt_screen.qr is not None, "QR on screen")
    png = ui.screenshot(ui.find("qr_image"), "journey-receipt-qr")
    [scanned] = zxingcpp.read_barcodes(Image.open(png).convert("RGB"),
                                       formats=zxingcpp.BarcodeFormat.QRCode)
    claims = verify_receipt(scanned.text, {kiosk_services.device_id:
                                           kiosk_services.device_signing_key().public_key()})
    shown_code, pin = ui.find("code_label").text, ui.find("pin_label").text
    code = parse_code(shown_code)
    assert claims.code == code
    assert claims.station == STATION
    ui.tap("done_button")
    ui.pump_until(lambda: ui.current == "home")

    # -- staff sync: the record goes to the county ---------------------------------------------
    staff = ui.unlock_staff(STAFF_PIN)
    seen = sync_from_staff_screen(ui, staff)
    assert {"phase": "push"} in seen, "progress reached the screen while pushing"
    summary = staff.last_summary
    assert (summary["pushed"], summary["acknowledged"]) == (1, 1), summary
    assert "发送 1" in staff.message

    # -- county staff move the case on; the kiosk pulls it -------------------------------------
    changed_from = datetime.now(UTC) - timedelta(seconds=1)
    server_cli("case", "status", code, "in_mediation", "--data", str(county),
               *add_staff(county))
    sync_from_staff_screen(ui, staff)
    assert staff.last_summary["pushed"] == 0
    assert staff.last_summary["pulled"] >= 1
    ui.tap("exit_button")
    ui.pump_until(lambda: ui.current == "home")

    # -- the worker checks the case with the receipt's code and PIN ----------------------------
    ui.tap("btn_lookup")
    ui.pump_until(lambda: ui.current == "lookup")
    keyboard = ui.find("keyboard")
    ui.tap("code_input")
    for ch in shown_code.replace("-", ""):
        ui.tap(keyboard.key(ch))
    ui.tap("pin_input")
    ui.pump_until(lambda: keyboard.layout == "digits", "digits for the PIN")
    for ch in pin:
        ui.tap(keyboard.key(ch))
    ui.tap("submit_button")
    lookup = ui.screen("lookup")
    ui.pump_until(lambda: lookup.result is not None, f"status shown ({lookup.result_text})")
    assert lookup.result["status"] == "in_mediation"
    as_of = parse_utc(lookup.result["as_of"])
    assert changed_from <= as_of <= datetime.now(UTC), "as of the staff change"
    text = ui.find("result_label").text
    assert "当前状态：调解中" in text
    assert f"信息更新于 {local_time(lookup.result['as_of'], 'zh-CN')}" in text
    assert "（北京时间）" in text

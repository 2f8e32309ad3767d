"""Staff enrollment by scanning the token QR (kiosk/ui/screens/staff.py, kiosk/ui/camera.py).

The token QR is the PNG the real ``yizhan-server enroll-token --qr-png`` writes, held up in
front of a ``StillCamera`` (``tests.kiosk.ui.camera_kit``: Kivy's own ``CameraBase`` fed a
picture, as no camera is attached to CI machines); the pixels are read back from the GPU and
decoded with zxing-cpp by the kiosk's real code. Enroll then goes to a real
``yizhan-server serve`` process from the real kiosk services.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from shared.clock import ManualClock
from shared.enrollment import EnrollmentToken, new_token
from shared.receipt import new_code, qr_png
from tests.kiosk.ui.camera_kit import photo_of, photo_of_png, receipt_payload, still_camera
from tests.kiosk.ui.ui_kit import REAL_STAFF_PIN, REAL_STATION
from tests.sync_server.server_kit import ServerProcess, server_cli

pytestmark = pytest.mark.ui

STATION = REAL_STATION
STAFF_PIN = REAL_STAFF_PIN


def token_png(county: Path, path: Path, station: str, server_url: str) -> dict[str, str]:
    """The server CLI writes a token QR to ``path``; returns what it printed."""
    return dict(json.loads(server_cli(
        "enroll-token", "--station", station, "--server-url", server_url, "--data", str(county),
        "--qr-png", str(path), "--json").stdout))


def enrolled_devices(county: Path) -> list[dict[str, Any]]:
    return list(json.loads(server_cli("devices", "--data", str(county), "--json").stdout))


def open_enroll_page(ui: Any, pin: str) -> Any:
    """Home -> Staff -> PIN -> the Enrollment page; returns the staff screen."""
    screen = ui.unlock_staff(pin)
    ui.tap("page_enroll")
    ui.pump_until(lambda: screen.device, "this kiosk's station loaded")
    ui.pump(2)
    return screen


def scan(ui: Any, screen: Any, camera: Any) -> None:
    """Tap the scan button and wait until the camera delivers frames."""
    ui.tap("enroll_scan_button")
    seen = camera.frames
    ui.pump_until(lambda: camera.frames > seen + 3, "frames from the camera")
    assert screen.scanning


# -- the tests ---------------------------------------------------------------------------------


def test_a_token_qr_from_the_server_cli_fills_the_form_and_enrolls(
        real_ui: Any, county: Path, server: ServerProcess, tmp_path: Path) -> None:
    ui = real_ui
    other = token_png(county, tmp_path / "other.png", "S002", server.url)
    good = token_png(county, tmp_path / "token.png", STATION, server.url)
    camera = still_camera(photo_of(None))
    ui.screen("staff").camera_factory = lambda: camera
    staff = open_enroll_page(ui, STAFF_PIN)
    button = ui.find("enroll_scan_button")
    assert (button.opacity, button.disabled) == (1, False)
    assert button.width > 0

    # -- scanning: the preview replaces the form, the keyboard makes room ---------------------
    scan(ui, staff, camera)
    assert ui.find("enroll_button").disabled, "the form is not usable while scanning"
    assert ui.find("staff_keyboard").disabled
    assert ui.find("enroll_preview").opacity == 1
    assert staff.message == "请把县级中心发放的登记二维码对准摄像头。"
    assert ui.find("enroll_token").text == "", "an empty picture gives nothing"

    # -- a worker's receipt is not a token: said so, and scanning goes on ---------------------
    camera.picture = photo_of(receipt_payload(new_code()))
    ui.pump_until(lambda: "回执二维码" in staff.message, "the receipt refused")
    assert staff.message.startswith("这是群众的回执二维码，不是设备登记令牌。")
    assert staff.scanning
    assert not camera.stopped
    ui.screenshot(ui.app.root, "staff-enroll-scan-zh-CN")
    assert ui.find("enroll_token").text == ""

    # -- another station's token: filled in, with a warning; the county refuses it ------------
    camera.picture = photo_of_png((tmp_path / "other.png").read_bytes())
    ui.pump_until(lambda: ui.find("enroll_token").text == other["token"], "token read")
    assert camera.stopped, "the camera is released once the token is read"
    assert not staff.scanning
    assert not ui.find("enroll_button").disabled
    assert ui.find("enroll_url").text == server.url
    warning = ui.find("enroll_warning_label").text
    assert warning.startswith("注意：这个令牌是给站点 S002 的，本机是站点 S001，")
    ui.tap("enroll_button")
    ui.pump_until(lambda: "拒绝" in staff.message, f"refused ({staff.message})", timeout=60)
    assert "station_mismatch" in staff.message or "S002" in staff.message
    assert enrolled_devices(county) == []

    # -- this station's token: no warning; Enroll (pressed by staff) enrolls ------------------
    camera.picture = photo_of(None)  # the other token is put away
    scan(ui, staff, camera)
    camera.picture = photo_of_png((tmp_path / "token.png").read_bytes())
    ui.pump_until(lambda: ui.find("enroll_token").text == good["token"], "token read")
    assert ui.find("enroll_url").text == server.url
    assert ui.find("enroll_qr_label").text.startswith("已读取登记二维码：站点 S001，有效期至 ")
    assert ui.find("enroll_warning_label").text == ""
    assert enrolled_devices(county) == [], "nothing is enrolled until staff press Enroll"
    ui.screenshot(ui.app.root, "staff-enroll-scanned-zh-CN")
    ui.tap("enroll_button")
    ui.pump_until(lambda: "登记成功" in staff.message, f"enrolled ({staff.message})",
                  timeout=60)
    assert staff.message == (f"登记成功：本机（站点 {STATION}）已登记到曾都区，"
                             f"服务器 {server.url}。")
    [device] = enrolled_devices(county)
    assert device["station"] == STATION
    assert ui.find("enroll_token").text == "", "the one-time token is not left on screen"
    assert ui.find("enroll_qr_label").text == ""


def test_an_expired_token_without_a_server_is_said_so(ui: Any, fake_services: Any) -> None:
    # The QR as the server writes it (EnrollmentToken.qr_payload), but an hour past expiry by
    # the kiosk clock, and without a server address.
    kiosk_now = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
    issued = EnrollmentToken(new_token(), "zengdu-01", kiosk_now - timedelta(hours=1))
    camera = still_camera(photo_of(None))
    staff = ui.screen("staff")
    staff.camera_factory = lambda: camera
    staff.clock = ManualClock(kiosk_now)
    open_enroll_page(ui, fake_services.staff_pin)
    ui.type("https://typed.example", into="enroll_url")
    scan(ui, staff, camera)
    camera.picture = photo_of_png(qr_png(issued.qr_payload()))
    ui.pump_until(lambda: ui.find("enroll_token").text == issued.token, "token read")
    assert ui.find("enroll_url").text == "https://typed.example", "no server in the QR"
    assert ui.find("enroll_qr_label").text.splitlines() == [
        "已读取登记二维码：站点 zengdu-01，有效期至 2026-11-21 09:00（北京时间）。"
        "请核对后按“登记本机”。",
        "二维码中没有服务器地址，请核对或填写县级服务器地址。"]
    assert ui.find("enroll_warning_label").text == (
        "注意：这个令牌已于 2026-11-21 09:00（北京时间）过期（按本机时钟），"
        "请向县级中心重新申请。")

    ui.tap("lang_toggle")
    ui.pump(2)
    assert ui.find("enroll_warning_label").text == (
        "Warning: this token expired at 2026-11-21 09:00 (Beijing time) (by this kiosk's "
        "clock). Ask the county centre for a new one.")
    assert "The QR code has no server address" in ui.find("enroll_qr_label").text
    ui.screenshot(ui.app.root, "staff-enroll-expired-en")

    # Staff may still try (the county decides; the kiosk clock may be wrong).
    ui.tap("enroll_button")
    ui.pump_until(lambda: staff.message.startswith("Enrolled"), "enrolled")
    assert ("enroll", ("https://typed.example", issued.token)) in [
        (c[0], c[1]) for c in fake_services.calls]


def test_editing_the_token_forgets_what_the_qr_said(ui: Any, fake_services: Any) -> None:
    issued = EnrollmentToken(new_token(), "S777", datetime.now(UTC) + timedelta(hours=24),
                             "https://county.example")
    camera = still_camera(photo_of(issued.qr_payload()))
    staff = ui.screen("staff")
    staff.camera_factory = lambda: camera
    open_enroll_page(ui, fake_services.staff_pin)
    ui.tap("enroll_scan_button")
    ui.pump_until(lambda: ui.find("enroll_token").text == issued.token, "token read")
    assert "站点 S777" in ui.find("enroll_qr_label").text
    assert "本机是站点 zengdu-01" in ui.find("enroll_warning_label").text
    ui.type("x", into="enroll_token")
    assert ui.find("enroll_qr_label").text == ""
    assert ui.find("enroll_warning_label").text == ""


def test_other_qr_codes_cancel_and_leaving_stop_the_camera(ui: Any, fake_services: Any,
                                                          manual_time: Any) -> None:
    camera = still_camera(photo_of("https://county.example/enroll"))
    staff = ui.screen("staff")
    staff.camera_factory = lambda: camera
    open_enroll_page(ui, fake_services.staff_pin)
    scan(ui, staff, camera)
    ui.pump_until(lambda: "不是设备登记令牌" in staff.message, "a URL QR refused")
    assert staff.message.startswith("这个二维码不是设备登记令牌。")
    camera.picture = photo_of('{"station":"S001","expires_at":"2026-11-22T10:00:00.000Z"}')
    ui.pump_until(lambda: "令牌缺失或有误" in staff.message, "a token QR without its token")
    assert staff.scanning

    ui.tap("enroll_scan_cancel")
    assert camera.stopped
    assert not staff.scanning
    assert staff.message == ""
    assert not ui.find("staff_keyboard").disabled, "the keyboard is back"
    assert ui.find("staff_keyboard").target is ui.find("enroll_url")

    scan(ui, staff, camera)
    ui.tap("page_device")
    assert camera.stopped, "another page ends the scan"
    assert not staff.scanning

    ui.tap("page_enroll")
    ui.pump(2)
    scan(ui, staff, camera)
    manual_time.advance(91)
    ui.pump_until(lambda: ui.current == "home", "idle timeout")
    assert camera.stopped, "the idle wipe stops the camera"
    assert not staff.scanning
    assert not staff.unlocked


def test_the_enroll_scan_button_is_hidden_without_a_camera(ui: Any, fake_services: Any) -> None:
    staff = open_enroll_page(ui, fake_services.staff_pin)
    button = ui.find("enroll_scan_button")
    assert (button.opacity, button.width, button.disabled) == (0, 0, True)
    assert not staff.camera_present
    staff.start_enroll_scan()
    assert not staff.scanning, "no camera, no scan"

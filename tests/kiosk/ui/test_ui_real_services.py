"""The touchscreen over the real kiosk services and a real data folder (no fakes).

A complaint is filed by taps; the QR on screen, captured as an image, decodes with zxing-cpp
to a receipt whose signature verifies against this kiosk's device key; the receipt's code
and PIN then find the case on the lookup screen.
"""

from __future__ import annotations

from typing import Any

import pytest
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from PIL import Image

from kiosk.root import KioskServices
from kiosk.services import init_kiosk
from shared.clock import SystemClock
from shared.keys import Recipient, b64u, raw_public
from shared.receipt import format_code, parse_code, verify_receipt

pytestmark = pytest.mark.ui


@pytest.fixture
def real_services(tmp_path) -> Any:
    """A kiosk initialised and enrolled offline with county keys made here."""
    county = X25519PrivateKey.generate()
    server = Ed25519PrivateKey.generate()
    county_public = {"county": "曾都区",
                     "keys": [Recipient.of(county.public_key()).to_wire()],
                     "server_key": b64u(raw_public(server.public_key()))}
    init_kiosk(tmp_path / "kiosk", "zengdu-01", b"station passphrase", SystemClock(),
               county_public)
    services = KioskServices.open(tmp_path / "kiosk")
    yield services
    services.close()


@pytest.fixture
def real_ui(shared_app, real_services, tmp_path):
    from tests.kiosk.ui.ui_kit import UiDriver, release_app, shots_dir, use_app

    yield UiDriver(use_app(shared_app, real_services), shots_dir(tmp_path))
    release_app(shared_app)


def test_complaint_on_real_services_gives_a_verifiable_receipt(real_ui, real_services):
    from test_ui_complaint import fill_to_consent

    ui = real_ui
    fill_to_consent(ui)
    ui.tap("consent")
    ui.tap("submit_button")
    ui.pump_until(lambda: ui.current == "receipt", "receipt after the real submit")
    screen = ui.screen("receipt")
    ui.pump_until(lambda: screen.qr is not None, "QR")
    ui.pump_until(lambda: "身份证" in screen.checklist_text, "the real checklist")
    png = ui.screenshot(ui.find("qr_image"), "real-receipt-qr")
    [result] = zxingcpp.read_barcodes(Image.open(png).convert("RGB"),
                                      formats=zxingcpp.BarcodeFormat.QRCode)
    device_key = real_services.device_signing_key().public_key()
    claims = verify_receipt(result.text, {real_services.device_id: device_key})
    shown, pin = ui.find("code_label").text, ui.find("pin_label").text
    code = parse_code(shown)
    assert shown == format_code(code), "the code is shown in groups, as printed"
    assert claims.code == code
    assert claims.station == "zengdu-01"

    ui.tap("done_button")
    ui.pump_until(lambda: ui.current == "home")
    ui.tap("btn_lookup")
    ui.type(code, into="code_input")
    ui.type(pin, into="pin_input")
    ui.tap("submit_button")
    ui.pump_until(lambda: "已在本机登记" in ui.find("result_label").text, "provisional status")
    # One character wrong: the check character catches it and the worker is told so.
    wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
    ui.find("code_input").text = ""
    ui.type(wrong, into="code_input")
    ui.tap("submit_button")
    ui.pump_until(lambda: "回执编号有误" in ui.find("result_label").text, "malformed code")


def test_a_revoked_kiosk_home_says_out_of_service_and_refuses_intake(real_ui, real_services):
    from kiosk.root import ServicesPort

    ui = real_ui
    home = ui.screen("home")
    ui.pump_until(lambda: ui.current == "home", "home")
    assert not ui.find("btn_complaint").disabled
    assert ui.find("out_of_service").opacity == 0
    # What a sync does when the county answers device_revoked (kiosk/sync/enroll.py).
    ServicesPort(real_services).apply_revocation(real_services.device_id)
    ui.tap("btn_lookup")
    ui.pump_until(lambda: ui.current == "lookup", "lookup")
    ui.tap("home_button")
    ui.pump_until(lambda: ui.current == "home" and home.revoked, "home knows it is revoked")
    notice = ui.find("out_of_service")
    assert notice.opacity == 1
    assert notice.text.startswith("本机已停用")
    assert "站点服务台" in notice.text  # where to go instead
    assert ui.find("btn_complaint").disabled
    assert ui.find("btn_jobseeker").disabled
    assert not ui.find("btn_lookup").disabled  # a worker can still check a receipt
    ui.screenshot(ui.app.root, "home-revoked-zh-CN")

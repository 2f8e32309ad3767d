"""Scanning the receipt QR on the status-lookup screen (kiosk/ui/camera.py).

No camera is attached to CI machines, so the camera here is ``StillCamera``
(``tests.kiosk.ui.camera_kit``): Kivy's own ``CameraBase`` fed with a picture exactly as the
OpenCV provider feeds it. Everything after the texture is the kiosk's real code: the pixels
read back from the GPU and decoded by zxing-cpp.
"""

from __future__ import annotations

import importlib.util
from io import BytesIO

import pytest
from PIL import Image

from kiosk.ui.qr import qr_png
from shared.receipt import ReceiptError, new_code, receipt_link
from tests.kiosk.ui.camera_kit import (
    FRAME,
    camera_texture,
    photo_of,
    receipt_payload,
    still_camera,
)

pytestmark = pytest.mark.ui


def test_a_receipt_qr_in_a_camera_frame_decodes_to_its_code(kivy_window):
    from kiosk.ui.camera import frame_from_texture, receipt_code_in_frame

    code = new_code()
    found = receipt_code_in_frame(frame_from_texture(camera_texture(photo_of(receipt_payload(
        code)))))
    assert found == code
    # Nothing in view, or a QR that is not a yizhan receipt: no code.
    assert receipt_code_in_frame(frame_from_texture(camera_texture(photo_of(None)))) is None
    other = Image.new("RGB", FRAME, (255, 255, 255))
    other.paste(Image.open(BytesIO(qr_png("https://example.com/YZR1"))).convert("RGB"), (80, 40))
    assert receipt_code_in_frame(frame_from_texture(camera_texture(other))) is None


def test_a_v2_receipt_link_in_a_camera_frame_decodes_to_its_code(kivy_window):
    """Issue 15: receipts printed with the county's status page link scan the same."""
    from kiosk.ui.camera import frame_from_texture, receipt_code_in_frame

    code = new_code()
    link = receipt_link("https://wq.example.cn", receipt_payload(code))
    assert receipt_code_in_frame(frame_from_texture(camera_texture(photo_of(link)))) == code


def test_the_decoder_sees_every_qr_in_view(kivy_window):
    from kiosk.ui.camera import Found, find_in_frame, frame_from_texture, receipt_code

    # A web address and a receipt side by side: the receipt is found whichever comes first.
    code = new_code()
    frame = Image.new("RGB", FRAME, (170, 172, 168))
    for payload, x in (("https://example.com/YZR1", 10), (receipt_payload(code), 330)):
        qr = Image.open(BytesIO(qr_png(payload, box_size=4))).convert("RGB")
        frame.paste(qr.resize((300, 300), Image.Resampling.NEAREST), (x, 90))
    assert find_in_frame(frame_from_texture(camera_texture(frame)), receipt_code).value == code
    # Only the web address: nothing found, and why it was turned down is kept.
    alone = find_in_frame(frame_from_texture(camera_texture(photo_of(
        "https://example.com/YZR1"))), receipt_code)
    assert alone.value is None
    assert isinstance(alone.refused, ReceiptError)
    # Nothing in view: nothing found, nothing refused.
    assert find_in_frame(frame_from_texture(camera_texture(photo_of(None))), receipt_code) \
        == Found()


def test_scanning_fills_the_code_and_the_pin_is_typed(ui, fake_services, manual_time):
    code = new_code()
    fake_services.make_receipt(code, "482913")
    camera = still_camera(photo_of(None))
    ui.screen("lookup").camera_factory = lambda: camera
    ui.tap("btn_lookup")
    ui.pump_until(lambda: ui.current == "lookup")
    screen = ui.screen()
    assert ui.find("scan_button").opacity == 1
    ui.tap("scan_button")
    ui.pump_until(lambda: camera.frames > 3, "frames from the camera")
    assert screen.scanning
    assert ui.find("keyboard").disabled, "the preview takes the keypad's place"
    assert "对准摄像头" in ui.find("result_label").text
    ui.screenshot(ui.app.root, "lookup-scan-zh-CN")
    assert ui.find("code_input").text == "", "an empty picture gives no code"

    camera.picture = photo_of(receipt_payload(code))
    ui.pump_until(lambda: ui.find("code_input").text == code, "code read from the QR")
    assert camera.stopped, "the camera is released once the code is read"
    assert not screen.scanning
    keyboard = ui.find("keyboard")
    ui.pump_until(lambda: keyboard.layout == "digits", "the keypad moves on to the PIN")
    for ch in "482913":
        ui.tap(keyboard.key(ch))
    ui.tap("submit_button")
    ui.pump_until(lambda: "调解中" in ui.find("result_label").text, "status shown")
    assert ("lookup_status", (code, "482913")) in [(c[0], c[1]) for c in fake_services.calls]

    # A scan left running when the worker walks away stops with the idle wipe.
    ui.tap("scan_button")
    ui.pump_until(lambda: not camera.stopped, "scanning again")
    manual_time.advance(91)
    ui.pump_until(lambda: ui.current == "home", "idle timeout")
    assert camera.stopped
    assert not screen.scanning


def _hidden(ui):
    button = ui.find("scan_button", "lookup")
    return button.opacity == 0 and button.disabled and button.width == 0


def test_the_scan_button_is_hidden_without_a_camera(ui):
    ui.tap("btn_lookup")
    ui.pump_until(lambda: ui.current == "lookup")
    ui.pump(2)
    assert _hidden(ui)
    assert not ui.screen().camera_present


@pytest.mark.skipif(any(importlib.util.find_spec(m) for m in ("cv2", "gi", "picamera")),
                    reason="a Kivy camera provider is installed here: the probe may find one")
def test_the_camera_probe_finds_none_without_a_provider(kivy_window, fake_services):
    from kiosk.ui.app import KioskApp
    from kiosk.ui.camera import open_camera

    assert open_camera() is None
    assert KioskApp(fake_services, camera="auto")._camera_factory() is None, \
        "the app's default: no camera, so no scan button"

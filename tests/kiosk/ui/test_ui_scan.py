"""Scanning the receipt QR on the status-lookup screen (kiosk/ui/camera.py).

No camera is attached to CI machines, so the camera here is :class:`StillCamera`: Kivy's own
``CameraBase`` fed with a picture exactly as the OpenCV provider feeds it (an RGB buffer
blitted into a vertically flipped texture, ``on_texture`` per frame). Everything after the
texture is the kiosk's real code: the pixels read back from the GPU and decoded by zxing-cpp.
"""

from __future__ import annotations

import importlib.util
from io import BytesIO
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image

from kiosk.ui.qr import qr_png
from shared.keys import device_id_of
from shared.receipt import ReceiptClaims, new_code, sign_receipt

pytestmark = pytest.mark.ui

FRAME = (640, 480)


def receipt_payload(code: str) -> str:
    """A receipt QR payload signed by a fresh device key."""
    key = Ed25519PrivateKey.generate()
    claims = ReceiptClaims(code, device_id_of(key.public_key()), "S001",
                           "2026-11-21T10:00:00.000Z", "9f2c1a7e5b3d4c6a9f2c1a7e5b3d4c6a")
    return sign_receipt(claims, key)


def photo_of(payload: str | None, offset: tuple[int, int] = (150, 60)) -> Image.Image:
    """A camera-sized grey picture with the QR of ``payload`` held up in it (or nothing)."""
    frame = Image.new("RGB", FRAME, (170, 172, 168))
    if payload is not None:
        qr = Image.open(BytesIO(qr_png(payload, box_size=4))).convert("RGB")
        frame.paste(qr.resize((340, 340), Image.Resampling.NEAREST), offset)
    return frame


def camera_texture(picture: Image.Image) -> Any:
    """A texture filled the way Kivy's OpenCV camera provider fills it."""
    from kivy.graphics.texture import Texture

    texture = Texture.create(size=picture.size, colorfmt="rgb")
    texture.flip_vertical()
    texture.blit_buffer(picture.tobytes(), colorfmt="rgb", bufferfmt="ubyte")
    return texture


def still_camera(picture: Image.Image) -> Any:
    """A Kivy core camera whose device sees ``picture`` (change ``.picture`` to move on)."""
    from kivy.clock import Clock
    from kivy.core.camera import CameraBase
    from kivy.graphics.texture import Texture

    class StillCamera(CameraBase):  # type: ignore[misc]
        def __init__(self, **kwargs: Any) -> None:
            self.picture = picture
            self.frames = 0
            self._event: Any = None
            super().__init__(stopped=True, resolution=picture.size, **kwargs)

        def init_camera(self) -> None:
            self._texture = Texture.create(size=self.resolution, colorfmt="rgb")
            self._texture.flip_vertical()
            self._format = "rgb"

        def start(self) -> None:
            super().start()
            self._event = Clock.schedule_interval(self._update, 0)

        def stop(self) -> None:
            super().stop()
            if self._event is not None:
                self._event.cancel()

        def _update(self, _dt: float) -> None:
            if self.stopped:
                return
            self.frames += 1
            self._buffer = self.picture.tobytes()
            self._copy_to_gpu()

    return StillCamera()


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

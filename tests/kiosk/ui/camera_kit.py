"""A camera for UI tests that scan: no camera is attached to CI machines.

:func:`still_camera` is Kivy's own ``CameraBase`` fed with a picture exactly as the OpenCV
provider feeds it (an RGB buffer blitted into a vertically flipped texture, ``on_texture``
per frame). Everything after the texture is the kiosk's real code: the pixels read back from
the GPU and decoded by zxing-cpp. :func:`photo_of` / :func:`photo_of_png` make the pictures
(a QR held up in front of a grey background), :func:`receipt_payload` a real signed receipt.

Kivy is imported inside the functions: ``conftest`` configures Kivy's environment first.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image

from kiosk.ui.qr import qr_png
from shared.keys import device_id_of
from shared.receipt import ReceiptClaims, sign_receipt

FRAME = (640, 480)


def receipt_payload(code: str) -> str:
    """A receipt QR payload signed by a fresh device key."""
    key = Ed25519PrivateKey.generate()
    claims = ReceiptClaims(code, device_id_of(key.public_key()), "S001",
                           "2026-11-21T10:00:00.000Z", "9f2c1a7e5b3d4c6a9f2c1a7e5b3d4c6a")
    return sign_receipt(claims, key)


def photo_of(payload: str | None, offset: tuple[int, int] = (150, 60)) -> Image.Image:
    """A camera-sized grey picture with the QR of ``payload`` held up in it (or nothing)."""
    return photo_of_png(None if payload is None else qr_png(payload, box_size=4), offset)


def photo_of_png(png: bytes | None, offset: tuple[int, int] = (150, 60)) -> Image.Image:
    """A camera-sized grey picture with the picture ``png`` (a QR printout) held up in it."""
    frame = Image.new("RGB", FRAME, (170, 172, 168))
    if png is not None:
        qr = Image.open(BytesIO(png)).convert("RGB")
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

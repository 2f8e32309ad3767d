"""Scanning a receipt QR with the kiosk's camera, when it has one.

* :func:`open_camera` is the capability check: Kivy's core camera provider (picamera, GStreamer
  or OpenCV, whichever is installed; none is a dependency of this project) must exist and
  device ``index`` must open. It returns the camera, stopped, or None; the status-lookup
  screen hides its scan button on None.
* :func:`frame_from_texture` reads a camera texture's pixels (RGBA, bottom row first, as
  OpenGL keeps them) on the Kivy thread; :func:`receipt_code_in_frame` decodes them with
  zxing-cpp (off the Kivy thread: it takes tens of milliseconds) and returns the receipt
  code of the first yizhan receipt QR in view. The code is all the QR gives: the PIN is
  not in it (it must be typed), and the QR holds no personal data.
* :class:`QrScanner` ties them together for a screen: start, one frame decoded at a time on
  the service worker, ``on_code`` when a receipt is seen, stop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kivy.event import EventDispatcher
from kivy.logger import Logger
from kivy.properties import ObjectProperty
from PIL import Image

from shared.receipt import QR_PREFIX, ReceiptError, read_receipt

__all__ = ["Frame", "QrScanner", "frame_from_texture", "open_camera", "receipt_code_in_frame"]

RESOLUTION = (640, 480)


def open_camera(index: int = 0, resolution: tuple[int, int] = RESOLUTION) -> Any | None:
    """Open camera ``index`` through Kivy's core camera provider, stopped.

    Returns the camera (a ``kivy.core.camera.CameraBase``) or None when no provider is
    installed or the device does not open. Call on the Kivy thread (it makes a texture).
    """
    try:
        from kivy.core.camera import Camera as CoreCamera
    except Exception:  # a broken provider means: no camera
        return None
    if CoreCamera is None:
        return None
    try:
        camera = CoreCamera(index=index, resolution=resolution, stopped=True)
    except Exception as exc:  # providers raise anything when no device opens
        Logger.info("Camera: no camera %s: %s: %s", index, type(exc).__name__, exc)
        return None
    return camera


@dataclass(frozen=True)
class Frame:
    """One camera picture: RGBA bytes, bottom row first (OpenGL order)."""

    pixels: bytes
    width: int
    height: int


def frame_from_texture(texture: Any) -> Frame:
    """The pixels of a Kivy texture as a :class:`Frame`. Needs the Kivy thread (GL)."""
    width, height = texture.size
    return Frame(bytes(texture.pixels), int(width), int(height))


def receipt_code_in_frame(frame: Frame) -> str | None:
    """The receipt code of the first yizhan receipt QR in ``frame``, or None.

    Other QR codes and malformed receipts are ignored (the worker may hold up anything).
    Thread-safe and Kivy-free: call it on the worker.
    """
    import zxingcpp  # only a kiosk that scans needs the decoder loaded

    image = Image.frombytes("RGBA", (frame.width, frame.height), frame.pixels)
    gray = image.convert("L").transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    for result in zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode):
        if not result.text.startswith(QR_PREFIX + "."):
            continue
        try:
            return read_receipt(result.text).code
        except ReceiptError:
            continue
    return None


class QrScanner(EventDispatcher):  # type: ignore[misc]
    """Runs ``camera`` and decodes its frames on ``runner`` until a receipt QR is seen.

    Events: ``on_code(code)`` once per scan, after which the camera is stopped;
    ``on_frame`` for every picture (redraw a preview of ``texture``). One frame is decoded at
    a time; frames arriving meanwhile are skipped, so a slow decoder never queues work up
    behind the camera.
    """

    __events__ = ("on_code", "on_frame")
    texture = ObjectProperty(None, allownone=True)  # the camera's live texture (preview)

    def __init__(self, camera: Any, runner: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.camera = camera
        self.runner = runner
        self.scanning = False
        self._decoding = False

    def start(self) -> None:
        """Start the camera and look at every frame it delivers."""
        if self.scanning:
            return
        self.scanning = True
        self.camera.bind(on_texture=self._on_frame)
        self.camera.start()

    def stop(self) -> None:
        """Stop the camera; a decode still running is ignored when it ends."""
        if not self.scanning:
            return
        self.scanning = False
        self._decoding = False  # a result still on its way is dropped by ``scanning``
        self.camera.unbind(on_texture=self._on_frame)
        self.camera.stop()

    def _on_frame(self, *_args: Any) -> None:
        texture = self.camera.texture
        if not self.scanning or texture is None:
            return
        self.texture = texture
        self.dispatch("on_frame")
        if self._decoding:
            return
        self._decoding = True
        self.runner.call(receipt_code_in_frame, frame_from_texture(texture),
                         on_result=self._decoded, on_error=self._failed)

    def _decoded(self, code: str | None) -> None:
        self._decoding = False
        if code is not None and self.scanning:
            self.stop()
            self.dispatch("on_code", code)

    def _failed(self, exc: BaseException) -> None:
        self._decoding = False
        Logger.error("QrScanner: decoding a frame failed: %r", exc, exc_info=exc)

    def on_code(self, code: str) -> None:
        """Default handler; the screen binds its own."""

    def on_frame(self) -> None:
        """Default handler; the screen redraws its preview."""

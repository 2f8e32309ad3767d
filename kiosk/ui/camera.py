"""Scanning a QR code with the kiosk's camera, when it has one.

* :func:`open_camera` is the capability check: Kivy's core camera provider (picamera, GStreamer
  or OpenCV, whichever is installed; none is a dependency of this project) must exist and
  device ``index`` must open. It returns the camera, stopped, or None; the screens that scan
  (status lookup, staff enrollment) hide their scan buttons on None.
* :func:`frame_from_texture` reads a camera texture's pixels (RGBA, bottom row first, as
  OpenGL keeps them) on the Kivy thread; :func:`qr_texts_in_frame` decodes them with
  zxing-cpp (``kiosk.services.qr_reader``; off the Kivy thread: it takes tens of
  milliseconds).
* A *decoder* says what a screen is looking for: a function from one QR's text to the value
  wanted, raising :class:`~shared.YizhanError` or ValueError for a QR that is not it.
  :func:`find_in_frame` applies one to every QR in a frame. :func:`receipt_code` is the
  receipt decoder (the code is all a receipt QR gives: the PIN is not in it, and the QR holds
  no personal data); ``shared.enrollment.read_enrollment_qr`` is the enrollment one.
* :class:`QrScanner` ties them together for a screen: start, one frame decoded at a time on
  the service worker, ``on_code`` when the decoder accepts a QR, ``on_refused`` when the QRs
  in view are not what it looks for, stop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from kivy.event import EventDispatcher
from kivy.logger import Logger
from kivy.properties import ObjectProperty
from PIL import Image

from kiosk.services.qr_reader import qr_texts
from shared import ReceiptError, YizhanError
from shared.receipt import is_receipt_text, read_receipt

__all__ = [
    "Found",
    "Frame",
    "QrScanner",
    "find_in_frame",
    "frame_from_texture",
    "open_camera",
    "qr_texts_in_frame",
    "receipt_code",
    "receipt_code_in_frame",
]

RESOLUTION = (640, 480)
T = TypeVar("T")
# What a screen looks for: QR text -> value; raises YizhanError or ValueError when it is not.
Decoder = Callable[[str], Any]
NOT_WANTED = (YizhanError, ValueError)


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


@dataclass(frozen=True)
class Found(Generic[T]):
    """What a decoder made of one frame: the ``value`` of the first QR it accepted, else the
    ``refused`` error of the first QR it turned down (both None: no QR in view)."""

    value: T | None = None
    refused: BaseException | None = None


def frame_from_texture(texture: Any) -> Frame:
    """The pixels of a Kivy texture as a :class:`Frame`. Needs the Kivy thread (GL)."""
    width, height = texture.size
    return Frame(bytes(texture.pixels), int(width), int(height))


def qr_texts_in_frame(frame: Frame) -> list[str]:
    """The text of every QR code in ``frame``. Thread-safe and Kivy-free."""
    image = Image.frombytes("RGBA", (frame.width, frame.height), frame.pixels)
    return qr_texts(image.convert("L").transpose(Image.Transpose.FLIP_TOP_BOTTOM))


def find_in_frame(frame: Frame, decoder: Callable[[str], T]) -> Found[T]:
    """Apply ``decoder`` to each QR in ``frame``; see :class:`Found`. Call on the worker."""
    refused: BaseException | None = None
    for text in qr_texts_in_frame(frame):
        try:
            return Found(value=decoder(text))
        except NOT_WANTED as exc:
            refused = refused or exc
    return Found(refused=refused)


def receipt_code(text: str) -> str:
    """The receipt code in yizhan receipt QR text ``text`` (a v1 payload or a v2 status-page
    link). Raises ReceiptError for any other text, or a malformed receipt (the signature is
    checked by the county, not here)."""
    if not is_receipt_text(text):
        raise ReceiptError("not a yizhan receipt QR")
    return read_receipt(text).code


def receipt_code_in_frame(frame: Frame) -> str | None:
    """The receipt code of the first yizhan receipt QR in ``frame``, or None.

    Other QR codes and malformed receipts are ignored (the worker may hold up anything).
    Thread-safe and Kivy-free: call it on the worker.
    """
    return find_in_frame(frame, receipt_code).value


class QrScanner(EventDispatcher):  # type: ignore[misc]
    """Runs ``camera`` and decodes its frames on ``runner`` until ``decoder`` accepts a QR.

    Events: ``on_code(value)`` once per scan with what the decoder returned, after which the
    camera is stopped; ``on_refused(error)`` for a decoded frame whose QR codes the decoder
    turned down (scanning goes on); ``on_frame`` for every picture (redraw a preview of
    ``texture``). One frame is decoded at a time; frames arriving meanwhile are skipped, so a
    slow decoder never queues work up behind the camera. The default decoder reads receipts.
    """

    __events__ = ("on_code", "on_frame", "on_refused")
    texture = ObjectProperty(None, allownone=True)  # the camera's live texture (preview)

    def __init__(self, camera: Any, runner: Any, decoder: Decoder = receipt_code,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.camera = camera
        self.runner = runner
        self.decoder = decoder
        self.scanning = False
        self._decoding = False
        self._scan = 0  # which start() a decode belongs to: a late one from an earlier scan
        #                 must not end this one

    def start(self) -> None:
        """Start the camera and look at every frame it delivers."""
        if self.scanning:
            return
        self.scanning = True
        self._scan += 1
        self.camera.bind(on_texture=self._on_frame)
        self.camera.start()

    def stop(self) -> None:
        """Stop the camera; a decode still running is ignored when it ends."""
        if not self.scanning:
            return
        self.scanning = False
        self._decoding = False  # a result still on its way is dropped by ``_scan``
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
        scan = self._scan
        self.runner.call(find_in_frame, frame_from_texture(texture), self.decoder,
                         on_result=lambda found: self._decoded(scan, found),
                         on_error=lambda exc: self._failed(scan, exc))

    def _decoded(self, scan: int, found: Found[Any]) -> None:
        if scan != self._scan or not self.scanning:
            return
        self._decoding = False
        if found.value is not None:
            self.stop()
            self.dispatch("on_code", found.value)
        elif found.refused is not None:
            self.dispatch("on_refused", found.refused)

    def _failed(self, scan: int, exc: BaseException) -> None:
        if scan == self._scan:
            self._decoding = False
        Logger.error("QrScanner: decoding a frame failed: %r", exc, exc_info=exc)

    def on_code(self, value: Any) -> None:
        """Default handler; the screen binds its own."""

    def on_refused(self, error: BaseException) -> None:
        """Default handler: a QR that is not the one wanted is ignored."""

    def on_frame(self) -> None:
        """Default handler; the screen redraws its preview."""

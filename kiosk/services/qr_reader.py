"""Reading QR codes from pictures with zxing-cpp: the text of every QR in an image (the
camera's frames, ``kiosk.ui.camera``), and the enrollment token in a picture file
(``yizhan-kiosk enroll --token-qr PNG``).

zxing-cpp comes with the ``kiosk-ui`` extra; without it :func:`qr_texts` raises
:class:`DecoderMissing` (a ModuleNotFoundError) saying what to install.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from kiosk.errors import KioskError
from shared._errors import EnrollmentTokenError, FileRefused
from shared.enrollment import EnrollmentToken, read_enrollment_qr
from shared.safefile import read_limited

MAX_PICTURE_BYTES = 20 << 20  # a phone photo of a token QR is a few MB
MAX_PICTURE_PIXELS = 40_000_000  # PIL's own bomb check allows ~179 M (0.5 GB decoded)

__all__ = ["DecoderMissing", "qr_texts", "token_from_picture"]


class DecoderMissing(KioskError, ModuleNotFoundError):
    """zxing-cpp, the QR decoder, is not installed (a ModuleNotFoundError too, for callers
    that treat it as a missing optional module)."""

    code = "qr_decoder_missing"


def qr_texts(image: Image.Image) -> list[str]:
    """The text of every QR code in ``image``, in zxing-cpp's order. Thread-safe.

    Raises DecoderMissing when zxing-cpp is not installed.
    """
    try:
        import zxingcpp
    except ModuleNotFoundError:
        raise DecoderMissing("reading QR codes needs zxing-cpp, which comes with the kiosk-ui "
                             "extra: pip install 'yizhan[kiosk-ui]' (or 'zxing-cpp')",
                             name="zxingcpp") from None
    # Every zxing-cpp in the range takes one BarcodeFormat; 3.x's stub asks for the set type.
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)  # type: ignore[arg-type]
    return [str(result.text) for result in found]


def token_from_picture(path: Path) -> EnrollmentToken:
    """The enrollment token in the first QR code of the picture at ``path`` that holds one.

    The file is read once, at most MAX_PICTURE_BYTES, and must be a regular file.
    Raises FileRefused when it cannot be read, is not a regular file or is too large (in
    bytes or pixels), ``PIL.UnidentifiedImageError`` when it is not a picture,
    DecoderMissing, and EnrollmentTokenError: code ``no_qr`` when the picture has no QR code,
    else the reason the first QR is not an enrollment token.
    """
    data = read_limited(path, MAX_PICTURE_BYTES)
    with Image.open(io.BytesIO(data)) as picture:
        if picture.width * picture.height > MAX_PICTURE_PIXELS:
            raise FileRefused("too_large", f"{path} is {picture.width}x{picture.height} "
                              f"pixels; the limit is {MAX_PICTURE_PIXELS} pixels")
        texts = qr_texts(picture.convert("L"))
    refused: list[EnrollmentTokenError] = []
    for text in texts:
        try:
            return read_enrollment_qr(text)
        except EnrollmentTokenError as exc:
            refused.append(exc)
    raise refused[0] if refused else EnrollmentTokenError(
        "no_qr", "no QR code found in the picture")

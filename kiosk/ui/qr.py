"""Receipt QR codes for the screen: payload → PNG bytes → Kivy texture.

The PNG step keeps the QR a plain image that the printer code and tests can reuse, and lets
Kivy load it without touching PIL objects. The texture is scaled with nearest-neighbour
filtering so modules stay sharp squares a phone camera reads at any size.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

import qrcode
from qrcode.constants import ERROR_CORRECT_M

__all__ = ["qr_png", "qr_texture"]


def qr_png(payload: str, *, box_size: int = 8, border: int = 4) -> bytes:
    """Return a black-on-white PNG of ``payload`` with the standard 4-module quiet zone."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=border)
    code.add_data(payload)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white")
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def qr_texture(png: bytes) -> Any:
    """Return a Kivy texture of the PNG, filtered for crisp scaling. Needs a GL context."""
    from kivy.core.image import Image as CoreImage

    texture = CoreImage(BytesIO(png), ext="png").texture
    texture.mag_filter = "nearest"
    texture.min_filter = "nearest"
    return texture

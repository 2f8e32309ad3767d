"""Receipt QR codes for the screen: payload → PNG bytes → Kivy texture.

The PNG step (``shared.qr``, the renderer the server uses too) keeps the QR a plain image
that the printer code and tests can reuse, and lets Kivy load it without touching PIL
objects. The texture is scaled with nearest-neighbour
filtering so modules stay sharp squares a phone camera reads at any size.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from shared.qr import qr_png

__all__ = ["qr_png", "qr_texture"]


def qr_texture(png: bytes) -> Any:
    """Return a Kivy texture of the PNG, filtered for crisp scaling. Needs a GL context."""
    from kivy.core.image import Image as CoreImage

    texture = CoreImage(BytesIO(png), ext="png").texture
    texture.mag_filter = "nearest"
    texture.min_filter = "nearest"
    return texture

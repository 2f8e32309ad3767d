"""QR codes as PNG bytes: the one renderer the kiosk (screen, printer, CLI) and the county
server (enrollment tokens) share, so a code looks and scans the same everywhere."""

from __future__ import annotations

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M

__all__ = ["qr_png"]


def qr_png(payload: str, box_size: int = 8, border: int = 4) -> bytes:
    """A black-on-white PNG of ``payload``: error correction M, ``box_size`` pixels per
    module, a ``border``-module quiet zone (4, the standard's minimum)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=border)
    code.add_data(payload)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(out, format="PNG")
    return out.getvalue()

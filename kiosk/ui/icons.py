"""Pictograms for the matter types, drawn here with PIL (no downloaded art, no files shipped).

Each icon is white line art on a transparent square, so it sits on any button colour.
:func:`matter_icon_png` returns PNG bytes (testable without a window);
:func:`matter_icon_texture` turns them into a Kivy texture (needs a GL context).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from io import BytesIO
from typing import Any

from PIL import Image, ImageDraw, ImageFont

__all__ = ["ICON_PX", "MATTER_ICONS", "matter_icon_png", "matter_icon_texture"]

ICON_PX = 128
WHITE = (255, 255, 255, 255)
W = 8  # line width


def _coin(d: ImageDraw.ImageDraw, font: Any) -> None:
    d.ellipse((14, 14, 114, 114), outline=WHITE, width=W)
    d.text((64, 66), "￥", fill=WHITE, font=font, anchor="mm")


def _contract(d: ImageDraw.ImageDraw, _font: Any) -> None:
    d.rectangle((28, 12, 100, 116), outline=WHITE, width=W)
    for y in (40, 60, 80):
        d.line((44, y, 84, y), fill=WHITE, width=6)
    d.line((60, 100, 88, 100), fill=WHITE, width=6)


def _shield(d: ImageDraw.ImageDraw, _font: Any) -> None:
    d.line([(64, 10), (108, 26), (104, 72), (64, 118), (24, 72), (20, 26), (64, 10)],
           fill=WHITE, width=W, joint="curve")
    d.line([(44, 64), (58, 80), (86, 48)], fill=WHITE, width=W, joint="curve")


def _injury(d: ImageDraw.ImageDraw, _font: Any) -> None:
    d.ellipse((10, 10, 118, 118), outline=WHITE, width=W)
    d.rectangle((54, 30, 74, 98), fill=WHITE)
    d.rectangle((30, 54, 98, 74), fill=WHITE)


def _door(d: ImageDraw.ImageDraw, _font: Any) -> None:
    d.rectangle((16, 12, 72, 116), outline=WHITE, width=W)
    d.line((56, 64, 116, 64), fill=WHITE, width=W)
    d.line([(96, 44), (116, 64), (96, 84)], fill=WHITE, width=W, joint="curve")


def _clock(d: ImageDraw.ImageDraw, _font: Any) -> None:
    d.ellipse((10, 10, 118, 118), outline=WHITE, width=W)
    d.line([(64, 28), (64, 64), (90, 80)], fill=WHITE, width=W, joint="curve")


def _other(d: ImageDraw.ImageDraw, _font: Any) -> None:
    for x in (28, 64, 100):
        d.ellipse((x - 11, 53, x + 11, 75), fill=WHITE)


MATTER_ICONS: dict[str, Callable[[ImageDraw.ImageDraw, Any], None]] = {
    "wage_arrears": _coin,
    "labor_contract": _contract,
    "social_insurance": _shield,
    "work_injury": _injury,
    "dismissal": _door,
    "working_hours": _clock,
    "other": _other,
}


@cache
def matter_icon_png(matter_type: str) -> bytes:
    """PNG bytes of the icon for ``matter_type`` (``other``'s for an unknown type)."""
    from kiosk.ui.fonts import find_cjk_font

    image = Image.new("RGBA", (ICON_PX, ICON_PX), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(find_cjk_font()), 64)
    MATTER_ICONS.get(matter_type, _other)(draw, font)
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def matter_icon_texture(matter_type: str) -> Any:
    """A Kivy texture of the icon. Needs a GL context."""
    from kivy.core.image import Image as CoreImage

    return CoreImage(BytesIO(matter_icon_png(matter_type)), ext="png").texture

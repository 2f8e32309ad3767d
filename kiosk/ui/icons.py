"""Pictograms for the matter types and the home tiles, drawn here with PIL (no downloaded
art, no files shipped): a worker who reads poorly finds the tile by its picture.

Each icon is white line art on a transparent square, so it sits on any button colour.
:func:`matter_icon_png` / :func:`home_icon_png` return PNG bytes (testable without a window);
:func:`matter_icon_texture` / :func:`home_icon_texture` turn them into a Kivy texture (needs
a GL context).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from io import BytesIO
from typing import Any

from PIL import Image, ImageDraw, ImageFont

__all__ = ["HOME_ICONS", "ICON_PX", "MATTER_ICONS", "home_icon_png", "home_icon_texture",
           "matter_icon_png", "matter_icon_texture"]

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


def _raised_hand(d: ImageDraw.ImageDraw, _font: Any) -> None:  # complaint: speak up
    d.rounded_rectangle((34, 56, 94, 118), radius=16, outline=WHITE, width=W)
    for x, top in ((40, 18), (56, 10), (72, 14), (88, 28)):
        d.line((x, top, x, 60), fill=WHITE, width=W)
    d.line([(34, 84), (16, 64), (22, 56)], fill=WHITE, width=W, joint="curve")


def _hard_hat(d: ImageDraw.ImageDraw, _font: Any) -> None:  # job seeker: work
    d.pieslice((22, 24, 106, 108), 180, 360, outline=WHITE, width=W)
    d.line((10, 70, 118, 70), fill=WHITE, width=W + 2)
    d.line((64, 26, 64, 66), fill=WHITE, width=6)
    d.rectangle((30, 78, 98, 96), outline=WHITE, width=6)  # the strap under the brim


def _magnifier(d: ImageDraw.ImageDraw, _font: Any) -> None:  # look up a case
    d.ellipse((14, 14, 80, 80), outline=WHITE, width=W)
    d.line((72, 72, 114, 114), fill=WHITE, width=W + 6)


def _ticket(d: ImageDraw.ImageDraw, font: Any) -> None:  # take a queue number
    d.rounded_rectangle((10, 30, 118, 98), radius=10, outline=WHITE, width=W)
    d.line((40, 38, 40, 90), fill=WHITE, width=4)
    d.text((80, 65), "A1", fill=WHITE, font=font.font_variant(size=38), anchor="mm")


HOME_ICONS: dict[str, Callable[[ImageDraw.ImageDraw, Any], None]] = {
    "complaint": _raised_hand,
    "jobseeker": _hard_hat,
    "lookup": _magnifier,
    "ticket": _ticket,
}


def _png(draw_icon: Callable[[ImageDraw.ImageDraw, Any], None]) -> bytes:
    from kiosk.ui.fonts import find_cjk_font

    image = Image.new("RGBA", (ICON_PX, ICON_PX), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(find_cjk_font()), 64)
    draw_icon(draw, font)
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@cache
def matter_icon_png(matter_type: str) -> bytes:
    """PNG bytes of the icon for ``matter_type`` (``other``'s for an unknown type)."""
    return _png(MATTER_ICONS.get(matter_type, _other))


@cache
def home_icon_png(tile: str) -> bytes:
    """PNG bytes of the home tile ``tile``'s icon (``complaint``, ``jobseeker``, ``lookup``,
    ``ticket``). Raises KeyError for another name."""
    return _png(HOME_ICONS[tile])


def _texture(png: bytes) -> Any:
    from kivy.core.image import Image as CoreImage

    return CoreImage(BytesIO(png), ext="png").texture


def matter_icon_texture(matter_type: str) -> Any:
    """A Kivy texture of the icon. Needs a GL context."""
    return _texture(matter_icon_png(matter_type))


def home_icon_texture(tile: str) -> Any:
    """A Kivy texture of a home tile's icon. Needs a GL context."""
    return _texture(home_icon_png(tile))

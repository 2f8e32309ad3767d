"""The CJK font the kiosk renders every label with.

Kivy's bundled Roboto has no Chinese glyphs, and a kiosk must not depend on whatever fonts the
operating system happens to carry. The font comes, in order of preference, from:

1. ``YIZHAN_UI_FONT`` (a path) — an operator override, e.g. for a PyInstaller bundle;
2. the PyPI package ``pylopdf-fonts-zh-cn`` (Noto Sans SC, SIL OFL 1.1), pulled in by the
   ``kiosk-ui`` extra;
3. Debian's ``fonts-wqy-microhei`` or ``fonts-noto-cjk`` at their known paths.

:func:`register_cjk_font` must run before the first widget is created, because Kivy resolves
``DEFAULT_FONT`` when a label is first rendered. This module imports Kivy only inside that
function so that :func:`find_cjk_font` can be tested without a window.
"""

from __future__ import annotations

import os
from pathlib import Path

from kiosk.errors import KioskError

__all__ = ["FONT_ENV_VAR", "FontNotFoundError", "find_cjk_font", "register_cjk_font"]

FONT_ENV_VAR = "YIZHAN_UI_FONT"

# Debian font packages, checked in order when the PyPI font is not installed.
DEBIAN_FONT_PATHS: tuple[tuple[str, Path], ...] = (
    ("fonts-wqy-microhei", Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")),
    ("fonts-noto-cjk", Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")),
)


class FontNotFoundError(KioskError, RuntimeError):
    """No CJK font was found; the message names the packages that provide one."""

    code = "font_not_found"


def _pypi_font() -> Path | None:
    try:
        import pylopdf_fonts_zh_cn  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    path = Path(pylopdf_fonts_zh_cn.sans_path())
    return path if path.is_file() else None


def find_cjk_font() -> Path:
    """Return the path of the CJK font to use.

    Raises:
        FontNotFoundError: ``YIZHAN_UI_FONT`` names a missing file, or no known font exists.
    """
    override = os.environ.get(FONT_ENV_VAR)
    if override:
        path = Path(override)
        if not path.is_file():
            raise FontNotFoundError(f"{FONT_ENV_VAR}={override!r} is not a font file")
        return path
    pypi = _pypi_font()
    if pypi is not None:
        return pypi
    for _package, path in DEBIAN_FONT_PATHS:
        if path.is_file():
            return path
    debian = " or ".join(pkg for pkg, _ in DEBIAN_FONT_PATHS)
    raise FontNotFoundError(
        "no Chinese (CJK) font found for the kiosk screen: install the Python package "
        f"'pylopdf-fonts-zh-cn' (pip install -e '.[kiosk-ui]'), or the Debian package {debian}, "
        f"or point {FONT_ENV_VAR} at a .ttf/.otf/.ttc file"
    )


def register_cjk_font() -> Path:
    """Make the CJK font Kivy's default font and return its path.

    Raises:
        FontNotFoundError: see :func:`find_cjk_font`.
    """
    from kivy.core.text import DEFAULT_FONT, LabelBase

    path = find_cjk_font()
    LabelBase.register(DEFAULT_FONT, str(path))
    return path

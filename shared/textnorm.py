"""Normalising what people type before it is validated.

Kiosk keyboards, phone input methods and other channels produce full-width digits and
letters (１２３ＡＢＣ), ideographic spaces, zero-width characters and stray whitespace.
Identifier fields (ID numbers, USCCs, phones, codes) are folded with NFKC so full-width forms
become ASCII; free text keeps its characters (NFC) but has its whitespace tidied.
"""

from __future__ import annotations

import re
import unicodedata

import unicodedata2  # the newest Unicode tables: CJK Extension H/I are unassigned in 3.11's

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[\s\u3000\u00a0\u2000-\u200a\u202f\u205f]+")
_LINE_SPACES = re.compile(r"[ \t\u3000\u00a0\u2000-\u200a\u202f\u205f]+")


# Format characters that belong inside words of a script people write names in.
_WORD_FORMAT = frozenset("\u180e")  # Mongolian vowel separator


def category(ch: str) -> str:
    """The Unicode general category of ``ch`` by the newest tables (``unicodedata2``), so
    characters newer than this Python (CJK Extension H and I) are letters, not unassigned."""
    return str(unicodedata2.category(ch))


def has_control(text: str) -> bool:
    """True if ``text`` holds a control or format character other than newline and tab
    (or a format character that is part of a script's words, such as U+180E)."""
    if text.isprintable():  # the usual case, checked in C: no character of category C*
        return False
    return any(
        category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") and ch not in "\n\t"
        and ch not in _WORD_FORMAT for ch in text
    )


def identifier(text: str) -> str:
    """Fold an identifier: NFKC, drop zero-width characters, whitespace and hyphens, upper-case."""
    text = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH)
    return _SPACES.sub("", text).replace("-", "").upper()


def single_line(text: str) -> str:
    """Tidy one line of free text: NFC, zero-width removed, whitespace runs to one space."""
    text = unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH)
    return _SPACES.sub(" ", text).strip()


def multi_line(text: str) -> str:
    """Tidy free text that may span lines: NFC, CRLF to LF, spaces collapsed, lines trimmed."""
    text = unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_LINE_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()

"""textnorm.has_control: its isprintable() shortcut decides as the category walk does."""

from __future__ import annotations

import sys
import unicodedata

import unicodedata2
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.textnorm import has_control


def _reference(text: str) -> bool:
    """has_control without the shortcut: the definition, by the newest Unicode tables (a
    character this Python does not know yet, e.g. CJK Extension H, is a letter), with the
    Mongolian vowel separator that belongs inside Mongolian words."""
    return any(unicodedata2.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn")
               and ch not in "\n\t\u180e" for ch in text)


def test_no_control_or_format_character_counts_as_printable() -> None:
    # the shortcut's premise, over every code point of this Python's Unicode database
    assert [hex(cp) for cp in range(sys.maxunicode + 1)
            if unicodedata.category(chr(cp))[0] == "C" and chr(cp).isprintable()] == []


@settings(max_examples=500, deadline=None)
@given(st.text(st.characters(), max_size=20) | st.text(st.sampled_from(
    ["a", "张", " ", "\u3000", "\n", "\t", "\r", "\x00", "\u200b", "\u2028", "\ue000",
     "\U000e0001", "\ufeff", "\u0378", "\u180e", "\U00031350", "\U0002ebf0"]),
    max_size=10))
def test_has_control_decides_as_the_category_walk(text: str) -> None:
    assert has_control(text) == _reference(text)

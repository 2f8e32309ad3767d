"""The key layouts of the on-screen keyboard: special key values, rows, labels. Pure data.

Each layout is rows of key values; a plain value is typed as is, a ``<...>`` value is a
special key (backspace, a switch to another layout, the handwriting pad's undo). What each
layout is for is described in :mod:`kiosk.ui.keyboard`.
"""

from __future__ import annotations

from kiosk.ui.composer import SEPARATOR

__all__ = ["BACKSPACE", "CLEAR", "CLEAR_PAD", "IME_LAYOUTS", "IME_SWITCH_ROW", "LAYOUTS",
           "PINYIN_KEYS", "PUNCTUATION", "SPACE", "SPECIAL_KEYS", "SWITCHES", "TO_DIGITS",
           "TO_HANDWRITING", "TO_LETTERS", "TO_LOWER", "TO_PINYIN", "TO_UPPER", "UNDO_STROKE",
           "WIDE"]

# Special key values (never typed as text).
BACKSPACE = "<bksp>"
CLEAR = "<clear>"
SPACE = "<space>"
TO_DIGITS = "<layout:digits>"
TO_LETTERS = "<layout:letters>"
TO_UPPER = "<layout:text_upper>"
TO_LOWER = "<layout:text>"
TO_PINYIN = "<layout:pinyin>"
TO_HANDWRITING = "<layout:handwriting>"
UNDO_STROKE = "<pad:undo>"
CLEAR_PAD = "<pad:clear>"
_TEXT_SYMBOLS = (":", "/", ".", "-", "_", "@")
PUNCTUATION = ("，", "。")
# The last row of every layout of an input that takes Chinese.
IME_SWITCH_ROW = (TO_PINYIN, TO_HANDWRITING, TO_LETTERS, TO_DIGITS, PUNCTUATION[0], SPACE,
                  PUNCTUATION[1])
IME_LAYOUTS = ("pinyin", "handwriting")

# Rows of key values; a plain value is typed as is.
LAYOUTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "pinyin": (
        tuple("qwertyuiop"),
        (*"asdfghjkl", BACKSPACE),
        (*"zxcvbnm", SEPARATOR, CLEAR),
        IME_SWITCH_ROW,
    ),
    "handwriting": (
        (UNDO_STROKE, CLEAR_PAD, BACKSPACE),
        IME_SWITCH_ROW,
    ),
    "letters": (
        tuple("1234567890"),
        tuple("QWERTYUIOP"),
        (*"ASDFGHJKL", BACKSPACE),
        (*"ZXCVBNM", CLEAR),
        (TO_DIGITS, SPACE),
    ),
    "digits": (
        tuple("123"),
        tuple("456"),
        tuple("789"),
        (CLEAR, "0", BACKSPACE),
        (TO_LETTERS,),
    ),
    "id_number": (
        tuple("123"),
        tuple("456"),
        tuple("789"),
        ("X", "0", BACKSPACE),
        (CLEAR,),
    ),
    "number": (
        tuple("123"),
        tuple("456"),
        tuple("789"),
        (CLEAR, "0", BACKSPACE),
    ),
    "amount": (
        tuple("123"),
        tuple("456"),
        tuple("789"),
        (".", "0", BACKSPACE),
        (CLEAR,),
    ),
    "date": (
        tuple("123"),
        tuple("456"),
        tuple("789"),
        ("-", "0", BACKSPACE),
        (CLEAR,),
    ),
    "text": (
        tuple("1234567890"),
        tuple("qwertyuiop"),
        (*"asdfghjkl", BACKSPACE),
        (TO_UPPER, *"zxcvbnm", CLEAR),
        _TEXT_SYMBOLS,
    ),
    "text_upper": (
        tuple("1234567890"),
        tuple("QWERTYUIOP"),
        (*"ASDFGHJKL", BACKSPACE),
        (TO_LOWER, *"ZXCVBNM", CLEAR),
        _TEXT_SYMBOLS,
    ),
}

# Labels of special keys, from the i18n table.
SPECIAL_KEYS = {
    BACKSPACE: "keyboard.backspace",
    CLEAR: "keyboard.clear",
    SPACE: "keyboard.space",
    TO_DIGITS: "keyboard.digits",
    TO_LETTERS: "keyboard.letters",
    TO_UPPER: "keyboard.upper",
    TO_LOWER: "keyboard.lower",
    TO_PINYIN: "keyboard.pinyin",
    TO_HANDWRITING: "keyboard.handwriting",
    UNDO_STROKE: "keyboard.undo_stroke",
    CLEAR_PAD: "keyboard.clear_pad",
}
SWITCHES = {TO_DIGITS: "digits", TO_LETTERS: "letters", TO_UPPER: "text_upper",
             TO_LOWER: "text", TO_PINYIN: "pinyin", TO_HANDWRITING: "handwriting"}
WIDE = ("letters", "text", "text_upper", "pinyin", "handwriting")
PINYIN_KEYS = frozenset("abcdefghijklmnopqrstuvwxyz" + SEPARATOR)

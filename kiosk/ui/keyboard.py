"""On-screen keyboard for kiosks without a physical keyboard.

:class:`OnScreenKeyboard` types into its ``target`` TextInput. Layouts:

* ``letters`` — A-Z, space, backspace, clear, and a switch to digits;
* ``digits`` — 0-9, backspace, clear, and a switch to letters;
* ``id_number`` — the resident-ID keypad: 0-9, X, backspace, clear;
* ``number`` — 0-9 only (phone numbers, counts); ``amount`` — 0-9 and the decimal point;
  ``date`` — 0-9 and ``-`` (dates typed as YYYY-MM-DD);
* ``text`` / ``text_upper`` — staff typing (passphrase, file path, server URL, enrollment
  token): digits, lower- or upper-case letters (a caps key switches), ``: / . - _ @``.

:meth:`OnScreenKeyboard.attach` links inputs to the keyboard: focusing an input makes it the
target and switches to the layout that input wants. Pressing a key keeps the input focused
(the touch is put on ``FocusBehavior.ignored_touch``), so the cursor and any system input
method stay where they were. Chinese text goes through the system IME (plain TextInput
behaviour); this keyboard does not try to be one.
"""

from __future__ import annotations

from typing import Any

from kivy.metrics import dp, sp
from kivy.properties import NumericProperty, ObjectProperty, OptionProperty
from kivy.uix.behaviors import FocusBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.textinput import TextInput

from kiosk.ui.i18n import translator
from kiosk.ui.widgets import MIN_TOUCH_DP

__all__ = ["BACKSPACE", "CLEAR", "LAYOUTS", "SPACE", "TO_LOWER", "TO_UPPER", "KeyButton",
           "OnScreenKeyboard"]

# Special key values (never typed as text).
BACKSPACE = "<bksp>"
CLEAR = "<clear>"
SPACE = "<space>"
TO_DIGITS = "<layout:digits>"
TO_LETTERS = "<layout:letters>"
TO_UPPER = "<layout:text_upper>"
TO_LOWER = "<layout:text>"
_TEXT_SYMBOLS = (":", "/", ".", "-", "_", "@")

# Rows of key values; a plain value is typed as is.
LAYOUTS: dict[str, tuple[tuple[str, ...], ...]] = {
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
_SPECIAL_KEYS = {
    BACKSPACE: "keyboard.backspace",
    CLEAR: "keyboard.clear",
    SPACE: "keyboard.space",
    TO_DIGITS: "keyboard.digits",
    TO_LETTERS: "keyboard.letters",
    TO_UPPER: "keyboard.upper",
    TO_LOWER: "keyboard.lower",
}
_SWITCHES = {TO_DIGITS: "digits", TO_LETTERS: "letters", TO_UPPER: "text_upper",
             TO_LOWER: "text"}


class KeyButton(Button):  # type: ignore[misc]
    """One key. ``value`` is the character typed or a special key value."""

    value = ObjectProperty("")

    def on_touch_down(self, touch: Any) -> bool:
        if self.collide_point(*touch.pos):
            # Keep the target input focused: this touch must not defocus it.
            FocusBehavior.ignored_touch.append(touch)
        return bool(super().on_touch_down(touch))


class OnScreenKeyboard(BoxLayout):  # type: ignore[misc]
    """A grid of large keys that edits ``target``; see the module docstring."""

    layout = OptionProperty("letters", options=list(LAYOUTS))
    target = ObjectProperty(None, allownone=True)
    key_height = NumericProperty(dp(64))
    key_font_size = NumericProperty(sp(28))

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("orientation", "vertical")
        kwargs.setdefault("spacing", dp(6))
        super().__init__(**kwargs)
        translator.bind(lang=self._relabel)
        self.bind(layout=self._rebuild, key_height=self._rebuild)
        self._rebuild()

    # -- building ------------------------------------------------------------------------------

    def _rebuild(self, *_args: Any) -> None:
        self.clear_widgets()
        rows = LAYOUTS[self.layout]
        key_h = max(self.key_height, dp(MIN_TOUCH_DP))
        for values in rows:
            row = BoxLayout(spacing=dp(6), size_hint_y=None, height=key_h)
            for value in values:
                key = KeyButton(
                    value=value, font_size=self.key_font_size, size_hint_min_x=dp(MIN_TOUCH_DP)
                )
                key.bind(on_release=self._on_key)
                row.add_widget(key)
            self.add_widget(row)
        self.size_hint_y = None
        self.height = len(rows) * key_h + (len(rows) - 1) * self.spacing
        self._relabel()

    def _relabel(self, *_args: Any) -> None:
        for key in self.key_buttons():
            special = _SPECIAL_KEYS.get(key.value)
            key.text = translator.t(special) if special else key.value

    def key_buttons(self) -> list[KeyButton]:
        """All key buttons of the current layout, row by row."""
        return [key for row in reversed(self.children) for key in reversed(row.children)]

    def key(self, value: str) -> KeyButton:
        """The key that types ``value`` (or the special key value); KeyError if absent."""
        for key in self.key_buttons():
            if key.value == value:
                return key
        raise KeyError(f"no key {value!r} in the {self.layout!r} layout")

    # -- typing --------------------------------------------------------------------------------

    def attach(self, text_input: TextInput, layout: str | None = None) -> None:
        """Make ``text_input`` the target whenever it gains focus, switching to ``layout``."""
        if layout is not None and layout not in LAYOUTS:
            raise ValueError(f"unknown keyboard layout {layout!r}")
        # The layout rides along with the binding: ``text_input`` may be a kv weak proxy,
        # whose identity differs from the widget the focus event later reports.
        text_input.fbind("focus", self._on_focus, layout)

    def _on_focus(self, layout: str | None, text_input: TextInput, focused: bool) -> None:
        if focused:
            self.target = text_input
            if layout:
                self.layout = layout

    def _on_key(self, key: KeyButton) -> None:
        self.press(key.value)

    def press(self, value: str) -> None:
        """Apply one key to the target (no-op without a target)."""
        if value in _SWITCHES:
            self.layout = _SWITCHES[value]
            return
        target = self.target
        if target is None:
            return
        if value == BACKSPACE:
            target.do_backspace()
        elif value == CLEAR:
            target.text = ""
        elif value == SPACE:
            target.insert_text(" ")
        else:
            target.insert_text(value)

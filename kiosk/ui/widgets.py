"""Touch-first building blocks shared by every screen (their look is in ``widgets.kv``).

* :class:`Translated` — a mixin giving a label or button a ``tkey`` (and ``tfields``) into the
  i18n table; the text follows the current language live.
* :class:`TLabel`, :class:`TButton`, :class:`BigButton` — translated text; buttons are at least
  :data:`MIN_TOUCH_DP` high and wide, big ones much more. :class:`TileButton` — a big button
  with a pictogram (``icon``, a texture) to the left of its text (the home tiles).
* :class:`LangToggle` — the zh-CN / English switch shown on every screen.
* :class:`ScreenHeader` — title, Home button (event ``on_home``) and the language toggle.
* :class:`FilteredInput` and its kinds (:class:`IdNumberInput`, :class:`ReceiptCodeInput`,
  :class:`PinInput`) and :class:`TextArea` — inputs that accept only what the field can hold,
  whether typed on a hardware keyboard, the on-screen keyboard or a system input method.
  ``keyboard_layout`` is the on-screen layout an input starts with; ``ime_field`` (``name``,
  ``employer``, ``text``) marks an input that takes Chinese and what it holds, which the
  pinyin engine ranks its words for.
"""

from __future__ import annotations

import re
from typing import Any

from kivy.metrics import dp
from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    DictProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.textinput import TextInput
from kivy.utils import escape_markup

from kiosk.ui.i18n import translator

__all__ = [
    "MIN_TOUCH_DP",
    "BigButton",
    "FilteredInput",
    "IdNumberInput",
    "LangToggle",
    "PinInput",
    "ReceiptCodeInput",
    "ScreenHeader",
    "TButton",
    "TLabel",
    "TextArea",
    "TileButton",
    "Translated",
]

MIN_TOUCH_DP = 48  # smallest touch target anywhere on the kiosk (WCAG / Material guidance)


class Translated:
    """Mixin: ``text`` is ``translator.t(tkey, **tfields)`` and follows the language."""

    tkey = StringProperty("")
    tfields = DictProperty({})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        translator.bind(lang=self._relabel)  # bind() holds a weak reference: no leak
        self.bind(tkey=self._relabel, tfields=self._relabel)  # type: ignore[attr-defined]
        self._relabel()

    def _relabel(self, *_args: Any) -> None:
        if self.tkey:
            self.text = translator.t(self.tkey, **self.tfields)


class TLabel(Translated, Label):  # type: ignore[misc]
    """A label whose text comes from the i18n table."""


class TButton(Translated, Button):  # type: ignore[misc]
    """A button whose text comes from the i18n table; never smaller than 48 dp."""

    min_touch = NumericProperty(dp(MIN_TOUCH_DP))
    tint = ColorProperty([0.11, 0.35, 0.64, 1])  # background when up
    tint_down = ColorProperty([0.07, 0.24, 0.45, 1])  # background while pressed


class BigButton(TButton):
    """A large primary action with an optional smaller second line (``hint_key``)."""

    hint_key = StringProperty("")
    hint_size = StringProperty("20sp")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("markup", True)
        super().__init__(**kwargs)
        self.bind(hint_key=self._relabel)

    def _relabel(self, *_args: Any) -> None:
        if not self.tkey:
            return
        text = escape_markup(translator.t(self.tkey, **self.tfields))
        if self.hint_key:
            hint = escape_markup(translator.t(self.hint_key))
            text = f"{text}\n[size={self.hint_size}]{hint}[/size]"
        self.text = text


class TileButton(BigButton):
    """A :class:`BigButton` with the texture ``icon`` drawn to the left of its text."""

    icon = ObjectProperty(None, allownone=True)


class LangToggle(TButton):
    """Switches zh-CN ⇄ English for the whole app; labelled with the target language."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("tkey", "common.lang_toggle")
        super().__init__(**kwargs)

    def on_release(self) -> None:
        translator.toggle()


class ScreenHeader(BoxLayout):  # type: ignore[misc]
    """Top bar of a screen: ``title_key`` title, a Home button unless ``show_home`` is off,
    and the language toggle. Dispatches ``on_home`` when Home is pressed."""

    title_key = StringProperty("")
    show_home = BooleanProperty(True)

    __events__ = ("on_home",)

    def on_home(self) -> None:
        """Default handler; screens bind ``on_home: root.end_visit()`` in their .kv."""


class FilteredInput(TextInput):  # type: ignore[misc]
    """Single-line input keeping only characters matching ``allowed`` (a regex class body),
    upper-cased when ``upper`` is set, at most ``max_chars`` long (0 = unlimited)."""

    allowed = StringProperty("")
    max_chars = NumericProperty(0)
    keyboard_layout = StringProperty("letters")  # the on-screen keyboard layout it wants
    ime_field = StringProperty("")  # takes Chinese: name | employer | text ('' = it does not)
    upper = False

    def insert_text(self, substring: str, from_undo: bool = False) -> None:
        text = substring.upper() if self.upper else substring
        if self.allowed:
            text = "".join(re.findall(f"[{self.allowed}]", text))
        if self.max_chars:
            room = int(self.max_chars) - len(self.text) + len(self.selection_text)
            text = text[: max(room, 0)]
        if text:
            super().insert_text(text, from_undo=from_undo)


class TextArea(TextInput):  # type: ignore[misc]
    """Several lines of free text (a description), typed on the on-screen pinyin keyboard or
    handwriting pad (or a system input method); at most ``max_chars`` characters (0 =
    unlimited)."""

    max_chars = NumericProperty(0)
    keyboard_layout = StringProperty("pinyin")
    ime_field = StringProperty("text")

    def insert_text(self, substring: str, from_undo: bool = False) -> None:
        if self.max_chars:
            room = int(self.max_chars) - len(self.text) + len(self.selection_text)
            substring = substring[: max(room, 0)]
        if substring:
            super().insert_text(substring, from_undo=from_undo)


class IdNumberInput(FilteredInput):
    """Resident ID number: 17 digits and a check character 0-9 or X."""

    upper = True

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allowed", "0-9X")
        kwargs.setdefault("max_chars", 18)
        kwargs.setdefault("keyboard_layout", "id_number")
        super().__init__(**kwargs)


class ReceiptCodeInput(FilteredInput):
    """Receipt code: letters and digits, upper case (hyphens and spaces are dropped)."""

    upper = True

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allowed", "0-9A-Z")
        kwargs.setdefault("max_chars", 16)
        super().__init__(**kwargs)


class PinInput(FilteredInput):
    """Receipt PIN: digits only, shown as it is typed (the worker reads it off paper)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allowed", "0-9")
        kwargs.setdefault("max_chars", 8)
        kwargs.setdefault("keyboard_layout", "digits")
        super().__init__(**kwargs)

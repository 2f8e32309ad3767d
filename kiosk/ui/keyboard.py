"""On-screen keyboard for kiosks without a physical keyboard, with Chinese input.

:class:`OnScreenKeyboard` types into its ``target`` TextInput. Layouts:

* ``pinyin`` — a-z compose a pinyin buffer shown above the keys; the candidate bar offers
  the engine's words for it (ranked for the field's purpose: ``name``, ``employer`` or
  ``text``), a page at a time; tapping one puts it into the field and keeps the part of the
  buffer it did not use. Backspace and Clear edit the buffer first; Space or ，。 take the
  first word. ``'`` separates syllables by hand (xi'an).
* ``handwriting`` — a pad (:class:`~kiosk.ui.handwriting.HandwritingPad`) for one character;
  after each stroke the candidate bar offers characters; tapping one puts it into the field
  and clears the pad. Keys: undo the last stroke, clear the pad, backspace.
* ``letters`` — A-Z, space, backspace, clear, and a switch to digits;
* ``digits`` — 0-9, backspace, clear, and a switch to letters;
* ``id_number`` — the resident-ID keypad: 0-9, X, backspace, clear;
* ``number`` — 0-9 only (phone numbers, counts); ``amount`` — 0-9 and the decimal point;
  ``date`` — 0-9 and ``-`` (dates typed as YYYY-MM-DD);
* ``text`` / ``text_upper`` — staff typing (passphrase, file path, server URL, enrollment
  token): digits, lower- or upper-case letters (a caps key switches), ``: / . - _ @``.

An input that takes Chinese says so with ``ime_field`` (``name``/``employer``/``text``); while
such an input is the target, the pinyin, handwriting, letters and digits layouts end with the
switch row 拼音 / 手写 / ABC / 123, plus ，。 and Space. A kiosk whose handwriting recogniser
is missing shows no 手写 (and uses pinyin instead); one whose pinyin index is missing shows
no 拼音 (and uses letters). Other inputs (ID number, phone,
receipt code) keep their keypads and never see the switch row.

:meth:`OnScreenKeyboard.attach` links inputs to the keyboard: focusing an input makes it the
target and switches to the layout that input wants. Pressing a key keeps the input focused
(the touch is put on ``FocusBehavior.ignored_touch``). The rows themselves are data, in
:mod:`kiosk.ui.layouts`. The engines are asked through
:data:`kiosk.ui.engines.input_engines`, off the UI thread. :meth:`OnScreenKeyboard.forget`
drops the buffer, the offered words and the pad's strokes (a wipe calls it: they are pieces
of what the last person typed).
"""

from __future__ import annotations

from typing import Any

from kivy.metrics import dp, sp
from kivy.properties import (
    AliasProperty,
    NumericProperty,
    ObjectProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.textinput import TextInput

from kiosk.ui.composer import CandidatePages, PinyinComposer
from kiosk.ui.engines import input_engines
from kiosk.ui.handwriting import HandwritingPad
from kiosk.ui.i18n import translator
from kiosk.ui.keys import NEXT_PAGE, PREV_PAGE, CandidateBar, KeyButton
from kiosk.ui.layouts import (
    BACKSPACE,
    CLEAR,
    CLEAR_PAD,
    IME_LAYOUTS,
    IME_SWITCH_ROW,
    LAYOUTS,
    PINYIN_KEYS,
    PUNCTUATION,
    SPACE,
    SPECIAL_KEYS,
    SWITCHES,
    TO_DIGITS,
    TO_HANDWRITING,
    TO_LETTERS,
    TO_LOWER,
    TO_PINYIN,
    TO_UPPER,
    UNDO_STROKE,
    WIDE,
)
from kiosk.ui.widgets import MIN_TOUCH_DP

__all__ = ["BACKSPACE", "CLEAR", "CLEAR_PAD", "IME_LAYOUTS", "LAYOUTS", "NEXT_PAGE",
           "PREV_PAGE", "SPACE", "TO_DIGITS", "TO_HANDWRITING", "TO_LETTERS", "TO_LOWER",
           "TO_PINYIN", "TO_UPPER", "UNDO_STROKE", "KeyButton", "OnScreenKeyboard"]

class OnScreenKeyboard(BoxLayout):  # type: ignore[misc]
    """A grid of large keys that edits ``target``; see the module docstring."""

    layout = OptionProperty("letters", options=list(LAYOUTS))
    target = ObjectProperty(None, allownone=True)
    key_height = NumericProperty(dp(64))
    key_font_size = NumericProperty(sp(28))
    ime_field = StringProperty("")  # the target's purpose for the engines; '' = no Chinese
    buffer = StringProperty("")  # the pinyin being composed (shown above the keys)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("orientation", "vertical")
        kwargs.setdefault("spacing", dp(6))
        self.composer = PinyinComposer()
        self.written = CandidatePages()  # characters offered for the pad's strokes
        self.candidate_bar: CandidateBar | None = None
        self.pad: HandwritingPad | None = None
        self._pad_request = 0
        super().__init__(**kwargs)
        self.buffer_label = Label(font_size=sp(30), color=(0.05, 0.25, 0.55, 1),
                                  size_hint_y=None, height=dp(MIN_TOUCH_DP), halign="left",
                                  valign="middle")
        self.buffer_label.bind(size=self.buffer_label.setter("text_size"))
        self.bind(buffer=self.buffer_label.setter("text"))
        translator.bind(lang=self._relabel)
        self.bind(layout=self._rebuild, key_height=self._rebuild, ime_field=self._rebuild,
                  target=self._on_target)
        input_engines.bind(pinyin_state=self._on_engine_state,  # weak references: no leak
                           handwriting_state=self._on_engine_state)
        self._rebuild()

    def _is_wide(self) -> bool:
        return self.layout in WIDE or bool(self.ime_field)

    wide = AliasProperty(_is_wide, bind=["layout", "ime_field"])
    """True when the layout needs ten keys a row (about 544 dp), False for the keypads."""

    # -- building ------------------------------------------------------------------------------

    def rows(self) -> tuple[tuple[str, ...], ...]:
        """The key rows of the layout on show (the switch row for a Chinese input, without
        the switch to an input method whose engine is missing on this kiosk)."""
        rows = LAYOUTS[self.layout]
        if self.ime_field and self.layout in ("letters", "digits"):
            rows = (*rows[:-1], IME_SWITCH_ROW)
        missing = {switch for switch, state in ((TO_PINYIN, input_engines.pinyin_state),
                                                (TO_HANDWRITING, input_engines.handwriting_state))
                   if state == "missing"}
        if missing:
            rows = tuple(tuple(v for v in row if v not in missing) for row in rows)
        return rows

    @staticmethod
    def usable(layout: str) -> str:
        """``layout``, or what stands in for it when its engine is missing on this kiosk
        (handwriting -> pinyin -> letters)."""
        if layout == "handwriting" and input_engines.handwriting_state == "missing":
            layout = "pinyin"
        if layout == "pinyin" and input_engines.pinyin_state == "missing":
            layout = "letters"
        return layout

    def _rebuild(self, *_args: Any) -> None:
        if self.usable(self.layout) != self.layout:
            self.layout = self.usable(self.layout)  # rebuilds again
            return
        self._drop_composition()
        self.clear_widgets()
        self.candidate_bar = self.pad = None
        key_h = max(self.key_height, dp(MIN_TOUCH_DP))
        height = 0.0
        if self.layout == "pinyin":
            self.add_widget(self.buffer_label)
            height += self.buffer_label.height
        if self.layout in IME_LAYOUTS:
            self.candidate_bar = CandidateBar(size_hint_y=None, height=key_h,
                                              font_size=self.key_font_size + sp(4))
            self.candidate_bar.bind(on_choose=lambda _b, word: self.choose(word),
                                    on_page=lambda _b, step: self.turn_page(step))
            self.add_widget(self.candidate_bar)
            height += key_h
        if self.layout == "handwriting":
            side = 4 * key_h + 3 * self.spacing  # square: the recogniser reads shapes
            self.pad = HandwritingPad(size_hint=(None, None), size=(side, side))
            self.pad.bind(on_strokes=self._on_strokes)
            holder = AnchorLayout(size_hint_y=None, height=side)
            holder.add_widget(self.pad)
            self.add_widget(holder)
            height += side
        rows = self.rows()
        for values in rows:
            row = BoxLayout(spacing=dp(6), size_hint_y=None, height=key_h)
            for value in values:
                key = KeyButton(
                    value=value, font_size=self.key_font_size, size_hint_min_x=dp(MIN_TOUCH_DP),
                    current=SWITCHES.get(value) == self.layout,
                    size_hint_x=2 if value == SPACE and values is IME_SWITCH_ROW else 1,
                )
                key.bind(on_release=self._on_key)
                row.add_widget(key)
            self.add_widget(row)
            height += key_h
        self.size_hint_y = None
        self.height = height + (len(self.children) - 1) * self.spacing
        self._relabel()

    def _on_engine_state(self, _engines: Any, state: str) -> None:
        if state == "missing" and (self.ime_field or self.layout in IME_LAYOUTS):
            self._rebuild()  # without the missing switch (and layout)

    def _relabel(self, *_args: Any) -> None:
        for key in self.key_buttons():
            special = SPECIAL_KEYS.get(key.value)
            key.text = translator.t(special) if special else key.value

    def key_buttons(self) -> list[KeyButton]:
        """All key buttons of the current layout, row by row (not the candidate bar)."""
        return [key for row in reversed(self.children) if row is not self.candidate_bar
                for key in reversed(row.children) if isinstance(key, KeyButton)]

    def key(self, value: str) -> KeyButton:
        """The key that types ``value`` (or the special key value); KeyError if absent."""
        for key in self.key_buttons():
            if key.value == value:
                return key
        raise KeyError(f"no key {value!r} in the {self.layout!r} layout")

    def candidates(self) -> list[str]:
        """The words on the candidate bar now ([] when it shows none or there is none)."""
        return list(self.candidate_bar.words) if self.candidate_bar is not None else []

    # -- the target ------------------------------------------------------------------------

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

    def _on_target(self, *_args: Any) -> None:
        self._drop_composition()
        self.ime_field = str(getattr(self.target, "ime_field", "") or "")
        if not self.ime_field and self.layout in IME_LAYOUTS:
            self.layout = "letters"  # this input takes no Chinese

    def forget(self) -> None:
        """Drop the pinyin buffer, the offered words and the pad's strokes."""
        self._drop_composition()

    def _drop_composition(self) -> None:
        self.composer.clear()
        self.buffer = ""
        self.written.set([])
        self._pad_request += 1  # an answer still coming is for strokes no longer there
        if self.pad is not None:
            self.pad.clear()
        self._show_words()

    # -- typing --------------------------------------------------------------------------------

    def _on_key(self, key: KeyButton) -> None:
        self.press(key.value)

    def press(self, value: str) -> None:
        """Apply one key to the target (no-op without a target)."""
        if value in SWITCHES:
            self.layout = SWITCHES[value]
            return
        target = self.target
        if target is None:
            return
        if value == UNDO_STROKE:
            if self.pad is not None:
                self.pad.undo()
            return
        if value == CLEAR_PAD:
            if self.pad is not None:
                self.pad.clear()
            return
        if self.layout == "pinyin" and self._compose(value):
            return
        if value == BACKSPACE:
            target.do_backspace()
        elif value == CLEAR:
            target.text = ""
        elif value == SPACE:
            target.insert_text(" ")
        else:
            target.insert_text(value)

    def _compose(self, value: str) -> bool:
        """Apply ``value`` to the pinyin buffer; False when it belongs to the field."""
        composer = self.composer
        if value in (SPACE, *PUNCTUATION) and composer.composing:
            words = composer.offered.words
            if not words:
                return True  # nothing to take yet: the key is dropped
            self.choose(words[0])
            return value == SPACE  # punctuation goes in after the word
        if value in PINYIN_KEYS:
            composer.type(value)
        elif not ((value == BACKSPACE and composer.backspace())
                  or (value == CLEAR and composer.clear())):
            return False
        self._composition_changed()
        return True

    def _composition_changed(self) -> None:
        composer = self.composer
        self.buffer = composer.buffer
        self._show_words()
        if not composer.buffer or self.target is None:
            return
        revision = composer.revision
        target = self.target
        before = target.text[: target.cursor_index()]
        input_engines.candidates(
            composer.buffer, self.ime_field or "text", before,
            on_result=lambda words, spans: self._offered(revision, words, spans))

    def _offered(self, revision: int, words: list[str], spans: dict[str, int]) -> None:
        if self.composer.offer(revision, words, spans):
            self._show_words()

    # -- handwriting -----------------------------------------------------------------------

    def _on_strokes(self, pad: HandwritingPad, strokes: list[list[tuple[float, float]]]) -> None:
        self._pad_request += 1
        request = self._pad_request
        self.written.set([])
        self._show_words()
        if strokes:
            input_engines.recognize(strokes, pad.width, pad.height,
                                    on_result=lambda chars: self._written(request, chars))

    def _written(self, request: int, chars: list[str]) -> None:
        if request == self._pad_request and self.layout == "handwriting":
            self.written.set(chars)
            self._show_words()

    # -- the candidate bar -----------------------------------------------------------------

    def _pages(self) -> CandidatePages:
        return self.written if self.layout == "handwriting" else self.composer.offered

    def _show_words(self) -> None:
        bar = self.candidate_bar
        if bar is None:
            return
        pages = self._pages()
        bar.words = pages.visible()
        bar.has_prev, bar.has_next = pages.has_prev, pages.has_next

    def turn_page(self, step: int) -> None:
        """Show the next (``step`` > 0) or previous page of offered words."""
        pages = self._pages()
        if pages.next_page() if step > 0 else pages.prev_page():
            self._show_words()

    def choose(self, word: str) -> None:
        """Put the offered ``word`` into the target (no-op without one)."""
        target = self.target
        if target is None:
            return
        if self.layout == "handwriting":
            target.insert_text(word)
            if self.pad is not None:
                self.pad.clear()  # dispatches on_strokes: the bar empties
            return
        target.insert_text(self.composer.choose(word))
        self._composition_changed()

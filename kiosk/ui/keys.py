"""Keys of the on-screen keyboards (their look is in ``widgets.kv``).

* :class:`KeyButton` — one key; a touch on it never takes focus from the input being typed
  into (``FocusBehavior.ignored_touch``). ``current`` marks the key of the layout on show.
* :class:`CandidateBar` — the row of words offered by an input engine: ``◀``, up to a page of
  :class:`CandidateButton`, ``▶``. Dispatches ``on_choose(word)`` and ``on_page(step)``
  (-1 / +1); ``words``, ``has_prev`` and ``has_next`` are set by the keyboard.
"""

from __future__ import annotations

from typing import Any

from kivy.metrics import dp
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty
from kivy.uix.behaviors import FocusBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button

from kiosk.ui.widgets import MIN_TOUCH_DP

__all__ = ["NEXT_PAGE", "PREV_PAGE", "CandidateBar", "CandidateButton", "KeyButton"]

PREV_PAGE = "<page:prev>"
NEXT_PAGE = "<page:next>"


class KeyButton(Button):  # type: ignore[misc]
    """One key. ``value`` is the character typed or a special key value."""

    value = ObjectProperty("")
    current = BooleanProperty(False)  # a layout switch showing the layout on show

    def on_touch_down(self, touch: Any) -> bool:
        if self.collide_point(*touch.pos):
            # Keep the target input focused: this touch must not defocus it.
            FocusBehavior.ignored_touch.append(touch)
        return bool(super().on_touch_down(touch))


class CandidateButton(KeyButton):
    """One offered word; ``value`` is the word."""


class CandidateBar(BoxLayout):  # type: ignore[misc]
    """The offered words, a page at a time; see the module docstring."""

    words = ListProperty([])
    has_prev = BooleanProperty(False)
    has_next = BooleanProperty(False)
    font_size = NumericProperty(dp(30))

    __events__ = ("on_choose", "on_page")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("spacing", dp(6))
        super().__init__(**kwargs)
        self.prev_key = KeyButton(value=PREV_PAGE, text="◀", size_hint_x=None,
                                  width=dp(MIN_TOUCH_DP + 8))
        self.next_key = KeyButton(value=NEXT_PAGE, text="▶", size_hint_x=None,
                                  width=dp(MIN_TOUCH_DP + 8))
        self.prev_key.bind(on_release=lambda *_a: self.dispatch("on_page", -1))
        self.next_key.bind(on_release=lambda *_a: self.dispatch("on_page", 1))
        self.slots = BoxLayout(spacing=dp(6))
        for widget in (self.prev_key, self.slots, self.next_key):
            self.add_widget(widget)
        self.bind(words=self._rebuild, has_prev=self._arrows, has_next=self._arrows)
        self._rebuild()

    def _arrows(self, *_args: Any) -> None:
        for key, on in ((self.prev_key, self.has_prev), (self.next_key, self.has_next)):
            key.disabled = not on
            key.opacity = 1 if on else 0.3

    def _rebuild(self, *_args: Any) -> None:
        self.slots.clear_widgets()
        for word in self.words:
            # Longer words get more room; every word at least a full touch target.
            button = CandidateButton(value=word, text=word, font_size=self.font_size,
                                     size_hint_x=1 + 0.5 * max(len(word) - 1, 0),
                                     size_hint_min_x=dp(MIN_TOUCH_DP))
            button.bind(on_release=lambda b: self.dispatch("on_choose", b.value))
            self.slots.add_widget(button)
        self._arrows()

    def buttons(self) -> list[CandidateButton]:
        """The word buttons on show, best first."""
        return list(reversed(self.slots.children))

    def button(self, word: str) -> CandidateButton:
        """The button offering ``word``; KeyError when it is not on this page."""
        for button in self.buttons():
            if button.value == word:
                return button
        raise KeyError(f"{word!r} is not on the candidate bar ({self.words})")

    def on_choose(self, word: str) -> None:
        """Default handler; the keyboard binds to commit the word."""

    def on_page(self, step: int) -> None:
        """Default handler; the keyboard binds to turn the page."""

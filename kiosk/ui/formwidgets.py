"""Form building blocks of the wizards (look in ``formwidgets.kv``).

* :class:`FormField` — a labelled slot for one input, with the field's error shown beside the
  label in the worker's language. ``path`` is the record's dotted field path
  (``claimant.id_number``) the wizard uses to read the value and to place errors.
* :class:`Chip` / :class:`ChipGroup` — large tap-to-choose options (single or multiple
  choice), labelled in both languages, showing a tick when chosen.
* :class:`TickBox` — one yes/no choice as a big button (conceal identity, consent).
* :class:`IconButton` — a large button with a pictogram above its label (matter types).
* ``FormScroll`` / ``FormBox`` (kv-only) — a vertical scroller and the box of a step's fields.
"""

from __future__ import annotations

from typing import Any

from kivy.metrics import dp
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.stacklayout import StackLayout

from kiosk.ui.i18n import LANGS, translator
from kiosk.ui.widgets import MIN_TOUCH_DP, TButton

__all__ = ["Chip", "ChipGroup", "FormField", "IconButton", "TickBox"]

TICK = "✓ "  # in the bundled font (☑ is not)
CHOSEN_TINT = [0.10, 0.45, 0.30, 1]
PLAIN_TINT = [0.42, 0.45, 0.50, 1]


class FormField(BoxLayout):  # type: ignore[misc]
    """Label ``label_key`` with the error beside it; the input is the kv child below.

    ``error`` is ``[zh, en]`` of the FieldError on show, or empty. ``optional`` adds
    "(optional)" to the label.
    """

    label_key = StringProperty("")
    path = StringProperty("")
    error = ListProperty([])
    optional = BooleanProperty(False)

    def error_text(self, error: list[str], lang: str) -> str:
        """The error in ``lang`` ('' when there is none)."""
        return error[LANGS.index(lang)] if error else ""

    def input_widget(self) -> Any:
        """The input this field holds (the first child after the label row), or None."""
        children = list(reversed(self.children))
        return children[1] if len(children) > 1 else None


class Chip(TButton):
    """One option of a :class:`ChipGroup`; ``labels`` is ``(zh, en)``."""

    value = StringProperty("")
    labels = ListProperty(["", ""])
    chosen = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bind(labels=self._relabel, chosen=self._relabel)

    def _relabel(self, *_args: Any) -> None:
        if not self.labels or not self.labels[0]:
            return
        label = self.labels[LANGS.index(translator.lang)]
        self.text = (TICK if self.chosen else "") + label
        self.tint = CHOSEN_TINT if self.chosen else PLAIN_TINT


class ChipGroup(StackLayout):  # type: ignore[misc]
    """Tap-to-choose options. ``options``: ``[(value, zh, en), ...]``; ``selected``: the
    chosen values in tap order; ``multiple``: several may be chosen (else exactly one)."""

    options = ListProperty([])
    selected = ListProperty([])
    multiple = BooleanProperty(False)
    chip_width = ObjectProperty(dp(150))

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("spacing", dp(8))
        kwargs.setdefault("size_hint_y", None)
        super().__init__(**kwargs)
        self.bind(minimum_height=self.setter("height"))
        self.bind(options=self._rebuild, selected=self._mark)
        self._rebuild()

    def _rebuild(self, *_args: Any) -> None:
        self.clear_widgets()
        for value, zh, en in self.options:
            chip = Chip(value=value, labels=[zh, en], size_hint=(None, None),
                        width=self.chip_width, height=dp(max(MIN_TOUCH_DP, 64)))
            chip.bind(on_release=self._on_chip)
            self.add_widget(chip)
        self._mark()

    def chips(self) -> list[Chip]:
        """The chips in option order."""
        return list(reversed(self.children))

    def chip(self, value: str) -> Chip:
        """The chip for ``value``; KeyError if there is none."""
        for chip in self.chips():
            if chip.value == value:
                return chip
        raise KeyError(f"no chip {value!r}")

    def _on_chip(self, chip: Chip) -> None:
        if self.multiple:
            if chip.value in self.selected:
                self.selected = [v for v in self.selected if v != chip.value]
            else:
                self.selected = [*self.selected, chip.value]
        else:
            self.selected = [chip.value]

    def _mark(self, *_args: Any) -> None:
        for chip in self.chips():
            chip.chosen = chip.value in self.selected

    @property
    def value(self) -> str:
        """The one chosen value of a single-choice group ('' when none)."""
        return str(self.selected[0]) if self.selected else ""


class TickBox(TButton):
    """A yes/no choice shown as a big button with a tick when ``active``."""

    active = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bind(active=self._relabel)

    def on_release(self) -> None:
        self.active = not self.active

    def _relabel(self, *_args: Any) -> None:
        if self.tkey:
            self.text = ("✓  " if self.active else "○  ") + translator.t(self.tkey)
            self.tint = CHOSEN_TINT if self.active else PLAIN_TINT


class IconButton(TButton):
    """A big button with the texture ``icon`` drawn above its text."""

    icon = ObjectProperty(None, allownone=True)

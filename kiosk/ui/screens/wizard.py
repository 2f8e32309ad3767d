"""What the intake wizards share: steps, reading the fields, placing errors, submitting.

A wizard screen's ``.kv`` holds an inner ScreenManager ``steps`` with one Screen per step
(names in :attr:`WizardScreen.step_names`), a shared on-screen keyboard ``keyboard`` and the
footer (``back_button``, ``next_button``). Every input sits in a
:class:`~kiosk.ui.formwidgets.FormField` whose ``path`` is the record's dotted field path.

Errors come as :class:`~shared.FieldError` lists, from the shared validation run when a step
is left (cheap, pure Python, no I/O) or from the services on submit. Each is shown beside the
first field (in screen order) it belongs to, and the wizard jumps back to the earliest step
holding one. Leaving a step checks only that step's fields, so a worker is never scolded for
a page not reached yet.

When voice prompts are on, each step's question is said as the step is shown
(``voice.<kind>.<step>`` in :mod:`kiosk.ui.strings`).

Submitting runs on the service worker; on success the receipt screen takes over and the
wizard wipes itself, so Back never leads into the previous person's form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.logger import Logger
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.textinput import TextInput

from kiosk.ui.forms import field_matches
from kiosk.ui.formwidgets import ChipGroup, FormField, TickBox
from kiosk.ui.screens.base import KioskScreen, wipe_inputs
from kiosk.ui.voice import voice_prompts
from shared._errors import FieldError, RecordInvalid
from shared.records import parse_record

__all__ = ["WizardScreen"]


class WizardScreen(KioskScreen):
    """Base of the complaint and job-seeker wizards; see the module docstring.

    Subclasses set ``kind`` (``complaint``/``jobseeker``), ``step_names``, ``form_steps``
    (the steps holding fields), and implement :meth:`build_record` and :meth:`submit_fn`.
    """

    kind = ""
    step_names: tuple[str, ...] = ()
    form_steps: tuple[str, ...] = ()

    step = NumericProperty(0)
    busy = BooleanProperty(False)
    message_key = StringProperty("")  # a message not tied to a field (busy, failure)
    general_error = ListProperty([])  # [zh, en] of errors no field on screen can show
    keyboard_shown = BooleanProperty(False)

    def on_kv_post(self, base_widget: Any) -> None:
        for field in self.fields():
            widget = field.input_widget()
            if isinstance(widget, TextInput):
                self.ids.keyboard.attach(widget, getattr(widget, "keyboard_layout", "letters"))
        self.bind(step=self._on_step)
        self._on_step()

    # -- reading the form ------------------------------------------------------------------

    def step_screens(self) -> list[Any]:
        """The step Screens in order (shown or not)."""
        return [self.ids.steps.get_screen(name) for name in self.step_names]

    def fields(self, step: str | None = None) -> list[FormField]:
        """Every FormField of the wizard (or of ``step``), in screen order."""
        out: list[FormField] = []
        for screen in self.step_screens():
            if step is None or screen.name == step:
                out += [w for w in screen.walk(restrict=True) if isinstance(w, FormField)]
        return out

    def field(self, path: str) -> FormField:
        """The FormField for ``path``; KeyError if there is none."""
        for field in self.fields():
            if field.path == path:
                return field
        raise KeyError(f"no field {path!r} on {self.name}")

    def values(self) -> dict[str, Any]:
        """``{path: value}`` of every field: text, chosen chips, or a tick box's state."""
        out: dict[str, Any] = {}
        for field in self.fields():
            widget = field.input_widget()
            if isinstance(widget, TextInput):
                out[field.path] = widget.text
            elif isinstance(widget, ChipGroup):
                out[field.path] = list(widget.selected) if widget.multiple else widget.value
            elif isinstance(widget, TickBox):
                out[field.path] = widget.active
        return out

    def build_record(self) -> dict[str, Any]:
        """The record from the fields. Raises RecordInvalid for what cannot become one."""
        raise NotImplementedError

    def submit_fn(self) -> Callable[..., Any]:
        """The service method that files this kind of record."""
        raise NotImplementedError

    # -- errors ----------------------------------------------------------------------------

    def clear_errors(self) -> None:
        for field in self.fields():
            field.error = []
        self.general_error = []

    def show_errors(self, errors: list[FieldError], only_step: str | None = None) -> int:
        """Show each error beside its field; return how many were shown.

        With ``only_step``, errors of other steps are ignored. Otherwise the wizard moves to
        the earliest step holding an error, and errors with no field go to the review step.
        """
        fields = self.fields(only_step)
        for field in fields:
            field.error = []
        shown, steps, loose = 0, [], []
        for err in errors:
            target = next((f for f in fields if field_matches(f.path, err.field)), None)
            if target is None:
                loose.append(err)
                continue
            if not target.error:
                target.error = [err.zh, err.en]
            shown += 1
            steps.append(self._step_of(target))
        if only_step is None:
            self.general_error = ([" ".join(e.zh for e in loose), " ".join(e.en for e in loose)]
                                  if loose else [])
            if loose:
                steps.append(self.step_names.index("review"))
            if steps:
                self.step = min(steps)
        return shown

    def _step_of(self, widget: Any) -> int:
        names = set(self.step_names)
        while widget is not None and getattr(widget, "name", None) not in names:
            widget = widget.parent
        return self.step_names.index(widget.name) if widget is not None else 0

    def check_step(self, step: str) -> bool:
        """Validate the record; show the errors of ``step``. True when it has none."""
        try:
            parse_record(self.kind, self.build_record())
        except RecordInvalid as exc:
            return self.show_errors(exc.errors, only_step=step) == 0
        self.show_errors([], only_step=step)
        return True

    # -- navigation ------------------------------------------------------------------------

    @property
    def step_name(self) -> str:
        return self.step_names[int(self.step)]

    def next(self, *_args: Any) -> None:
        """Leave the current step if its fields are valid."""
        name = self.step_name
        if name in self.form_steps and not self.check_step(name):
            return
        if self.step < len(self.step_names) - 1:
            self.step += 1

    def back(self, *_args: Any) -> None:
        """One step back; from the first step, the visit ends (form wiped)."""
        if self.step == 0:
            self.end_visit()
        else:
            self.step -= 1

    def on_enter(self, *_args: Any) -> None:
        self._prompt()

    def _prompt(self) -> None:
        """Say the question of the step on show (if voice prompts are on)."""
        if self.manager is not None and self.manager.current == self.name:
            voice_prompts.say(f"voice.{self.kind}.{self.step_name}")

    def _on_step(self, *_args: Any) -> None:
        name = self.step_name
        self.ids.steps.current = name
        inputs = [f.input_widget() for f in self.fields(name)]
        texts = [w for w in inputs if isinstance(w, TextInput)]
        self.keyboard_shown = bool(texts)
        if texts:
            keyboard = self.ids.keyboard
            keyboard.target = texts[0]
            keyboard.layout = getattr(texts[0], "keyboard_layout", "letters")
        self.enter_step(name)
        self._prompt()

    def enter_step(self, name: str) -> None:
        """Hook: a step is shown (e.g. fetch the checklist, render the review)."""

    # -- submitting ------------------------------------------------------------------------

    def submit(self, *_args: Any) -> None:
        """File the record on the service worker (once; a double tap is ignored)."""
        if self.busy:
            return
        try:
            record = self.build_record()
        except RecordInvalid as exc:
            self.show_errors(exc.errors)
            return
        self.busy = True
        self.message_key = "common.busy"
        self.runner.call(self.submit_fn(), record, on_result=self._submitted,
                         on_error=self._failed)

    def _submitted(self, receipt: Any) -> None:
        self.busy = False
        self.message_key = ""
        self.manager.get_screen("receipt").show(receipt, self.receipt_matter(), self.kind)
        self.go("receipt")
        self.wipe()  # the form is gone: Back cannot lead into it

    def receipt_matter(self) -> str:
        """The matter type whose checklist the receipt shows ('' for none)."""
        return ""

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        if isinstance(exc, RecordInvalid):
            self.message_key = ""
            self.show_errors(exc.errors)
            return
        Logger.error("%s: submit failed: %r", type(self).__name__, exc)
        self.message_key = "wizard.failed"

    # -- wiping ----------------------------------------------------------------------------

    def wipe(self) -> None:
        for screen in self.step_screens():
            wipe_inputs(screen)
            for widget in screen.walk(restrict=True):
                if isinstance(widget, ChipGroup):
                    widget.selected = []
                elif isinstance(widget, TickBox):
                    widget.active = False
        self.ids.keyboard.forget()  # the pinyin buffer and strokes are the person's too
        self.clear_errors()
        self.busy = False
        self.message_key = ""
        self.step = 0
        self._on_step()

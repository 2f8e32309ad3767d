"""What every kiosk screen shares: access to the services, navigation and wiping.

A screen gets its :class:`~kiosk.ui.services_api.ScreenServices` and the
:class:`~kiosk.ui.worker.ServiceRunner` from the app when it is created. It calls services only
through ``self.runner.call(...)``, never directly, so nothing slow runs on the Kivy thread.

:meth:`KioskScreen.wipe` must forget everything the last person entered or was shown; the
default clears every text input on the screen, including its undo history, and what the
on-screen keyboards hold of a composition.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kivy.properties import ObjectProperty
from kivy.uix.screenmanager import NoTransition, Screen, ScreenManager
from kivy.uix.textinput import TextInput
from kivy.uix.widget import Widget

from kiosk.ui.keyboard import OnScreenKeyboard

__all__ = ["HOME", "KioskScreen", "KioskScreenManager", "wipe_inputs"]

HOME = "home"


def _every_widget(root: Widget) -> Iterator[Widget]:
    """``root`` and everything under it, including the screens of inner ScreenManagers that
    are not on show (they are out of the widget tree, so ``walk`` alone misses them)."""
    for widget in root.walk(restrict=True):
        yield widget
        if isinstance(widget, ScreenManager):
            for screen in widget.screens:
                if screen.parent is None:
                    yield from _every_widget(screen)


def wipe_inputs(root: Widget) -> None:
    """Empty every TextInput under ``root`` (on every page of inner ScreenManagers too),
    unfocus it and drop its undo/redo history; make every on-screen keyboard forget its
    pinyin buffer, offered words and handwriting strokes."""
    for widget in _every_widget(root):
        if isinstance(widget, TextInput):
            widget.focus = False
            widget.text = ""
            widget.reset_undo()  # clears the redo stack too
        elif isinstance(widget, OnScreenKeyboard):
            widget.forget()


class KioskScreen(Screen):  # type: ignore[misc]
    """Base screen: ``services``, ``runner``, :meth:`go` and :meth:`wipe`."""

    services = ObjectProperty(None, allownone=True)
    runner = ObjectProperty(None, allownone=True)

    def go(self, name: str, *_args: Any) -> None:
        """Show the screen called ``name``."""
        self.manager.current = name

    def end_visit(self, *_args: Any) -> None:
        """The worker is done (Home, Done): wipe every screen and show home."""
        self.manager.end_visit()

    def wipe(self) -> None:
        """Forget everything shown or typed on this screen."""
        wipe_inputs(self)

    def detach(self) -> None:
        """Stop reacting to app-wide events (language changes); the app is closing."""


class KioskScreenManager(ScreenManager):  # type: ignore[misc]
    """The screens of one kiosk. :meth:`end_visit` is the only way back to a clean home."""

    __events__ = ("on_end_visit",)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("transition", NoTransition())
        super().__init__(**kwargs)

    def end_visit(self) -> None:
        """Wipe every screen, dispatch ``on_end_visit`` and show home."""
        for screen in self.screens:
            if isinstance(screen, KioskScreen):
                screen.wipe()
        self.dispatch("on_end_visit")
        self.current = HOME

    def on_end_visit(self) -> None:
        """Default handler; the app resets the language and drops late results here."""

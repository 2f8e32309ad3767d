"""Typing Chinese the way a worker does: tapping pinyin keys and candidates, drawing on the pad.

Imported by full name (``tests.kiosk.ui.ime_kit``), like ``ui_kit``; nothing here imports Kivy
at module level. The engines are the real ones (``kiosk.input``), loaded by the session app.

* :func:`complaint_step` — the complaint wizard opened at one step; its keyboard.
* :func:`engines_ready` — wait until both engines have loaded (or been found missing).
* :func:`tap_pinyin` — tap the letter keys of a pinyin string.
* :func:`pick` — wait for a word among the offered ones, page the candidate bar to it, tap it.
* :func:`type_chinese` — :func:`tap_pinyin` then :func:`pick` for each ``(pinyin, word)``.
* :func:`draw` — strokes as touch down / move / up events on the handwriting pad.
* :data:`SAN` — 三 as three horizontal strokes, in pad fractions.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

# 三: three strokes left to right, top to bottom, the middle one shortest, the last longest.
SAN = (
    ((0.28, 0.25), (0.50, 0.25), (0.72, 0.25)),
    ((0.33, 0.50), (0.50, 0.50), (0.67, 0.50)),
    ((0.15, 0.78), (0.50, 0.78), (0.85, 0.78)),
)


def complaint_step(ui, step):
    """Home -> complaint wizard at ``step`` (set directly: the fields are tested here, not the
    validation that guards each step); returns the screen's keyboard."""
    ui.tap("btn_complaint")
    ui.pump_until(lambda: ui.current == "complaint")
    screen = ui.screen("complaint")
    screen.step = screen.step_names.index(step)
    ui.pump_until(lambda: screen.step_name == step, f"step {step}")
    ui.pump(2)
    return ui.find("keyboard")


def engines_ready(ui: Any) -> Any:
    """Wait until the input engines have loaded (or been found missing); return them."""
    from kiosk.ui.engines import input_engines

    ui.pump_until(lambda: "loading" not in (input_engines.pinyin_state,
                                            input_engines.handwriting_state)
                  and "idle" not in (input_engines.pinyin_state,
                                     input_engines.handwriting_state),
                  "input engines loaded", timeout=60)
    return input_engines


def tap_pinyin(ui: Any, keyboard: Any, letters: str) -> None:
    """Tap one key per letter (and ``'``) of ``letters`` on the pinyin layout."""
    assert keyboard.layout == "pinyin", keyboard.layout
    for letter in letters:
        ui.tap(keyboard.key(letter))


def pick(ui: Any, keyboard: Any, word: str) -> None:
    """Wait until ``word`` is offered, turn the candidate bar's pages to it and tap it."""
    pages = keyboard.written if keyboard.layout == "handwriting" else keyboard.composer.offered
    ui.pump_until(lambda: word in pages.words,
                  f"{word!r} offered for {keyboard.buffer!r} ({pages.words[:10]})")
    bar = keyboard.candidate_bar
    while word not in bar.words:
        ui.tap(bar.next_key)
    ui.tap(bar.button(word))


def type_chinese(ui: Any, keyboard: Any, *pieces: tuple[str, str]) -> None:
    """For each ``(pinyin, word)``: tap the pinyin, then the word."""
    for letters, word in pieces:
        tap_pinyin(ui, keyboard, letters)
        pick(ui, keyboard, word)


def draw(ui: Any, pad: Any, strokes: Sequence[Sequence[tuple[float, float]]]) -> None:
    """Draw ``strokes`` (points as fractions of the pad, y downwards) with touch events."""
    from kivy.tests.common import UnitTestTouch

    def window(point: tuple[float, float]) -> tuple[float, float]:
        fx, fy = point
        return pad.to_window(pad.x + fx * pad.width, pad.top - fy * pad.height)

    for stroke in strokes:
        touch = UnitTestTouch(*window(stroke[0]))
        touch.touch_down()
        ui.pump()
        for (ax, ay), (bx, by) in pairwise(stroke):
            for step in range(1, 6):  # several moves between the given points, as a finger
                t = step / 5
                touch.touch_move(*window((ax + (bx - ax) * t, ay + (by - ay) * t)))
                ui.pump()
        touch.touch_up()
        ui.pump()

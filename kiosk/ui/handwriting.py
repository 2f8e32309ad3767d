"""The handwriting pad: one character drawn with a finger, stroke by stroke.

:class:`HandwritingPad` records each touch from down to up as one stroke, in pad coordinates
with the origin at the top left and y growing downwards (what the recogniser expects), and
draws it as it goes on a light square with a 田 guide. After each stroke it dispatches
``on_strokes`` with the strokes so far; :meth:`undo` drops the last stroke and :meth:`clear`
all of them (both dispatch ``on_strokes`` too).

A touch on the pad never takes focus from the input being written into
(``FocusBehavior.ignored_touch``), as the keys of the on-screen keyboard do.
"""

from __future__ import annotations

from typing import Any

from kivy.graphics import Color, Line, Rectangle
from kivy.metrics import dp
from kivy.uix.behaviors import FocusBehavior
from kivy.uix.widget import Widget

__all__ = ["HandwritingPad"]

PAPER = (1, 1, 0.97, 1)
GUIDE = (0.80, 0.72, 0.62, 1)
INK = (0.05, 0.05, 0.08, 1)
MIN_STEP = 2.0  # pad units between recorded points: a resting finger adds no noise


class HandwritingPad(Widget):  # type: ignore[misc]
    """A square to draw one character on; see the module docstring."""

    __events__ = ("on_strokes",)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.strokes: list[list[tuple[float, float]]] = []
        self._lines: list[Any] = []
        self._touch_uid: Any = None
        with self.canvas.before:
            Color(*PAPER)
            self._paper = Rectangle()
            Color(*GUIDE)
            self._guide = [Line(width=1, dash_length=6, dash_offset=6) for _ in range(2)]
            self._border = Line(width=1.5)
        self.bind(pos=self._layout, size=self._layout)

    # -- drawing the paper -----------------------------------------------------------------

    def _layout(self, *_args: Any) -> None:
        self._paper.pos, self._paper.size = self.pos, self.size
        x, y, w, h = self.x, self.y, self.width, self.height
        self._guide[0].points = [x + w / 2, y, x + w / 2, y + h]
        self._guide[1].points = [x, y + h / 2, x + w, y + h / 2]
        self._border.rectangle = (x, y, w, h)
        self._redraw()

    def _redraw(self) -> None:
        self.canvas.clear()
        self._lines = []
        with self.canvas:
            Color(*INK)
            for stroke in self.strokes:
                self._lines.append(Line(points=self._window_points(stroke), width=dp(4),
                                        cap="round", joint="round"))

    def _window_points(self, stroke: list[tuple[float, float]]) -> list[float]:
        points: list[float] = []
        for px, py in stroke:
            points += [self.x + px, self.top - py]
        return points

    # -- touches ---------------------------------------------------------------------------

    def to_pad(self, x: float, y: float) -> tuple[float, float]:
        """Pad coordinates (origin top left, y downwards) of window-space ``x, y`` in this
        widget's parent's coordinates, clamped to the pad."""
        return (min(max(x - self.x, 0.0), self.width), min(max(self.top - y, 0.0), self.height))

    def on_touch_down(self, touch: Any) -> bool:
        if self.disabled or not self.collide_point(*touch.pos) or self._touch_uid is not None:
            return bool(super().on_touch_down(touch))
        FocusBehavior.ignored_touch.append(touch)  # the input being written into keeps focus
        touch.grab(self)
        self._touch_uid = touch.uid
        self.strokes.append([self.to_pad(*touch.pos)])
        with self.canvas:
            Color(*INK)
            self._lines.append(Line(points=self._window_points(self.strokes[-1]),
                                    width=dp(4), cap="round", joint="round"))
        return True

    def on_touch_move(self, touch: Any) -> bool:
        if touch.grab_current is not self or touch.uid != self._touch_uid:
            return bool(super().on_touch_move(touch))
        point = self.to_pad(*touch.pos)
        last = self.strokes[-1][-1]
        if abs(point[0] - last[0]) + abs(point[1] - last[1]) >= MIN_STEP:
            self.strokes[-1].append(point)
            self._lines[-1].points = self._window_points(self.strokes[-1])
        return True

    def on_touch_up(self, touch: Any) -> bool:
        if touch.grab_current is not self or touch.uid != self._touch_uid:
            return bool(super().on_touch_up(touch))
        touch.ungrab(self)
        self._touch_uid = None
        point = self.to_pad(*touch.pos)
        if point != self.strokes[-1][-1]:
            self.strokes[-1].append(point)
            self._lines[-1].points = self._window_points(self.strokes[-1])
        self.dispatch("on_strokes", [list(s) for s in self.strokes])
        return True

    # -- editing ---------------------------------------------------------------------------

    def undo(self) -> bool:
        """Drop the last stroke; False when there was none."""
        if not self.strokes or self._touch_uid is not None:
            return False
        self.strokes.pop()
        self._redraw()
        self.dispatch("on_strokes", [list(s) for s in self.strokes])
        return True

    def clear(self) -> None:
        """Drop every stroke (after a character was chosen, or on Clear)."""
        had = bool(self.strokes)
        self.strokes = []
        self._touch_uid = None
        self._redraw()
        if had:
            self.dispatch("on_strokes", [])

    def on_strokes(self, strokes: list[list[tuple[float, float]]]) -> None:
        """Default handler; the keyboard binds to ask for candidates."""

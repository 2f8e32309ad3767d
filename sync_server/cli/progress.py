"""A plain-text progress bar for long CLI jobs (bundle imports).

It redraws one line in place (carriage return) only when its stream is a terminal, at most
every ``interval`` seconds, so logs and pipes are not flooded with partial lines; the final
line is written either way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO


class ProgressBar:
    """``update(done, total)`` while working, ``finish(text)`` once at the end."""

    def __init__(self, stream: TextIO, label: str, *, width: int = 30,
                 interval: float = 0.1, clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._label = label
        self._width = width
        self._interval = interval
        self._clock = clock
        self._tty = stream.isatty()
        self._last = float("-inf")
        self._drawn = 0

    def update(self, done: int, total: int) -> None:
        """Redraw the bar (terminals only; rate-limited except for the last step)."""
        if not self._tty:
            return
        now = self._clock()
        if done < total and now - self._last < self._interval:
            return
        self._last = now
        share = done / total if total else 1.0
        filled = int(share * self._width)
        line = (f"{self._label} [{'#' * filled}{'.' * (self._width - filled)}] "
                f"{done}/{total} {share:4.0%}")
        self._stream.write("\r" + line + " " * max(0, self._drawn - len(line)))
        self._stream.flush()
        self._drawn = len(line)

    def finish(self, text: str) -> None:
        """Replace the bar (if drawn) with ``text`` and end the line."""
        if self._drawn:
            self._stream.write("\r" + text + " " * max(0, self._drawn - len(text)) + "\n")
        else:
            self._stream.write(text + "\n")
        self._stream.flush()
        self._drawn = 0

"""When a kiosk syncs: a nightly window with a random start, and retry backoff.

A county's kiosks must not all arrive in the same minute, so each night's sync starts at a
random instant inside the window (default 01:00-05:00 local time). Windows may cross
midnight (e.g. 23:00-03:00). Retries after an outside-world failure use exponential backoff
with full jitter, and honour a server's Retry-After.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

DEFAULT_TZ = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class NightlyWindow:
    """A daily window of local time in which the nightly sync starts."""

    start: time = time(1, 0)
    end: time = time(5, 0)
    tz: tzinfo = field(default=DEFAULT_TZ)

    @classmethod
    def parse(cls, text: str, tz: tzinfo = DEFAULT_TZ) -> NightlyWindow:
        """Parse ``HH:MM-HH:MM``. Raises ValueError naming the problem."""
        try:
            a, b = text.split("-")
            window = cls(time.fromisoformat(a.strip()), time.fromisoformat(b.strip()), tz)
        except ValueError:
            raise ValueError(f"sync window {text!r} must look like 01:00-05:00") from None
        if window.start == window.end:
            raise ValueError(f"sync window {text!r} is empty")
        return window

    def _occurrences(self, around: datetime) -> list[tuple[datetime, datetime]]:
        local = around.astimezone(self.tz)
        out = []
        for offset in (-1, 0, 1, 2):
            day = local.date() + timedelta(days=offset)
            begin = datetime.combine(day, self.start, self.tz)
            finish = datetime.combine(day, self.end, self.tz)
            if finish <= begin:
                finish += timedelta(days=1)
            out.append((begin, finish))
        return out

    def next_run(self, after: datetime, rng: random.Random) -> datetime:
        """A random instant in the first window that is still open after ``after``."""
        for begin, finish in self._occurrences(after):
            if finish > after:
                lo = max(begin, after)
                span = (finish - lo).total_seconds()
                return lo + timedelta(seconds=rng.uniform(0, span))
        raise AssertionError("unreachable: a window occurs every day")  # pragma: no cover

    def following_run(self, after: datetime, rng: random.Random) -> datetime:
        """A random instant in the first window that *opens* after ``after`` (so a nightly
        sync that just ran inside tonight's window is next due tomorrow night)."""
        for begin, finish in self._occurrences(after):
            if begin > after:
                return begin + timedelta(seconds=rng.uniform(0, (finish - begin).total_seconds()))
        raise AssertionError("unreachable: a window occurs every day")  # pragma: no cover

    def contains(self, when: datetime) -> bool:
        return any(b <= when < f for b, f in self._occurrences(when))


class Backoff:
    """Exponential backoff with full jitter: delay n is uniform in [0, min(cap, base * 2**n)]."""

    def __init__(self, rng: random.Random, base_s: float = 5.0, cap_s: float = 1800.0) -> None:
        self._rng, self.base_s, self.cap_s = rng, base_s, cap_s
        self.failures = 0

    def next_delay(self, retry_after: float | None = None) -> float:
        ceiling = min(self.cap_s, self.base_s * (2 ** self.failures))
        self.failures += 1
        delay = self._rng.uniform(0, ceiling)
        return max(delay, retry_after or 0.0)

    def reset(self) -> None:
        self.failures = 0

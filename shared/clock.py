"""Time as an injected dependency: the Clock protocol, the system clock and a manual clock.

Domain code never calls ``datetime.now()`` itself; it takes a ``clock``. Tests pass a
``ManualClock`` and move it by hand. All times are timezone-aware UTC.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current UTC time."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real wall clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to. Thread-safe."""

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start time")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float = 0.0, **kwargs: float) -> datetime:
        """Move forward by ``seconds`` (plus any ``timedelta`` keywords); return the new time."""
        with self._lock:
            self._now += timedelta(seconds=seconds, **kwargs)
            return self._now

    def set(self, when: datetime) -> None:
        with self._lock:
            self._now = when.astimezone(UTC)


def to_millis(when: datetime) -> int:
    """Milliseconds since the Unix epoch of an aware datetime."""
    if when.tzinfo is None:
        raise ValueError("naive datetime; yizhan uses aware UTC times only")
    return int(when.timestamp() * 1000)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def from_millis(ms: int) -> datetime:
    """The aware UTC datetime ``ms`` milliseconds after the Unix epoch (exact: no float)."""
    return _EPOCH + timedelta(milliseconds=ms)


def format_millis(ms: int) -> str:
    """``format_utc`` of a time stored as epoch milliseconds: ``2026-11-21T10:00:00.000Z``."""
    return format_utc(from_millis(ms))


def format_utc(when: datetime) -> str:
    """RFC 3339 UTC with millisecond precision and a ``Z``: ``2026-11-21T10:00:00.000Z``."""
    when = when.astimezone(UTC)
    if when.year >= 1000:  # the same text, from the faster isoformat ("...+00:00" cut)
        return when.isoformat(timespec="milliseconds")[:-6] + "Z"
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def parse_utc(text: str) -> datetime:
    """Parse an RFC 3339 time with zone (``Z`` or offset) into an aware UTC datetime.

    Raises ValueError when the text is not such a time, has no zone, or lies at the edge of
    the calendar where the offset would carry it past year 1 or 9999.
    """
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if when.tzinfo is None:
        raise ValueError(f"time {text!r} has no timezone")
    try:
        return when.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:00-05:00 is in year 10000 UTC
        raise ValueError(f"time {text!r} is outside the calendar in UTC") from None

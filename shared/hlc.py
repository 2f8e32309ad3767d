"""Hybrid logical clocks (Kulkarni et al., 2014): causally ordered, close to wall time.

An ``HLC`` stamp is (wall milliseconds, logical counter, node id). Stamps compare by
(wall, counter, node), so any two distinct events have a total order that every replica
computes the same way. ``HybridClock`` keeps a node's state: ``now()`` stamps a local or send
event, ``observe(remote)`` merges a received stamp so later local stamps sort after it.

The string form ``0001763719200000.000000.<node>`` (13-digit wall ms zero-padded to 16,
6-digit counter) sorts as text in the same order as the stamps.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import total_ordering

from shared.clock import Clock, to_millis

MAX_COUNTER = 999_999
# The longest node id: a stamp is then at most 16 + 1 + 6 + 1 + 64 = 88 characters, inside
# the server's events.hlc column (96). A device's node id is its 40-character device id.
MAX_NODE = 64
# A remote stamp further ahead than this is refused rather than dragging our clock forward.
MAX_DRIFT_MS = 24 * 3600 * 1000


@total_ordering
@dataclass(frozen=True)
class HLC:
    """One hybrid logical clock stamp."""

    wall: int
    counter: int
    node: str

    def _key(self) -> tuple[int, int, str]:
        return (self.wall, self.counter, self.node)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, HLC):
            return NotImplemented
        return self._key() < other._key()

    def __str__(self) -> str:
        return f"{self.wall:016d}.{self.counter:06d}.{self.node}"

    @classmethod
    def parse(cls, text: str) -> HLC:
        """Parse the string form. Raises ValueError naming what is wrong."""
        parts = text.split(".", 2)
        if len(parts) != 3 or len(parts[0]) != 16 or len(parts[1]) != 6:
            raise ValueError(f"HLC {text!r} is not WALL16.COUNTER6.NODE")
        if not (parts[0].isascii() and parts[0].isdigit() and parts[1].isascii()
                and parts[1].isdigit()):
            raise ValueError(f"HLC {text!r} has non-digit wall time or counter")
        if not parts[2]:
            raise ValueError(f"HLC {text!r} has no node id")
        if len(parts[2]) > MAX_NODE:
            raise ValueError(f"HLC node id is longer than {MAX_NODE} characters")
        return cls(int(parts[0]), int(parts[1]), parts[2])


class HybridClock:
    """A node's hybrid logical clock. Thread-safe."""

    def __init__(self, node: str, clock: Clock, last: HLC | None = None) -> None:
        if not node or "." in node or len(node) > MAX_NODE:
            raise ValueError(f"HLC node id must be 1..{MAX_NODE} characters without '.'")
        self.node = node
        self._clock = clock
        self._wall = last.wall if last else 0
        self._counter = last.counter if last else 0
        self._lock = threading.Lock()

    def _advance(self, physical: int, remote: HLC | None) -> HLC:
        old_wall = self._wall
        candidates = [old_wall, physical] + ([remote.wall] if remote else [])
        new_wall = max(candidates)
        if new_wall == old_wall and remote is not None and new_wall == remote.wall:
            counter = max(self._counter, remote.counter) + 1
        elif new_wall == old_wall:
            counter = self._counter + 1
        elif remote is not None and new_wall == remote.wall:
            counter = remote.counter + 1
        else:
            counter = 0
        if counter > MAX_COUNTER:
            # Counter exhausted within one millisecond: borrow the next millisecond.
            new_wall, counter = new_wall + 1, 0
        self._wall, self._counter = new_wall, counter
        return HLC(new_wall, counter, self.node)

    def now(self) -> HLC:
        """Stamp a local or send event; strictly greater than every stamp seen so far."""
        with self._lock:
            return self._advance(to_millis(self._clock.now()), None)

    def observe(self, remote: HLC) -> HLC:
        """Merge a received stamp; returns the stamp of the receive event.

        Raises ValueError if ``remote`` is more than MAX_DRIFT_MS ahead of our wall clock.
        """
        with self._lock:
            physical = to_millis(self._clock.now())
            if remote.wall - physical > MAX_DRIFT_MS:
                raise ValueError(f"remote HLC {remote} is too far in the future")
            return self._advance(physical, remote)

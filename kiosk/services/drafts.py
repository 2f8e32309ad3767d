"""Half-filled forms, held in memory only: never written to disk, wiped on cancel or idle.

The screens keep the form a worker is typing here (one draft per screen session). A draft
untouched for ``idle_seconds`` is wiped the next time anything asks for drafts; ``cancel``
and ``wipe_all`` (next person, staff lock) wipe at once. Wiping clears the dict in place, so
no other reference keeps the values either.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

from shared.clock import Clock

DEFAULT_IDLE_SECONDS = 90


class Drafts:
    """In-memory drafts by session id. Thread-safe."""

    def __init__(self, clock: Clock, idle_seconds: float = DEFAULT_IDLE_SECONDS) -> None:
        self._clock = clock
        self._idle = timedelta(seconds=idle_seconds)
        self._drafts: dict[str, tuple[datetime, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def put(self, session: str, fields: dict[str, Any]) -> None:
        """Store (replace) the draft of ``session`` and mark it as just touched."""
        with self._lock:
            self._sweep()
            self._drafts[session] = (self._clock.now(), dict(fields))

    def get(self, session: str) -> dict[str, Any] | None:
        """A copy of the draft, or None if there is none or it idled out (and was wiped)."""
        with self._lock:
            self._sweep()
            entry = self._drafts.get(session)
            return None if entry is None else dict(entry[1])

    def cancel(self, session: str) -> None:
        """Wipe one draft now."""
        with self._lock:
            entry = self._drafts.pop(session, None)
            if entry is not None:
                entry[1].clear()

    def wipe_all(self) -> None:
        with self._lock:
            for _, fields in self._drafts.values():
                fields.clear()
            self._drafts.clear()

    def sweep(self) -> int:
        """Wipe drafts idle for too long; returns how many."""
        with self._lock:
            return self._sweep()

    def __len__(self) -> int:
        with self._lock:
            return len(self._drafts)

    def _sweep(self) -> int:
        cutoff = self._clock.now() - self._idle
        stale = [s for s, (touched, _) in self._drafts.items() if touched <= cutoff]
        for s in stale:
            self._drafts.pop(s)[1].clear()
        return len(stale)

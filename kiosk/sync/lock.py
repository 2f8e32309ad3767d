"""One sync at a time per kiosk: across the app's background worker, the staff's "sync now"
and a ``yizhan-kiosk sync`` started from a shell or a timer.

Two syncs of one kiosk at once would not lose or duplicate anything (the server answers a
resent record as a duplicate and acknowledgements are idempotent), but they would push the
same records twice over what may be a 64 kbit/s link and race each other's pull cursor. So
each sync holds an exclusive ``flock`` on ``sync.lock`` in the kiosk's data folder. The lock
belongs to the open file, so it excludes other threads of the same process as well as other
processes, and the kernel drops it when a process dies: a killed sync never leaves the kiosk
locked. A second sync waits for the first (``on_wait`` is told once, so a screen can say so),
and gives up with a TransientError after ``wait_s``.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kiosk.sync.errors import TransientError

__all__ = ["LOCK_FILE", "sync_lock"]

LOCK_FILE = "sync.lock"
POLL_S = 0.1


@contextmanager
def sync_lock(data_dir: Path, *, wait_s: float = 600.0,
              on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the kiosk's sync lock for the ``with`` block, waiting up to ``wait_s`` for it."""
    fd = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait_s
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told and on_wait is not None:
                    on_wait()
                told = True
                if time.monotonic() >= deadline:
                    raise TransientError(
                        f"another sync of this kiosk has been running for over {wait_s:.0f} s"
                    ) from None
                time.sleep(POLL_S)  # flock has no timeout of its own
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)

"""The background sync worker the kiosk UI starts and watches.

It runs on its own thread, so the UI never waits on the network. It syncs at a random time
in the nightly window, opportunistically whenever the server answers a cheap health probe
and records are waiting, and at once on ``sync_now()``. Every run and failure is reported to
``on_event``. Outside-world failures (TransientError) are retried with backoff; refusals
(PermanentError) are reported and wait for staff; anything else is our bug: it is reported
and re-raised, ending the thread, never swallowed.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kiosk.sync.client import SyncSummary
from kiosk.sync.errors import PermanentError, TransientError
from kiosk.sync.schedule import Backoff, NightlyWindow
from shared.clock import Clock


@dataclass
class WorkerEvent:
    """One report from the worker: ``kind`` is started|finished|failed|refused|crashed."""

    kind: str
    reason: str
    summary: SyncSummary | None = None
    error: str | None = None
    retry_in_s: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class SyncWorker:
    """Owns the sync schedule for one kiosk. ``run_sync`` performs one sync (push + pull) and
    returns its summary, raising SyncError subclasses; it runs on the worker's thread, so it
    opens its own store connection (see ``kiosk.cli.run.cmd_run``)."""

    def __init__(self, run_sync: Callable[[], SyncSummary], *, clock: Clock,
                 window: NightlyWindow | None = None,
                 probe: Callable[[], bool] = lambda: False,
                 pending_count: Callable[[], int] = lambda: 0,
                 on_event: Callable[[WorkerEvent], None] = lambda e: None,
                 opportunistic_every_s: float = 300.0,
                 rng: random.Random | None = None) -> None:
        self._run_sync = run_sync
        self._clock = clock
        self._window = window or NightlyWindow()
        self._probe = probe
        self._pending_count = pending_count
        self._on_event = on_event
        self._every = opportunistic_every_s
        self._rng = rng or random.SystemRandom()
        self._backoff = Backoff(self._rng)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.running = False
        self.next_nightly = self._window.next_run(clock.now(), self._rng)
        self.retry_at_s: float | None = None
        self.last_summary: SyncSummary | None = None
        self.last_error: str | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="yizhan-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def sync_now(self) -> None:
        """Ask for a sync as soon as possible (staff's button)."""
        self._wake.set()

    def run_once(self, reason: str) -> SyncSummary | None:
        """Run one sync now on the calling thread, reporting as the loop would.

        Returns the summary, or None after a reported failure. Re-raises our own bugs.
        """
        with self._lock:
            self.running = True
            self._on_event(WorkerEvent("started", reason))
            try:
                summary = self._run_sync()
            except TransientError as exc:
                if exc.summary is not None and exc.summary.made_progress:
                    self._backoff.reset()
                delay = self._backoff.next_delay(exc.retry_after)
                self.retry_at_s, self.last_error = delay, str(exc)
                self._on_event(WorkerEvent("failed", reason, exc.summary, str(exc), delay))
                return None
            except PermanentError as exc:
                self.retry_at_s, self.last_error = None, str(exc)
                self._on_event(WorkerEvent("refused", reason, exc.summary, str(exc)))
                return None
            except Exception as exc:
                self.last_error = f"{type(exc).__name__}: {exc}"
                self._on_event(WorkerEvent("crashed", reason, None, self.last_error))
                raise
            finally:
                self.running = False
            self._backoff.reset()
            self.retry_at_s, self.last_error, self.last_summary = None, None, summary
            self._on_event(WorkerEvent("finished", reason, summary))
            return summary

    def _loop(self) -> None:
        # At start (a kiosk switched on after a night off, or after a power cut): records
        # waiting and the county reachable -> sync now, not one interval later.
        if self._pending_count() > 0 and self._probe() and not self._stop.is_set():
            self.run_once("startup")
        while not self._stop.is_set():
            now = self._clock.now()
            until_nightly = max(0.0, (self.next_nightly - now).total_seconds())
            timeout = min(until_nightly, self.retry_at_s or self._every)
            woken = self._wake.wait(timeout)
            self._wake.clear()
            if self._stop.is_set():
                return
            now = self._clock.now()
            if woken:
                self.run_once("now")
            elif now >= self.next_nightly:
                self.next_nightly = self._window.following_run(now, self._rng)
                self.run_once("nightly")
            elif self.retry_at_s is not None:
                self.run_once("retry")
            elif self._pending_count() > 0 and self._probe():
                self.run_once("opportunistic")

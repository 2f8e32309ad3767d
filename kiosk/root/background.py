"""The sync worker as the touchscreen app runs it: wired to one kiosk data folder.

Each sync opens its own ``KioskServices`` on the worker thread (SQLite connections belong to
the thread that made them), so the UI thread never waits for the network, crypto or disk.
Events are logged without personal data (counts and error texts only).
"""

from __future__ import annotations

import logging
from pathlib import Path

import httpx

from kiosk.root.facade import KioskServices
from kiosk.sync.client import SyncSummary
from kiosk.sync.once import sync_once
from kiosk.sync.schedule import NightlyWindow
from kiosk.sync.worker import SyncWorker, WorkerEvent
from shared.clock import Clock, SystemClock

log = logging.getLogger("yizhan.sync")


def _log_event(event: WorkerEvent) -> None:
    if event.kind == "finished" and event.summary is not None:
        s = event.summary
        log.info("sync (%s) finished: pushed %d, acknowledged %d, quarantined %d, pulled %d",
                 event.reason, s.pushed, s.acknowledged, s.quarantined, s.pulled)
    elif event.kind in ("failed", "refused", "crashed"):
        log.warning("sync (%s) %s: %s%s", event.reason, event.kind, event.error,
                    f"; retry in {event.retry_in_s:.0f} s" if event.retry_in_s else "")


def background_worker(data_dir: Path, clock: Clock | None = None,
                      window: NightlyWindow | None = None) -> SyncWorker:
    """A (not yet started) SyncWorker for the kiosk in ``data_dir``: nightly window, an
    opportunistic sync when the server answers its health check and records wait (every
    ``sync_interval_s`` from the station configuration, default 900 s), and ``sync_now``."""
    clock = clock or SystemClock()

    def run_sync() -> SyncSummary:
        with KioskServices.open(data_dir, clock) as services:
            return sync_once(services)

    def pending() -> int:
        with KioskServices.open(data_dir, clock) as services:
            return len(services.outbox.unacknowledged(1))

    with KioskServices.open(data_dir, clock) as services:
        url = services.server_url()
        interval = services.config.get("sync_interval_s", 900)

    def probe() -> bool:
        if not url:
            return False
        try:
            return httpx.get(f"{url.rstrip('/')}/v1/health", timeout=5.0).status_code == 200
        except httpx.HTTPError:
            return False

    return SyncWorker(run_sync, clock=clock, window=window, probe=probe,
                      pending_count=pending, on_event=_log_event,
                      opportunistic_every_s=float(interval if isinstance(interval, int) and
                                                  interval > 0 else 900))

"""The background merge of a ``serve`` process: records a v2 push left ``verified``.

A v2 push answers once the records are stored durably and their chain verified
(``Ingestor.push(defer=True)``); opening, validating and filing them into the case store
happens here, on one thread per process, device by device in chain order, a bounded batch
per transaction (``Ingestor.merge_verified``: 100 records, doubling up to 2,000 while no push
comes). The kiosk does not wait for it: the
acknowledgement already tells it the records are held, and a record the merge quarantines
reaches it through the changes feed.

Pushes come first. While a push is being answered, or within ``quiet_s`` of the last one,
the merge waits, and it checks again between batches of ``batch`` records: the two would
otherwise take turns on one CPU (the GIL) and on SQLite's one writer, and the kiosk would
wait for filing it does not need. But never for long: once records have waited
``max_delay_s`` (default 10 s) the merge goes on between pushes whatever the traffic, so a
county with kiosks syncing all the time still files every record within seconds.
``yizhan_inbox_records{state="verified"}`` on ``/metrics`` is the backlog.

Nothing is lost if the process dies: the records stay ``verified`` in the store and the
next start-up (``Ingestor.recover``) or the next v1 push of the device merges them. Several
processes on one PostgreSQL database each merge what they were pushed; the device row lock
taken by ``merge_verified`` keeps one device's records in order. Every ``sweep_s`` seconds
the thread also looks for devices whose records wait (pushed to a process that died).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sync_server.errors import StoreFault
from sync_server.services.ingest import Ingestor

log = logging.getLogger("yizhan.server.merger")


class Merger:
    """One background thread merging the devices it is told about (``pushed``)."""

    def __init__(self, ingestor: Ingestor, batch: int = 100, quiet_s: float = 1.0,
                 sweep_s: float = 30.0, max_delay_s: float = 10.0,
                 max_batch: int = 2000) -> None:
        self._ingestor = ingestor
        self._batch, self._quiet_s, self._sweep_s = batch, quiet_s, sweep_s
        self._max_batch = max(batch, max_batch)
        self._max_delay_s = max_delay_s
        self._since: float | None = None  # when the oldest work still waiting was woken
        self._waiting: dict[str, None] = {}  # device ids, in the order they were pushed
        self._cond = threading.Condition()
        self._stopping = False
        self._busy = False
        self._pushing = 0
        self._last_push = 0.0
        self._thread = threading.Thread(target=self._run, name="merger", daemon=True)

    def start(self) -> Merger:
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the batch under way, then stop (what still waits is merged at start-up)."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._thread.join(timeout)

    @contextmanager
    def pushing(self) -> Iterator[None]:
        """Around a whole push request (its authentication too): the merge holds back while
        it runs and for ``quiet_s`` after."""
        with self._cond:
            self._pushing += 1
        try:
            yield
        finally:
            with self._cond:
                self._pushing -= 1
                self._last_push = time.monotonic()
                self._cond.notify_all()

    def wake(self, device_id: str) -> None:
        """Merge ``device_id``'s verified records once pushes are quiet."""
        with self._cond:
            self._waiting[device_id] = None
            if self._since is None:
                self._since = time.monotonic()
            self._cond.notify_all()

    def idle(self, timeout: float) -> bool:
        """Wait until nothing pushed is waiting or being merged. Returns whether it is so."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._waiting and not self._busy, timeout)

    def _quiet_for(self) -> float:
        """Seconds until pushes have been quiet long enough (0: now, also when work has
        waited ``max_delay_s``); call under the lock."""
        now = time.monotonic()
        quiet = self._quiet_s if self._pushing else self._last_push + self._quiet_s - now
        if self._since is not None:  # work waits: not past its deadline
            quiet = min(quiet, self._since + self._max_delay_s - now)
        return max(0.0, quiet)

    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._waiting and not self._stopping:
                    self._cond.notify_all()  # for idle()
                    if not self._cond.wait(self._sweep_s) and not self._waiting:
                        self._waiting.update(dict.fromkeys(self._swept()))
                        if self._waiting and self._since is None:
                            self._since = time.monotonic()
                while not self._stopping and (wait := self._quiet_for()) > 0:
                    self._cond.wait(wait)
                if self._stopping:
                    return
                if not self._waiting:
                    continue
                device_id = next(iter(self._waiting))
                del self._waiting[device_id]
                self._busy = True
            try:
                if not self._drain(device_id):
                    with self._cond:  # a push came: this device's turn comes again
                        self._waiting[device_id] = None
            finally:
                with self._cond:
                    self._busy = False
                    if not self._waiting:
                        self._since = None
                    self._cond.notify_all()

    def _swept(self) -> list[str]:
        try:
            return self._ingestor.waiting_merge()
        except StoreFault as exc:
            log.error("could not look for records waiting for the merge: %s", exc)
            return []

    def _drain(self, device_id: str) -> bool:
        """Merge the device's records, a batch at a time, until none wait (True) or a push
        or stop comes (False)."""
        try:
            size = self._batch
            while self._ingestor.merge_verified(device_id, size) == size:
                with self._cond:
                    if self._stopping or self._quiet_for() > 0:
                        return False
                # still quiet: larger transactions, up to max_batch (each files its records
                # and regroups the alerts of their employers once, so a big backlog of one
                # collective dispute costs far less in 2,000s than in 100s)
                size = min(self._max_batch, size * 2)
        except StoreFault as exc:  # the records stay verified: the next sweep tries again
            log.error("device %s: merge left for later: %s", device_id, exc)
        except Exception:
            log.exception("device %s: merge failed; its records stay verified", device_id)
        return True

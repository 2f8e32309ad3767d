"""The background sync worker: sync now, failures by whose fault they are, and the real
wiring (`background_worker`) against a real server."""

from __future__ import annotations

import json
import queue
import random
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.root import KioskServices, background_worker
from kiosk.sync.client import BatchSizer, SyncSummary
from kiosk.sync.errors import PermanentError, TransientError
from kiosk.sync.once import sync_once
from kiosk.sync.worker import SyncWorker, WorkerEvent
from shared.clock import ManualClock
from tests.kiosk.kiosk_kit import complaint
from tests.sync.conftest import kiosk_cli
from tests.sync_server.server_kit import ServerProcess


def run_worker(run_sync: Callable[[], SyncSummary], *, trigger: int = 1,
               until: Callable[[list[WorkerEvent]], bool] | None = None,
               ) -> tuple[SyncWorker, list[WorkerEvent]]:
    """Start a worker, press 'sync now' ``trigger`` times (each after the previous run ends),
    and collect its events until ``until`` holds (bounded waits on real events)."""
    events: queue.Queue[WorkerEvent] = queue.Queue()
    worker = SyncWorker(run_sync, clock=ManualClock(), on_event=events.put,
                        rng=random.Random(1))
    seen: list[WorkerEvent] = []
    worker.start()
    try:
        for _ in range(trigger):
            worker.sync_now()
            while True:
                event = events.get(timeout=30)
                seen.append(event)
                if event.kind != "started":
                    break
        while until is not None and not until(seen):
            seen.append(events.get(timeout=30))
    finally:
        worker.stop()
    return worker, seen


def test_sync_now_runs_and_reports() -> None:
    worker, events = run_worker(lambda: SyncSummary(pushed=3, acknowledged=3))
    assert [e.kind for e in events] == ["started", "finished"]
    assert events[0].reason == "now"
    assert worker.last_summary is not None
    assert worker.last_summary.acknowledged == 3
    assert worker.last_error is None


def test_outside_world_failure_is_retried_with_backoff() -> None:
    def unreachable() -> SyncSummary:
        raise TransientError("cannot reach the county", retry_after=7.0)
    worker, events = run_worker(unreachable)
    failed = events[-1]
    assert failed.kind == "failed"
    assert failed.retry_in_s is not None
    assert failed.retry_in_s >= 7.0  # the server's Retry-After is honoured
    assert worker.retry_at_s == failed.retry_in_s


def test_a_refusal_waits_for_staff_instead_of_retrying() -> None:
    def revoked() -> SyncSummary:
        raise PermanentError("device revoked", "device_revoked")
    worker, events = run_worker(revoked)
    assert events[-1].kind == "refused"
    assert worker.retry_at_s is None
    assert "revoked" in (worker.last_error or "")


def test_our_own_bug_is_reported_and_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    def bug() -> SyncSummary:
        raise KeyError("a bug of ours")
    with pytest.raises(KeyError):
        SyncWorker(bug, clock=ManualClock()).run_once("now")
    escaped: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda a: escaped.append(a.exc_value))
    worker, events = run_worker(bug)
    assert events[-1].kind == "crashed"
    assert "KeyError" in (events[-1].error or "")
    worker._thread.join(timeout=30)  # type: ignore[union-attr]
    assert len(escaped) == 1
    assert isinstance(escaped[0], KeyError)  # the loop ended with our bug, not silence


def test_progress_restarts_the_backoff() -> None:
    calls = iter([TransientError("flaky"), TransientError("flaky"),
                  TransientError("flaky after progress")])

    def flaky() -> SyncSummary:
        exc = next(calls)
        if "progress" in str(exc):
            exc.summary = SyncSummary(acknowledged=5)
        raise exc
    worker, events = run_worker(flaky, trigger=3)
    failures = [e for e in events if e.kind == "failed"]
    assert len(failures) == 3
    assert worker._backoff.failures == 1  # reset by the third attempt's progress, then +1


def test_background_worker_syncs_a_real_kiosk(make_kiosk: Callable[[str], Path],
                                              server: ServerProcess) -> None:
    """At start, with a record waiting and the county reachable, the worker syncs at once
    (a kiosk switched on after a power cut does not wait an interval); then staff's 'sync
    now' sends a record filed later."""
    kiosk = make_kiosk("W001")
    kiosk_cli(kiosk, "submit", "complaint", "--json", "-", input_text=json.dumps(complaint(5)))
    events: queue.Queue[WorkerEvent] = queue.Queue()
    worker = background_worker(kiosk)
    worker._on_event = events.put
    worker.start()
    try:
        first = [events.get(timeout=60), events.get(timeout=60)]
        kiosk_cli(kiosk, "submit", "complaint", "--json", "-",
                  input_text=json.dumps(complaint(6)))
        worker.sync_now()
        second = [events.get(timeout=60), events.get(timeout=60)]
    finally:
        worker.stop()
    assert [(e.kind, e.reason) for e in first] == [("started", "startup"),
                                                   ("finished", "startup")]
    assert [(e.kind, e.reason) for e in second] == [("started", "now"), ("finished", "now")]
    assert first[1].summary is not None
    assert first[1].summary.acknowledged == 1
    counts = json.loads(kiosk_cli(kiosk, "outbox", "--json").stdout)
    assert counts["acknowledged"] == 2
    assert counts["last_error"] is None


def test_progress_has_its_length_before_the_first_send(make_kiosk: Callable[[str], Path],
                                                       server: ServerProcess) -> None:
    """Staff's progress bar: the total is known before the first batch goes out (on a slow
    link the first push can take many seconds), then grows batch by batch to the end."""
    kiosk = make_kiosk("W002")
    lines = "\n".join(json.dumps(complaint(i)) for i in range(5))
    kiosk_cli(kiosk, "submit", "complaint", "--json", "-", input_text=lines)
    seen: list[tuple[str, int, int]] = []
    with KioskServices.open(kiosk) as services:
        summary = sync_once(services, sizer=BatchSizer(initial=2, maximum=2),
                            progress=lambda *p: seen.append(p))
    assert summary.acknowledged == 5
    assert [p for p in seen if p[0] == "push"] == [("push", 0, 5), ("push", 2, 5),
                                                    ("push", 4, 5), ("push", 5, 5)]

"""One sync at a time per kiosk (kiosk/sync/lock.py), against a real server.

Sync A is held inside its first push (by a transport that forwards to the real server once
sync B has either started waiting or made a request of its own). With the lock, B reports
``waiting``, runs after A and has nothing left to push: every record crossed the link once.
The control run takes the lock away: B then pushes the same records beside A.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

import kiosk.sync.once
from kiosk.root import KioskServices
from kiosk.sync.client import SyncSummary
from kiosk.sync.errors import TransientError
from kiosk.sync.lock import sync_lock
from tests.kiosk.kiosk_kit import complaint
from tests.sync.conftest import kiosk_cli
from tests.sync_server.server_kit import ServerProcess

RECORDS = 3


class Gate(httpx.BaseTransport):
    """The real HTTP transport; the first push waits until ``release`` is set."""

    def __init__(self, entered: threading.Event | None, release: threading.Event | None,
                 on_request: Callable[[], None] = lambda: None) -> None:
        self._real = httpx.HTTPTransport()
        self._entered, self._release, self._on_request = entered, release, on_request
        self.pushes = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._on_request()
        if request.url.path == "/v1/push":
            self.pushes += 1
            if self.pushes == 1 and self._entered is not None and self._release is not None:
                self._entered.set()
                assert self._release.wait(60), "sync B neither waited nor moved"
        return self._real.handle_request(request)

    def close(self) -> None:
        self._real.close()


def two_syncs(data: Path) -> tuple[SyncSummary, SyncSummary, list[str]]:
    """Sync A held in its first push while sync B starts; returns both summaries and B's
    progress phases."""
    a_in_push, b_moved = threading.Event(), threading.Event()
    result: dict[str, SyncSummary | BaseException] = {}

    def sync_a() -> None:
        try:
            with KioskServices.open(data) as services:
                result["a"] = kiosk.sync.once.sync_once(services, Gate(a_in_push, b_moved))
        except BaseException as exc:  # reported by the main thread
            result["a"] = exc

    thread = threading.Thread(target=sync_a)
    thread.start()
    assert a_in_push.wait(60), "sync A never pushed"
    phases: list[str] = []

    def progress(phase: str, done: int, total: int) -> None:
        phases.append(phase)
        if phase == "waiting":
            b_moved.set()

    with KioskServices.open(data) as services:
        summary_b = kiosk.sync.once.sync_once(services, Gate(None, None, b_moved.set),
                                                progress=progress)
    thread.join(60)
    summary_a = result["a"]
    if isinstance(summary_a, BaseException):
        raise summary_a
    return summary_a, summary_b, phases


@pytest.fixture
def kiosk_with_records(make_kiosk: Callable[[str], Path]) -> Path:
    kiosk = make_kiosk("L001")
    lines = "\n".join(json.dumps(complaint(i)) for i in range(RECORDS))
    kiosk_cli(kiosk, "submit", "complaint", "--json", "-", input_text=lines)
    return kiosk


def test_a_second_sync_waits_and_each_record_crosses_once(kiosk_with_records: Path,
                                                          server: ServerProcess) -> None:
    summary_a, summary_b, phases = two_syncs(kiosk_with_records)
    assert phases[0] == "waiting"
    assert summary_a.pushed == RECORDS
    assert summary_a.acknowledged == RECORDS
    assert summary_b.pushed == 0
    counts = json.loads(kiosk_cli(kiosk_with_records, "outbox", "--json").stdout)
    assert counts["acknowledged"] == RECORDS


def test_control_without_the_lock_the_records_cross_twice(kiosk_with_records: Path,
                                                          server: ServerProcess,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    @contextmanager
    def no_lock(*_args: object, **_kwargs: object) -> Iterator[None]:
        yield

    monkeypatch.setattr(kiosk.sync.once, "sync_lock", no_lock)
    summary_a, summary_b, phases = two_syncs(kiosk_with_records)
    assert "waiting" not in phases
    assert summary_a.pushed + summary_b.pushed == 2 * RECORDS  # what the lock prevents


def test_the_lock_gives_up_after_its_wait(tmp_path: Path) -> None:
    told: list[bool] = []
    with sync_lock(tmp_path), pytest.raises(TransientError, match="another sync"), \
            sync_lock(tmp_path, wait_s=0.3, on_wait=lambda: told.append(True)):
        pass
    assert told == [True]
    with sync_lock(tmp_path, wait_s=0):  # released: free again at once
        pass


def test_a_killed_sync_leaves_no_lock_behind(tmp_path: Path) -> None:
    code = ("import os, sys\nfrom pathlib import Path\nfrom kiosk.sync.lock import sync_lock\n"
            "with sync_lock(Path(sys.argv[1])):\n"
            "    print('held', flush=True)\n    sys.stdin.readline()\n    os._exit(9)\n")
    # The holder takes the lock, then is killed without releasing it.
    with subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True) as holder:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(TransientError), sync_lock(tmp_path, wait_s=0):
            pass
        holder.kill()
        holder.wait(30)
    with sync_lock(tmp_path, wait_s=0):
        pass

"""A county database locked by other writers past its busy timeout (a burst of kiosks at
once) answers 503 ``store_busy`` with ``Retry-After``, not a 500, and the kiosk's sync sends
the request again instead of failing.

The server is the real app on a real uvicorn over a real SQLite file, with a 0.2 s busy
timeout; another connection holds the write lock (``BEGIN IMMEDIATE``) as a writer ahead in
the queue would. Controls: with the busy codes mapped to nothing (the server's handling
removed) the same request is a 500 ``store_fault``; with no retries the kiosk's sync fails.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from kiosk.root import KioskServices
from kiosk.services import init_kiosk
from kiosk.sync.errors import TransientError
from kiosk.sync.once import sync_once
from shared.clock import SystemClock
from sync_server.app import create_app
from sync_server.config import keystore
from sync_server.config.settings import Settings
from sync_server.services.staff import StaffDesk
from sync_server.store import faults
from tests.kiosk.kiosk_kit import complaint
from tests.sync_server.conftest import new_token
from tests.sync_server.server_kit import ServerThread, TestKiosk


@dataclass
class County:
    url: str
    db: Path
    staff: StaffDesk


@pytest.fixture
def county_busy_fast(tmp_path: Path) -> Iterator[County]:
    """A county (SQLite, busy timeout 0.2 s) served by a real uvicorn in this process."""
    data = tmp_path / "server"
    data.mkdir()
    keystore.create(data, "随州市曾都区", None)
    settings = Settings(data_dir=data, sqlite_busy_timeout_s=0.2)
    with StaffDesk.open(settings, SystemClock()) as staff:
        staff.publish_config()  # as `yizhan-server init` does
        with ServerThread(create_app(settings, SystemClock())) as url:
            yield County(url, data / "server.db", staff)


class WriteLock:
    """Another connection holding the database's write lock until ``release``."""

    def __init__(self, db: Path) -> None:
        self.conn = sqlite3.connect(db, isolation_level=None)
        self.conn.execute("BEGIN IMMEDIATE")
        self.held = True

    def release(self) -> None:
        if self.held:
            self.conn.rollback()
            self.conn.close()
            self.held = False


def _busy(r: httpx.Response) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "store_busy"
    assert r.headers["retry-after"] == "1"
    assert "SQLITE" not in r.text  # the driver's detail is for the server log


def test_a_locked_database_answers_503_store_busy_and_changes_nothing(
        county_busy_fast: County) -> None:
    kiosk = TestKiosk(SystemClock())
    with httpx.Client(base_url=county_busy_fast.url, timeout=30) as http:
        kiosk.enroll(http, new_token(county_busy_fast.staff))
        env = kiosk.file()
        lock = WriteLock(county_busy_fast.db)
        try:
            _busy(kiosk.changes(http))
            _busy(kiosk.push(http, [env]))
        finally:
            lock.release()
        # Nothing of the refused push was kept: the same envelope is taken now, as new.
        r = kiosk.push(http, [env])
        assert r.status_code in (201, 202), r.text
        results = [(x["id"], x["status"]) for x in r.json()["results"]]
        assert results == [(env.header.id, "accepted")]  # not "duplicate"
        assert kiosk.changes(http).status_code == 200


def test_control_without_the_busy_mapping_a_locked_database_is_a_500(
        county_busy_fast: County, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(faults, "BUSY_STATES", ())
    kiosk = TestKiosk(SystemClock())
    with httpx.Client(base_url=county_busy_fast.url, timeout=30) as http:
        kiosk.enroll(http, new_token(county_busy_fast.staff))
        lock = WriteLock(county_busy_fast.db)
        try:
            r = kiosk.changes(http)
        finally:
            lock.release()
    assert r.status_code == 500, r.text
    assert r.json()["code"] == "store_fault"


def _kiosk(tmp_path: Path, county: County) -> KioskServices:
    data = tmp_path / "kiosk"
    init_kiosk(data, "S001", b"staff-passphrase-42", SystemClock(), None)
    services = KioskServices.open(data)
    services.enroll(county.url, new_token(county.staff))
    services.submit_complaint(complaint(1))
    return services


def test_the_kiosk_sync_waits_out_a_busy_county_and_drains(
        county_busy_fast: County, tmp_path: Path) -> None:
    with _kiosk(tmp_path, county_busy_fast) as services:
        lock = WriteLock(county_busy_fast.db)
        waits: list[float] = []

        def wait(seconds: float) -> None:  # the kiosk's pause: the other writer finishes
            waits.append(seconds)
            lock.release()

        try:
            summary = sync_once(services, sleep=wait)
        finally:
            lock.release()
        assert waits == [1.0], "one retry, after the server's Retry-After"
        assert (summary.pushed, summary.acknowledged) == (1, 1)
        assert services.outbox_counts()["pending"] == 0


def test_control_without_retries_the_busy_county_fails_the_sync(
        county_busy_fast: County, tmp_path: Path) -> None:
    with _kiosk(tmp_path, county_busy_fast) as services:
        lock = WriteLock(county_busy_fast.db)
        try:
            with pytest.raises(TransientError, match="503"):
                sync_once(services, busy_retries=0)
        finally:
            lock.release()
        assert services.outbox_counts()["pending"] == 1

"""Fixtures for the sync-server tests (helpers in server_kit.py).

* ``db_url`` — parametrised over ``sqlite`` (a file in tmp_path) and ``postgres`` (a fresh
  schema on YIZHAN_TEST_PG, dropped afterwards). PostgreSQL unreachable: the test FAILS when
  CI=true and is skipped with the reason otherwise.
* ``server_settings`` — an initialised data folder (county keys) + the store at ``db_url``.
* ``client`` — an httpx.Client to a real uvicorn (in a thread, 127.0.0.1, free port) serving
  ``create_app(server_settings, manual_clock)``.
* ``staff`` — a StaffDesk on the same store and clock.
* ``kiosk`` — an enrolled ``TestKiosk`` at station S001.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.exc import OperationalError

from shared.clock import ManualClock
from sync_server.app import create_app
from sync_server.config import keystore
from sync_server.config.settings import Settings
from sync_server.services.staff import StaffDesk
from sync_server.services.wiring import Services
from tests.sync_server.server_kit import (
    ServerThread,
    TestKiosk,
    drop_pg_schema,
    fresh_pg_schema,
    pg_url,
)


def postgres_or_skip() -> tuple[str, str]:
    """A fresh PostgreSQL schema, or skip (fail when CI=true) if the server is unreachable."""
    try:
        return fresh_pg_schema()
    except OperationalError as exc:
        reason = f"PostgreSQL at {pg_url()} unreachable ({type(exc.orig).__name__})"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " and CI=true: PostgreSQL tests must run in CI")
        pytest.skip(reason + "; set YIZHAN_TEST_PG")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'server.db'}"
        return
    url, schema = postgres_or_skip()
    try:
        yield url
    finally:
        drop_pg_schema(schema)


@pytest.fixture
def server_settings(tmp_path: Path, db_url: str) -> Settings:
    data = tmp_path / "server"
    data.mkdir()
    keystore.create(data, "随州市曾都区", None)
    return Settings(data_dir=data, db_url=db_url)


@pytest.fixture
def staff(server_settings: Settings, manual_clock: ManualClock) -> Iterator[StaffDesk]:
    with StaffDesk.open(server_settings, manual_clock) as desk:
        desk.publish_config()  # as `yizhan-server init` does
        yield desk


@pytest.fixture
def client(server_settings: Settings, manual_clock: ManualClock,
           staff: StaffDesk) -> Iterator[httpx.Client]:
    with ServerThread(create_app(server_settings, manual_clock)) as base_url, \
            httpx.Client(base_url=base_url, timeout=30) as c:
        yield c


def new_token(staff: StaffDesk, station: str = "S001", ttl_hours: int = 24) -> str:
    token = secrets.token_urlsafe(32)
    staff.add_token(hashlib.sha256(token.encode()).hexdigest(), station, ttl_hours)
    return token


@pytest.fixture
def kiosk(client: httpx.Client, staff: StaffDesk, manual_clock: ManualClock) -> TestKiosk:
    k = TestKiosk(manual_clock)
    k.enroll(client, new_token(staff))
    return k


@pytest.fixture
def pipeline(server_settings: Settings, manual_clock: ManualClock,
             staff: StaffDesk) -> Iterator[Services]:
    """The push pipeline as a request handler holds it (another engine on the same store)."""
    svc = Services.open(server_settings, manual_clock)
    yield svc
    svc.close()

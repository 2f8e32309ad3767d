"""Fixtures every test folder may use: a manual clock and fresh key material.

Subfolders keep their own conftest files for what only they need.

* ``manual_clock`` — a :class:`~shared.clock.ManualClock` at 2026-11-21 02:00 UTC.
* ``county_keys`` — a :class:`~shared.keys.Keyring` holding one fresh county X25519 key.
* ``station_key`` — a fresh station X25519 private key.
* ``device_key`` — a fresh device Ed25519 private key.
* ``county`` — a county data folder made by the real ``yizhan-server init`` (SQLite): a copy
  of one such folder made once per test process (``county_template``), so each test has
  its own folder and database without paying for ``init`` each time.
* ``server`` — ``yizhan-server serve`` on 127.0.0.1 over ``county`` (a real subprocess).

Tests marked ``slow`` (the long fault-injection and load runs) are collected first, so under
``-n 2`` they start early instead of leaving one worker busy alone at the end of the run.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from shared.clock import ManualClock
from shared.keys import Keyring
from tests.sync_server.server_kit import ServerProcess, server_cli


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable: slow first


@pytest.fixture
def manual_clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 21, 2, 0, tzinfo=UTC))


@pytest.fixture
def county_keys() -> Keyring:
    return Keyring([X25519PrivateKey.generate()])


@pytest.fixture
def station_key() -> X25519PrivateKey:
    return X25519PrivateKey.generate()


@pytest.fixture
def device_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="session")
def county_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One county folder made by ``yizhan-server init`` per test process; never used in
    place, only copied (``county``)."""
    data = tmp_path_factory.mktemp("county-template") / "county"
    server_cli("init", "--county", "曾都区", "--no-passphrase", "--data", str(data))
    return data


@pytest.fixture
def county(tmp_path: Path, county_template: Path) -> Path:
    data = tmp_path / "county"
    shutil.copytree(county_template, data)  # modes too: the key files stay 0600
    return data


@pytest.fixture
def server(county: Path) -> Iterator[ServerProcess]:
    with ServerProcess(county) as proc:
        yield proc

"""Fixtures for sync tests: a real county server process and enrolled kiosks.

* ``county`` — an initialised county data folder (``yizhan-server init``) on SQLite.
* ``server`` — ``yizhan-server serve`` on 127.0.0.1 over ``county`` (a real subprocess).
* ``make_kiosk(station)`` — a kiosk data folder, initialised and enrolled online with a
  fresh token through the services ``yizhan-kiosk init`` and ``enroll`` call (in this
  process: three fewer processes per kiosk); returns its path. ``cli=True`` runs the real
  ``yizhan-kiosk init``, ``yizhan-server enroll-token`` and ``yizhan-kiosk enroll`` instead.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.root import KioskServices
from kiosk.services import init_kiosk
from shared.clock import SystemClock
from sync_server.config.settings import Settings
from sync_server.services.staff import StaffDesk
from tests.sync_server.server_kit import ServerProcess, server_cli

PASSPHRASE = "staff-passphrase-42"  # noqa: S105  a test fixture, not a secret
KIOSK = [sys.executable, "-m", "kiosk"]


def kiosk_cli(data: Path, *args: str, check: bool = True, input_text: str | None = None,
              timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``yizhan-kiosk --data DATA ARGS`` as a real process."""
    env = {**os.environ, "YIZHAN_STAFF_PASSPHRASE": PASSPHRASE}
    done = subprocess.run([*KIOSK, *args, "--data", str(data)], capture_output=True,
                          text=True, input=input_text, timeout=timeout, env=env, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"yizhan-kiosk {' '.join(args)} failed ({done.returncode}): "
                             f"{done.stderr}")
    return done


def new_token(county: Path, station: str) -> str:
    out = server_cli("enroll-token", "--station", station, "--data", str(county), "--json")
    return str(json.loads(out.stdout)["token"])


def staff_token(server: ServerProcess, station: str) -> str:
    """A fresh enrollment token for ``station``, stored as ``enroll-token`` stores one."""
    token = secrets.token_urlsafe(32)
    settings = Settings(data_dir=server.data, db_url=server.db_url or "")
    with StaffDesk.open(settings, SystemClock()) as desk:
        desk.add_token(hashlib.sha256(token.encode()).hexdigest(), station, 24)
    return token


def enrolled_kiosk(data: Path, station: str, server: ServerProcess) -> Path:
    """A kiosk in ``data``, made and enrolled with ``server`` through the services the
    ``init`` and ``enroll`` commands call, in this process."""
    init_kiosk(data, station, PASSPHRASE.encode(), SystemClock(), None)
    with KioskServices.open(data, SystemClock()) as services:
        services.enroll(server.url, staff_token(server, station))
    return data


@pytest.fixture
def make_kiosk(tmp_path: Path, county: Path,
               server: ServerProcess) -> Callable[..., Path]:
    def make(station: str, name: str | None = None, *, cli: bool = False) -> Path:
        data = tmp_path / (name or f"kiosk-{station}")
        if cli:
            kiosk_cli(data, "init", "--station", station)
            store = ("--db", server.db_url) if server.db_url else ()
            token = json.loads(server_cli("enroll-token", "--station", station, "--data",
                                          str(county), *store, "--json").stdout)["token"]
            kiosk_cli(data, "enroll", "--server", server.url, f"--token={token}")
            return data
        return enrolled_kiosk(data, station, server)
    return make

"""Fixtures for sync tests: a real county server process and enrolled kiosks.

* ``county`` — an initialised county data folder (``yizhan-server init``) on SQLite.
* ``server`` — ``yizhan-server serve`` on 127.0.0.1 over ``county`` (a real subprocess).
* ``make_kiosk(station)`` — a kiosk data folder made by ``yizhan-kiosk init`` and enrolled
  online with a fresh token; returns its path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

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


@pytest.fixture
def make_kiosk(tmp_path: Path, county: Path,
               server: ServerProcess) -> Callable[[str], Path]:
    def make(station: str, name: str | None = None) -> Path:
        data = tmp_path / (name or f"kiosk-{station}")
        kiosk_cli(data, "init", "--station", station)
        kiosk_cli(data, "enroll", "--server", server.url, f"--token={new_token(county, station)}")
        return data
    return make

"""`yizhan-kiosk run` as a station runs it: the touchscreen app (a real Kivy window,
offscreen) in a real process, with the background sync worker beside it, against a real
county server.

A record filed while the county could not be reached is sent when the app starts and the
county answers, with nobody touching the screen; the app keeps running; its log holds no
personal data.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.kiosk.kiosk_kit import complaint
from tests.sync.conftest import KIOSK, PASSPHRASE, kiosk_cli
from tests.sync_server.server_kit import ServerProcess

pytestmark = pytest.mark.ui

DEADLINE_S = 120


def test_run_sends_waiting_records_with_nobody_at_the_screen(
        make_kiosk: Callable[[str], Path], server: ServerProcess, tmp_path: Path) -> None:
    kiosk = make_kiosk("R001")
    record = complaint(7)
    kiosk_cli(kiosk, "submit", "complaint", "--json", "-", input_text=json.dumps(record))
    assert json.loads(kiosk_cli(kiosk, "outbox", "--json").stdout)["acknowledged"] == 0

    env = {**os.environ, "YIZHAN_STAFF_PASSPHRASE": PASSPHRASE, "SDL_VIDEODRIVER": "offscreen",
           "KIVY_NO_ARGS": "1", "KIVY_NO_CONFIG": "1", "KIVY_NO_FILELOG": "1",
           "KIVY_HOME": str(tmp_path / "kivy-home")}
    log = tmp_path / "run.log"
    with log.open("wb") as out, subprocess.Popen([*KIOSK, "run", "--data", str(kiosk)],
                                                 env=env, stdout=out,
                                                 stderr=subprocess.STDOUT) as app:
        try:
            deadline = time.monotonic() + DEADLINE_S
            while True:  # each check is a whole `yizhan-kiosk outbox` process
                counts = json.loads(kiosk_cli(kiosk, "outbox", "--json").stdout)
                if counts["acknowledged"] == 1:
                    break
                assert app.poll() is None, f"the app exited:\n{log.read_text('utf-8')}"
                assert time.monotonic() < deadline, \
                    f"not sent within {DEADLINE_S} s:\n{log.read_text('utf-8')}"
            assert counts["last_error"] is None
            assert app.poll() is None, "the app is still on screen after the sync"
        finally:
            app.terminate()
            app.wait(30)

    text = log.read_text("utf-8", errors="replace")
    assert "Start application main loop" in text, "the window really opened"
    for secret in (record["claimant"]["name"], record["claimant"]["id_number"],
                   record["claimant"]["phone"]):
        assert secret not in text

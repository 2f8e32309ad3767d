"""Killed mid-sync: a real `yizhan-kiosk sync` process SIGKILLed again and again at the worst
moment, against a real server.

A proxy between them holds every answer back a little (tests/sync/faultproxy.py, ``delay``);
each run is killed just after the server has answered its k-th push (k random, 1-3): the
server has committed the batch, the kiosk has not yet seen the acknowledgement. The kiosk's
next run resends it and the server answers 'duplicate'. After the kills a plain sync
drains the outbox, and then: every record is on the server exactly once, the device's chain
on the server has no gap, the kiosk's store passes SQLite's integrity check and no sync
lock was left behind (the next sync started at once).

What protects this is the same as under link faults: the kiosk forgets a record only when a
signed acknowledgement names it, in one transaction (the control run that removes it is
tests/sync/test_sync_faults.py::test_control_without_waiting_for_acks_loses_records).
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

from kiosk.services.identity import DB_FILE
from tests.kiosk.kiosk_kit import complaint
from tests.sync.conftest import KIOSK, PASSPHRASE, kiosk_cli
from tests.sync.faultproxy import FaultProxy
from tests.sync_server.server_kit import ServerProcess, server_cli

RECORDS = 40  # with --max-batch 2: 20 pushes, more than the kills below let through
KILLS = 10


def test_sigkilled_syncs_lose_and_duplicate_nothing(make_kiosk: Callable[[str], Path],
                                                    county: Path,
                                                    server: ServerProcess) -> None:
    data = make_kiosk("K001")
    out = kiosk_cli(data, "submit", "complaint", "--json", "-",
                    input_text=json.dumps([complaint(500 + i) for i in range(RECORDS)]))
    receipts = {json.loads(line)["receipt_code"] for line in out.stdout.splitlines()}
    assert len(receipts) == RECORDS

    rng = random.Random(7)
    env = {**os.environ, "YIZHAN_STAFF_PASSPHRASE": PASSPHRASE}
    killed_after_commit = 0
    with FaultProxy(server.port, seed=7, fault_rate=1.0, weights={"delay": 1.0},
                    max_delay_s=0.5) as proxy:
        for _ in range(KILLS):
            target = proxy.answered["/v1/push"] + rng.randint(1, 3)
            with subprocess.Popen([*KIOSK, "sync", "--data", str(data), "--server", proxy.url,
                                   "--max-batch", "2", "--retries", "0"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  env=env) as proc:
                committed = proxy.wait_answered("/v1/push", target, timeout=120)
                proc.kill()
                proc.wait(30)
            assert committed, "the sync never reached its push"
            killed_after_commit += proc.returncode == -9
    assert killed_after_commit == KILLS, "each run was killed before it could finish"
    assert proxy.requests["/v1/push"] >= KILLS

    counts = json.loads(kiosk_cli(data, "outbox", "--json").stdout)
    assert counts["acknowledged"] < RECORDS, "the kills left work for the final sync"
    summary = json.loads(kiosk_cli(data, "sync", "--until-drained", "--json").stdout)
    assert summary["quarantined"] == summary["conflicts"] == 0

    counts = json.loads(kiosk_cli(data, "outbox", "--json").stdout)
    assert (counts["pending"], counts["sent"], counts["quarantined"]) == (0, 0, 0)
    assert counts["acknowledged"] == RECORDS
    exported = server_cli("export", "--format", "jsonl", "--data", str(county)).stdout
    on_server = [json.loads(line)["receipt_code"] for line in exported.splitlines()]
    assert len(on_server) == len(set(on_server)), "a record was stored twice"
    assert set(on_server) == receipts, "a record was lost"
    devices = json.loads(server_cli("devices", "--data", str(county), "--json").stdout)
    assert [(d["chain_seq"], d["gaps"]) for d in devices] == [(RECORDS, [])], devices

    with sqlite3.connect(data / DB_FILE) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)

"""Exactly once under faults with protocol v2: the scenario of test_sync_faults.py (real kiosk
processes, a real server, the seeded faulty link dropping before and after the commit,
resetting, truncating, delaying), with the kiosks' v2 switch on, so every record is a v2
record pushed to ``/v2/push`` and acknowledged by the v2 chain-point ack.

The v1 tests count ``/v1/push`` requests by path, so they cannot run unchanged against v2;
these are the same checks on the v2 path (and test_sync_kill.py's SIGKILL scenario, copied
with the path changed). The control (records lost when the kiosk does not wait for
the signed acknowledgement) is test_sync_faults.py's: the protection is the same code.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.services.identity import DB_FILE
from shared import envelope2 as e2
from tests.kiosk.kiosk_kit import complaint
from tests.sync.conftest import KIOSK, PASSPHRASE, kiosk_cli
from tests.sync.faultproxy import FaultProxy
from tests.sync.test_sync_faults import KIOSKS, RECORDS, SEEDS, fill, server_receipts
from tests.sync_server.server_kit import ServerProcess, server_cli


@pytest.mark.slow
def test_every_v2_record_arrives_exactly_once_through_a_faulty_link(
        make_kiosk: Callable[..., Path], county: Path, server: ServerProcess,
        monkeypatch: pytest.MonkeyPatch) -> None:
    seed = SEEDS[0]
    monkeypatch.setenv("YIZHAN_PROTOCOL", "2")
    kiosks = fill(make_kiosk, seed)  # enrolled with a v2 county: every record sealed v2
    for data in kiosks:
        with sqlite3.connect(data / "kiosk.db") as db:
            assert {bytes(r[0])[:4] for r in db.execute("SELECT envelope FROM outbox")} == \
                {e2.RECORD_MAGIC}
    env = {**os.environ, "YIZHAN_STAFF_PASSPHRASE": PASSPHRASE}
    with FaultProxy(server.port, seed, fault_rate=0.3) as proxy:
        procs = [subprocess.Popen([*KIOSK, "sync", "--data", str(data), "--server", proxy.url,
                                   "--until-drained", "--max-batch", "1", "--retries", "2000",
                                   "--backoff-base", "0.02", "--json"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=env)
                 for data in kiosks]
        results = [p.communicate(timeout=900) for p in procs]
    for proc, (_out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
    assert proxy.requests["/v2/push"] >= KIOSKS * RECORDS  # one record per push, at least
    # every record went v2 (checked above); a /v1/push here is an empty check-in (acked_head
    # only, once per sync with nothing left to send), at most one per kiosk and sync round
    assert proxy.requests["/v1/push"] <= 4 * len(kiosks)
    for action in ("drop_before", "drop_after", "reset", "truncate", "delay"):
        assert proxy.counts[action] > 0, f"the run never exercised {action}"

    server.wait_merged()  # v2 answers once stored and verified; the merge follows
    on_server = server_receipts(county)
    expected = set().union(*kiosks.values())
    assert len(on_server) == len(set(on_server)), "a record was stored twice"
    assert set(on_server) == expected, "a record was lost"
    for data in kiosks:
        counts = json.loads(kiosk_cli(data, "outbox", "--json").stdout)
        assert (counts["pending"], counts["sent"], counts["quarantined"]) == (0, 0, 0)
        assert counts["acknowledged"] == RECORDS


# with --max-batch 2: 50 pushes, more than the kills below let through (a v2 sync sends
# the next batch while it records the last answer, so a run gets further before its kill)
KILL_RECORDS = 100
KILLS = 10


def test_sigkilled_v2_syncs_lose_and_duplicate_nothing(
        make_kiosk: Callable[[str], Path], county: Path, server: ServerProcess,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YIZHAN_PROTOCOL", "2")
    data = make_kiosk("K001")
    out = kiosk_cli(data, "submit", "complaint", "--json", "-",
                    input_text=json.dumps([complaint(500 + i) for i in range(KILL_RECORDS)]))
    receipts = {json.loads(line)["receipt_code"] for line in out.stdout.splitlines()}
    assert len(receipts) == KILL_RECORDS

    rng = random.Random(7)
    env = {**os.environ, "YIZHAN_STAFF_PASSPHRASE": PASSPHRASE}
    killed_after_commit = 0
    with FaultProxy(server.port, seed=7, fault_rate=1.0, weights={"delay": 1.0},
                    max_delay_s=0.5) as proxy:
        for _ in range(KILLS):
            target = proxy.answered["/v2/push"] + rng.randint(1, 3)
            with subprocess.Popen([*KIOSK, "sync", "--data", str(data), "--server", proxy.url,
                                   "--max-batch", "2", "--retries", "0"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  env=env) as proc:
                committed = proxy.wait_answered("/v2/push", target, timeout=120)
                proc.kill()
                proc.wait(30)
            assert committed, "the sync never reached its push"
            killed_after_commit += proc.returncode == -9
    assert killed_after_commit == KILLS, "each run was killed before it could finish"
    assert proxy.requests["/v2/push"] >= KILLS

    counts = json.loads(kiosk_cli(data, "outbox", "--json").stdout)
    assert counts["acknowledged"] < KILL_RECORDS, "the kills left work for the final sync"
    summary = json.loads(kiosk_cli(data, "sync", "--until-drained", "--json").stdout)
    assert summary["quarantined"] == summary["conflicts"] == 0

    counts = json.loads(kiosk_cli(data, "outbox", "--json").stdout)
    assert (counts["pending"], counts["sent"], counts["quarantined"]) == (0, 0, 0)
    assert counts["acknowledged"] == KILL_RECORDS
    server.wait_merged()
    exported = server_cli("export", "--format", "jsonl", "--data", str(county)).stdout
    on_server = [json.loads(line)["receipt_code"] for line in exported.splitlines()]
    assert len(on_server) == len(set(on_server)), "a record was stored twice"
    assert set(on_server) == receipts, "a record was lost"
    devices = json.loads(server_cli("devices", "--data", str(county), "--json").stdout)
    assert [(d["chain_seq"], d["gaps"]) for d in devices] == [(KILL_RECORDS, [])], devices

    with sqlite3.connect(data / DB_FILE) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)

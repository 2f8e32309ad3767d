"""SIGKILL the server during ingest, again and again (YIZHAN_KILL_RUNS, default 20): no
acknowledged record is lost, none is stored twice, and no case is half-merged.

Each run pushes unacknowledged records from a thread and kills ``yizhan-server serve`` the
moment the inbox has grown past a random mark — that is, while a push is being stored or
merged. The restarted server finishes what was left ``pending`` (start-up recovery), and the
kiosk resends only what no acknowledgement named.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import threading
import time
from pathlib import Path

import httpx

from shared.ack import verify_ack
from shared.clock import SystemClock
from shared.keys import ed25519_public_from_b64
from shared.records import parse_record
from sync_server.domain.events import Event
from sync_server.domain.fold import fold
from sync_server.store import cases as cq
from sync_server.store import make_engine
from tests.sync_server.server_kit import ServerProcess, TestKiosk, complaint, server_cli

RUNS = int(os.environ.get("YIZHAN_KILL_RUNS", "20"))
PER_RUN = 30


def _count(db: Path, where: str = "1=1") -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        return int(conn.execute(f"SELECT count(*) FROM inbox WHERE {where}").fetchone()[0])  # noqa: S608


def test_sigkill_during_ingest_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    seed = int(os.environ.get("YIZHAN_KILL_SEED", "4"))
    rng = random.Random(seed)
    data = tmp_path / "server"
    db = data / "server.db"
    server_cli("init", "--county", "X", "--no-passphrase", "--data", str(data))
    token = server_cli("enroll-token", "--station", "S001", "--data", str(data)).stdout.split()[0]
    kiosk = TestKiosk(SystemClock())
    server = ServerProcess(data).start()
    with httpx.Client(base_url=server.url) as http:
        kiosk.enroll(http, token)
    key = ed25519_public_from_b64(kiosk.county["server_key"])
    records = {}
    envs = []
    for n in range(RUNS * PER_RUN):
        env = kiosk.file(record=complaint(n, employer=n % 5))
        envs.append(env)
        records[env.header.id] = parse_record("complaint", complaint(n, employer=n % 5))
    acked: set[tuple[str, str]] = set()

    def push_until_refused(url: str, stop: threading.Event) -> None:
        with httpx.Client(base_url=url, timeout=30) as http:
            while not stop.is_set():
                batch = [e for e in envs if (e.header.id, e.hash) not in acked][:25]
                if not batch:
                    return
                try:
                    r = kiosk.push(http, batch)
                except httpx.TransportError:
                    return  # the server died under us: nothing more was acknowledged
                assert r.status_code in (201, 202), r.text
                acked.update(verify_ack(r.json()["ack"], key, kiosk.device_id).stored)

    killed_with_pending = 0
    try:
        for _ in range(RUNS):
            mark = _count(db) + rng.randint(1, 40)
            stop = threading.Event()
            pusher = threading.Thread(target=push_until_refused, args=(server.url, stop))
            pusher.start()
            deadline = time.monotonic() + 60
            while pusher.is_alive() and _count(db) < mark and time.monotonic() < deadline:
                time.sleep(0.002)  # polling the real condition (inbox size), bounded
            server.kill()
            stop.set()
            pusher.join(timeout=60)
            killed_with_pending += _count(db, "state = 'pending'") > 0
            server.stop()
            server = ServerProcess(data).start()
        stop = threading.Event()
        push_until_refused(server.url, stop)  # the rest, on a server left alive
    finally:
        server.stop()

    assert acked == {(e.header.id, e.hash) for e in envs}
    engine = make_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        assert _count(db) == len(envs)
        assert _count(db, "state = 'merged'") == len(envs)
        stored = list(cq.iter_cases(conn))
        assert sorted(c["case_id"] for c in stored) == sorted(e.header.id for e in envs)
        for case in stored:  # whole cases: the stored state is the fold of stored events
            events = [Event.from_wire(e) for e in cq.events_of(conn, case["case_id"])]
            assert [e.kind for e in events if e.kind == "filed"] == ["filed"]
            assert fold(events).to_wire() == case["state"]
            assert case["record"] == records[case["case_id"]].to_wire()
    engine.dispose()
    # The kills really landed between storing and merging at least once (recovery mattered).
    print(json.dumps({"runs": RUNS, "seed": seed, "killed_with_pending": killed_with_pending}))
    assert killed_with_pending >= min(1, RUNS // 10)

"""Two ``yizhan-server`` processes on one PostgreSQL, receiving overlapping batches of the
same devices at the same time: each record is stored, filed and acknowledged exactly once."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from shared.ack import verify_ack
from shared.clock import SystemClock
from shared.keys import ed25519_public_from_b64
from sync_server.store import make_engine
from sync_server.store.schema import cases, devices, events, inbox
from tests.sync_server.conftest import postgres_or_skip
from tests.sync_server.server_kit import (
    ServerProcess,
    TestKiosk,
    complaint,
    drop_pg_schema,
    server_cli,
)

PER_DEVICE = 120


@pytest.mark.postgres
def test_two_processes_overlapping_batches_store_each_record_once(tmp_path: Path) -> None:
    url, schema = postgres_or_skip()
    data = tmp_path / "server"
    try:
        server_cli("init", "--county", "X", "--no-passphrase", "--data", str(data), "--db", url)
        with ServerProcess(data, url) as a, ServerProcess(data, url) as b, \
                httpx.Client(base_url=a.url, timeout=60) as ha, \
                httpx.Client(base_url=b.url, timeout=60) as hb:
            kiosks = []
            for n in range(3):
                token = server_cli("enroll-token", "--station", f"S{n}", "--data", str(data),
                                   "--db", url).stdout.split()[0]
                k = TestKiosk(SystemClock(), station=f"S{n}")
                k.enroll(ha if n % 2 else hb, token)
                kiosks.append(k)
            envs = {k.device_id: [k.file(record=complaint(i * 7 + n, employer=i % 3))
                                  for i in range(PER_DEVICE)] for n, k in enumerate(kiosks)}
            acked: dict[str, set[tuple[str, str]]] = {k.device_id: set() for k in kiosks}
            failures: list[str] = []

            def push(k: TestKiosk, http: httpx.Client, part: list) -> None:
                for start in range(0, len(part), 20):
                    r = k.push(http, part[start:start + 20])
                    if r.status_code not in (201, 202):
                        failures.append(f"{r.status_code} {r.text[:200]}")
                        return
                    key = ed25519_public_from_b64(k.county["server_key"])
                    acked[k.device_id] |= set(verify_ack(r.json()["ack"], key,
                                                         k.device_id).stored)

            threads = []
            for k in kiosks:
                mine = envs[k.device_id]
                # A gets 0..79, B gets 40..119 (and in reverse batch order): 40 overlap.
                threads.append(threading.Thread(target=push, args=(k, ha, mine[:80])))
                threads.append(threading.Thread(target=push, args=(k, hb, mine[40:][::-1])))
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=300)
            assert not failures, (failures, a.output()[-3000:], b.output()[-3000:])
        engine = make_engine(url)
        with engine.connect() as conn:
            total = len(kiosks) * PER_DEVICE
            assert conn.execute(select(func.count()).select_from(inbox)).scalar_one() == total
            assert conn.execute(select(inbox.c.state, func.count())
                                .group_by(inbox.c.state)).all() == [("merged", total)]
            assert conn.execute(select(func.count()).select_from(cases)).scalar_one() == total
            assert conn.execute(select(func.count()).select_from(events)
                                .where(events.c.kind == "filed")).scalar_one() == total
            heads = conn.execute(select(devices.c.chain_seq)).scalars().all()
            assert heads == [PER_DEVICE] * len(kiosks)
        engine.dispose()
        for k in kiosks:
            assert acked[k.device_id] == {(e.header.id, e.hash) for e in envs[k.device_id]}
    finally:
        drop_pg_schema(schema)

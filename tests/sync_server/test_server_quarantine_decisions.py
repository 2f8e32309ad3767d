"""Staff decisions on quarantined records reach the station (issue 11, parts 2 and 4):
records held behind a gap when a device is revoked become reviewable (quarantined
``device_revoked``) instead of staying held for ever; a release or a reject puts a signed
``record`` entry on the station's feed; every record ends exactly once at the county.
SQLite and PostgreSQL, through the real HTTP app on uvicorn."""

from __future__ import annotations

from typing import Any

import httpx

from shared.clock import ManualClock
from sync_server.services.staff import StaffDesk
from sync_server.services.wiring import Services
from tests.sync_server.conftest import new_token
from tests.sync_server.server_kit import TestKiosk, complaint


def _entries(client: httpx.Client, colleague: TestKiosk, kind: str) -> list[dict[str, Any]]:
    answer = colleague.changes(client, limit=1000)
    assert answer.status_code == 200
    return [c for c in answer.json()["changes"] if c["type"] == kind]


def test_held_records_at_revocation_are_reviewable_and_decisions_reach_the_station(
        client: httpx.Client, staff: StaffDesk, kiosk: TestKiosk, manual_clock: ManualClock,
        pipeline: Services) -> None:
    envs = [kiosk.file(record=complaint(n)) for n in range(4)]
    assert kiosk.push(client, [envs[0]]).status_code == 201
    kiosk.push(client, [envs[2], envs[3]])  # seq 2 lost on the way: 3 and 4 are held
    assert staff.devices()[0]["gaps"] == [{"from_seq": 2, "to_seq": 2}]
    staff.revoke(kiosk.device_id)
    # Held records will never follow the head now: they are listed for staff, with receipt.
    rows = {r["record_id"]: r for r in staff.quarantine()}
    assert set(rows) == {envs[2].header.id, envs[3].header.id}
    for env in envs[2:]:
        assert rows[env.header.id]["reason"].startswith("device_revoked: seq")
        assert rows[env.header.id]["receipt_code"] == kiosk.receipts[env.header.id][0]
    # The missing record arrives after revocation: stored and quarantined too.
    [late] = pipeline.ingestor.push(kiosk.device_id, [envs[1].raw]).results
    assert late["status"] == "quarantined"

    for env in envs[1:3]:
        assert staff.release(env.header.id, "wang")[0] == "merged"
    staff.reject(envs[3].header.id, "wang", "test entry, not a worker's complaint")
    assert staff.quarantine() == []
    # Every record exactly once: three cases, the rejected one kept aside in the inbox.
    assert sorted(c["case_id"] for c in staff.export()) == sorted(
        e.header.id for e in envs[:3])

    # The station's feed says what staff decided, signed like every page.
    colleague = TestKiosk(manual_clock)
    colleague.enroll(client, new_token(staff))
    decisions = {(c["record_id"], c["decision"], c.get("status"))
                 for c in _entries(client, colleague, "record")}
    assert decisions == {(envs[1].header.id, "released", None),
                         (envs[2].header.id, "released", None),
                         (envs[3].header.id, "rejected", "closed")}
    # The worker of the rejected record reads it online too.
    code, pin = kiosk.receipts[envs[3].header.id]
    answer = client.post("/v1/status", json={"code": code, "pin": pin})
    assert answer.status_code == 200
    assert answer.json()["status"] == "closed"

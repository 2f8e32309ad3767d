"""Revocation is judged by seq, not by the header's ``created`` time: records beyond the chain
head verified at revocation are quarantined ``device_revoked``, kept and visible, and staff may
release one after review through the normal open/validate/merge path. SQLite and PostgreSQL
(the CLI test on SQLite)."""

from __future__ import annotations

import json

import httpx
import pytest

from shared.clock import ManualClock, parse_utc
from sync_server.config.settings import Settings
from sync_server.errors import ActionRefused, NotFound
from sync_server.services.staff import StaffDesk
from sync_server.services.wiring import Services
from sync_server.store import inbox as iq
from tests.sync_server.conftest import new_token
from tests.sync_server.server_kit import TestKiosk, complaint, server_cli


def _quarantined(staff: StaffDesk, record_id: str) -> list[str]:
    return [r["reason"] for r in staff.quarantine() if r["record_id"] == record_id]


def test_a_backdated_record_beyond_the_head_at_revocation_is_quarantined_then_released(
        client: httpx.Client, staff: StaffDesk, kiosk: TestKiosk, manual_clock: ManualClock,
        pipeline: Services) -> None:
    first = kiosk.file()
    assert kiosk.push(client, [first]).status_code == 201
    # A thief holding the device key writes a record whose `created` predates revocation.
    stolen = kiosk.file(record=complaint(4))
    manual_clock.advance(3600)
    staff.revoke(kiosk.device_id)
    [dev] = staff.devices()
    assert (dev["revoked_at_seq"], dev["chain_seq"]) == (1, 1)
    assert parse_utc(stolen.header.created) < parse_utc(dev["revoked_at"])  # the old rule's
    # loophole: judged by `created`, this record would have been merged.
    # A push authenticated just before the revocation committed reaches the pipeline now.
    [result] = pipeline.ingestor.push(kiosk.device_id, [stolen.raw]).results
    assert result["status"] == "quarantined"
    assert result["reason"].startswith("device_revoked: seq 2 is beyond the chain head (seq 1)")
    assert [c["case_id"] for c in staff.export()] == [first.header.id]
    [reason] = _quarantined(staff, stolen.header.id)  # kept and visible, never dropped
    assert reason.startswith("device_revoked")
    # Staff review it and release it: it becomes a case, and the station is told.
    assert staff.release(stolen.header.id, "wang") == (
        "merged", f"released by staff:wang (was: {reason})")
    assert {c["case_id"] for c in staff.export()} == {first.header.id, stolen.header.id}
    assert _quarantined(staff, stolen.header.id) == []
    colleague = TestKiosk(manual_clock)
    colleague.enroll(client, new_token(staff))
    code = kiosk.receipts[stolen.header.id][0]
    assert [(c["receipt_code"], c["status"]) for c in colleague.changes(client).json()["changes"]
            if c["type"] == "status" and c["receipt_code"] == code] == [(code, "received")]
    with pytest.raises(NotFound, match=stolen.header.id):
        staff.release(stolen.header.id, "wang")  # released once


def test_records_stored_before_revocation_are_merged_not_quarantined(
        staff: StaffDesk, kiosk: TestKiosk, manual_clock: ManualClock,
        pipeline: Services) -> None:
    envs = [kiosk.file(record=complaint(n)) for n in range(3)]
    # The push's first transaction (durable inbox) committed, then the server died.
    with pipeline.engine.begin() as conn:
        iq.store(conn, [iq.Incoming(e.header.id, kiosk.device_id, "S001", e.header.seq,
                                    e.hash, e.raw) for e in envs], 0)
    staff.revoke(kiosk.device_id)
    assert staff.devices()[0]["revoked_at_seq"] == 3
    assert {c["case_id"] for c in staff.export()} == {e.header.id for e in envs}
    assert staff.quarantine() == []


def test_a_record_still_invalid_stays_quarantined_and_forks_are_not_released(
        client: httpx.Client, staff: StaffDesk, kiosk: TestKiosk,
        pipeline: Services) -> None:
    payload = kiosk.payload("complaint", complaint()).to_wire()
    payload["record"]["claimant"]["id_number"] = "110105194912310021"  # bad check digit
    bad = kiosk.seal(payload)
    kiosk.push(client, [bad])
    assert staff.release(bad.header.id, "wang") == (
        "quarantined", "invalid_record: claimant.id_number id_checksum")
    assert _quarantined(staff, bad.header.id) == [
        "invalid_record: claimant.id_number id_checksum"]
    fork = kiosk.seal(kiosk.payload("complaint", complaint(2)).to_wire(), seq=1,
                      prev="0" * 64, advance=False)
    kiosk.push(client, [fork])
    assert _quarantined(staff, fork.header.id)[0].startswith("fork")
    with pytest.raises(ActionRefused, match="fork"):
        staff.release(fork.header.id, "wang")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_cli_quarantine_lists_and_releases(client: httpx.Client, staff: StaffDesk,
                                           kiosk: TestKiosk, server_settings: Settings,
                                           pipeline: Services) -> None:
    where = ["--data", str(server_settings.data_dir), "--db", server_settings.db_url]
    stolen = kiosk.file()
    server_cli("revoke", kiosk.device_id, *where)
    pipeline.ingestor.push(kiosk.device_id, [stolen.raw])
    listed = server_cli("quarantine", *where).stdout
    assert f"{stolen.header.id} quarantined: device_revoked: seq 1" in listed
    done = json.loads(server_cli("quarantine", "release", stolen.header.id, "--by", "wang",
                                 "--json", *where).stdout)
    assert done["state"] == "merged"
    again = server_cli("quarantine", "release", stolen.header.id, *where, check=False)
    assert again.returncode == 1
    assert f"not found: record {stolen.header.id}" in again.stderr

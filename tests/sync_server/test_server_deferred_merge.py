"""The deferred merge of protocol v2 (issue 17): a v2 push is answered once its records are
stored and their chain verified, and ``merge_verified`` (the serve process's ``Merger``
thread) files them later. What must hold: nothing is filed twice or lost, the chain order is
kept, a restart finishes what waited, a record the merge refuses reaches its kiosk on the
feed, and the filing kiosk is not sent the "received" statuses its acknowledgement already
gave it. SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx

from shared.clock import ManualClock, format_utc
from shared.intake import IntakePayload
from shared.receipt import new_code, new_pin, pin_verifier
from shared.records import parse_record
from sync_server.config.settings import Settings
from sync_server.services.merger import Merger
from sync_server.services.staff import StaffDesk
from sync_server.services.wiring import Services
from tests.sync_server.server_kit import TestKiosk, complaint


def cases(staff: StaffDesk) -> list[str]:
    return sorted(c["case_id"] for c in staff.export())


def inbox_states(svc: Services) -> dict[str, int]:
    gauges = svc.lookup.gauges()
    return {dict(labels)["state"]: int(v) for (name, labels), v in gauges.items()
            if name == "yizhan_inbox_records"}


def bad_checksum(kiosk: TestKiosk, n: int) -> Any:
    """A record the kiosk's own checks would pass for this test's purpose but the county
    refuses: its ID number's check digit is changed after validation."""
    code, pin = new_code(), new_pin()
    wire = IntakePayload("complaint", parse_record("complaint", complaint(n)), code,
                         pin_verifier(code, pin), format_utc(kiosk.clock.now()),
                         kiosk.station).to_wire()
    number = wire["record"]["claimant"]["id_number"]
    wire["record"]["claimant"]["id_number"] = number[:-1] + ("0" if number[-1] != "0" else "1")
    env = kiosk.seal(wire, "complaint")
    kiosk.receipts[env.header.id] = (code, pin)
    return env


def test_a_deferred_push_is_held_then_merged_once_in_chain_order(
        kiosk: TestKiosk, staff: StaffDesk, pipeline: Services) -> None:
    envs = [kiosk.file(record=complaint(n)) for n in range(4)]
    ingest = pipeline.ingestor
    first = ingest.push(kiosk.device_id, [e.raw for e in envs[:2]], defer=True)
    assert [r["status"] for r in first.results] == ["accepted", "accepted"]
    assert (first.chain.seq, first.gaps) == (2, [])  # the chain is verified before the answer
    assert cases(staff) == []  # ... and nothing is filed yet
    assert inbox_states(pipeline)["verified"] == 2
    again = ingest.push(kiosk.device_id, [e.raw for e in envs[:2]], defer=True)
    assert [r["status"] for r in again.results] == ["duplicate", "duplicate"]
    # a v1 push of the same device merges what waits first, then its own records
    ingest.push(kiosk.device_id, [envs[2].raw])
    assert cases(staff) == sorted(e.header.id for e in envs[:3])
    assert ingest.merge_verified(kiosk.device_id) == 0
    ingest.push(kiosk.device_id, [envs[3].raw], defer=True)
    assert ingest.merge_verified(kiosk.device_id) == 1
    assert cases(staff) == sorted(e.header.id for e in envs)
    assert inbox_states(pipeline).get("verified", 0) == 0


def test_records_left_verified_by_a_dead_process_are_merged_at_start(
        kiosk: TestKiosk, staff: StaffDesk, server_settings: Settings,
        manual_clock: ManualClock) -> None:
    envs = [kiosk.file(record=complaint(n)) for n in range(3)]
    with Services.open(server_settings, manual_clock) as svc:  # pushed, then the process dies
        svc.ingestor.push(kiosk.device_id, [e.raw for e in envs], defer=True)
    assert cases(staff) == []
    with Services.open(server_settings, manual_clock) as svc:  # the next start-up
        assert svc.ingestor.recover() == (1, 0)
        assert inbox_states(svc).get("verified", 0) == 0
    assert cases(staff) == sorted(e.header.id for e in envs)


def test_the_merger_thread_files_after_the_pushes_go_quiet(
        kiosk: TestKiosk, staff: StaffDesk, pipeline: Services) -> None:
    envs = [kiosk.file(record=complaint(n)) for n in range(5)]
    merger = Merger(pipeline.ingestor, batch=2, quiet_s=0.0).start()
    try:
        for env in envs:
            with merger.pushing():
                pipeline.ingestor.push(kiosk.device_id, [env.raw], defer=True)
            merger.wake(kiosk.device_id)
        assert merger.idle(60)
    finally:
        merger.stop()
    assert cases(staff) == sorted(e.header.id for e in envs)


def test_pushes_without_end_hold_the_merge_back_no_longer_than_its_deadline(
        kiosk: TestKiosk, staff: StaffDesk, pipeline: Services) -> None:
    """A county whose kiosks push all the time: the merge waits for a lull, but once records
    have waited ``max_delay_s`` it files them anyway (the control: with no deadline they
    wait as long as pushes go on)."""
    envs = [kiosk.file(record=complaint(n)) for n in range(3)]
    patient = Merger(pipeline.ingestor, quiet_s=60.0, max_delay_s=3600.0).start()
    try:
        with patient.pushing():  # a push in progress the whole time
            pipeline.ingestor.push(kiosk.device_id, [envs[0].raw], defer=True)
            patient.wake(kiosk.device_id)
            assert not patient.idle(0.5)  # held back: records wait
    finally:
        patient.stop()
    merger = Merger(pipeline.ingestor, quiet_s=60.0, max_delay_s=0.2).start()
    try:
        with merger.pushing():
            pipeline.ingestor.push(kiosk.device_id, [e.raw for e in envs[1:]], defer=True)
            merger.wake(kiosk.device_id)
            assert merger.idle(60)  # filed while the push is still going on
    finally:
        merger.stop()
    assert cases(staff) == sorted(e.header.id for e in envs)


def test_a_refusal_after_the_acknowledgement_reaches_the_kiosk_on_the_feed(
        client: httpx.Client, kiosk: TestKiosk, staff: StaffDesk, pipeline: Services) -> None:
    good, bad = kiosk.file(record=complaint(1)), bad_checksum(kiosk, 2)
    answer = pipeline.ingestor.push(kiosk.device_id, [good.raw, bad.raw], defer=True)
    assert [r["status"] for r in answer.results] == ["accepted", "accepted"]
    assert pipeline.ingestor.merge_verified(kiosk.device_id) == 2
    assert cases(staff) == [good.header.id]
    [row] = staff.quarantine()
    assert row["record_id"] == bad.header.id
    assert row["reason"].startswith("invalid_record: claimant.id_number")
    page = kiosk.changes(client, limit=1000).json()["changes"]
    told = [c for c in page if c["type"] == "record"]
    assert told == [{"type": "record", "record_id": bad.header.id, "decision": "quarantined",
                     "reason": row["reason"], "as_of": told[0]["as_of"]}]
    # and its worker reads "the county needs to check" online
    code, pin = kiosk.receipts[bad.header.id]
    assert client.post("/v1/status", json={"code": code, "pin": pin}).json()["status"] == \
        "needs_review"


def test_a_receipt_looked_up_before_the_merge_is_found(
        client: httpx.Client, kiosk: TestKiosk, staff: StaffDesk, pipeline: Services) -> None:
    """The worker checks the receipt the moment the kiosk has synced: the lookup files what
    waits first (the control: without it the county answers not_found, and counts a wrong
    PIN against the receipt)."""
    env = kiosk.file(record=complaint(3))
    pipeline.ingestor.push(kiosk.device_id, [env.raw], defer=True)
    assert cases(staff) == []
    code, pin = kiosk.receipts[env.header.id]
    answer = client.post("/v1/status", json={"code": code, "pin": pin})
    assert answer.status_code == 200
    assert answer.json()["status"] == "received"
    assert cases(staff) == [env.header.id]

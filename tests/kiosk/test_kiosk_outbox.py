"""The outbox API the sync client builds on: states, signed acks by id AND hash, segments."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from kiosk_kit import Folder, complaint

from kiosk.errors import AckMismatch
from kiosk.root import KioskServices
from shared.ack import Ack, sign_ack, verify_ack
from shared.envelope import Envelope, verify_run


def _fill(services: KioskServices, n: int) -> list[dict[str, str]]:
    return [services.submit_complaint(complaint(i)) for i in range(n)]


def test_pending_in_seq_order_then_sent(services: KioskServices) -> None:
    _fill(services, 5)
    items = services.outbox.pending(limit=3)
    assert [i.seq for i in items] == [1, 2, 3]
    assert all(Envelope.from_bytes(i.envelope).hash == i.hash for i in items)
    assert services.outbox.mark_sent([i.record_id for i in items]) == 3
    assert [i.seq for i in services.outbox.pending()] == [4, 5]
    assert [i.seq for i in services.outbox.unacknowledged()] == [1, 2, 3, 4, 5]
    assert services.outbox.counts() == {"pending": 2, "sent": 3, "acknowledged": 0,
                                        "quarantined": 0}


def test_signed_ack_moves_only_rows_whose_id_and_hash_match(
        services: KioskServices, server_key: Ed25519PrivateKey) -> None:
    receipts = _fill(services, 3)
    items = services.outbox.pending()
    stored = [(items[0].record_id, items[0].hash),          # matches
              (items[1].record_id, "0" * 64),               # right id, wrong hash
              ("01ZZZZZZZZZZZZZZZZZZZZZZZZ", items[2].hash)]  # unknown id
    wire = sign_ack(services.device_id, stored, "2026-11-21T03:00:00.000Z", server_key)
    ack = verify_ack(wire, services.server_key(), services.device_id)
    assert services.outbox.apply_ack(ack) == 1
    assert services.outbox.counts()["acknowledged"] == 1
    assert services.outbox.apply_ack(ack) == 0  # idempotent
    # The acknowledged receipt now reads 'received'; the others are still provisional.
    first = services.lookup_status(receipts[0]["receipt_code"], receipts[0]["pin"])
    second = services.lookup_status(receipts[1]["receipt_code"], receipts[1]["pin"])
    assert first
    assert first["status"] == "received"
    assert first["as_of"] == "2026-11-21T03:00:00.000Z"
    assert second
    assert second["status"] == "provisional"


def test_ack_for_another_device_is_refused(services: KioskServices) -> None:
    _fill(services, 1)
    item = services.outbox.pending()[0]
    with pytest.raises(AckMismatch, match="not this kiosk"):
        services.outbox.apply_ack(Ack("dffffffffffffffff", ((item.record_id, item.hash),),
                                      "2026-11-21T03:00:00.000Z"))
    assert services.outbox.counts()["acknowledged"] == 0


def test_quarantine_keeps_the_record_with_its_reason(services: KioskServices) -> None:
    _fill(services, 2)
    rid = services.outbox.pending()[0].record_id
    assert services.outbox.mark_quarantined(rid, "payload did not validate")
    [q] = services.outbox.quarantined()
    assert q.record_id == rid
    assert q.reason == "payload did not validate"
    assert services.outbox.counts()["quarantined"] == 1
    assert services.quarantined() == [{"record_id": rid, "reason": "payload did not validate"}]


def test_since_last_ack_is_a_contiguous_verifiable_segment(
        services: KioskServices, kiosk_dir: Path, server_key: Ed25519PrivateKey) -> None:
    _fill(services, 6)
    items = services.outbox.pending()
    # Acknowledge 1, 2 and 4: the segment starts at 3 and keeps 4 to stay contiguous.
    ack = Ack(services.device_id, tuple((i.record_id, i.hash) for i in
                                        (items[0], items[1], items[3])), "t")
    services.outbox.apply_ack(ack)
    segment = services.outbox.since_last_ack()
    assert [i.seq for i in segment] == [3, 4, 5, 6]
    envs = [Envelope.from_bytes(i.envelope) for i in segment]
    assert envs[0].header.prev == items[1].hash
    end = verify_run(envs, Folder(kiosk_dir).device_public())
    assert end.seq == 6


def test_prune_removes_only_acknowledged_rows_before_the_first_unacknowledged(
        services: KioskServices) -> None:
    _fill(services, 4)
    items = services.outbox.pending()
    services.outbox.apply_ack(Ack(services.device_id, tuple(
        (i.record_id, i.hash) for i in (items[0], items[2])), "t"))
    assert services.outbox.prune_acknowledged() == 1  # seq 1 only; seq 3 is inside the segment
    assert [i.seq for i in services.outbox.since_last_ack()] == [2, 3, 4]
    assert services.outbox.counts() == {"pending": 2, "sent": 0, "acknowledged": 1,
                                        "quarantined": 0}
    # Intake goes on after pruning: the chain head is kept apart from the rows.
    services.submit_complaint(complaint(9))
    assert services.outbox.pending()[-1].seq == 5
    assert Envelope.from_bytes(services.outbox.pending()[-1].envelope).header.prev == items[3].hash


def test_outbox_counts_carry_the_last_sync(services: KioskServices) -> None:
    services.record_sync("2026-11-21T03:00:00.000Z", "server unreachable")
    counts = services.outbox_counts()
    assert counts["last_sync"] == "2026-11-21T03:00:00.000Z"
    assert counts["last_error"] == "server unreachable"


def test_device_info_for_the_staff_screen(services: KioskServices) -> None:
    info = services.device_info()
    assert info["device_id"] == services.device_id
    assert info["station"] == "S001"
    assert info["county"] == "曾都区"
    assert info["last_sync"] is None

"""Intake: validate -> seal to county + station keys -> chain -> commit -> receipt."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from kiosk_kit import PASSPHRASE, Folder, complaint, county_public, jobseeker, person

from kiosk.errors import IntakeInvalid, NotEnrolled
from kiosk.root import KioskServices
from kiosk.services import init_kiosk
from shared.clock import ManualClock
from shared.envelope import Envelope, open_
from shared.intake import IntakePayload
from shared.keys import Keyring
from shared.receipt import parse_code, pin_matches, verify_receipt
from shared.records import parse_complaint


def test_receipt_names_a_sealed_chained_record(services: KioskServices, kiosk_dir: Path,
                                               county_keys: Keyring) -> None:
    receipt = services.submit_complaint(complaint(1))
    assert set(receipt) == {"receipt_code", "pin", "record_id", "filed_at", "qr_payload"}
    assert parse_code(receipt["receipt_code"]) == receipt["receipt_code"]
    assert len(receipt["pin"]) == 6
    assert receipt["pin"].isdigit()
    assert receipt["filed_at"] == "2026-11-21T02:00:00.000Z"

    folder = Folder(kiosk_dir)
    [env] = folder.envelopes()
    assert env.header.id == receipt["record_id"]
    assert env.header.seq == 1
    assert env.header.station == "S001"
    assert env.header.device == services.device_id
    assert env.header.to == (county_keys.newest().kid, services.identity.station_recipient.kid)
    folder.verify_chain()
    payload = IntakePayload.from_wire(open_(env, county_keys.private_keys))
    # the submitted record as normalised (phones in E.164)
    assert payload.record.to_wire() == parse_complaint(complaint(1)).to_wire()
    assert payload.record.to_wire()["claimant"]["phone"] == \
        "+86" + complaint(1)["claimant"]["phone"]
    assert payload.receipt_code == receipt["receipt_code"]
    assert pin_matches(receipt["receipt_code"], receipt["pin"], payload.pin_verifier)

    claims = verify_receipt(receipt["qr_payload"],
                            {services.device_id: folder.device_public()})
    assert claims.record_hash == env.hash
    assert claims.code == receipt["receipt_code"]
    # Only the verifier is stored, never the PIN.
    [(verifier,)] = folder.rows("SELECT pin_verifier FROM receipts")
    assert receipt["pin"] not in verifier
    assert pin_matches(receipt["receipt_code"], receipt["pin"], verifier)


def test_station_staff_open_their_own_records_after_unlock(services: KioskServices,
                                                            kiosk_dir: Path) -> None:
    services.submit_jobseeker(jobseeker(2))
    [env] = Folder(kiosk_dir).envelopes()
    services.unlock_station(PASSPHRASE)
    key = services.station_key()
    payload = open_(env, {services.identity.station_recipient.kid: key})
    assert payload["record"]["name"] == person(2)["name"]


def test_seals_to_the_newest_county_key(tmp_path: Path, manual_clock: ManualClock,
                                         server_key: Any) -> None:
    ring = Keyring([X25519PrivateKey.generate(), X25519PrivateKey.generate()])
    init_kiosk(tmp_path / "k", "S002", PASSPHRASE.encode(), manual_clock,
               county_public(ring, server_key))
    with KioskServices.open(tmp_path / "k", manual_clock) as svc:
        svc.submit_complaint(complaint(3))
    [env] = Folder(tmp_path / "k").envelopes()
    assert env.header.to[0] == ring.newest().kid
    assert env.header.to[0] != ring.recipients()[0].kid


def test_intake_refused_until_county_keys_known(tmp_path: Path,
                                                manual_clock: ManualClock) -> None:
    init_kiosk(tmp_path / "k", "S003", PASSPHRASE.encode(), manual_clock)
    with KioskServices.open(tmp_path / "k", manual_clock) as svc:
        with pytest.raises(NotEnrolled, match="county keys"):
            svc.submit_complaint(complaint(4))
        with pytest.raises(NotEnrolled):
            list(svc.intake.submit_many("complaint", [complaint(5)]))
        assert svc.outbox.counts()["pending"] == 0


def test_chain_continues_across_reopen(kiosk_dir: Path, manual_clock: ManualClock) -> None:
    for i in range(3):
        with KioskServices.open(kiosk_dir, manual_clock) as svc:
            svc.submit_complaint(complaint(i))
            manual_clock.advance(1)
    envs = Folder(kiosk_dir).envelopes()
    assert [e.header.seq for e in envs] == [1, 2, 3]
    assert Folder(kiosk_dir).verify_chain().seq == 3
    hlcs = [e.header.hlc for e in envs]
    assert hlcs == sorted(hlcs)
    assert len(set(hlcs)) == 3


def test_batch_reports_invalid_by_index_and_keeps_the_valid(services: KioskServices,
                                                            kiosk_dir: Path) -> None:
    bad = complaint(7)
    bad["claimant"]["id_number"] = "420303198001010010"  # wrong check digit
    records = [complaint(6), bad, "not an object", complaint(8)]
    results = list(services.intake.submit_many("complaint", records, batch=2))
    assert [r.index for r in results] == [0, 1, 2, 3]
    assert results[0].receipt
    assert results[3].receipt
    assert [e.field for e in results[1].errors] == ["claimant.id_number"]
    assert results[1].errors[0].code == "id_checksum"
    assert [e.field for e in results[2].errors] == ["record"]
    assert [e.header.seq for e in Folder(kiosk_dir).envelopes()] == [1, 2]


@pytest.mark.parametrize(("change", "field", "code"), [
    # every required complaint field, one at a time
    (lambda r: r.pop("matter_type"), "matter_type", "required"),
    (lambda r: r["claimant"].pop("name"), "claimant.name", "required"),
    (lambda r: r["claimant"].update(phone="12345"), "claimant.phone", "phone_format"),
    (lambda r: r["claimant"].update(id_number="42030319800101001"), "claimant.id_number",
     "id_length"),
    (lambda r: r["employer"].update(uscc="91350100M000100Y44"), "employer.uscc",
     "uscc_checksum"),
    (lambda r: r.update(amount_claimed_fen=12.5), "amount_claimed_fen", "not_integer"),
    (lambda r: r.update(period={"start": "2026-09-01", "end": "2026-08-01"}), "period",
     "period_order"),
    (lambda r: r.update(description=""), "description", "too_short"),
    (lambda r: r.update(preferred_handling="fight"), "preferred_handling", "choice"),
    (lambda r: r.update(consent=False), "consent", "consent_required"),
    (lambda r: r.update(extra="x"), "extra", "unknown_field"),
])
def test_each_invalid_field_gets_its_message_and_nothing_is_sealed(
        services: KioskServices, kiosk_dir: Path, change: Any, field: str, code: str) -> None:
    record = complaint(9)
    change(record)
    with pytest.raises(IntakeInvalid) as info:
        services.submit_complaint(record)
    assert isinstance(info.value, ValueError)  # the screens treat it as correctable input
    assert [(e.field, e.code) for e in info.value.errors] == [(field, code)]
    assert info.value.errors[0].zh
    assert info.value.errors[0].en
    assert Folder(kiosk_dir).rows("SELECT count(*) FROM outbox") == [(0,)]
    assert Folder(kiosk_dir).rows("SELECT count(*) FROM receipts") == [(0,)]


def test_every_bad_field_of_one_record_is_named(services: KioskServices) -> None:
    record = complaint(10)
    record["claimant"]["phone"] = "1"
    record["consent"] = False
    record.pop("description")
    with pytest.raises(IntakeInvalid) as info:
        services.submit_complaint(record)
    assert {e.field for e in info.value.errors} == {"claimant.phone", "consent", "description"}


def test_rows_of_one_intake_are_all_or_nothing(services: KioskServices,
                                               kiosk_dir: Path) -> None:
    # A receipt code that is already taken makes the receipt insert fail after the outbox
    # insert ran: the whole transaction must roll back, chain head included.
    first = services.submit_complaint(complaint(11))
    codes = iter([first["receipt_code"]])
    services.intake._fresh_code = lambda: next(codes)  # type: ignore[method-assign]
    with pytest.raises(Exception, match="kiosk store"):
        services.submit_complaint(complaint(12))
    folder = Folder(kiosk_dir)
    assert folder.rows("SELECT count(*) FROM outbox") == [(1,)]
    assert folder.rows("SELECT seq FROM chain") == [(1,)]
    del services.intake._fresh_code
    assert services.submit_complaint(complaint(13))
    assert folder.verify_chain().seq == 2


def test_envelopes_are_valid_bytes(kiosk_dir: Path, services: KioskServices) -> None:
    services.submit_complaint(complaint(14))
    conn = sqlite3.connect(kiosk_dir / "kiosk.db")
    (raw, digest), = conn.execute("SELECT envelope, hash FROM outbox").fetchall()
    conn.close()
    assert Envelope.from_bytes(raw).hash == digest

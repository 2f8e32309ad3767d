"""Push: durable inbox, per-record results, signed acks, chain gaps, quarantine, merge.

Every test runs against SQLite and PostgreSQL (the ``db_url`` fixture)."""

from __future__ import annotations

import httpx

from shared.ack import verify_ack
from shared.keys import ed25519_public_from_b64
from sync_server.services.staff import StaffDesk
from tests.sync_server.conftest import new_token
from tests.sync_server.server_kit import TestKiosk, complaint, jobseeker


def _ack_ids(kiosk: TestKiosk, answer: dict) -> set[tuple[str, str]]:
    key = ed25519_public_from_b64(kiosk.county["server_key"])
    return set(verify_ack(answer["ack"], key, kiosk.device_id).stored)


def test_same_bytes_again_is_duplicate_other_bytes_is_conflict(
        client: httpx.Client, staff: StaffDesk, kiosk: TestKiosk) -> None:
    env = kiosk.file()
    assert kiosk.push(client, [env]).status_code == 201
    again = kiosk.push(client, [env])
    assert again.status_code == 201
    assert again.json()["results"][0]["status"] == "duplicate"
    assert (env.header.id, env.hash) in _ack_ids(kiosk, again.json())
    # Same record id, different bytes (re-sealed): a conflict, the original is kept.
    other = kiosk.seal(kiosk.payload("complaint", complaint(7)).to_wire(), seq=1,
                       prev="0" * 64, record_id=env.header.id, advance=False)
    r = kiosk.push(client, [other])
    assert r.status_code == 202
    assert r.json()["results"][0]["status"] == "conflict"
    assert (other.header.id, other.hash) not in _ack_ids(kiosk, r.json())
    [kept] = staff.quarantine()  # the other bytes are kept aside for staff
    assert (kept["record_id"], kept["envelope_hash"], kept["status"]) == \
        (other.header.id, other.hash, "conflict")
    [case] = list(staff.export())
    assert case["record"]["claimant"]["id_number"] == complaint()["claimant"]["id_number"]


def test_gap_holds_later_records_until_filled(client: httpx.Client, staff: StaffDesk,
                                              kiosk: TestKiosk) -> None:
    e1, e2, e3, e4 = (kiosk.file() for _ in range(4))
    r = kiosk.push(client, [e1, e3, e4])
    body = r.json()
    assert r.status_code == 201
    assert body["gaps"] == [{"from_seq": 2, "to_seq": 2}]
    assert body["chain"] == {"seq": 1, "hash": e1.hash}
    assert [x.get("reason", "") .startswith("held") for x in body["results"]] == \
        [False, True, True]
    assert _ack_ids(kiosk, body) == {(e.header.id, e.hash) for e in (e1, e3, e4)}
    assert len(list(staff.export())) == 1
    assert staff.devices()[0]["gaps"] == [{"from_seq": 2, "to_seq": 2}]
    r = kiosk.push(client, [e2])
    assert r.json()["gaps"] == []
    assert r.json()["chain"] == {"seq": 4, "hash": e4.hash}
    assert len(list(staff.export())) == 4


def test_authentic_but_invalid_record_is_quarantined_kept_and_acked(
        client: httpx.Client, staff: StaffDesk, kiosk: TestKiosk) -> None:
    good = kiosk.file()
    payload = kiosk.payload("complaint", complaint()).to_wire()
    payload["record"]["claimant"]["id_number"] = "110105194912310021"  # bad check digit
    bad = kiosk.seal(payload)
    after = kiosk.file("jobseeker", jobseeker(3))
    r = kiosk.push(client, [good, bad, after])
    assert r.status_code == 202
    results = r.json()["results"]
    assert [x["status"] for x in results] == ["accepted", "quarantined", "accepted"]
    assert results[1]["reason"] == "invalid_record: claimant.id_number id_checksum"
    assert _ack_ids(kiosk, r.json()) == {(e.header.id, e.hash) for e in (good, bad, after)}
    assert r.json()["chain"]["seq"] == 3  # the chain moves past a quarantined record
    assert [q["record_id"] for q in staff.quarantine()] == [bad.header.id]
    assert len(list(staff.export())) == 2


def test_tampered_envelope_is_kept_aside_and_the_genuine_one_still_lands(
        client: httpx.Client, staff: StaffDesk, kiosk: TestKiosk) -> None:
    env = kiosk.file()
    tampered = bytearray(env.raw)
    tampered[-100] ^= 1  # inside the ciphertext
    r = kiosk.push(client, [bytes(tampered)])
    assert r.status_code == 202
    assert r.json()["results"][0]["status"] == "quarantined"
    assert r.json()["results"][0]["reason"] == "bad_signature"
    assert [q["kept_in"] for q in staff.quarantine()] == ["rejected"]
    r = kiosk.push(client, [env])
    assert r.status_code == 201
    assert r.json()["results"][0]["status"] == "accepted"
    assert len(list(staff.export())) == 1


def test_unknown_key_id_and_garbage_are_quarantined_with_reasons(
        client: httpx.Client, kiosk: TestKiosk) -> None:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from shared.keys import Recipient
    kiosk.recipients = [Recipient.of(X25519PrivateKey.generate().public_key())]
    stranger = kiosk.file()
    r = kiosk.push(client, [stranger, b"not an envelope"])
    assert r.status_code == 202
    reasons = [x["reason"] for x in r.json()["results"]]
    assert reasons[0].startswith("unknown_kid")
    assert reasons[1] == "malformed_envelope"


def test_another_devices_record_is_refused(client: httpx.Client, staff: StaffDesk,
                                           kiosk: TestKiosk, manual_clock) -> None:
    other = TestKiosk(manual_clock)
    other.enroll(client, new_token(staff))
    env = other.file()
    r = kiosk.push(client, [env])
    assert r.json()["results"][0]["reason"] == "device_mismatch"
    assert list(staff.export()) == []


def test_duplicates_are_linked_and_collective_disputes_alerted(
        client: httpx.Client, staff: StaffDesk, kiosk: TestKiosk) -> None:
    first, again = kiosk.file(record=complaint(1)), kiosk.file(record=complaint(1))
    others = [kiosk.file(record=complaint(n)) for n in range(2, 6)]
    assert kiosk.push(client, [first, again, *others]).status_code == 201
    cases = {c["case_id"]: c for c in staff.export()}
    assert cases[again.header.id]["flags"] == [f"duplicate_pending:{first.header.id}"]
    [alert] = staff.alerts()
    assert alert["claimants"] == 5
    assert len(alert["case_ids"]) == 6


def test_one_id_twice_in_a_push_with_other_bytes_is_a_conflict(
        client: httpx.Client, staff: StaffDesk, kiosk: TestKiosk) -> None:
    env = kiosk.file()
    other = kiosk.seal(kiosk.payload("complaint", complaint(7)).to_wire(), seq=1,
                       prev="0" * 64, record_id=env.header.id, advance=False)
    r = kiosk.push(client, [env, other, env])
    assert r.status_code == 202
    assert [x["status"] for x in r.json()["results"]] == ["accepted", "conflict", "accepted"]
    assert _ack_ids(kiosk, r.json()) == {(env.header.id, env.hash)}  # never the other bytes
    assert [(q["envelope_hash"], q["status"]) for q in staff.quarantine()] == \
        [(other.hash, "conflict")]  # kept aside for staff
    [case] = list(staff.export())
    assert case["record"]["claimant"]["id_number"] == complaint()["claimant"]["id_number"]

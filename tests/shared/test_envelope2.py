"""Sealed envelope v2 (shared/envelope2.py): epochs, the key ratchet, zstd with the dictionary.

The security property tested here: whatever a stolen kiosk holds after sealing records
(everything the sealer keeps, and every byte it wrote) opens none of the records sealed
before the theft, while the county opens all of them.
"""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from shared import envelope2 as e2
from shared._errors import EnvelopeError
from shared.envelope import START, Envelope, seal
from shared.keys import Keyring, Recipient, device_id_of, kid_of

CREATED = "2026-11-21T02:00:00.000Z"


def payload(n: int) -> dict[str, Any]:
    return {"kind": "complaint", "station": "S001", "ticket": None, "notes": [],
            "filed_at": CREATED, "receipt": {"code": "7M3QX9TR2W9", "pin_verifier": "ab" * 32},
            "record": {"matter_type": "wage_arrears", "consent": True,
                       "claimant": {"name": "测试", "id_number": "11010519491231002X",
                                    "phone": f"138{n:08d}"},
                       "employer": {"name": "测试劳务有限公司"}, "description": "测试。",
                       "preferred_handling": "mediation"}}


def chain(sealer: e2.Sealer, n: int, start_seq: int = 1,
          prev: bytes = bytes(32)) -> list[e2.Record]:
    out = []
    for i in range(n):
        rec = sealer.seal(payload(i), kind="complaint", record_id=f"01M7XX9X80ABCDEFGHJKMNP{i:03d}",
                          station="S001", seq=start_seq + i, prev=prev, created=CREATED,
                          hlc=f"0001795226400000.{i:06d}.d56d7f7e4db67af01")
        prev = bytes.fromhex(rec.hash)
        out.append(rec)
    return out


@pytest.fixture
def sealer(county_keys: Keyring, device_key: Ed25519PrivateKey) -> e2.Sealer:
    return e2.Sealer(device_id_of(device_key.public_key()), CREATED, county_keys.recipients(),
                     device_key)


def test_round_trip_in_and_out_of_order(sealer: e2.Sealer, county_keys: Keyring,
                                        device_key: Ed25519PrivateKey) -> None:
    records = chain(sealer, 5)
    epoch = e2.Epoch.from_bytes(sealer.epoch.raw)
    epoch.verify(device_key.public_key())
    opener = e2.Opener(epoch, county_keys.private_keys)
    for i in (0, 1, 2, 3, 4, 2, 0):  # backwards restarts the walk from CK_0
        rec = e2.Record.from_bytes(records[i].raw)
        rec.verify(device_key.public_key())
        assert opener.open(rec) == payload(i)
        assert (rec.seq, rec.index) == (i + 1, i)


def test_the_chain_links_v2_records_by_hash(sealer: e2.Sealer) -> None:
    records = chain(sealer, 3)
    assert records[0].prev == bytes(32)
    for before, after in itertools.pairwise(records):
        assert after.prev == hashlib.sha256(before.raw).digest()


def test_a_stolen_kiosk_opens_nothing_sealed_before_the_theft(
        sealer: e2.Sealer, county_keys: Keyring) -> None:
    """The thief holds the sealer's state (the next chain key) and every byte it wrote: the
    epoch message and the sealed records. Each record key is HMAC(CK_n, 1); from CK_k the
    thief can only walk forward, so no key it can derive opens records 0..k-1."""
    records = chain(sealer, 20)
    stolen_ck = sealer.chain_state()
    assert stolen_ck is not None
    derivable = []
    ck = stolen_ck
    for _ in range(200):  # forward from the theft
        key, ck = e2.step(ck)
        derivable.append(key)
    derivable += [stolen_ck, hashlib.sha256(sealer.epoch.raw).digest()]  # anything else held
    for rec in records:
        for key in derivable:
            with pytest.raises(EnvelopeError):
                e2.open_with_key(rec, key)
    # the epoch secret is sealed to county keys only: no kiosk-held key unseals it
    with pytest.raises(EnvelopeError):
        sealer.epoch.secret({})
    with pytest.raises(EnvelopeError):
        e2.Epoch.from_bytes(sealer.epoch.raw).secret(
            {kid: X25519PrivateKey.generate() for kid in sealer.epoch.to})
    # ... while the county opens them all, and the record sealed next with the stolen state
    opener = e2.Opener(sealer.epoch, county_keys.private_keys)
    assert [opener.open(r) for r in records] == [payload(i) for i in range(20)]
    nxt = chain(sealer, 1, start_seq=21, prev=bytes.fromhex(records[-1].hash))[0]
    assert e2.open_with_key(nxt, derivable[0]) == payload(0)  # forward only, as argued


def test_the_sealer_keeps_no_key_that_opens_a_sealed_record(sealer: e2.Sealer) -> None:
    """The one secret attribute left on the sealer after sealing is the next chain key."""
    records = chain(sealer, 3)
    held = [v for v in vars(sealer).values() if isinstance(v, bytes) and len(v) == 32]
    assert held == [sealer.chain_state()]
    for rec in records:
        for key in held:
            with pytest.raises(EnvelopeError):
                e2.open_with_key(rec, key)


def _receive(raw: bytes, device_key: Ed25519PrivateKey, opener: e2.Opener) -> None:
    rec = e2.Record.from_bytes(raw)
    rec.verify(device_key.public_key())
    opener.open(rec)


def test_every_flipped_byte_is_refused(sealer: e2.Sealer, county_keys: Keyring,
                                       device_key: Ed25519PrivateKey) -> None:
    raw = chain(sealer, 1)[0].raw
    opener = e2.Opener(sealer.epoch, county_keys.private_keys)
    for i in range(len(raw)):
        bad = bytearray(raw)
        bad[i] ^= 0x01
        with pytest.raises(EnvelopeError):
            _receive(bytes(bad), device_key, opener)


def test_truncated_or_extended_records_and_epochs_are_refused(sealer: e2.Sealer) -> None:
    raw = chain(sealer, 1)[0].raw
    for bad in (raw[:-1], raw + b"\x00", raw[:40], b""):
        with pytest.raises(EnvelopeError):
            e2.Record.from_bytes(bad)
    for bad in (sealer.epoch.raw[:-1], sealer.epoch.raw + b"\x00"):
        with pytest.raises(EnvelopeError):
            e2.Epoch.from_bytes(bad)


def test_a_forged_epoch_signature_is_refused(sealer: e2.Sealer) -> None:
    with pytest.raises(EnvelopeError):
        e2.Epoch.from_bytes(sealer.epoch.raw).verify(Ed25519PrivateKey.generate().public_key())


def test_a_record_of_another_epoch_does_not_open(county_keys: Keyring,
                                                 device_key: Ed25519PrivateKey) -> None:
    recips = county_keys.recipients()
    one = e2.Sealer("d1", CREATED, recips, device_key)
    two = e2.Sealer("d1", CREATED, recips, device_key)
    rec = chain(two, 1)[0]
    with pytest.raises(EnvelopeError):
        e2.Opener(one.epoch, county_keys.private_keys).open(rec)


def test_station_key_opens_the_epoch_too(county_keys: Keyring, station_key: X25519PrivateKey,
                                         device_key: Ed25519PrivateKey) -> None:
    station = Recipient(kid_of(station_key.public_key()), station_key.public_key())
    sealer = e2.Sealer("d1", CREATED, [*county_keys.recipients(), station], device_key)
    rec = chain(sealer, 2)[1]
    assert e2.Opener(sealer.epoch, {station.kid: station_key}).open(rec) == payload(1)


def test_zstd_frames_are_bounded_and_exact() -> None:
    frame = e2.compress(b'{"a":1}' * 10)
    assert e2.decompress(frame) == b'{"a":1}' * 10
    for bad in (frame[:-1], frame + b"junk", frame + frame, b"", b"\x28\xb5\x2f\xfd"):
        with pytest.raises(EnvelopeError):
            e2.decompress(bad)
    big = e2.compress(b" " * (e2.MAX_PLAINTEXT + 1))  # 1 MiB of spaces: a few bytes
    with pytest.raises(EnvelopeError):
        e2.decompress(big)


def test_the_dictionary_is_pinned() -> None:
    assert hashlib.sha256(e2.DICT_PATH.read_bytes()).hexdigest() == e2.DICT_SHA256


def test_v2_is_much_smaller_than_v1(sealer: e2.Sealer, county_keys: Keyring,
                                    device_key: Ed25519PrivateKey) -> None:
    from shared import EnvelopeHeader
    v2 = chain(sealer, 1)[0]
    header = EnvelopeHeader("complaint", "01M7XX9X80ABCDEFGHJKMNP000", "d1", "S001", 1,
                            START.hash, CREATED, "0001795226400000.000000.d56d7f7e4db67af01",
                            tuple(r.kid for r in county_keys.recipients()))
    v1 = seal(payload(0), header, county_keys.recipients(), device_key)
    assert Envelope.from_bytes(v1.raw).header.seq == 1  # v1 stays readable beside v2
    assert len(v2.raw) < 0.6 * len(v1.raw)


def test_an_exhausted_epoch_seals_no_more(sealer: e2.Sealer) -> None:
    sealer.next_index = e2.MAX_EPOCH_RECORDS - 1
    chain(sealer, 1)
    assert sealer.exhausted
    with pytest.raises(ValueError, match="exhausted"):
        chain(sealer, 1)

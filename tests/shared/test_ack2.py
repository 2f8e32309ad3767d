"""The v2 acknowledgement (shared/ack2.py): one signed chain point covers every record up to
it, and only when the device's own record there has that hash."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared._errors import EnvelopeError
from shared.ack2 import Ack2, acknowledged, sign_ack2, verify_ack2

SERVER = Ed25519PrivateKey.generate()


def h(seq: int) -> bytes:
    return hashlib.sha256(f"record {seq}".encode()).digest()


LOCAL = {s: h(s) for s in range(1, 11)}  # the kiosk's records 1..10, by seq


def ack(**kw: object) -> Ack2:
    base: dict[str, object] = {"device": "d1", "issued_at": "2026-11-30T00:00:00.000Z",
                               "head_seq": 6, "head_hash": h(6)}
    return Ack2(**{**base, **kw})  # type: ignore[arg-type]


def test_round_trip_and_the_head_covers_its_run() -> None:
    a = ack(gaps=((7, 7),), held=((8, h(8)), (9, h(9))),
            refused=((3, "quarantined", "invalid_record: 姓名 required"),), resend_from=7)
    back = verify_ack2(sign_ack2(a, SERVER), SERVER.public_key(), "d1")
    assert back == a
    assert acknowledged(back, LOCAL) == [1, 2, 4, 5, 6, 8, 9]  # 3 refused, 7 missing, 10 not sent


def test_a_head_hash_that_is_not_the_devices_acknowledges_nothing_up_to_it() -> None:
    """A county chain that is not this kiosk's (a fork, or another device's records) proves
    nothing about this kiosk's records."""
    a = verify_ack2(sign_ack2(ack(head_hash=h(99), held=((8, h(8)),)), SERVER),
                    SERVER.public_key(), "d1")
    assert acknowledged(a, LOCAL) == [8]
    assert acknowledged(ack(held=((8, h(99)),)), LOCAL) == [1, 2, 3, 4, 5, 6]


def test_forged_truncated_or_misaddressed_acks_are_refused() -> None:
    raw = sign_ack2(ack(held=((8, h(8)),)), SERVER)
    with pytest.raises(EnvelopeError):
        verify_ack2(raw, Ed25519PrivateKey.generate().public_key(), "d1")
    with pytest.raises(EnvelopeError):
        verify_ack2(raw, SERVER.public_key(), "d2")
    for bad in (raw[:-1], raw[:10], b"", raw + b"\x00"):
        with pytest.raises(EnvelopeError):
            verify_ack2(bad, SERVER.public_key(), "d1")
    for i in range(len(raw)):  # every byte is under the signature
        flipped = bytearray(raw)
        flipped[i] ^= 1
        with pytest.raises(EnvelopeError):
            verify_ack2(bytes(flipped), SERVER.public_key(), "d1")


def test_an_ack_is_small() -> None:
    """20,000 records in one contiguous run: one ack of ~150 bytes, not ~100 per record."""
    assert len(sign_ack2(ack(head_seq=20_000, head_hash=h(20_000)), SERVER)) < 160

"""The v2 push body (shared/wire2.py): records come back byte for byte, prev left out only
where the server can recompute it, and every malformed body is refused."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from test_envelope2 import CREATED, chain

from shared import envelope2 as e2
from shared import wire2
from shared._errors import EnvelopeError
from shared.keys import Keyring


@pytest.fixture
def records(county_keys: Keyring, device_key: Ed25519PrivateKey) -> tuple[bytes, list[bytes]]:
    sealer = e2.Sealer("d1", CREATED, county_keys.recipients(), device_key)
    return sealer.epoch.raw, [r.raw for r in chain(sealer, 4)]


def test_round_trip_rebuilds_every_record(records: tuple[bytes, list[bytes]]) -> None:
    epoch, recs = records
    body = wire2.encode_push(recs, [epoch], acked_head=7, lost=[(2, 3)])
    out = wire2.decode_push(body)
    assert out.records == tuple(recs)
    assert out.epochs == (epoch,)
    assert (out.acked_head, out.lost) == (7, ((2, 3),))
    # the first record's prev is sent (nothing before it here); the other three are not
    assert len(body) == len(wire2.encode_push(recs[:1])) + sum(map(len, recs[1:])) \
        - 3 * 32 + 3 * 5 + len(epoch) + 4 + 16


def test_a_run_broken_in_the_middle_sends_prev_again(records: tuple[bytes, list[bytes]]) -> None:
    _, recs = records
    sent = [recs[0], recs[2], recs[3]]  # recs[1] missing: recs[2]'s prev cannot be recomputed
    out = wire2.decode_push(wire2.encode_push(sent))
    assert out.records == tuple(sent)


def test_v1_envelopes_travel_whole(records: tuple[bytes, list[bytes]]) -> None:
    v1like = b"YZE1" + bytes(100)
    _, recs = records
    out = wire2.decode_push(wire2.encode_push([v1like, *recs]))
    assert out.records == (v1like, *recs)


def test_malformed_bodies_are_refused(records: tuple[bytes, list[bytes]]) -> None:
    epoch, recs = records
    body = wire2.encode_push(recs, [epoch])
    for bad in (body[:-1], body + b"\x00", b"YZW1" + body[4:], body[:3], b""):
        with pytest.raises(EnvelopeError):
            wire2.decode_push(bad)
    # prev marked as left out on the first record: nothing to recompute it from
    first = bytearray(wire2.encode_push(recs[:1]))
    flag_at = 4 + 8 + 2 + 2 + 4
    first[flag_at] = wire2.PREV_ELIDED
    with pytest.raises(EnvelopeError) as refused:
        wire2.decode_push(bytes(first))
    assert "prev left out" in refused.value.detail
    first[flag_at] = 0x80  # an unknown flag
    with pytest.raises(EnvelopeError):
        wire2.decode_push(bytes(first))


def test_a_tampered_record_rebuilds_to_bytes_whose_signature_fails(
        records: tuple[bytes, list[bytes]], device_key: Ed25519PrivateKey) -> None:
    """Leaving prev out moves no trust to the framing: a record altered in transit still
    fails its own signature after it is rebuilt."""
    _, recs = records
    body = bytearray(wire2.encode_push(recs))
    body[-70] ^= 0x01  # inside the last record's ciphertext
    rebuilt = wire2.decode_push(bytes(body)).records[-1]
    with pytest.raises(EnvelopeError):
        e2.Record.from_bytes(rebuilt).verify(device_key.public_key())


def test_the_epoch_id_read_in_place_is_the_parsed_one(records: tuple[bytes, list[bytes]]) -> None:
    _, recs = records
    for raw in recs:
        assert wire2.epoch_id_of(raw) == e2.Record.from_bytes(raw).epoch_id
    assert wire2.epoch_id_of(b"YZE1" + recs[0][4:]) is None  # not a v2 record
    assert wire2.epoch_id_of(recs[0][:60]) is None  # cut short

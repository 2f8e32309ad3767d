"""Sealed envelope v1: round trip, tampering, keys and rotation, hostile payloads."""

from __future__ import annotations

import dataclasses
import zlib
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from envelope_kit import Craft, Sealer, sample_payload

from shared import Envelope, EnvelopeError, EnvelopeHeader, Keyring, Recipient, open_, verify
from shared.canonical import canonical_bytes
from shared.envelope import MAX_PLAINTEXT, MAX_RECIPIENTS, seal


def receive(raw: bytes, device_key: Ed25519PrivateKey,
            keys: dict[str, X25519PrivateKey]) -> dict[str, Any]:
    """What a server does with bytes that arrive: parse, verify, open."""
    env = Envelope.from_bytes(raw)
    verify(env, device_key.public_key())
    return open_(env, keys)


def test_round_trip(sealer: Sealer, device_key: Ed25519PrivateKey,
                    county_keys: Keyring) -> None:
    payload = sample_payload(1)
    env = sealer.next(payload)
    parsed = Envelope.from_bytes(env.raw)
    assert parsed == env
    assert parsed.header.seq == 1
    assert receive(env.raw, device_key, dict(county_keys.private_keys)) == payload


def test_payload_strings_come_back_in_nfc(sealer: Sealer, county_keys: Keyring) -> None:
    env = sealer.next({"name": "Jose\u0301"})
    assert open_(env, county_keys.private_keys) == {"name": "Jos\u00e9"}


def test_station_recipient_opens_too(county_keys: Keyring, station_key: X25519PrivateKey,
                                     device_key: Ed25519PrivateKey, manual_clock: Any) -> None:
    station = Recipient.of(station_key.public_key())
    sealer = Sealer(county_keys, device_key, manual_clock, extra=[station])
    env = sealer.next()
    assert env.header.to == (county_keys.newest().kid, station.kid)
    by_county = open_(env, county_keys.private_keys)
    by_station = open_(env, {station.kid: station_key})
    assert by_county == by_station == sample_payload(1)


def test_hand_built_envelope_matches_the_documented_layout(
        sealer: Sealer, craft: Craft, device_key: Ed25519PrivateKey,
        county_keys: Keyring) -> None:
    payload = sample_payload(7)
    raw = craft(sealer.header(), zlib.compress(canonical_bytes(payload)), sealer.recipients,
                device_key)
    assert receive(raw, device_key, dict(county_keys.private_keys)) == payload


def test_every_flipped_byte_is_rejected(county_keys: Keyring, station_key: X25519PrivateKey,
                                        device_key: Ed25519PrivateKey,
                                        manual_clock: Any) -> None:
    station = Recipient.of(station_key.public_key())
    env = Sealer(county_keys, device_key, manual_clock, extra=[station]).next()
    keys = {**county_keys.private_keys, station.kid: station_key}
    raw = env.raw
    for i in range(len(raw)):
        for mask in (0x01, 0x80, 0xFF):
            bad = raw[:i] + bytes([raw[i] ^ mask]) + raw[i + 1:]
            with pytest.raises(EnvelopeError):
                receive(bad, device_key, keys)


def test_encryption_alone_catches_flips_before_the_signature(
        sealer: Sealer, county_keys: Keyring, device_key: Ed25519PrivateKey) -> None:
    """Even without the signature check, the header is bound into the encryption."""
    env = sealer.next()
    raw = env.raw
    for i in range(len(raw) - 64):
        bad = raw[:i] + bytes([raw[i] ^ 0x01]) + raw[i + 1:]
        with pytest.raises(EnvelopeError):
            open_(Envelope.from_bytes(bad), county_keys.private_keys)
    # Flipping the signature is caught by verify (and only by verify).
    bad_sig = raw[:-1] + bytes([raw[-1] ^ 0x01])
    assert open_(Envelope.from_bytes(bad_sig), county_keys.private_keys) == sample_payload(1)
    with pytest.raises(EnvelopeError):
        verify(Envelope.from_bytes(bad_sig), device_key.public_key())


def test_truncated_and_extended_envelopes_are_refused(sealer: Sealer,
                                                      device_key: Ed25519PrivateKey,
                                                      county_keys: Keyring) -> None:
    raw = sealer.next().raw
    keys = dict(county_keys.private_keys)
    for cut in range(len(raw)):
        with pytest.raises(EnvelopeError):
            receive(raw[:cut], device_key, keys)
    for extra in (b"\x00", b"x" * 64, raw):
        with pytest.raises(EnvelopeError):
            receive(raw + extra, device_key, keys)


def test_wrong_keys_are_rejected(sealer: Sealer, county_keys: Keyring) -> None:
    env = sealer.next()
    other = X25519PrivateKey.generate()
    with pytest.raises(EnvelopeError):
        open_(env, Keyring([other]).private_keys)            # no key for the kid
    with pytest.raises(EnvelopeError):
        open_(env, {env.header.to[0]: other})                # right kid, wrong key
    with pytest.raises(EnvelopeError):
        verify(env, Ed25519PrivateKey.generate().public_key())  # another device's key


def test_old_key_id_still_opens_after_rotation(sealer: Sealer, county_keys: Keyring) -> None:
    old_kid = county_keys.newest().kid
    before = sealer.next()
    new_kid = county_keys.add(X25519PrivateKey.generate())
    assert county_keys.newest().kid == new_kid != old_kid
    sealer.recipients = [county_keys.newest()]
    after = sealer.next()
    assert before.header.to == (old_kid,)
    assert after.header.to == (new_kid,)
    assert open_(before, county_keys.private_keys) == sample_payload(1)
    assert open_(after, county_keys.private_keys) == sample_payload(2)
    # The rotation is what matters: the new key alone cannot open the old envelope.
    with pytest.raises(EnvelopeError):
        open_(before, {new_kid: county_keys.private_keys[new_kid]})


def test_errors_are_opaque(sealer: Sealer, county_keys: Keyring,
                           device_key: Ed25519PrivateKey) -> None:
    env = sealer.next()
    messages = set()
    for raw in (b"", env.raw[:-1], b"XXXX" + env.raw[4:]):
        with pytest.raises(EnvelopeError) as err:
            Envelope.from_bytes(raw)
        messages.add(str(err.value))
    with pytest.raises(EnvelopeError) as err:
        open_(env, {})
    messages.add(str(err.value))
    with pytest.raises(EnvelopeError) as err:
        verify(env, Ed25519PrivateKey.generate().public_key())
    messages.add(str(err.value))
    assert messages == {"envelope cannot be opened or verified"}


def test_zip_bomb_is_refused(sealer: Sealer, craft: Craft, device_key: Ed25519PrivateKey,
                             county_keys: Keyring) -> None:
    bomb = zlib.compress(canonical_bytes({"x": "0" * (4 * MAX_PLAINTEXT)}), 9)
    assert len(bomb) < 10_000
    raw = craft(sealer.header(), bomb, sealer.recipients, device_key)
    env = Envelope.from_bytes(raw)
    verify(env, device_key.public_key())  # a genuine device's bomb: signature is fine
    with pytest.raises(EnvelopeError):
        open_(env, county_keys.private_keys)


def test_plaintext_limit_is_the_same_for_seal_and_open(sealer: Sealer, craft: Craft,
                                                       device_key: Ed25519PrivateKey,
                                                       county_keys: Keyring) -> None:
    overhead = len(canonical_bytes({"x": ""}))
    at_limit = {"x": "a" * (MAX_PLAINTEXT - overhead)}
    assert len(canonical_bytes(at_limit)) == MAX_PLAINTEXT
    assert open_(sealer.next(at_limit), county_keys.private_keys) == at_limit
    over = {"x": "a" * (MAX_PLAINTEXT - overhead + 1)}
    with pytest.raises(ValueError, match="too large"):
        seal(over, sealer.header(), sealer.recipients, device_key)
    raw = craft(sealer.header(), zlib.compress(canonical_bytes(over)), sealer.recipients,
                device_key)
    with pytest.raises(EnvelopeError):
        open_(Envelope.from_bytes(raw), county_keys.private_keys)


@pytest.mark.parametrize("compressed", [
    zlib.compress(canonical_bytes({"a": 1})) + b"junk",      # bytes after the zlib stream
    zlib.compress(canonical_bytes({"a": 1}))[:-3],           # truncated stream
    b"not zlib at all",
    zlib.compress(b'{"b":1,"a":2}'),                         # JSON, but not canonical
    zlib.compress(b'{"a":1.5}'),                             # a float
    zlib.compress(canonical_bytes([1, 2, 3])),               # not an object
    zlib.compress("é".encode("latin-1")),                    # not UTF-8
    b"",
])
def test_hostile_plaintexts_are_refused(compressed: bytes, sealer: Sealer, craft: Craft,
                                        device_key: Ed25519PrivateKey,
                                        county_keys: Keyring) -> None:
    raw = craft(sealer.header(), compressed, sealer.recipients, device_key)
    with pytest.raises(EnvelopeError):
        receive(raw, device_key, dict(county_keys.private_keys))


def test_seal_checks_recipients_against_the_header(sealer: Sealer,
                                                   device_key: Ed25519PrivateKey) -> None:
    header = sealer.header()
    other = Recipient.of(X25519PrivateKey.generate().public_key())
    with pytest.raises(ValueError, match="recipients"):
        seal({}, header, [other], device_key)
    with pytest.raises(ValueError, match="recipients"):
        seal({}, header, [*sealer.recipients, other], device_key)


def test_header_wire_form_is_strict(sealer: Sealer) -> None:
    good = sealer.header().to_wire()
    assert EnvelopeHeader.from_wire(good).to_wire() == good
    many = [f"k{i:016x}" for i in range(MAX_RECIPIENTS + 1)]
    bad_cases: list[dict[str, Any]] = [
        {**good, "v": 2},
        {**good, "seq": 0},
        {**good, "seq": True},
        {**good, "prev": "0" * 63},
        {**good, "prev": "A" * 64},
        {**good, "to": []},
        {**good, "to": many},
        {**good, "to": ["k1", "k1"]},
        {**good, "to": [""]},
        {**good, "extra": 1},
        {k: v for k, v in good.items() if k != "hlc"},
        {**good, "station": 5},
    ]
    for bad in bad_cases:
        with pytest.raises(EnvelopeError):
            EnvelopeHeader.from_wire(bad)


# Header fields the county stores as columns before it can judge a record: past these
# bounds the envelope does not parse (and is never sealed), so nothing overflows a column.
HEADER_BOUNDS = [
    ("id", "X" * 65),          # inbox.record_id is String(64)
    ("station", "S" * 65),     # inbox.station is String(64)
    ("device", "d" * 65),
    ("kind", "k" * 17),
    ("id", ""),
    ("seq", 2**63),            # past BIGINT
]


@pytest.mark.parametrize(("key", "value"), HEADER_BOUNDS,
                         ids=[f"{k}-{len(str(v))}" for k, v in HEADER_BOUNDS])
def test_header_fields_past_their_column_bounds_are_refused(
        sealer: Sealer, device_key: Ed25519PrivateKey, key: str, value: Any) -> None:
    header = sealer.header()
    with pytest.raises(EnvelopeError):
        EnvelopeHeader.from_wire({**header.to_wire(), key: value})
    with pytest.raises(ValueError, match=key):
        seal({}, dataclasses.replace(header, **{key: value}), sealer.recipients, device_key)


def test_header_fields_at_their_bounds_are_fine(sealer: Sealer) -> None:
    good = {**sealer.header().to_wire(), "id": "X" * 64, "station": "S" * 64,
            "kind": "k" * 16, "seq": 2**63 - 1}
    assert EnvelopeHeader.from_wire(good).to_wire() == good


def test_header_with_a_forged_field_fails_open_and_verify(sealer: Sealer,
                                                          device_key: Ed25519PrivateKey,
                                                          county_keys: Keyring) -> None:
    """Re-pack a genuine envelope around a different (valid) header: both checks refuse."""
    env = sealer.next()
    forged_header = dataclasses.replace(env.header, station="S999")
    hb = canonical_bytes(forged_header.to_wire())
    old_hb = env.header_bytes
    raw = env.raw[:4] + len(hb).to_bytes(4, "big") + hb + env.raw[8 + len(old_hb):]
    forged = Envelope.from_bytes(raw)
    assert forged.header.station == "S999"
    with pytest.raises(EnvelopeError):
        verify(forged, device_key.public_key())
    with pytest.raises(EnvelopeError):
        open_(forged, county_keys.private_keys)

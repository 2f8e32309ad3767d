"""Key ids and storage forms, request signing, signed acknowledgements."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from shared import EnvelopeError, KeyMaterialError, Keyring, ManualClock, Recipient, YizhanError
from shared.ack import sign_ack, verify_ack
from shared.auth import (
    H_NONCE,
    H_SIGNATURE,
    H_TIMESTAMP,
    RequestAuthError,
    check_request,
    sign_request,
    signing_input,
)
from shared.keys import (
    b64u,
    device_id_of,
    ed25519_private_from_pem,
    kid_of,
    private_to_pem,
    raw_public,
    unb64u,
    x25519_private_from_pem,
)

# --- keys -------------------------------------------------------------------------------------


def test_ids_are_recomputable_from_public_keys() -> None:
    x = X25519PrivateKey.generate().public_key()
    e = Ed25519PrivateKey.generate().public_key()
    assert kid_of(x) == "k" + hashlib.sha256(raw_public(x)).hexdigest()[:16]
    assert device_id_of(e) == "d" + hashlib.sha256(raw_public(e)).hexdigest()[:16]


def test_recipient_wire_form() -> None:
    r = Recipient.of(X25519PrivateKey.generate().public_key())
    back = Recipient.from_wire(r.to_wire())
    assert back.kid == r.kid
    assert raw_public(back.public_key) == raw_public(r.public_key)
    with pytest.raises(KeyMaterialError, match="does not match"):
        Recipient.from_wire({**r.to_wire(), "kid": "k0000000000000000"})
    with pytest.raises(KeyMaterialError):
        Recipient.from_wire({"kid": r.kid, "public_key": "AAAA"})


@pytest.mark.parametrize("passphrase", [None, b"correct horse battery staple"])
def test_private_keys_round_trip_through_pem(passphrase: bytes | None) -> None:
    x, e = X25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    x_back = x25519_private_from_pem(private_to_pem(x, passphrase), passphrase)
    e_back = ed25519_private_from_pem(private_to_pem(e, passphrase), passphrase)
    assert kid_of(x_back.public_key()) == kid_of(x.public_key())
    assert device_id_of(e_back.public_key()) == device_id_of(e.public_key())


def test_pem_refusals() -> None:
    x = X25519PrivateKey.generate()
    locked = private_to_pem(x, b"secret")
    with pytest.raises(KeyMaterialError, match="passphrase"):
        x25519_private_from_pem(locked, b"wrong")
    with pytest.raises(KeyMaterialError):
        x25519_private_from_pem(locked, None)
    with pytest.raises(KeyMaterialError, match="Ed25519"):
        ed25519_private_from_pem(private_to_pem(x, None), None)
    with pytest.raises(KeyMaterialError):
        x25519_private_from_pem(b"-----BEGIN nonsense", None)


def test_keyring_newest_seals_and_lists_all() -> None:
    with pytest.raises(KeyMaterialError, match="empty"):
        Keyring().newest()
    old, new = X25519PrivateKey.generate(), X25519PrivateKey.generate()
    ring = Keyring([old])
    new_kid = ring.add(new)
    assert ring.newest().kid == new_kid
    assert [r.kid for r in ring.recipients()] == [kid_of(old.public_key()), new_kid]
    assert len(ring) == 2


# Property tests run with deadline=None: on a loaded 2-core CI machine one slow example
# (a GC pause, a busy neighbour) must not become a Flaky "unreliable timings" failure.
@settings(deadline=None)
@given(st.binary(max_size=100))
def test_b64u_round_trip(data: bytes) -> None:
    text = b64u(data)
    assert "=" not in text
    assert unb64u(text) == data


@pytest.mark.parametrize("text", [
    "AB==",        # padding
    "A",           # impossible length
    "AB+/",        # standard alphabet
    "AB!C",        # stray character
    "AB C",
    "AF",          # non-zero unused bits ("AE" is the canonical form of the same byte)
    "ＡＢ",         # full-width
])
def test_unb64u_refuses_non_canonical_text(text: str) -> None:
    with pytest.raises(ValueError, match="base64url"):
        unb64u(text)


# --- request signing -------------------------------------------------------------------------


def test_signed_request_checks_out(device_key: Ed25519PrivateKey,
                                   manual_clock: ManualClock) -> None:
    device = device_id_of(device_key.public_key())
    body = b'{"envelopes":[]}'
    headers = sign_request("post", "/v1/push?x=1", body, device, device_key, manual_clock)
    nonce, ts = check_request("POST", "/v1/push?x=1", body, headers,
                              device_key.public_key(), manual_clock)
    assert nonce == headers[H_NONCE]
    assert ts == int(manual_clock.now().timestamp())
    assert len(unb64u(nonce)) == 16


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/v1/push?x=1", b'{"envelopes":[]}'),     # method changed
    ("POST", "/v1/push?x=2", b'{"envelopes":[]}'),    # query changed
    ("POST", "/v1/push?x=1", b'{"envelopes":[1]}'),   # body changed
])
def test_any_change_to_the_request_fails(method: str, path: str, body: bytes,
                                         device_key: Ed25519PrivateKey,
                                         manual_clock: ManualClock) -> None:
    device = device_id_of(device_key.public_key())
    headers = sign_request("POST", "/v1/push?x=1", b'{"envelopes":[]}', device, device_key,
                           manual_clock)
    with pytest.raises(RequestAuthError) as err:
        check_request(method, path, body, headers, device_key.public_key(), manual_clock)
    assert err.value.code == "auth_signature"


def test_stale_and_missing_authentication(device_key: Ed25519PrivateKey,
                                          manual_clock: ManualClock) -> None:
    key = device_key.public_key()
    headers = sign_request("GET", "/v1/changes", b"", "d1", device_key, manual_clock)
    manual_clock.advance(300)
    check_request("GET", "/v1/changes", b"", headers, key, manual_clock)   # edge of window
    manual_clock.advance(1)
    with pytest.raises(RequestAuthError) as err:
        check_request("GET", "/v1/changes", b"", headers, key, manual_clock)
    assert err.value.code == "auth_stale"
    for dropped in (H_TIMESTAMP, H_SIGNATURE, H_NONCE):
        partial = {k: v for k, v in headers.items() if k != dropped}
        with pytest.raises(RequestAuthError) as err:
            check_request("GET", "/v1/changes", b"", partial, key, manual_clock)
        assert err.value.code == "auth_missing"
    with pytest.raises(RequestAuthError) as err:
        check_request("GET", "/v1/changes", b"", {**headers, H_NONCE: "short"}, key,
                      manual_clock)
    assert err.value.code == "auth_missing"


@pytest.mark.parametrize("mangle", [
    lambda t: " " + t,                                    # int() would strip it
    lambda t: "+" + t,                                    # int() would take the sign
    lambda t: t[:4] + "_" + t[4:],                        # int() would take the underscore
    lambda t: "".join(chr(0x660 + int(d)) for d in t),    # Arabic-Indic digits
    lambda t: "".join(chr(0xFF10 + int(d)) for d in t),   # full-width digits
    lambda t: t + "0" * 3,                                # milliseconds, not seconds
    lambda t: "",
])
def test_timestamp_header_is_plain_decimal_seconds(mangle: Any, device_key: Ed25519PrivateKey,
                                                   manual_clock: ManualClock) -> None:
    """The header must be the very text that was signed; other spellings of it are refused."""
    headers = sign_request("GET", "/v1/changes", b"", "d1", device_key, manual_clock)
    mangled = {**headers, H_TIMESTAMP: mangle(headers[H_TIMESTAMP])}
    with pytest.raises(RequestAuthError) as err:
        check_request("GET", "/v1/changes", b"", mangled, device_key.public_key(), manual_clock)
    assert err.value.code in ("auth_missing", "auth_stale")


def test_request_auth_errors_belong_to_the_package_tree() -> None:
    assert issubclass(RequestAuthError, YizhanError)


def test_signing_input_layout() -> None:
    assert signing_input("get", "/v1/x?a=b", b"", 1763690400, "n" * 22, "d0") == (
        b"yizhan-request-v1\nGET\n/v1/x?a=b\n"
        + hashlib.sha256(b"").hexdigest().encode()
        + b"\n1763690400\n" + b"n" * 22 + b"\nd0")


# --- acknowledgements ------------------------------------------------------------------------


def test_ack_round_trip_and_refusals() -> None:
    server = Ed25519PrivateKey.generate()
    stored = [("01J0000000000000000000000A", "a" * 64), ("01J0000000000000000000000B", "b" * 64)]
    wire = sign_ack("d1", stored, "2026-11-21T02:00:00.000Z", server)
    ack = verify_ack(wire, server.public_key(), "d1")
    assert ack.stored == tuple(stored)
    assert ack.device == "d1"
    with pytest.raises(EnvelopeError):
        verify_ack(wire, server.public_key(), "d2")                  # for another device
    with pytest.raises(EnvelopeError):
        verify_ack(wire, Ed25519PrivateKey.generate().public_key(), "d1")   # not the server
    tampered = {"body": {**wire["body"], "stored": wire["body"]["stored"][:1]},
                "signature": wire["signature"]}
    with pytest.raises(EnvelopeError):
        verify_ack(tampered, server.public_key(), "d1")
    for junk in (None, [], {"body": 1}, {"body": wire["body"], "signature": "!!"}):
        with pytest.raises(EnvelopeError):
            verify_ack(junk, server.public_key(), "d1")

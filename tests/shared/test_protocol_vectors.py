"""docs/protocol.md: its test vectors are current, and its envelope opens from the page alone.

``open_from_the_page`` is what another team would write from docs/protocol.md: it parses the
layout, unwraps the data key with RFC 9180 HPKE built here from X25519, HKDF and AES-GCM
primitives (not ``cryptography``'s HPKE), decrypts, inflates and checks the signature. If the
page described the bytes wrongly, this would fail.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import subprocess
import sys
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

from shared import Envelope, open_, verify
from shared._errors import FeedError
from shared.canonical import loads_canonical
from shared.feed import Trust, open_page
from shared.keys import b64u, kid_of, raw_public, unb64u

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "protocol.md"
SCRIPT = ROOT / "scripts" / "protocol_vectors.py"


# --- RFC 9180, base mode, DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / AES-256-GCM -----------

def _extract(salt: bytes, ikm: bytes) -> bytes:
    return hmac.new(salt or bytes(32), ikm, hashlib.sha256).digest()


def _expand(prk: bytes, info: bytes, length: int) -> bytes:
    return HKDFExpand(hashes.SHA256(), length, info).derive(prk)


def _labeled_extract(suite: bytes, salt: bytes, label: bytes, ikm: bytes) -> bytes:
    return _extract(salt, b"HPKE-v1" + suite + label + ikm)


def _labeled_expand(suite: bytes, prk: bytes, label: bytes, info: bytes, length: int) -> bytes:
    return _expand(prk, struct.pack(">H", length) + b"HPKE-v1" + suite + label + info, length)


def hpke_open_base(sk: X25519PrivateKey, wrapped: bytes, info: bytes) -> bytes:
    enc, ct = wrapped[:32], wrapped[32:]
    kem_suite = b"KEM" + struct.pack(">H", 0x0020)
    dh = sk.exchange(X25519PublicKey.from_public_bytes(enc))
    kem_context = enc + raw_public(sk.public_key())
    eae_prk = _labeled_extract(kem_suite, b"", b"eae_prk", dh)
    shared_secret = _labeled_expand(kem_suite, eae_prk, b"shared_secret", kem_context, 32)
    suite = b"HPKE" + struct.pack(">HHH", 0x0020, 0x0001, 0x0002)
    psk_id_hash = _labeled_extract(suite, b"", b"psk_id_hash", b"")
    info_hash = _labeled_extract(suite, b"", b"info_hash", info)
    context = b"\x00" + psk_id_hash + info_hash
    secret = _labeled_extract(suite, shared_secret, b"secret", b"")
    key = _labeled_expand(suite, secret, b"key", context, 32)
    base_nonce = _labeled_expand(suite, secret, b"base_nonce", context, 12)
    return AESGCM(key).decrypt(base_nonce, ct, b"")


def open_from_the_page(raw: bytes, sk: X25519PrivateKey, device: Ed25519PublicKey) -> Any:
    assert raw[:4] == b"YZE1"
    (hlen,) = struct.unpack(">I", raw[4:8])
    header_bytes = raw[8:8 + hlen]
    header = loads_canonical(header_bytes)
    pos = 8 + hlen
    count = raw[pos]
    pos += 1
    wraps = []
    for _ in range(count):
        (wlen,) = struct.unpack(">H", raw[pos:pos + 2])
        wraps.append(raw[pos + 2:pos + 2 + wlen])
        pos += 2 + wlen
    nonce = raw[pos:pos + 12]
    (clen,) = struct.unpack(">I", raw[pos + 12:pos + 16])
    ciphertext = raw[pos + 16:pos + 16 + clen]
    signature = raw[pos + 16 + clen:]
    assert len(signature) == 64
    device.verify(signature, b"yizhan-envelope-v1 sig\x00" + raw[:-64])
    wrapped = wraps[header["to"].index(kid_of(sk.public_key()))]
    info = b"yizhan-envelope-v1 wrap\x00" + hashlib.sha256(header_bytes).digest()
    data_key = hpke_open_base(sk, wrapped, info)
    compressed = AESGCM(data_key).decrypt(nonce, ciphertext, header_bytes)
    return header, loads_canonical(zlib.decompress(compressed))


# --- reading the page -------------------------------------------------------------------------

def page() -> str:
    return DOC.read_text(encoding="utf-8")


def key_row(name: str) -> tuple[str, str, str]:
    match = re.search(rf"^\| {name} \| `([0-9a-f]+)` \| `([A-Za-z0-9_-]+)` \| `?([a-z0-9]*)`? \|",
                      page(), re.MULTILINE)
    assert match, f"no key row for {name}"
    return match.group(1), match.group(2), match.group(3)


def block_after(title: str, fence: str = "```") -> str:
    text = page()
    start = text.index(fence + "\n", text.index(title)) + len(fence) + 1
    return text[start:text.index("```", start)].strip()


def test_vectors_section_is_current() -> None:
    result = subprocess.run([sys.executable, str(SCRIPT), "--check", str(DOC)],
                            capture_output=True, text=True, check=False, cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_check_notices_a_stale_or_broken_section(tmp_path: Path) -> None:
    """The check above is worth something: an edited vector or envelope fails it."""
    text = page()
    stale = tmp_path / "stale.md"
    stale.write_text(text.replace("### PIN verifier\n\nCode `", "### PIN verifier\n\nCode  `"),
                     encoding="utf-8")
    broken = tmp_path / "broken.md"
    hex_block = block_after("### Sealed envelope", "```envelope")
    flipped = hex_block[:200] + ("0" if hex_block[200] != "0" else "1") + hex_block[201:]
    broken.write_text(text.replace(hex_block, flipped), encoding="utf-8")
    for path in (stale, broken):
        result = subprocess.run([sys.executable, str(SCRIPT), "--check", str(path)],
                                capture_output=True, text=True, check=False, cwd=ROOT)
        assert result.returncode == 1
        assert str(path) in result.stderr


@pytest.mark.parametrize("recipient", ["county X25519", "station X25519"])
def test_published_envelope_opens_from_the_page_alone(recipient: str) -> None:
    private_hex, public_b64, kid = key_row(recipient)
    sk = X25519PrivateKey.from_private_bytes(bytes.fromhex(private_hex))
    assert b64u(raw_public(sk.public_key())) == public_b64
    assert kid_of(sk.public_key()) == kid
    _, device_b64, device_id = key_row("device Ed25519")
    device = Ed25519PublicKey.from_public_bytes(unb64u(device_b64))
    raw = bytes.fromhex(block_after("### Sealed envelope", "```envelope").replace("\n", ""))
    header, payload = open_from_the_page(raw, sk, device)
    assert header["device"] == device_id
    assert payload == loads_canonical(block_after("Payload sealed inside").encode())
    assert header == loads_canonical(block_after("Header (canonical JSON").encode())
    # ...and the reference implementation agrees with the page.
    env = Envelope.from_bytes(raw)
    verify(env, device)
    assert open_(env, {kid: sk}) == payload
    assert f"`{env.hash}`" in page()


def test_published_receipt_and_request_signatures_verify() -> None:
    _, device_b64, _ = key_row("device Ed25519")
    device = Ed25519PublicKey.from_public_bytes(unb64u(device_b64))
    qr = block_after("### Receipt QR payload").replace("\n", "")
    prefix, claims, signature = qr.split(".")
    assert prefix == "YZR1"
    device.verify(unb64u(signature), b"yizhan-receipt-v1\x00" + unb64u(claims))
    signing_input = block_after("### Request signing").encode()
    assert hashlib.sha256(signing_input).hexdigest() in page()
    sig = re.search(r"`X-Yizhan-Signature`: `([A-Za-z0-9_-]+)`", page())
    assert sig
    device.verify(unb64u(sig.group(1)), signing_input)


def test_published_receipt_v2_link_is_the_v1_receipt_behind_the_status_page() -> None:
    """Receipt v2, from the page's byte-by-byte rules: public_url || "/r#" || "YZR2." ||
    the v1 claims and signature, unchanged; the reference reader agrees."""
    _, device_b64, device_id = key_row("device Ed25519")
    device = Ed25519PublicKey.from_public_bytes(unb64u(device_b64))
    v1 = block_after("### Receipt QR payload").replace("\n", "")
    link = block_after("### Receipt QR link (v2)").replace("\n", "")
    url = re.search(r"`public_url` `([^`]+)`", page())
    assert url
    address, fragment = link.split("#")
    assert address == url.group(1) + "/r"
    prefix, claims, signature = fragment.split(".")
    assert prefix == "YZR2"
    assert [claims, signature] == v1.split(".")[1:]
    device.verify(unb64u(signature), b"yizhan-receipt-v1\x00" + unb64u(claims))
    assert f"({len(link)} ASCII characters" in page()
    from shared.receipt import read_receipt, receipt_version, verify_receipt

    assert verify_receipt(link, {device_id: device}) == read_receipt(v1)
    assert (receipt_version(link), receipt_version(v1)) == (2, 1)


# --- deterministic vectors recomputed from the page's rules, not from shared/ ----------------

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def luhn32_from_the_page(data: str) -> str:
    factor, total = 2, 0
    for ch in reversed(data):
        addend = factor * CROCKFORD.index(ch)
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return CROCKFORD[(32 - total % 32) % 32]


def test_published_times_ids_and_clock_stamps_agree_with_each_other() -> None:
    """The time vector, ULID time part, HLC wall and request timestamp name one instant."""
    match = re.search(r"Time `([^`]+)` = `(\d+)` ms: ULID time part `([0-9A-Z]{10})`; "
                      r"the record id used below is `([0-9A-Z]{26})`", page())
    assert match
    text, millis, ulid_time, record_id = match.groups()
    when = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert int(millis) == (when - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)
    value = 0
    for ch in ulid_time:
        value = value * 32 + CROCKFORD.index(ch)
    assert value == int(millis)
    assert record_id.startswith(ulid_time)
    assert f"`{int(millis):016d}.000007." in page()                       # HLC vector
    assert f'"hlc":"{int(millis):016d}.000000.' in page()                 # envelope header
    assert f'"created":"{text}"' in page()
    assert block_after("### Request signing").splitlines()[4] == str(int(millis) // 1000)


def test_published_check_characters_and_pin_verifier_follow_the_page() -> None:
    rows = re.findall(r"^\| `([0-9A-Z]{10})` \| `([0-9A-Z])` \| `([0-9A-Z]{11})` \| "
                      r"`([0-9A-Z-]{13})` \|$", page(), re.MULTILINE)
    assert len(rows) == 3
    for data, check, code, printed in rows:
        assert luhn32_from_the_page(data) == check
        assert code == data + check
        assert printed == f"{code[:4]}-{code[4:8]}-{code[8:]}"
    match = re.search(r"Code `([0-9A-Z]{11})`, PIN `(\d{6})` -> `([0-9a-f]{64})`", page())
    assert match
    code, pin, verifier = match.groups()
    assert hashlib.sha256(b"yizhan-pin-v1\x00" + code.encode() + b"\x00" + pin.encode()
                          ).hexdigest() == verifier


def test_published_canonical_bytes_follow_the_page() -> None:
    """Sorted keys by code point, NFC, no whitespace, escapes only where the page says."""
    canon = bytes.fromhex(block_after("Canonical bytes (hex)").replace("\n", ""))
    expected = ('{"a":{"b":"\U0001f600","y":"tab\\tline\\n"},'
                '"name":"Jos\u00e9 \u5f20\u4e09","z":[3,-1,true,null]}').encode()
    assert canon == expected
    assert f"SHA-256: `{hashlib.sha256(canon).hexdigest()}`" in page()


def test_published_s1_pin_verifier_follows_the_page() -> None:
    """The s1 vector, recomputed with the standard library's scrypt (not cryptography's)."""
    match = re.search(r"s1: code `([0-9A-Z]{11})`, PIN `(\d{6})`, salt \(hex\) `([0-9a-f]{32})` "
                      r"-> `(s1\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})`", page())
    assert match
    code, pin, salt_hex, verifier = match.groups()
    salt = bytes.fromhex(salt_hex)
    digest = hashlib.scrypt(b"yizhan-pin-s1\x00" + code.encode() + b"\x00" + pin.encode(),
                            salt=salt, n=2**13, r=8, p=1, dklen=32)
    b64 = base64.urlsafe_b64encode
    assert verifier == f"s1.{b64(salt).rstrip(b'=').decode()}.{b64(digest).rstrip(b'=').decode()}"


# --- the signed feed, checked with Ed25519 alone from the page's bytes ------------------------

def server_row(name: str) -> str:
    """The public key (base64url) of a server key row, which has no kid column."""
    match = re.search(rf"^\| {name} \| `[0-9a-f]+` \| `([A-Za-z0-9_-]+)` \| \|$", page(),
                      re.MULTILINE)
    assert match, f"no key row for {name}"
    return match.group(1)


def signature_after(title: str) -> bytes:
    text = page()
    match = re.search(r"`signature`: `([A-Za-z0-9_-]+)`", text[text.index(title):])
    assert match
    return unb64u(match.group(1))


@pytest.mark.parametrize(("title", "prefix", "signer"), [
    # key statement 1 is signed by the key a kiosk enrolled with
    ("### Key statement", b"yizhan-keys-v1\x00", "server Ed25519"),
    # the page and the ack bundle by the key the statement leads to
    ("### Changes page", b"yizhan-feed-v1\x00", "server2 Ed25519"),
    ("### Ack bundle", b"yizhan-ack-bundle-v1\x00", "server2 Ed25519"),
])
def test_published_feed_signatures_verify_from_the_page(title: str, prefix: bytes,
                                                         signer: str) -> None:
    public_b64 = server_row(signer)
    signed = block_after(title).encode()
    assert loads_canonical(signed)  # the signed bytes are canonical JSON
    Ed25519PublicKey.from_public_bytes(unb64u(public_b64)).verify(signature_after(title),
                                                                  prefix + signed)


def test_published_rotation_chain_leads_from_the_enrolled_key_to_the_page() -> None:
    """The statement names county2 and server2; the page carries it, signed, for the device
    and the cursor it names; the reference implementation walks it the same way."""
    statement = loads_canonical(block_after("### Key statement").encode())
    server2 = server_row("server2 Ed25519")
    assert statement["server_key"] == server2
    assert [k["kid"] for k in statement["keys"]] == [key_row("county X25519")[2],
                                                      key_row("county2 X25519")[2]]
    signed_page = loads_canonical(block_after("### Changes page").encode())
    assert signed_page["keys"] == [{**statement, "signature": b64u(signature_after(
        "### Key statement"))}]
    answer = {**signed_page, "signature": b64u(signature_after("### Changes page"))}
    server1 = server_row("server Ed25519")
    enrolled = Trust.from_public({"county": statement["county"], "server_key": server1,
                                  "keys": [{"kid": key_row("county X25519")[2],
                                            "public_key": key_row("county X25519")[1]}]})
    trust, verified = open_page(answer, enrolled, signed_page["device"], "41")
    assert (trust.serial, b64u(raw_public(trust.server_key))) == (1, server2)
    assert (verified.cursor, verified.more) == ("42", False)
    assert verified.changes == tuple(signed_page["changes"])
    with pytest.raises(FeedError):  # the same page is no good from another cursor
        open_page(answer, enrolled, signed_page["device"], "40")

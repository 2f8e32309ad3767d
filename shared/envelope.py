"""Sealed envelope v1: how one record travels from a kiosk to the county, and is chained.

Byte layout (big-endian; docs/protocol.md has the full description)::

    "YZE1"                      4   magic and version
    H                           4   header length
    header                      H   canonical JSON (see EnvelopeHeader)
    R                           1   number of recipients, = len(header.to), 1..8
    R x (W:2, wrapped:W)            HPKE(X25519, HKDF-SHA256, AES-256-GCM) single-shot
                                    encryption of the 32-byte data key to header.to[i],
                                    info = INFO_PREFIX || SHA-256(header)
    nonce                       12  random
    C                           4   ciphertext length
    ciphertext                  C   AES-256-GCM(data key, nonce, zlib(canonical payload),
                                    aad = header)
    signature                   64  Ed25519 by the device over SIG_PREFIX || all bytes above

The envelope hash is SHA-256 over all its bytes, signature included. Each header names the
hash of the device's previous envelope (``prev``) and its sequence number (``seq``), so the
device's envelopes form a hash chain: verifying the signature of the *last* envelope of a
contiguous run authenticates every envelope in the run (see ``verify_run``). That is the
batch signature: one Ed25519 verification per run instead of one per record.

Every failure to parse, verify or open raises the same opaque ``EnvelopeError``.
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol, TypeVar

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared._errors import CanonicalError, ChainError, EnvelopeError
from shared.canonical import canonical_bytes, loads_canonical
from shared.keys import Recipient

MAGIC = b"YZE1"
INFO_PREFIX = b"yizhan-envelope-v1 wrap\x00"
SIG_PREFIX = b"yizhan-envelope-v1 sig\x00"
GENESIS = "0" * 64
MAX_HEADER = 4096
MAX_CIPHERTEXT = 1 << 20
MAX_PLAINTEXT = 1 << 20
MAX_RECIPIENTS = 8
SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)

_HEX64 = re.compile("[0-9a-f]{64}")  # a SHA-256 in lower-case hex
# Header fields the county stores as columns before it can judge the record (the inbox's
# record_id and station, String(64); seq, BIGINT): longer or larger cannot be stored, so
# the envelope does not parse. The others are judged when the record is merged.
MAX_HEADER_TEXT = {"kind": 16, "id": 64, "device": 64, "station": 64}
MAX_SEQ = 2**63 - 1
_HEADER_KEYS = {"v": int, "kind": str, "id": str, "device": str, "station": str, "seq": int,
                "prev": str, "created": str, "hlc": str, "to": list}


@dataclass(frozen=True)
class EnvelopeHeader:
    """The cleartext header: routing and chaining facts, no personal data."""

    kind: str
    id: str
    device: str
    station: str
    seq: int
    prev: str
    created: str
    hlc: str
    to: tuple[str, ...]

    def to_wire(self) -> dict[str, Any]:
        return {"v": 1, "kind": self.kind, "id": self.id, "device": self.device,
                "station": self.station, "seq": self.seq, "prev": self.prev,
                "created": self.created, "hlc": self.hlc, "to": list(self.to)}

    @classmethod
    def from_wire(cls, data: object) -> EnvelopeHeader:
        if not isinstance(data, dict) or set(data) != set(_HEADER_KEYS):
            raise EnvelopeError("header keys")
        for key, typ in _HEADER_KEYS.items():
            if not isinstance(data[key], typ) or isinstance(data[key], bool):
                raise EnvelopeError(f"header field {key}")
        to = data["to"]
        if data["v"] != 1 or not 1 <= data["seq"] <= MAX_SEQ \
                or not (1 <= len(to) <= MAX_RECIPIENTS):
            raise EnvelopeError("header values")
        for key, limit in MAX_HEADER_TEXT.items():
            if not 0 < len(data[key]) <= limit:
                raise EnvelopeError(f"header field {key} length")
        if not all(isinstance(k, str) and k for k in to) or len(set(to)) != len(to):
            raise EnvelopeError("header recipients")
        prev = data["prev"]
        if not _HEX64.fullmatch(prev):
            raise EnvelopeError("header prev")
        return cls(data["kind"], data["id"], data["device"], data["station"], data["seq"],
                   prev, data["created"], data["hlc"], tuple(to))


@dataclass(frozen=True)
class Envelope:
    """A parsed (not yet opened) envelope. ``raw`` is the exact bytes that were signed."""

    raw: bytes
    header: EnvelopeHeader
    header_bytes: bytes
    wrapped: tuple[bytes, ...]
    nonce: bytes
    ciphertext: bytes
    signature: bytes

    @cached_property
    def hash(self) -> str:
        """Hex SHA-256 of the whole envelope: what the next envelope's ``prev`` names.

        Computed once (the server asks for it several times per record)."""
        return hashlib.sha256(self.raw).hexdigest()

    @classmethod
    def from_bytes(cls, raw: bytes) -> Envelope:
        """Parse the layout strictly. Raises EnvelopeError on any deviation."""
        try:
            return cls._parse(bytes(raw))
        except (struct.error, IndexError, CanonicalError, UnicodeDecodeError) as exc:
            raise EnvelopeError(f"layout: {exc}") from None

    @classmethod
    def _parse(cls, raw: bytes) -> Envelope:
        if raw[:4] != MAGIC:
            raise EnvelopeError("magic")
        (hlen,) = struct.unpack_from(">I", raw, 4)
        if not 0 < hlen <= MAX_HEADER:
            raise EnvelopeError("header length")
        pos = 8 + hlen
        header_bytes = raw[8:pos]
        if len(header_bytes) != hlen:
            raise EnvelopeError("truncated header")
        header = EnvelopeHeader.from_wire(loads_canonical(header_bytes))
        count = raw[pos]
        pos += 1
        if count != len(header.to):
            raise EnvelopeError("recipient count")
        wrapped = []
        for _ in range(count):
            (wlen,) = struct.unpack_from(">H", raw, pos)
            pos += 2
            wrapped.append(raw[pos:pos + wlen])
            if len(wrapped[-1]) != wlen:
                raise EnvelopeError("truncated wrap")
            pos += wlen
        nonce = raw[pos:pos + 12]
        (clen,) = struct.unpack_from(">I", raw, pos + 12)
        pos += 16
        if len(nonce) != 12 or clen > MAX_CIPHERTEXT:
            raise EnvelopeError("ciphertext length")
        ciphertext = raw[pos:pos + clen]
        signature = raw[pos + clen:]
        if len(ciphertext) != clen or len(signature) != 64:
            raise EnvelopeError("trailing bytes")
        return cls(raw, header, header_bytes, tuple(wrapped), nonce, ciphertext, signature)


def _info(header_bytes: bytes) -> bytes:
    return INFO_PREFIX + hashlib.sha256(header_bytes).digest()


def seal(payload: Mapping[str, Any], header: EnvelopeHeader, recipients: Sequence[Recipient],
         device_key: Ed25519PrivateKey) -> Envelope:
    """Seal ``payload`` to ``recipients`` (in ``header.to`` order) and sign with the device key.

    Returns the parsed Envelope (``.raw`` holds the bytes). Raises ValueError if the
    recipients do not match ``header.to`` or a header field is past its bound
    (MAX_HEADER_TEXT, MAX_SEQ), and CanonicalError if the payload cannot be encoded.
    """
    if tuple(r.kid for r in recipients) != header.to:
        raise ValueError("recipients must match header.to, in order")
    wire = header.to_wire()
    for key, limit in MAX_HEADER_TEXT.items():  # what from_bytes would refuse: never seal it
        if not 0 < len(wire[key]) <= limit:
            raise ValueError(f"header {key} must be 1..{limit} characters")
    if not 1 <= header.seq <= MAX_SEQ:
        raise ValueError(f"header seq must be 1..{MAX_SEQ}")
    header_bytes = canonical_bytes(wire)
    if len(header_bytes) > MAX_HEADER:
        raise ValueError("header too large")
    encoded = canonical_bytes(dict(payload))
    if len(encoded) > MAX_PLAINTEXT:
        raise ValueError("payload too large")  # open_ would refuse it: never seal it
    plaintext = zlib.compress(encoded, 6)
    if len(plaintext) > MAX_CIPHERTEXT - 16:
        raise ValueError("payload too large")
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(12)
    ciphertext = AESGCM(data_key).encrypt(nonce, plaintext, header_bytes)
    info = _info(header_bytes)
    wrapped = [SUITE.encrypt(data_key, r.public_key, info=info) for r in recipients]
    parts = [MAGIC, struct.pack(">I", len(header_bytes)), header_bytes, bytes([len(recipients)])]
    for w in wrapped:
        parts += [struct.pack(">H", len(w)), w]
    parts += [nonce, struct.pack(">I", len(ciphertext)), ciphertext]
    body = b"".join(parts)
    signature = device_key.sign(SIG_PREFIX + body)
    return Envelope(body + signature, header, header_bytes, tuple(wrapped), nonce, ciphertext,
                    signature)


def verify(envelope: Envelope, device_key: Ed25519PublicKey) -> None:
    """Check the device signature over the envelope. Raises EnvelopeError if it fails."""
    try:
        device_key.verify(envelope.signature, SIG_PREFIX + envelope.raw[:-64])
    except InvalidSignature:
        raise EnvelopeError("signature") from None


def open_(envelope: Envelope, private_keys: Mapping[str, X25519PrivateKey]) -> dict[str, Any]:
    """Decrypt the payload with whichever of ``private_keys`` (by kid) it was sealed to.

    Does not check the signature (call ``verify`` or ``verify_run``). Returns the payload.
    Raises EnvelopeError if no key fits or anything fails to decrypt or decode.
    """
    info = _info(envelope.header_bytes)
    for kid, wrapped in zip(envelope.header.to, envelope.wrapped, strict=True):
        key = private_keys.get(kid)
        if key is None:
            continue
        try:
            data_key = SUITE.decrypt(wrapped, key, info=info)
            compressed = AESGCM(data_key).decrypt(envelope.nonce, envelope.ciphertext,
                                                  envelope.header_bytes)
            inflater = zlib.decompressobj()
            # One byte over the limit tells "too large" from "exactly at the limit".
            plaintext = inflater.decompress(compressed, MAX_PLAINTEXT + 1)
            if len(plaintext) > MAX_PLAINTEXT or not inflater.eof or inflater.unused_data:
                raise EnvelopeError("payload too large, truncated or followed by junk")
            payload = loads_canonical(plaintext)
        except (InvalidTag, ValueError, zlib.error, CanonicalError) as exc:
            raise EnvelopeError(f"decrypt: {type(exc).__name__}") from None
        if not isinstance(payload, dict):
            raise EnvelopeError("payload is not an object")
        return payload
    raise EnvelopeError("no key for any recipient")


@dataclass(frozen=True)
class ChainPoint:
    """Where a device's verified chain ends: its last seq and that envelope's hash."""

    seq: int
    hash: str


START = ChainPoint(0, GENESIS)


class Linked(Protocol):
    """A chain record as the link checks see it: v1 envelopes and stored v2 records."""

    @property
    def header(self) -> EnvelopeHeader: ...

    @property
    def hash(self) -> str: ...


L = TypeVar("L", bound=Linked)


def check_links(run: Sequence[Linked], anchor: ChainPoint | None = None) -> None:
    """Check that ``run`` is one device's contiguous chain segment, following ``anchor``
    when given: each seq one more than the one before, each ``prev`` the hash before it.
    Raises ChainError naming the gap, reordering, fork or replaced record."""
    if not run:
        raise ChainError("empty run")
    device = run[0].header.device
    expected_seq = anchor.seq + 1 if anchor else run[0].header.seq
    expected_prev = anchor.hash if anchor else run[0].header.prev
    for env in run:
        h = env.header
        if h.device != device:
            raise ChainError(f"seq {h.seq} is from device {h.device}, not {device}")
        if h.seq != expected_seq:
            kind = "missing" if h.seq > expected_seq else "out of order or repeated"
            raise ChainError(f"expected seq {expected_seq}, found {h.seq}: record {kind}")
        if h.prev != expected_prev:
            raise ChainError(f"seq {h.seq} does not follow seq {h.seq - 1}: "
                             "a record was replaced or the chain forked")
        expected_seq, expected_prev = h.seq + 1, env.hash


def verify_run(run: Sequence[Envelope], device_key: Ed25519PublicKey,
               anchor: ChainPoint | None = None) -> ChainPoint:
    """Verify a contiguous run of one device's envelopes with a single signature check.

    Each envelope must have seq one more than the one before and ``prev`` equal to its hash;
    the first must follow ``anchor`` when given. Only the last envelope's signature is
    checked: the hash links make it cover the rest. Returns the new end of the chain.
    Raises ChainError for a gap, reordering, fork or replaced record, EnvelopeError for a
    bad signature.
    """
    check_links(run, anchor)
    verify(run[-1], device_key)
    return ChainPoint(run[-1].header.seq, run[-1].hash)


def split_runs(envelopes: Sequence[L]) -> list[list[L]]:
    """Sort one device's envelopes by seq and split them where the hash chain breaks
    (v1 envelopes, or any record with a header and a hash: ``shared.anyenv``)."""
    ordered = sorted(envelopes, key=lambda e: e.header.seq)
    runs: list[list[L]] = []
    for env in ordered:
        last = runs[-1][-1] if runs else None
        if last is not None and env.header.seq == last.header.seq + 1 \
                and env.header.prev == last.hash:
            runs[-1].append(env)
        else:
            runs.append([env])
    return runs

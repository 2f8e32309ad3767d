"""Sealed envelope v2: a sealing epoch, a one-way key ratchet, zstd with a shipped dictionary.

v1 (``shared.envelope``) wraps a fresh data key to every recipient in every envelope: two
X25519 operations and ~164 bytes per record. v2 does the key agreement once per **epoch**:

* an **epoch** message (``"YZP2"``) carries a random 32-byte epoch secret ``S``, sealed with
  HPKE (X25519, HKDF-SHA256, AES-256-GCM, single-shot) to each recipient, and is signed by
  the device;
* each **record** (``"YZR2"``) names its epoch and its index ``n`` in it; its key is
  ``K_n`` from the ratchet ``CK_0 = HKDF(S)``, ``K_n = HMAC(CK_n, 0x01)``,
  ``CK_n+1 = HMAC(CK_n, 0x02)``. The sealer holds only the next chain key, in memory; each
  record key is dropped as soon as it has been used, ``S`` as soon as ``CK_0`` is made. What
  a stolen kiosk holds (its disk, and even its memory) derives keys of records not yet
  sealed, never of one sealed before: HMAC-SHA256 cannot be run backwards. The security
  argument is in docs/protocol.md ("Sealed envelope v2").

The payload is canonical JSON compressed with zstd and the dictionary of this protocol
version (``shared/data/zstd-v2.dict``, pinned by its SHA-256) before it is encrypted. Records
keep v1's chain: ``prev`` is the SHA-256 of the previous record's bytes (the previous record
may be a v1 envelope), and the device signs every record, so one signature of the last record
of a contiguous run authenticates the run.

Every failure to parse, verify or open raises the opaque ``EnvelopeError``, as v1.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import zstandard
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, hpke
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shared._errors import CanonicalError, EnvelopeError
from shared.canonical import canonical_bytes, loads_canonical
from shared.keys import Recipient

EPOCH_MAGIC = b"YZP2"
RECORD_MAGIC = b"YZR2"
EPOCH_INFO = b"yizhan-envelope-v2 epoch\x00"
EPOCH_SIG = b"yizhan-envelope-v2 epoch sig\x00"
CHAIN_INFO = b"yizhan-envelope-v2 chain\x00"
RECORD_SIG = b"yizhan-envelope-v2 sig\x00"
NONCE = bytes(12)  # every record key encrypts exactly one message (see docs/protocol.md)
MAX_EPOCH_RECORDS = 1 << 16  # then a new epoch: opening record n costs n HMACs at worst
MAX_PLAINTEXT = 1 << 20
MAX_CIPHERTEXT = 1 << 20
MAX_RECIPIENTS = 8
SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
DICT_PATH = Path(__file__).resolve().parent / "data" / "zstd-v2.dict"
DICT_SHA256 = "66ecd79ed535d6fee84b56e1c195fd95f251f6483bcaf651821bcd41e73e24c9"
ZSTD_LEVEL = 9  # 164 B and ~85 µs for a typical complaint; 19 saves 4 B at 1.2 ms
# header text bounds, as v1 (MAX_HEADER_TEXT) plus the two times
TEXT_LIMITS = {"kind": 16, "id": 64, "station": 64, "created": 64, "hlc": 96}


@cache
def dictionary() -> zstandard.ZstdCompressionDict:
    """The zstd dictionary of protocol v2, prepared for ZSTD_LEVEL. Raises EnvelopeError if
    the file is not the one this version pins (a changed dictionary would make every v2
    record unreadable)."""
    raw = DICT_PATH.read_bytes()
    if hashlib.sha256(raw).hexdigest() != DICT_SHA256:
        raise EnvelopeError("zstd dictionary does not match protocol v2")
    prepared = zstandard.ZstdCompressionDict(raw, dict_type=zstandard.DICT_TYPE_FULLDICT)
    prepared.precompute_compress(level=ZSTD_LEVEL)
    return prepared


_local = threading.local()  # zstd (de)compressors are not thread-safe: one each per thread


def compress(plain: bytes) -> bytes:
    """zstd frame of ``plain`` with the v2 dictionary: its content size, no checksum (the
    AEAD tag authenticates the bytes), no dictionary id (the dictionary is fixed)."""
    cz = getattr(_local, "cz", None)
    if cz is None:
        cz = _local.cz = zstandard.ZstdCompressor(
            dict_data=dictionary(), level=ZSTD_LEVEL, write_checksum=False,
            write_dict_id=False, write_content_size=True)
    return bytes(cz.compress(plain))


def decompress(data: bytes) -> bytes:
    """Inverse of ``compress``; at most MAX_PLAINTEXT bytes. Raises EnvelopeError."""
    dz = getattr(_local, "dz", None)
    if dz is None:
        dz = _local.dz = zstandard.ZstdDecompressor(dict_data=dictionary())
    try:
        size = zstandard.frame_content_size(data)
        if not 0 <= size <= MAX_PLAINTEXT:  # -1: not written; bounded before inflating
            raise EnvelopeError("payload size missing or too large")
        out = dz.decompressobj()  # zstd refuses output that differs from the frame's size
        plain = out.decompress(data)
        if len(plain) != size or not out.eof or out.unused_data:
            raise EnvelopeError("payload truncated, mis-sized or followed by junk")
        return bytes(plain)
    except zstandard.ZstdError:
        raise EnvelopeError("payload does not decompress") from None


def _text(value: str, limit: int) -> bytes:
    raw = value.encode("ascii")
    if not 0 < len(raw) <= min(limit, 255):
        raise ValueError(f"header text must be 1..{limit} ASCII characters")
    return bytes([len(raw)]) + raw


class _Reader:
    def __init__(self, raw: bytes) -> None:
        self.raw, self.pos = raw, 0

    def take(self, n: int) -> bytes:
        out = self.raw[self.pos:self.pos + n]
        if len(out) != n:
            raise EnvelopeError("truncated")
        self.pos += n
        return out

    def u8(self) -> int:
        return self.take(1)[0]

    def unpack(self, fmt: str) -> int:
        (value,) = struct.unpack(fmt, self.take(struct.calcsize(fmt)))
        return int(value)

    def text(self, limit: int) -> str:
        n = self.u8()
        if not 0 < n <= limit:
            raise EnvelopeError("header text length")
        try:
            return self.take(n).decode("ascii")
        except UnicodeDecodeError:
            raise EnvelopeError("header text is not ASCII") from None


# -- epochs ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Epoch:
    """A parsed epoch message: who sealed, to whom, and the sealed epoch secret per kid."""

    raw: bytes
    epoch_id: bytes
    device: str
    created: str
    to: tuple[str, ...]
    wrapped: tuple[bytes, ...]
    signature: bytes

    @classmethod
    def from_bytes(cls, raw: bytes) -> Epoch:
        r = _Reader(bytes(raw))
        if r.take(4) != EPOCH_MAGIC:
            raise EnvelopeError("epoch magic")
        epoch_id = r.take(16)
        device, created = r.text(64), r.text(64)
        count = r.u8()
        if not 1 <= count <= MAX_RECIPIENTS:
            raise EnvelopeError("epoch recipients")
        to, wrapped = [], []
        for _ in range(count):
            to.append(r.text(64))
            wrapped.append(r.take(r.u8()))
        if len(set(to)) != len(to):
            raise EnvelopeError("epoch recipients repeat")
        signature = r.take(64)
        if r.pos != len(r.raw):
            raise EnvelopeError("trailing bytes")
        return cls(r.raw, epoch_id, device, created, tuple(to), tuple(wrapped), signature)

    def verify(self, device_key: Ed25519PublicKey) -> None:
        """Check the device signature. Raises EnvelopeError."""
        try:
            device_key.verify(self.signature, EPOCH_SIG + self.raw[:-64])
        except InvalidSignature:
            raise EnvelopeError("epoch signature") from None

    def secret(self, private_keys: Mapping[str, X25519PrivateKey]) -> bytes:
        """The epoch secret, unsealed with whichever key fits. Raises EnvelopeError."""
        info = EPOCH_INFO + self.epoch_id + self.device.encode("ascii")
        for kid, wrapped in zip(self.to, self.wrapped, strict=True):
            key = private_keys.get(kid)
            if key is None:
                continue
            try:
                secret = SUITE.decrypt(wrapped, key, info=info)
            except (InvalidTag, ValueError):
                raise EnvelopeError("epoch secret does not unseal") from None
            if len(secret) != 32:
                raise EnvelopeError("epoch secret length")
            return secret
        raise EnvelopeError("no key for any recipient")


def chain_key(secret: bytes, epoch_id: bytes) -> bytes:
    """``CK_0`` of an epoch."""
    return HKDF(hashes.SHA256(), 32, epoch_id, CHAIN_INFO).derive(secret)


def step(ck: bytes) -> tuple[bytes, bytes]:
    """One ratchet step: (the record key ``K_n``, the next chain key ``CK_n+1``)."""
    return (hmac.new(ck, b"\x01", hashlib.sha256).digest(),
            hmac.new(ck, b"\x02", hashlib.sha256).digest())


class Sealer:
    """The device side of one epoch. Holds only the next chain key (in memory)."""

    def __init__(self, device: str, created: str, recipients: Sequence[Recipient],
                 device_key: Ed25519PrivateKey, secret: bytes | None = None,
                 epoch_id: bytes | None = None) -> None:
        """Start an epoch. ``secret``/``epoch_id`` are for test vectors only (random)."""
        if not 1 <= len(recipients) <= MAX_RECIPIENTS:
            raise ValueError(f"1..{MAX_RECIPIENTS} recipients")
        secret = secret if secret is not None else os.urandom(32)
        self.epoch_id = epoch_id if epoch_id is not None else os.urandom(16)
        self._key = device_key
        info = EPOCH_INFO + self.epoch_id + device.encode("ascii")
        parts = [EPOCH_MAGIC, self.epoch_id, _text(device, 64), _text(created, 64),
                 bytes([len(recipients)])]
        for r in recipients:
            wrapped = SUITE.encrypt(secret, r.public_key, info=info)
            parts += [_text(r.kid, 64), bytes([len(wrapped)]), wrapped]
        body = b"".join(parts)
        self.epoch = Epoch.from_bytes(body + device_key.sign(EPOCH_SIG + body))
        self._ck: bytes | None = chain_key(secret, self.epoch_id)
        del secret  # only CK_0 is kept, and it moves on with every record
        self.next_index = 0

    @property
    def exhausted(self) -> bool:
        return self._ck is None

    def chain_state(self) -> bytes | None:
        """What this sealer holds now (what a thief of the running kiosk could read)."""
        return self._ck

    def seal(self, payload: Mapping[str, Any], *, kind: str, record_id: str, station: str,
             seq: int, prev: bytes, created: str, hlc: str) -> Record:
        """Seal and sign the next record of this epoch. Raises ValueError when the epoch is
        exhausted or a field is out of bounds, CanonicalError for a payload with no
        canonical form."""
        if self._ck is None:
            raise ValueError("epoch exhausted: start a new one")
        if not 1 <= seq < 2**63 or len(prev) != 32:
            raise ValueError("seq must be 1..2^63-1 and prev 32 bytes")
        plain = canonical_bytes(dict(payload))
        if len(plain) > MAX_PLAINTEXT:
            raise ValueError("payload too large")
        header = b"".join([RECORD_MAGIC, _text(kind, 16), _text(record_id, 64),
                           _text(station, 64), struct.pack(">Q", seq), prev, self.epoch_id,
                           struct.pack(">I", self.next_index), _text(created, 64),
                           _text(hlc, 96)])
        record_key, self._ck = step(self._ck)
        self.next_index += 1
        if self.next_index >= MAX_EPOCH_RECORDS:
            self._ck = None
        ciphertext = AESGCM(record_key).encrypt(NONCE, compress(plain), header)
        del record_key
        body = header + struct.pack(">I", len(ciphertext)) + ciphertext
        return Record.from_bytes(body + self._key.sign(RECORD_SIG + body))


# -- records -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Record:
    """A parsed (not yet opened) v2 record. ``raw`` is the exact bytes that were signed."""

    raw: bytes
    kind: str
    id: str
    station: str
    seq: int
    prev: bytes
    epoch_id: bytes
    index: int
    created: str
    hlc: str
    header_len: int
    ciphertext: bytes
    signature: bytes

    @cached_property
    def hash(self) -> str:
        """Hex SHA-256 of all the record's bytes: the next record's ``prev``."""
        return hashlib.sha256(self.raw).hexdigest()

    @property
    def prev_hex(self) -> str:
        return self.prev.hex()

    @classmethod
    def from_bytes(cls, raw: bytes) -> Record:
        r = _Reader(bytes(raw))
        if r.take(4) != RECORD_MAGIC:
            raise EnvelopeError("magic")
        kind, rid, station = r.text(16), r.text(64), r.text(64)
        seq = r.unpack(">Q")
        prev, epoch_id, index = r.take(32), r.take(16), r.unpack(">I")
        created, hlc = r.text(64), r.text(96)
        header_len = r.pos
        clen = r.unpack(">I")
        if not 1 <= seq < 2**63 or index >= MAX_EPOCH_RECORDS or not 16 <= clen <= MAX_CIPHERTEXT:
            raise EnvelopeError("header values")
        ciphertext = r.take(clen)
        signature = r.take(64)
        if r.pos != len(r.raw):
            raise EnvelopeError("trailing bytes")
        return cls(r.raw, kind, rid, station, seq, prev, epoch_id, index, created, hlc,
                   header_len, ciphertext, signature)

    def verify(self, device_key: Ed25519PublicKey) -> None:
        """Check the device signature. Raises EnvelopeError."""
        try:
            device_key.verify(self.signature, RECORD_SIG + self.raw[:-64])
        except InvalidSignature:
            raise EnvelopeError("signature") from None


class Opener:
    """The county side of one epoch: walks the ratchet forward, caching where it is."""

    def __init__(self, epoch: Epoch, private_keys: Mapping[str, X25519PrivateKey]) -> None:
        self.epoch = epoch
        self._secret = epoch.secret(private_keys)
        self._at, self._ck = 0, chain_key(self._secret, epoch.epoch_id)
        self._lock = threading.Lock()

    def key(self, index: int) -> bytes:
        """``K_index``: O(1) for records opened in order, O(index) otherwise."""
        with self._lock:
            if index < self._at:
                self._at, self._ck = 0, chain_key(self._secret, self.epoch.epoch_id)
            while self._at < index:
                _, self._ck = step(self._ck)
                self._at += 1
            return step(self._ck)[0]

    def open(self, record: Record) -> dict[str, Any]:
        """Decrypt, decompress and decode. Does not check the signature. Raises
        EnvelopeError."""
        if record.epoch_id != self.epoch.epoch_id:
            raise EnvelopeError("record is from another epoch")
        return open_with_key(record, self.key(record.index))


def open_with_key(record: Record, key: bytes) -> dict[str, Any]:
    """Open ``record`` with its record key. Raises EnvelopeError."""
    try:
        compressed = AESGCM(key).decrypt(NONCE, record.ciphertext, record.raw[:record.header_len])
        payload = loads_canonical(decompress(compressed))
    except (InvalidTag, CanonicalError, ValueError) as exc:
        raise EnvelopeError(f"decrypt: {type(exc).__name__}") from None
    if not isinstance(payload, dict):
        raise EnvelopeError("payload is not an object")
    return payload

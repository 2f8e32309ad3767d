"""Helpers for envelope tests (imported by conftest.py and the tests; unique module name).

* ``Sealer`` seals one device's chained envelopes: ``chain(n)``, ``next(payload)``,
  ``header(...)`` for hand-made envelopes.
* ``craft_envelope`` builds an envelope byte by byte from the layout in docs/protocol.md with
  any compressed plaintext (zip bombs, junk after the stream, non-canonical JSON), signed by
  the device: an independent writer that shows the documented layout is the implemented one.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Callable, Sequence
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared import GENESIS, Envelope, EnvelopeHeader, HybridClock, format_utc, new_record_id, seal
from shared.canonical import canonical_bytes
from shared.clock import ManualClock
from shared.envelope import INFO_PREFIX, SIG_PREFIX, SUITE
from shared.keys import Keyring, Recipient, device_id_of


def sample_payload(n: int) -> dict[str, Any]:
    """A payload shaped like an intake payload (about 1 KB once encoded)."""
    return {"kind": "complaint", "n": n, "station": "S001", "ticket": None, "notes": [],
            "filed_at": "2026-11-21T02:00:00.000Z",
            "receipt": {"code": "ABCDEFGHJK9", "pin_verifier": "0" * 64},
            "record": {"description": f"第{n}号 工地拖欠工资。" * 20, "consent": True}}


class Sealer:
    """Seals one device's chained envelopes to the county (and optionally a station)."""

    def __init__(self, county: Keyring, device_key: Ed25519PrivateKey, clock: ManualClock,
                 extra: Sequence[Recipient] = ()) -> None:
        self.county = county
        self.device_key = device_key
        self.device = device_id_of(device_key.public_key())
        self.clock = clock
        self.hlc = HybridClock(self.device, clock)
        self.recipients = [county.newest(), *extra]
        self.seq = 0
        self.prev = GENESIS

    def header(self, seq: int | None = None, prev: str | None = None,
               device: str | None = None) -> EnvelopeHeader:
        return EnvelopeHeader(
            kind="complaint", id=new_record_id(self.clock),
            device=device or self.device, station="S001",
            seq=self.seq + 1 if seq is None else seq, prev=self.prev if prev is None else prev,
            created=format_utc(self.clock.now()), hlc=str(self.hlc.now()),
            to=tuple(r.kid for r in self.recipients))

    def next(self, payload: dict[str, Any] | None = None) -> Envelope:
        env = seal(payload or sample_payload(self.seq + 1), self.header(), self.recipients,
                   self.device_key)
        self.seq, self.prev = env.header.seq, env.hash
        self.clock.advance(1)
        return env

    def chain(self, n: int) -> list[Envelope]:
        return [self.next() for _ in range(n)]


Craft = Callable[[EnvelopeHeader, bytes, Sequence[Recipient], Ed25519PrivateKey], bytes]


def craft_envelope(header: EnvelopeHeader, compressed: bytes, recipients: Sequence[Recipient],
                   device_key: Ed25519PrivateKey) -> bytes:
    """Envelope v1 bytes around ``compressed`` (taken as is), following docs/protocol.md."""
    header_bytes = canonical_bytes(header.to_wire())
    data_key, nonce = os.urandom(32), os.urandom(12)
    ciphertext = AESGCM(data_key).encrypt(nonce, compressed, header_bytes)
    info = INFO_PREFIX + hashlib.sha256(header_bytes).digest()
    out = b"YZE1" + struct.pack(">I", len(header_bytes)) + header_bytes
    out += bytes([len(recipients)])
    for r in recipients:
        wrapped = SUITE.encrypt(data_key, r.public_key, info=info)
        out += struct.pack(">H", len(wrapped)) + wrapped
    out += nonce + struct.pack(">I", len(ciphertext)) + ciphertext
    return out + device_key.sign(SIG_PREFIX + out)

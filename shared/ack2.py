"""The v2 acknowledgement: one signed chain point instead of one (id, hash) per record.

The server's answer to a v2 push says, signed with the server key, where the device's
verified chain ends (``head``: seq and record hash). Every record of the device up to that
seq is stored — the server verified the chain links up to it, so it holds each of them —
and a kiosk that finds *its own* record at ``head.seq`` with that very hash knows the county
holds exactly its records 1..head.seq (SHA-256 links: no other chain ends in that hash).
Beyond the head the ack lists records stored but held behind a gap (seq and hash), the gaps
themselves, and the records refused (quarantined or conflict, with the reason), so "the
server proves it holds every record or names the gap" costs ~50 bytes per push, not ~100 per
record. It also stands for the ``received`` status of every record it covers: a v2 kiosk
marks them received when it applies the ack, with no changes-feed round for them.

Layout (big-endian; docs/protocol.md "Acknowledgement v2")::

    "YZA2" 4 | device u8+n | issued_at u8+n | head_seq u64 | head_hash 32 | resend_from u64
    | G u16, G x (from u64, to u64) | H u32, H x (seq u64, hash 32)
    | Q u32, Q x (seq u64, status u8 (1 quarantined, 2 conflict), reason u16+n UTF-8)
    | signature 64: Ed25519 by the server key over "yizhan-ack-v2\\x00" || all above
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared._errors import EnvelopeError

MAGIC = b"YZA2"
SIG_PREFIX = b"yizhan-ack-v2\x00"
STATUSES = {1: "quarantined", 2: "conflict"}
MAX_ITEMS = 100_000


@dataclass(frozen=True)
class Ack2:
    """What the server holds of one device's chain."""

    device: str
    issued_at: str
    head_seq: int
    head_hash: bytes
    resend_from: int = 0
    gaps: tuple[tuple[int, int], ...] = ()
    held: tuple[tuple[int, bytes], ...] = ()
    refused: tuple[tuple[int, str, str], ...] = ()  # (seq, status, reason)

    def body(self) -> bytes:
        dev, at = self.device.encode("ascii"), self.issued_at.encode("ascii")
        parts = [MAGIC, bytes([len(dev)]), dev, bytes([len(at)]), at,
                 struct.pack(">Q", self.head_seq), self.head_hash,
                 struct.pack(">QH", self.resend_from, len(self.gaps))]
        parts += [struct.pack(">QQ", a, b) for a, b in self.gaps]
        parts.append(struct.pack(">I", len(self.held)))
        parts += [struct.pack(">Q", s) + h for s, h in self.held]
        parts.append(struct.pack(">I", len(self.refused)))
        code = {v: k for k, v in STATUSES.items()}
        for seq, status, reason in self.refused:
            text = reason.encode("utf-8")[:1000]
            parts += [struct.pack(">QBH", seq, code[status], len(text)), text]
        return b"".join(parts)


def sign_ack2(ack: Ack2, server_key: Ed25519PrivateKey) -> bytes:
    """The wire bytes of ``ack``, signed."""
    body = ack.body()
    return body + server_key.sign(SIG_PREFIX + body)


class _Cur:
    def __init__(self, raw: bytes) -> None:
        self.raw, self.pos = raw, 0

    def take(self, n: int) -> bytes:
        out = self.raw[self.pos:self.pos + n]
        if len(out) != n:
            raise EnvelopeError("ack truncated")
        self.pos += n
        return out

    def num(self, fmt: str) -> tuple[int, ...]:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))

    def text(self) -> str:
        return self.take(self.take(1)[0]).decode("ascii")


def verify_ack2(raw: bytes, server_key: Ed25519PublicKey, device: str) -> Ack2:
    """Check a v2 acknowledgement addressed to ``device``. Raises EnvelopeError (opaque) if
    it is malformed, forged or for another device."""
    raw = bytes(raw)
    if len(raw) < 64:
        raise EnvelopeError("ack truncated")
    try:
        server_key.verify(raw[-64:], SIG_PREFIX + raw[:-64])
    except InvalidSignature:
        raise EnvelopeError("ack signature") from None
    c = _Cur(raw[:-64])
    try:
        if c.take(4) != MAGIC:
            raise EnvelopeError("ack magic")
        dev, issued = c.text(), c.text()
        (head_seq,) = c.num(">Q")
        head_hash = c.take(32)
        resend, ngaps = c.num(">QH")
        gaps = tuple((a, b) for a, b in (c.num(">QQ") for _ in range(ngaps)))
        (nheld,) = c.num(">I")
        if nheld > MAX_ITEMS:
            raise EnvelopeError("ack too long")
        held = tuple((c.num(">Q")[0], c.take(32)) for _ in range(nheld))
        (nref,) = c.num(">I")
        if nref > MAX_ITEMS:
            raise EnvelopeError("ack too long")
        refused = []
        for _ in range(nref):
            seq, status, n = c.num(">QBH")
            if status not in STATUSES:
                raise EnvelopeError("ack status")
            refused.append((seq, STATUSES[status], c.take(n).decode("utf-8")))
    except UnicodeDecodeError:
        raise EnvelopeError("ack text") from None
    if c.pos != len(c.raw):
        raise EnvelopeError("ack trailing bytes")
    if dev != device:
        raise EnvelopeError("ack for another device")
    return Ack2(dev, issued, head_seq, head_hash, resend, gaps, held, tuple(refused))


def acknowledged(ack: Ack2, local: Mapping[int, bytes]) -> list[int]:
    """The seqs of this device's records (``local``: seq -> record hash, the records it
    still holds unacknowledged, plus the head's if it holds it) that ``ack`` shows stored.

    All seqs up to ``head_seq`` count only if the device's own record at ``head_seq`` has
    ``head_hash`` (else the county's chain is not this device's: a fork, or a restore that
    lost records; nothing up to the head is taken as stored). Held records count when their
    hash matches. Refused records are not in the list (they are stored but not accepted:
    the caller marks them with their status and reason)."""
    refused = {seq for seq, _, _ in ack.refused}
    out: list[int] = []
    if ack.head_seq and local.get(ack.head_seq) == ack.head_hash:
        out += [s for s in local if s <= ack.head_seq and s not in refused]
    out += [s for s, h in ack.held if local.get(s) == h and s not in refused]
    return sorted(set(out))


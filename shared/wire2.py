"""The v2 push body: binary framing of epochs and sealed records, no base64, no JSON.

Layout (big-endian; docs/protocol.md "Push body v2" has the full description)::

    "YZW2"                     4
    acked_head                 8   u64: the highest seq the device holds as acknowledged
    L                          2   u16: seq ranges the device no longer holds, <= 100
    L x (from u64, to u64)
    E                          2   u16: epoch messages (``shared.envelope2.Epoch``), <= 16
    E x (len u32, epoch)
    N                          4   u32: records, <= MAX_RECORDS
    N x (flags u8, len u32, item)
        item = the record (v2 "YZR2" or a v1 "YZE1" envelope) with, when flags bit 0 is set,
        its 32 ``prev`` bytes left out: they equal the SHA-256 of the record before it in
        this body, so the server puts them back (``decode_push``) and hashes, verifies and
        stores the record exactly as sealed. Other flag bits must be 0.

Only v2 records can have ``prev`` left out (a v1 envelope's ``prev`` is inside its JSON
header). Nothing in the body is trusted because of the framing: every record is checked on
its own bytes after ``decode_push`` rebuilt them.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence
from dataclasses import dataclass

from shared._errors import EnvelopeError
from shared.envelope2 import RECORD_MAGIC

MAGIC = b"YZW2"
MAX_RECORDS = 10_000
MAX_EPOCHS = 16
MAX_LOST = 100
MAX_ITEM = (1 << 20) + 4096
PREV_ELIDED = 0x01
# where ``prev`` sits in a v2 record: after magic, kind, id, station (each u8-length text)
# and seq; found by walking the three texts


@dataclass(frozen=True)
class PushBody:
    """A decoded push body: records rebuilt byte for byte as they were sealed."""

    acked_head: int
    lost: tuple[tuple[int, int], ...]
    epochs: tuple[bytes, ...]
    records: tuple[bytes, ...]


def _prev_offset(record: bytes) -> int | None:
    """Offset of the 32 ``prev`` bytes in a v2 record, or None if it is not one."""
    if record[:4] != RECORD_MAGIC:
        return None
    pos = 4
    for _ in range(3):
        if pos >= len(record):
            return None
        pos += 1 + record[pos]
    pos += 8  # seq
    return pos if pos + 32 <= len(record) else None


def epoch_id_of(record: bytes) -> bytes | None:
    """The 16-byte ``epoch_id`` of a v2 record (after ``prev``), read in place without
    parsing the rest; None if it is not one. For the sender, on records it sealed itself."""
    at = _prev_offset(record)
    if at is None or at + 48 > len(record):
        return None
    return record[at + 32:at + 48]


def encode_push(records: Sequence[bytes], epochs: Sequence[bytes] = (), acked_head: int = 0,
                lost: Sequence[tuple[int, int]] = ()) -> bytes:
    """The push body for ``records`` (in seq order). Raises ValueError past a bound."""
    if len(records) > MAX_RECORDS or len(epochs) > MAX_EPOCHS or len(lost) > MAX_LOST:
        raise ValueError("too many records, epochs or lost ranges for one push")
    parts = [MAGIC, struct.pack(">QH", acked_head, len(lost))]
    parts += [struct.pack(">QQ", a, b) for a, b in lost]
    parts.append(struct.pack(">H", len(epochs)))
    for epoch in epochs:
        parts += [struct.pack(">I", len(epoch)), epoch]
    parts.append(struct.pack(">I", len(records)))
    before: bytes | None = None
    for record in records:
        at = _prev_offset(record)
        if at is not None and before is not None \
                and record[at:at + 32] == hashlib.sha256(before).digest():
            item = record[:at] + record[at + 32:]
            parts += [struct.pack(">BI", PREV_ELIDED, len(item)), item]
        else:
            parts += [struct.pack(">BI", 0, len(record)), record]
        before = record
    return b"".join(parts)


class _Cursor:
    def __init__(self, raw: bytes) -> None:
        self.raw, self.pos = raw, 0

    def take(self, n: int) -> bytes:
        out = self.raw[self.pos:self.pos + n]
        if len(out) != n:
            raise EnvelopeError("push body truncated")
        self.pos += n
        return out

    def unpack(self, fmt: str) -> tuple[int, ...]:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))


def decode_push(raw: bytes) -> PushBody:
    """Parse a push body strictly and rebuild every record. Raises EnvelopeError naming
    what is wrong (the server answers ``invalid_body``)."""
    c = _Cursor(bytes(raw))
    if c.take(4) != MAGIC:
        raise EnvelopeError("push body: not YZW2")
    acked_head, nlost = c.unpack(">QH")
    if nlost > MAX_LOST:
        raise EnvelopeError("push body: too many lost ranges")
    lost = tuple((a, b) for a, b in (c.unpack(">QQ") for _ in range(nlost)))
    if not all(1 <= a <= b for a, b in lost):
        raise EnvelopeError("push body: lost ranges must be 1 <= from <= to")
    (nepochs,) = c.unpack(">H")
    if nepochs > MAX_EPOCHS:
        raise EnvelopeError("push body: too many epochs")
    epochs = []
    for _ in range(nepochs):
        (n,) = c.unpack(">I")
        if n > 4096:
            raise EnvelopeError("push body: epoch too long")
        epochs.append(c.take(n))
    (count,) = c.unpack(">I")
    if count > MAX_RECORDS:
        raise EnvelopeError("push body: too many records")
    records: list[bytes] = []
    for _ in range(count):
        flags, n = c.unpack(">BI")
        if flags & ~PREV_ELIDED or n > MAX_ITEM:
            raise EnvelopeError("push body: record flags or length")
        item = c.take(n)
        if flags & PREV_ELIDED:
            at = _prev_offset(item + bytes(32))
            if at is None or not records:
                raise EnvelopeError("push body: prev left out where it cannot be")
            item = item[:at] + hashlib.sha256(records[-1]).digest() + item[at:]
        records.append(item)
    if c.pos != len(c.raw):
        raise EnvelopeError("push body: trailing bytes")
    return PushBody(acked_head, lost, tuple(epochs), tuple(records))

"""v1 envelopes and v2 records behind one interface, for the county's inbox pipeline.

The county stores what a device pushed as bytes and parses them again as it verifies, opens
and releases records. A v1 envelope is self-contained; a v2 record needs its epoch message
(the recipients, the device, the sealed epoch secret). So the county keeps a v2 record in the
inbox as a **stored v2 item**::

    "YZS2" || u32 length of the epoch message || epoch message || record

and ``parse`` gives, for either form, an object with what the pipeline reads: ``raw`` (the
stored bytes), ``hash`` (the envelope or record hash, what chains and acknowledgements name),
``header`` (an ``EnvelopeHeader``; for v2 its device and recipients come from the signed
epoch). ``verify``, ``verify_run``, ``split_runs`` and ``open_`` take either. A v2 item
verifies only when both its record and its epoch message carry the device's signature.
"""

from __future__ import annotations

import hashlib
import struct
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from shared import envelope as e1
from shared import envelope2 as e2
from shared._errors import EnvelopeError
from shared.envelope import GENESIS, START, ChainPoint, EnvelopeHeader

__all__ = ["GENESIS", "START", "AnyEnvelope", "ChainPoint", "Stored2", "open_", "parse",
           "split_runs", "stored_item", "verify", "verify_run"]

STORED_MAGIC = b"YZS2"


def stored_item(epoch: bytes, record: bytes) -> bytes:
    """The inbox form of a v2 record with its epoch message."""
    return STORED_MAGIC + struct.pack(">I", len(epoch)) + epoch + record


@dataclass(frozen=True)
class Stored2:
    """A parsed stored v2 item."""

    raw: bytes
    epoch: e2.Epoch
    record: e2.Record

    @cached_property
    def header(self) -> EnvelopeHeader:
        r = self.record
        return EnvelopeHeader(r.kind, r.id, self.epoch.device, r.station, r.seq, r.prev.hex(),
                              r.created, r.hlc, self.epoch.to)

    @property
    def hash(self) -> str:
        return self.record.hash


AnyEnvelope = e1.Envelope | Stored2


def parse(raw: bytes) -> AnyEnvelope:
    """A v1 envelope or a stored v2 item. Raises EnvelopeError."""
    raw = bytes(raw)
    if raw[:4] != STORED_MAGIC:
        return e1.Envelope.from_bytes(raw)
    if len(raw) < 8:
        raise EnvelopeError("stored item truncated")
    (n,) = struct.unpack_from(">I", raw, 4)
    epoch = e2.Epoch.from_bytes(raw[8:8 + n])
    record = e2.Record.from_bytes(raw[8 + n:])
    if record.epoch_id != epoch.epoch_id:
        raise EnvelopeError("record is not of the epoch stored with it")
    return Stored2(raw, epoch, record)


def split_runs(envelopes: Sequence[AnyEnvelope]) -> list[list[AnyEnvelope]]:
    """``shared.envelope.split_runs`` over v1 and v2 alike."""
    return e1.split_runs(envelopes)


def verify(env: AnyEnvelope, device_key: Ed25519PublicKey) -> None:
    """Check the device signature(s). Raises EnvelopeError."""
    if isinstance(env, Stored2):
        env.epoch.verify(device_key)
        env.record.verify(device_key)
    else:
        e1.verify(env, device_key)


def verify_run(run: Sequence[AnyEnvelope], device_key: Ed25519PublicKey,
               anchor: ChainPoint | None = None) -> ChainPoint:
    """``shared.envelope.verify_run`` over v1 and v2 alike: the links, the last record's
    signature, and the signature of each distinct epoch message in the run once."""
    e1.check_links(run, anchor)
    epochs: dict[bytes, e2.Epoch] = {}
    for env in run:
        if isinstance(env, Stored2):
            epochs.setdefault(hashlib.sha256(env.epoch.raw).digest(), env.epoch)
    for epoch in epochs.values():
        epoch.verify(device_key)
    last = run[-1]
    last.record.verify(device_key) if isinstance(last, Stored2) else e1.verify(last, device_key)
    return ChainPoint(last.header.seq, last.hash)


class _Openers:
    """Openers by epoch, kept so a run in order walks each ratchet once."""

    def __init__(self, size: int = 64) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple[bytes, frozenset[str]], e2.Opener] = OrderedDict()
        self._size = size

    def get(self, epoch: e2.Epoch, private_keys: Mapping[str, X25519PrivateKey]) -> e2.Opener:
        key = (hashlib.sha256(epoch.raw).digest(), frozenset(private_keys))
        with self._lock:
            opener = self._items.pop(key, None)
        if opener is None:
            opener = e2.Opener(epoch, private_keys)
        with self._lock:
            self._items[key] = opener
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return opener


_openers = _Openers()


def open_(env: AnyEnvelope, private_keys: Mapping[str, X25519PrivateKey]) -> dict[str, Any]:
    """The payload, opened with whichever key fits. Does not check signatures. Raises
    EnvelopeError."""
    if isinstance(env, Stored2):
        opener = _openers.get(env.epoch, private_keys)
        return opener.open(env.record)
    return e1.open_(env, private_keys)

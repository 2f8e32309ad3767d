"""The kiosk's side of ``POST /v2/push`` (docs/protocol.md "Push body v2").

Used by ``SyncClient`` when a batch holds a v2 record (sealed only when this kiosk's switch
is on and the county said it takes v2: ``kiosk.services.sealing``). The body is
``shared.wire2`` (binary, ``prev`` left out along a run, the epoch messages the records
need), gzip'd. The answer's ``ack2`` (``shared.ack2``) is verified with the server key the
kiosk trusts and turned into the v1 ``Ack`` and per-record results the client already
applies: a record counts as stored only if the signed chain head is this kiosk's own record
(its hash) or the ack names it held with its hash.

``note_protocols`` remembers the ``X-Yizhan-Protocols`` header of any county answer.
"""

from __future__ import annotations

import base64
import binascii
import gzip
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import httpx

from shared import envelope2 as e2
from shared import wire2
from shared._errors import EnvelopeError
from shared.ack import Ack
from shared.ack2 import acknowledged, verify_ack2
from shared.anyenv import stored_item
from shared.feed import Trust

PATH = "/v2/push"
HEADERS = {"Content-Type": "application/x-yizhan-push2", "Content-Encoding": "gzip"}


class ItemLike(Protocol):
    """An outbox record as the sync reads it (kiosk.services.outbox.OutboxItem)."""

    @property
    def record_id(self) -> str: ...
    @property
    def seq(self) -> int: ...
    @property
    def hash(self) -> str: ...
    @property
    def envelope(self) -> bytes: ...


def any_v2(items: Sequence[ItemLike]) -> bool:
    return any(i.envelope[:4] == e2.RECORD_MAGIC for i in items)


def body(items: Sequence[ItemLike], epochs: Mapping[str, str], acked_head: int,
         lost: Sequence[tuple[int, int]]) -> bytes:
    """The gzip'd v2 push body. Raises EnvelopeError when a record's epoch message is not
    saved on this kiosk (it always is: it is saved with the first record it seals)."""
    needed: dict[str, bytes] = {}
    for item in items:
        if item.envelope[:4] != e2.RECORD_MAGIC:
            continue
        raw_id = wire2.epoch_id_of(item.envelope)
        eid = raw_id.hex() if raw_id is not None else "?"
        if eid not in epochs:
            raise EnvelopeError(f"epoch {eid} of record {item.record_id} is not saved")
        needed[eid] = bytes.fromhex(epochs[eid])
    raw = wire2.encode_push([i.envelope for i in items], list(needed.values()), acked_head,
                            lost)
    # level 1: the records are mostly ciphertext; level 6 saved under 1 % more and took twice
    # as long (2,000 complaints: 329 vs 326 B per record, 14 vs 29 ms)
    return gzip.compress(raw, compresslevel=1, mtime=0)


def bundle_item(envelope: bytes, epochs: Mapping[str, str]) -> bytes:
    """What a USB bundle carries for one outbox record: a v1 envelope as sealed; a v2
    record with the epoch message it needs, in the county's inbox form
    (``shared.anyenv.stored_item``), so the bundle is self-contained. Raises EnvelopeError
    when a record's epoch message is not saved on this kiosk (it always is)."""
    raw_id = wire2.epoch_id_of(envelope)
    if raw_id is None:
        return envelope
    epoch = epochs.get(raw_id.hex())
    if epoch is None:
        raise EnvelopeError(f"epoch {raw_id.hex()} of a record to export is not saved")
    return stored_item(bytes.fromhex(epoch), envelope)


def read_answer(answer: dict[str, Any], trust: Trust, device_id: str,
                items: Sequence[ItemLike]) -> tuple[Ack, list[dict[str, Any]]]:
    """The v1 ``Ack`` and per-record results an ``ack2`` answer stands for. Raises
    EnvelopeError (or KeyError/TypeError) when it is missing, forged or malformed."""
    text = answer["ack2"]
    if not isinstance(text, str):
        raise TypeError("ack2")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise EnvelopeError("ack2 is not base64url") from None
    ack = verify_ack2(raw, trust.server_key, device_id)
    local = {i.seq: bytes.fromhex(i.hash) for i in items}
    stored = set(acknowledged(ack, local))
    refused = {seq: (status, reason) for seq, status, reason in ack.refused}
    results: list[dict[str, Any]] = []
    kept: list[tuple[str, str]] = []
    for item in items:
        if item.seq in refused and local.get(item.seq) is not None:
            status, reason = refused[item.seq]
            results.append({"id": item.record_id, "status": status, "reason": reason})
            if status == "quarantined":
                kept.append((item.record_id, item.hash))  # stored, marked with its reason
        elif item.seq in stored:
            results.append({"id": item.record_id, "status": "accepted"})
            kept.append((item.record_id, item.hash))
    return Ack(device_id, tuple(kept), ack.issued_at, ack.resend_from or None), results


def note_protocols(response: httpx.Response, port: object) -> None:
    """Remember which push protocols the county takes, if it says and the port can."""
    value = response.headers.get("x-yizhan-protocols")
    remember = getattr(port, "note_protocols", None)
    if value is None or remember is None:
        return
    versions = sorted({int(v) for v in value.split() if v.isdigit() and len(v) < 4})
    remember(versions)

"""What staff see of quarantined records and how a decision on one reaches its kiosk.

``listing`` shows each quarantined or rejected envelope with its station and the receipt
code its worker holds — when the payload opens with the county's keys far enough to name a
well-formed code; ``None`` (shown as unknown) otherwise. No other part of the payload leaves
this module: the listing carries no personal data.

A staff decision on a quarantined record goes on its station's signed changes feed as a
``record`` entry (docs/protocol.md): ``released`` (the filing's own ``status`` entry says
``received``) or ``rejected`` (the receipt then reads ``closed`` with ``REJECTED_NEXT_STEP``).
The kiosk moves the record out of its quarantined outbox rows and updates the receipt.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import Connection

from shared._errors import EnvelopeError, ReceiptError
from shared.envelope import Envelope, open_
from shared.receipt import parse_code
from sync_server.errors import ActionRefused, NotFound
from sync_server.store import devices as dq
from sync_server.store import feed
from sync_server.store import inbox as iq

log = logging.getLogger("yizhan.server.quarantine")

REJECTED_NEXT_STEP = ("县级中心核实后未受理此记录，请到站点咨询。",
                      "The county checked this record and did not take it in; please ask "
                      "at the station.")
MAX_REASON = 500


def peek_receipt_code(raw: bytes, private_keys: Mapping[str, X25519PrivateKey]) -> str | None:
    """The canonical receipt code inside an envelope's payload, or None when the envelope
    does not parse or open, or names no well-formed code."""
    try:
        payload = open_(Envelope.from_bytes(raw), private_keys)
    except EnvelopeError:
        return None
    receipt = payload.get("receipt") if isinstance(payload, dict) else None
    code = receipt.get("code") if isinstance(receipt, dict) else None
    if not isinstance(code, str):
        return None
    try:
        return parse_code(code)
    except ReceiptError:
        return None


def listing(conn: Connection,
            private_keys: Mapping[str, X25519PrivateKey]) -> list[dict[str, Any]]:
    """Quarantined inbox records and rejected envelopes, oldest first within each kind, each
    with ``station`` and ``receipt_code`` (None when unknown); no bytes, no personal data."""
    return [{**row, "receipt_code": peek_receipt_code(raw, private_keys)}
            for row, raw in iq.quarantined_rows(conn)]


def released_entry(record_id: str, as_of: str) -> dict[str, Any]:
    """The feed entry telling a kiosk staff released its quarantined record."""
    return {"type": "record", "record_id": record_id, "decision": "released", "as_of": as_of}


def reject(conn: Connection, record_id: str, user: str, reason: str, now_ms: int,
           as_of: str) -> str:
    """Reject a quarantined inbox record after review: it stays stored (state ``rejected``,
    with who rejected it, why and its earlier reason) and its station's feed tells the kiosk.
    Returns the stored reason. Raises NotFound if nothing is quarantined under
    ``record_id``, ActionRefused for an empty reason."""
    reason = " ".join(reason.split())[:MAX_REASON]
    if not reason:
        raise ActionRefused("--reason: say why the record is rejected (it is kept for audit)")
    found = iq.quarantined(conn, record_id)
    if found is None:
        raise NotFound(f"record {record_id}: nothing quarantined under this id "
                       "(see yizhan-server quarantine)")
    device_id, _, was = found
    dev = dq.get(conn, device_id, for_update=True)
    if dev is None:  # pragma: no cover - inbox rows belong to enrolled devices
        raise NotFound(f"device {device_id}: not enrolled here")
    stored = f"rejected by staff:{user}: {reason} (was: {was})"
    iq.set_states(conn, [(record_id, "rejected", stored)], now_ms)
    zh, en = REJECTED_NEXT_STEP
    feed.append(conn, [(dev.station, {"type": "record", "record_id": record_id,
                                      "decision": "rejected", "status": "closed",
                                      "next_step_zh": zh, "next_step_en": en,
                                      "as_of": as_of})], now_ms)
    log.info("record %s of device %s rejected by staff:%s", record_id, device_id, user)
    return stored

"""What staff see of quarantined records and how a decision on one reaches its kiosk.

``listing`` shows each quarantined or rejected envelope with its station and the receipt
code its worker holds — when the payload opens with the county's keys far enough to name a
well-formed code; ``None`` (shown as unknown) otherwise. No other part of the payload leaves
this module: the listing carries no personal data.

A staff decision on a quarantined record goes on its station's signed changes feed as a
``record`` entry (docs/protocol.md): ``released`` (the filing's own ``status`` entry says
``received``) or ``rejected`` (the receipt then reads ``closed`` with ``REJECTED_NEXT_STEP``).
The kiosk moves the record out of its quarantined outbox rows and updates the receipt.

Online, ``POST /v1/status`` answers for such a record too (``status_of``): the inbox notes
the receipt code of a record when it is quarantined (``note_codes``), and the PIN is checked
against the verifier in its payload, exactly as for a case.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import Connection

from shared._errors import EnvelopeError, ReceiptError
from shared.anyenv import open_, parse  # v1 envelopes and stored v2 items
from shared.receipt import parse_code
from sync_server.errors import ActionRefused, NotFound
from sync_server.store import devices as dq
from sync_server.store import feed
from sync_server.store import inbox as iq

log = logging.getLogger("yizhan.server.quarantine")

REJECTED_NEXT_STEP = ("县级中心核实后未受理此记录，请到站点咨询。",
                      "The county checked this record and did not take it in; please ask "
                      "at the station.")
NEEDS_REVIEW_NEXT_STEP = ("县级中心需要核实，请到站点咨询。",
                         "The county needs to check this record, please ask at the station.")
MAX_REASON = 500


def peek_receipt(raw: bytes, private_keys: Mapping[str, X25519PrivateKey]
                 ) -> tuple[str, str | None] | None:
    """(the canonical receipt code, its PIN verifier or None) inside an envelope's payload,
    or None when the envelope does not parse or open, or names no well-formed code."""
    try:
        payload = open_(parse(raw), private_keys)
    except EnvelopeError:
        return None
    receipt = payload.get("receipt") if isinstance(payload, dict) else None
    code = receipt.get("code") if isinstance(receipt, dict) else None
    if not isinstance(code, str):
        return None
    try:
        code = parse_code(code)
    except ReceiptError:
        return None
    verifier = receipt.get("pin_verifier") if isinstance(receipt, dict) else None
    return code, verifier if isinstance(verifier, str) and verifier else None


def peek_receipt_code(raw: bytes, private_keys: Mapping[str, X25519PrivateKey]) -> str | None:
    """The canonical receipt code inside an envelope's payload, or None (see peek_receipt)."""
    found = peek_receipt(raw, private_keys)
    return None if found is None else found[0]


def note_codes(conn: Connection, raws: Mapping[str, bytes],
               states: Iterable[tuple[str, str, str | None]],
               private_keys: Mapping[str, X25519PrivateKey]) -> None:
    """Note in the inbox the receipt code of each record ``states`` quarantines, when its
    payload (``raws`` by record id) opens far enough to name one."""
    codes = {}
    for rid, state, _ in states:
        if state == "quarantined" and rid in raws:
            code = peek_receipt_code(raws[rid], private_keys)
            if code is not None:
                codes[rid] = code
    iq.set_receipt_codes(conn, codes)


def status_of(conn: Connection, code: str, private_keys: Mapping[str, X25519PrivateKey]
              ) -> tuple[str, str, str, int, str | None] | None:
    """Where a receipt stands whose record is kept aside, not a case: (status, next step zh,
    next step en, as of ms, PIN verifier or None) — ``needs_review`` while quarantined,
    ``closed`` once staff rejected it — or None when no such record names ``code``."""
    found = iq.kept_aside(conn, code)
    if found is None:
        return None
    state, raw, at_ms = found
    peeked = peek_receipt(raw, private_keys)
    verifier = peeked[1] if peeked is not None and peeked[0] == code else None
    if state == "rejected":
        return ("closed", *REJECTED_NEXT_STEP, at_ms, verifier)
    return ("needs_review", *NEEDS_REVIEW_NEXT_STEP, at_ms, verifier)


def listing(conn: Connection,
            private_keys: Mapping[str, X25519PrivateKey]) -> list[dict[str, Any]]:
    """Quarantined inbox records and rejected envelopes, oldest first within each kind, each
    with ``station``, ``receipt_code`` (None when unknown) and ``claimed_filed_at`` (the
    header's ``created``, None when unparseable); no bytes, no personal data."""
    return [{**row, "receipt_code": peek_receipt_code(raw, private_keys),
             "claimed_filed_at": _claimed(raw)} for row, raw in iq.quarantined_rows(conn)]


def _claimed(raw: bytes) -> str | None:
    """The filing time an envelope's header claims (the kiosk's word), or None."""
    try:
        return parse(raw).header.created
    except EnvelopeError:
        return None


def quarantined_entry(record_id: str, reason: str, as_of: str) -> dict[str, Any]:
    """The feed entry telling a kiosk the merge quarantined a record of its that a v2
    acknowledgement had said the county holds (the v1 push answer says it directly)."""
    return {"type": "record", "record_id": record_id, "decision": "quarantined",
            "reason": reason[:MAX_REASON], "as_of": as_of}


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

"""Filing ``visit`` records (queue tickets, shared/visit.py): one row in ``visits`` each.

A visit is not a case: no case, no receipt code, no event, no status feed entry. Filing is
idempotent on the record id (a record pushed again, or carried again by a USB bundle, is
filed once). Each visit is filed in its own savepoint, so one that fails is quarantined with
a reason and the others stand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import Connection

from shared._errors import RecordInvalid
from shared.anyenv import AnyEnvelope, open_
from shared.clock import format_utc, parse_utc
from shared.visit import VisitPayload
from sync_server.services.isolation import fault_reason, record_fault
from sync_server.store import visits as vq


def open_visit(env: AnyEnvelope, private: Mapping[str, X25519PrivateKey]
               ) -> tuple[str | None, VisitPayload | None]:
    """(None, the validated visit), or (the quarantine reason, None). ``private``: the
    county's keys by kid. Raises EnvelopeError when it does not open (the caller words it)."""
    try:
        visit = VisitPayload.from_wire(open_(env, private))
    except RecordInvalid as exc:
        return "invalid_record: " + ", ".join(f"{e.field} {e.code}" for e in exc.errors), None
    if visit.station != env.header.station:
        return "header_mismatch: payload station differs from the header", None
    return None, visit


def file_visits(conn: Connection, items: Sequence[tuple[AnyEnvelope, VisitPayload]],
                now_ms: int) -> dict[str, str]:
    """File ``items``; returns record id -> quarantine reason for each that failed."""
    reasons: dict[str, str] = {}
    for env, visit in items:
        try:
            with conn.begin_nested():
                vq.add(conn, {"record_id": env.header.id, "device_id": env.header.device,
                              "station": visit.station, "ticket": visit.ticket,
                              "service_date": visit.service_date,
                              "taken_at": format_utc(parse_utc(visit.taken_at)),
                              "matter_type": visit.matter_type,
                              "linked_receipt": visit.linked_receipt,
                              "person_key": visit.person_key, "filed_at_ms": now_ms})
        except Exception as exc:  # this record alone failed: quarantine it
            if not record_fault(exc):
                raise
            reasons[env.header.id] = fault_reason(exc)
    return reasons

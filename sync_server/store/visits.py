"""SQL for the ``visits`` table (queue tickets from ``visit`` records) and the filings' ticket
numbers, which the visits indicator (``services/visits.py``) joins."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from sync_server.store._dialect import upsert
from sync_server.store.schema import cases, events, visits


def add(conn: Connection, row: dict[str, Any]) -> bool:
    """File one visit; a record id already filed is left as it is. Returns whether it was new."""
    stmt = upsert(conn, visits).values(**row).on_conflict_do_nothing(
        index_elements=["record_id"])
    return bool(conn.execute(stmt).rowcount)


def between(conn: Connection, since: str, until: str,
            station: str | None = None) -> list[dict[str, Any]]:
    """Visits with ``since <= taken_at < until`` (ISO UTC), no personal data."""
    query = (select(visits.c.record_id, visits.c.station, visits.c.ticket,
                    visits.c.service_date, visits.c.taken_at, visits.c.matter_type,
                    visits.c.linked_receipt, visits.c.person_key)
             .where(visits.c.taken_at >= since).where(visits.c.taken_at < until))
    if station is not None:
        query = query.where(visits.c.station == station)
    return [dict(r._mapping) for r in conn.execute(query)]


def filing_links(conn: Connection, since: str, until: str) -> dict[str, tuple[str, str | None]]:
    """case id -> (receipt code, ticket number of the visit it was filed in, or None), for
    filings with ``since <= filed_at < until``."""
    query = (select(cases.c.case_id, cases.c.receipt_code, events.c.data)
             .join(events, events.c.case_id == cases.c.case_id)
             .where(events.c.kind == "filed")
             .where(cases.c.filed_at >= since).where(cases.c.filed_at < until))
    out: dict[str, tuple[str, str | None]] = {}
    for r in conn.execute(query):
        try:
            ticket = json.loads(r.data).get("ticket")
        except (ValueError, AttributeError):
            ticket = None
        out[r.case_id] = (r.receipt_code, ticket if isinstance(ticket, str) else None)
    return out

"""Queries behind the console's read views: a filtered, paged case list; one case's
conflicting submissions and linked cases. Read-only; the record and state are JSON text,
reached through ``_dialect.json_text``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, or_, select

from sync_server.store._dialect import json_text
from sync_server.store.schema import case_links, cases, rejected


@dataclass(frozen=True)
class CaseFilter:
    """What a case list is narrowed to; None means any. ``search`` matches a receipt code
    (given canonical, as ``receipt_code``), a part of the employer's name, or its USCC."""

    station: str | None = None
    status: str | None = None
    route: str | None = None
    matter_type: str | None = None
    search: str | None = None
    receipt_code: str | None = None


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def case_page(conn: Connection, where: CaseFilter, offset: int,
              limit: int) -> tuple[int, list[dict[str, Any]]]:
    """(total matching, one page of rows) newest filing first; each row has case_id,
    receipt_code, kind, station, status, filed_at, updated_at_ms, route, matter_type and
    employer_name (None when the record has none)."""
    route = json_text(conn, cases.c.state, "route")
    matter = json_text(conn, cases.c.record, "matter_type")
    employer = json_text(conn, cases.c.record, "employer", "name")
    uscc = json_text(conn, cases.c.record, "employer", "uscc")
    conds: list[Any] = []
    if where.station is not None:
        conds.append(cases.c.station == where.station)
    if where.status is not None:
        conds.append(cases.c.status == where.status)
    if where.route is not None:
        conds.append(route == where.route)
    if where.matter_type is not None:
        conds.append(matter == where.matter_type)
    if where.search:
        either = [employer.like(_like(where.search), escape="\\"),
                  uscc == where.search.upper()]
        if where.receipt_code is not None:
            either.append(cases.c.receipt_code == where.receipt_code)
        conds.append(or_(*either))
    total = int(conn.execute(select(func.count()).select_from(cases).where(*conds))
                .scalar_one())
    rows = conn.execute(
        select(cases.c.case_id, cases.c.receipt_code, cases.c.kind, cases.c.station,
               cases.c.status, cases.c.filed_at, cases.c.updated_at_ms,
               route.label("route"), matter.label("matter_type"),
               employer.label("employer_name"))
        .where(*conds).order_by(cases.c.filed_at.desc(), cases.c.case_id)
        .offset(offset).limit(limit))
    return total, [dict(r._mapping) for r in rows]


def case_row(conn: Connection, receipt_code: str) -> dict[str, Any] | None:
    """The case with this receipt code: its columns but the PIN verifier, with record and
    state parsed; None if there is none."""
    row = conn.execute(select(*[c for c in cases.c if c.name != "pin_verifier"])
                       .where(cases.c.receipt_code == receipt_code)).first()
    if row is None:
        return None
    out = dict(row._mapping)
    out["record"] = json.loads(out["record"])
    out["state"] = json.loads(out["state"])
    return out


def conflicts_of(conn: Connection, record_id: str) -> list[dict[str, Any]]:
    """Submissions kept aside as conflicting with ``record_id`` (other bytes under its id),
    oldest first: id, device_id, envelope_hash, received_at_ms, reason (no bytes)."""
    rows = conn.execute(select(rejected.c.id, rejected.c.device_id, rejected.c.envelope_hash,
                               rejected.c.received_at_ms, rejected.c.reason)
                        .where(rejected.c.record_id == record_id,
                               rejected.c.status == "conflict")
                        .order_by(rejected.c.id))
    return [dict(r._mapping) for r in rows]


def linked_cases(conn: Connection, case_id: str) -> list[dict[str, Any]]:
    """The cases linked to ``case_id`` (likely duplicates, staff links): other case's id,
    receipt code, status and station, the link's kind, decision and created_at_ms."""
    rows = conn.execute(
        select(case_links.c.other_case_id.label("case_id"), cases.c.receipt_code,
               cases.c.status, cases.c.station, case_links.c.kind, case_links.c.decision,
               case_links.c.created_at_ms)
        .join(cases, cases.c.case_id == case_links.c.other_case_id)
        .where(case_links.c.case_id == case_id)
        .order_by(case_links.c.created_at_ms, case_links.c.other_case_id))
    return [dict(r._mapping) for r in rows]

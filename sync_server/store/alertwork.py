"""Queries for the alert lifecycle (``alerts`` state columns, ``alert_steps``), the cases an
alert names, filings over time for the chart, and each station's last sync."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from sync_server.store.schema import alert_steps, alerts, cases, devices, inbox


def list_alerts(conn: Connection) -> list[dict[str, Any]]:
    """Every alert, newest first, ``case_ids`` parsed."""
    rows = conn.execute(select(alerts).order_by(alerts.c.id.desc()))
    return [{**dict(r._mapping), "case_ids": json.loads(r.case_ids)} for r in rows]


def get_alert(conn: Connection, alert_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).first()
    return None if row is None else {**dict(row._mapping), "case_ids": json.loads(row.case_ids)}


def case_facts(conn: Connection, case_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """case_id -> receipt code, station, filing time, status (no personal data)."""
    if not case_ids:
        return {}
    rows = conn.execute(select(cases.c.case_id, cases.c.receipt_code, cases.c.station,
                               cases.c.filed_at, cases.c.status)
                        .where(cases.c.case_id.in_(list(case_ids))))
    return {r.case_id: dict(r._mapping) for r in rows}


def move(conn: Connection, alert_id: int, from_state: str, to_state: str, actor: str,
         now_ms: int, outcome: str | None) -> bool:
    """Compare-and-set the alert's state. False if it was not ``from_state`` any more (two
    users at once: one wins)."""
    values: dict[str, Any] = {"state": to_state, "state_by": actor, "state_at_ms": now_ms}
    if outcome is not None:
        values["outcome"] = outcome
    done = conn.execute(update(alerts).where(alerts.c.id == alert_id)
                        .where(alerts.c.state == from_state).values(**values)
                        .returning(alerts.c.id)).first()
    return done is not None


def mark_escalated(conn: Connection, alert_id: int, now_ms: int) -> bool:
    """Mark the alert escalated to labour inspection once. False if it already was."""
    done = conn.execute(update(alerts).where(alerts.c.id == alert_id)
                        .where(alerts.c.escalated_at_ms.is_(None))
                        .values(escalated_at_ms=now_ms).returning(alerts.c.id)).first()
    return done is not None


def add_step(conn: Connection, alert_id: int, step: str, actor: str, now_ms: int,
             note: str | None) -> None:
    conn.execute(insert(alert_steps).values(alert_id=alert_id, step=step, actor=actor,
                                            at_ms=now_ms, note=note))


def steps_of(conn: Connection, alert_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """alert id -> its steps, oldest first."""
    out: dict[int, list[dict[str, Any]]] = {}
    if not alert_ids:
        return out
    rows = conn.execute(select(alert_steps).where(alert_steps.c.alert_id.in_(list(alert_ids)))
                        .order_by(alert_steps.c.id))
    for r in rows:
        out.setdefault(int(r.alert_id), []).append(dict(r._mapping))
    return out


def filing_times(conn: Connection, since: str) -> list[str]:
    """Filing times (ISO UTC) of complaints filed at or after ``since``."""
    return [str(t) for t in conn.execute(select(cases.c.filed_at)
                                         .where(cases.c.kind == "complaint")
                                         .where(cases.c.filed_at >= since)).scalars()]


def station_last_seen(conn: Connection) -> dict[str, int | None]:
    """station -> the last time any of its devices not revoked made a signed request
    (None: enrolled, never seen since)."""
    rows = conn.execute(select(devices.c.station, func.max(devices.c.last_seen_ms),
                               func.max(devices.c.enrolled_at_ms))
                        .where(devices.c.revoked_at_ms.is_(None))
                        .group_by(devices.c.station))
    return {str(s): (int(seen) if seen is not None else None) for s, seen, _ in rows}


def inbox_waiting(conn: Connection) -> dict[str, int]:
    """device id -> its records received and not yet merged (pending, held behind a gap, or
    verified and waiting for the merge)."""
    rows = conn.execute(select(inbox.c.device_id, func.count())
                        .where(inbox.c.state.in_(("pending", "held", "verified")))
                        .group_by(inbox.c.device_id))
    return {str(d): int(n) for d, n in rows}


def employer_cases(conn: Connection, employer_key: str, limit: int = 2000) -> list[dict[str, Any]]:
    """The cases filed against one employer (oldest first) with their folded state."""
    rows = conn.execute(select(cases.c.case_id, cases.c.receipt_code, cases.c.station,
                               cases.c.filed_at, cases.c.status, cases.c.kind, cases.c.state)
                        .where(cases.c.employer_key == employer_key)
                        .order_by(cases.c.filed_at, cases.c.case_id).limit(limit))
    return [{**dict(r._mapping), "state": json.loads(r.state)} for r in rows]


def contacts(conn: Connection, since: str, until: str,
             station: str | None = None) -> list[dict[str, Any]]:
    """Filings (complaints and registrations) with ``since <= filed_at < until`` (ISO UTC):
    station, filing time, person key, kind, matter type; no personal data leaves."""
    query = (select(cases.c.case_id, cases.c.station, cases.c.filed_at, cases.c.person_key,
                    cases.c.kind, cases.c.record)
             .where(cases.c.filed_at >= since).where(cases.c.filed_at < until))
    if station is not None:
        query = query.where(cases.c.station == station)
    out = []
    for r in conn.execute(query):
        try:
            matter = json.loads(r.record).get("matter_type")
        except (ValueError, AttributeError):
            matter = None
        out.append({"case_id": r.case_id, "station": r.station, "filed_at": r.filed_at,
                    "person_key": r.person_key, "kind": r.kind, "matter_type": matter})
    return out

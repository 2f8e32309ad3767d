"""Queries for cases, their events, duplicate links and collective-dispute alerts."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select, update

from shared.canonical import canonical_bytes
from sync_server.errors import StoreFault
from sync_server.store._dialect import lock_for_update, upsert
from sync_server.store.schema import alerts, case_links, cases, events, projection_dirty

# one encoder for every call (json.dumps with options builds a new one each time)
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _json(value: Any) -> str:
    """The canonical JSON text of ``value`` (shared.canonical), quickly for the usual case.

    Filing stores three documents per record, and the canonical encoder's pure-Python walk
    (NFC-normalising every string) was a fifth of ingest time. ``json.dumps`` with the same
    options gives the same text whenever that text is already NFC: the JSON punctuation
    around each string never composes with it, so the whole text is NFC exactly when every
    key and string is; otherwise the canonical encoder decides. (Floats, which the canonical
    encoder refuses, do not occur here: records are validated and money is integer fen.)
    """
    text = _ENCODER.encode(value)
    if unicodedata.is_normalized("NFC", text):
        return text
    return canonical_bytes(value).decode("utf-8")


json_text = _json  # for the other store modules (the feed's entries)


def insert_events(conn: Connection, rows: Sequence[dict[str, Any]], now_ms: int) -> None:
    """Add events (each a to_wire dict); an event id already held is left as it is."""
    if not rows:
        return
    stmt = upsert(conn, events).on_conflict_do_nothing(index_elements=[events.c.event_id])
    conn.execute(stmt, [{"event_id": e["event_id"], "case_id": e["case_id"], "kind": e["kind"],
                         "hlc": e["hlc"], "author": e["author"], "data": _json(e["data"]),
                         "recorded_at_ms": now_ms} for e in rows])


def events_of(conn: Connection, case_id: str) -> list[dict[str, Any]]:
    """Every event of a case as to_wire dicts, in (hlc, event_id) order."""
    rows = conn.execute(select(events.c.event_id, events.c.case_id, events.c.kind,
                               events.c.hlc, events.c.author, events.c.data)
                        .where(events.c.case_id == case_id)
                        .order_by(events.c.hlc, events.c.event_id))
    return [{"event_id": r[0], "case_id": r[1], "kind": r[2], "hlc": r[3], "author": r[4],
             "data": json.loads(r[5])} for r in rows]


def events_of_many(conn: Connection, case_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """case_id -> its events as to_wire dicts in (hlc, event_id) order, in one query."""
    out: dict[str, list[dict[str, Any]]] = {c: [] for c in case_ids}
    if not case_ids:
        return out
    rows = conn.execute(select(events.c.event_id, events.c.case_id, events.c.kind,
                               events.c.hlc, events.c.author, events.c.data)
                        .where(events.c.case_id.in_(list(case_ids)))
                        .order_by(events.c.case_id, events.c.hlc, events.c.event_id))
    for r in rows:
        out[r[1]].append({"event_id": r[0], "case_id": r[1], "kind": r[2], "hlc": r[3],
                          "author": r[4], "data": json.loads(r[5])})
    return out


def mark_dirty(conn: Connection, case_ids: Sequence[str]) -> None:
    """Note that these cases' ``case_work`` rows are missing or outdated (in the caller's
    transaction; ``store.casework.put`` clears the note when it writes the row)."""
    if case_ids:
        conn.execute(upsert(conn, projection_dirty).on_conflict_do_nothing(),
                     [{"case_id": c} for c in dict.fromkeys(case_ids)])


def insert_cases(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Add new case rows (record and state given as dicts)."""
    if rows:
        conn.execute(cases.insert(), [{**r, "record": _json(r["record"]),
                                       "state": _json(r["state"])} for r in rows])
        mark_dirty(conn, [r["case_id"] for r in rows])


def receipt_taken(conn: Connection, codes: Sequence[str]) -> set[str]:
    """Which of these receipt codes already belong to a case."""
    if not codes:
        return set()
    return set(conn.execute(select(cases.c.receipt_code)
                            .where(cases.c.receipt_code.in_(list(codes)))).scalars())


def by_code(conn: Connection, code: str, *, for_update: bool = False) -> dict[str, Any] | None:
    """The case row with this receipt code (record/state parsed), or None."""
    query = select(cases).where(cases.c.receipt_code == code)
    if for_update and lock_for_update(conn):
        query = query.with_for_update()
    row = conn.execute(query).first()
    return _case(row._mapping) if row else None


def _case(row: Any) -> dict[str, Any]:
    out = dict(row)
    out["record"] = json.loads(out["record"])
    out["state"] = json.loads(out["state"])
    return out


def of_station(conn: Connection, station: str) -> Iterator[dict[str, Any]]:
    """receipt_code, status, state (parsed) and updated_at_ms of every case filed at
    ``station``, by case id."""
    rows = conn.execute(select(cases.c.receipt_code, cases.c.status, cases.c.state,
                               cases.c.updated_at_ms)
                        .where(cases.c.station == station).order_by(cases.c.case_id))
    for r in rows:
        yield {"receipt_code": r[0], "status": r[1], "state": json.loads(r[2]),
               "updated_at_ms": r[3]}


def set_state(conn: Connection, case_id: str, status: str, state: dict[str, Any],
              now_ms: int) -> None:
    """Store a case's freshly folded state."""
    conn.execute(update(cases).where(cases.c.case_id == case_id)
                 .values(status=status, state=_json(state), updated_at_ms=now_ms))
    mark_dirty(conn, [case_id])


def set_employer_key(conn: Connection, case_id: str, employer_key: str) -> None:
    """Give a case the employer key staff completed (it then joins duplicate and alert
    groups like any complaint against that employer)."""
    conn.execute(update(cases).where(cases.c.case_id == case_id)
                 .values(employer_key=employer_key))
    mark_dirty(conn, [case_id])


def set_states(conn: Connection, states: Sequence[tuple[str, str, dict[str, Any]]],
               now_ms: int) -> None:
    """Store several freshly folded states, each (case_id, status, state), in one statement."""
    if states:
        conn.execute(update(cases).where(cases.c.case_id == bindparam("cid"))
                     .values(status=bindparam("st"), state=bindparam("doc"),
                             updated_at_ms=now_ms),
                     [{"cid": c, "st": s, "doc": _json(d)} for c, s, d in states])
        mark_dirty(conn, [c for c, _, _ in states])


def iter_cases(conn: Connection) -> Iterator[dict[str, Any]]:
    """Every case, oldest filing first."""
    for row in conn.execute(select(cases).order_by(cases.c.filed_at, cases.c.case_id)):
        yield _case(row._mapping)


def similar_many(conn: Connection, person_keys: Sequence[str], since: str,
                 until: str) -> list[dict[str, Any]]:
    """(case_id, person_key, employer_key, filed_at) of complaints by any of these persons
    filed in [since, until]: the likely-duplicate candidates of a batch, in one query."""
    if not person_keys:
        return []
    rows = conn.execute(select(cases.c.case_id, cases.c.person_key, cases.c.employer_key,
                               cases.c.filed_at)
                        .where(cases.c.person_key.in_(list(person_keys)),
                               cases.c.employer_key.is_not(None),
                               cases.c.filed_at >= since, cases.c.filed_at <= until))
    return [_filing(r) for r in rows]


def _filing(r: Any) -> dict[str, Any]:
    # by position: a tenth of the cost of dict(r._mapping), for rows a batch reads by the
    # thousand
    return {"case_id": r[0], "person_key": r[1], "employer_key": r[2], "filed_at": r[3]}


def add_links(conn: Connection, pairs: Sequence[tuple[str, str]], kind: str,
              now_ms: int) -> None:
    """Record links between cases, each in both directions (idempotent)."""
    if not pairs:
        return
    stmt = upsert(conn, case_links).on_conflict_do_nothing()
    conn.execute(stmt, [{"case_id": a, "other_case_id": b, "kind": kind, "decision": "open",
                         "created_at_ms": now_ms}
                        for case_id, other in pairs
                        for a, b in ((case_id, other), (other, case_id))])


def links(conn: Connection, case_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(select(case_links).where(case_links.c.case_id == case_id))
    return [dict(r._mapping) for r in rows]


def decide_link(conn: Connection, case_id: str, other: str, decision: str,
                now_ms: int) -> None:
    """Record staff's decision (``confirmed`` | ``split``) on the link between two cases,
    both directions; a pair staff link themselves is added as kind ``staff``."""
    stmt = upsert(conn, case_links)
    stmt = stmt.on_conflict_do_update(
        index_elements=[case_links.c.case_id, case_links.c.other_case_id],
        set_={"decision": stmt.excluded.decision})
    conn.execute(stmt, [{"case_id": a, "other_case_id": b, "kind": "staff",
                         "decision": decision, "created_at_ms": now_ms}
                        for a, b in ((case_id, other), (other, case_id))])


def open_pairs(conn: Connection) -> list[dict[str, Any]]:
    """Links awaiting staff's decision, each pair once (case_id < other_case_id), with
    kind and created_at_ms, oldest first."""
    rows = conn.execute(select(case_links).where(case_links.c.decision == "open",
                                                 case_links.c.case_id
                                                 < case_links.c.other_case_id)
                        .order_by(case_links.c.created_at_ms, case_links.c.case_id))
    return [dict(r._mapping) for r in rows]


def by_ids(conn: Connection, case_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """case_id -> case row (record/state parsed) for these cases, in one query."""
    if not case_ids:
        return {}
    rows = conn.execute(select(cases).where(cases.c.case_id.in_(list(case_ids))))
    return {r.case_id: _case(r._mapping) for r in rows}


def employer_filings_many(conn: Connection, employer_keys: Sequence[str], since: str,
                          until: str) -> list[dict[str, Any]]:
    """(case_id, person_key, employer_key, filed_at) of complaints against any of these
    employers filed in [since, until], in one query."""
    if not employer_keys:
        return []
    rows = conn.execute(select(cases.c.case_id, cases.c.person_key, cases.c.employer_key,
                               cases.c.filed_at)
                        .where(cases.c.employer_key.in_(list(employer_keys)),
                               cases.c.filed_at >= since, cases.c.filed_at <= until))
    return [_filing(r) for r in rows]


def add_alert(conn: Connection, employer_key: str, employer_name: str, claimants: int,
              case_ids: Sequence[str], window_start: str, now_ms: int) -> bool:
    """Raise an alert for a group window once. Returns True if it is new."""
    stmt = upsert(conn, alerts).values(employer_key=employer_key, employer_name=employer_name,
                                       claimants=claimants, case_ids=_json(list(case_ids)),
                                       window_start=window_start, created_at_ms=now_ms)
    return conn.execute(stmt.on_conflict_do_nothing().returning(alerts.c.id)).first() \
        is not None


def alerts_of(conn: Connection, employer_keys: Sequence[str]) -> list[dict[str, Any]]:
    """The alerts of these employers (case_ids parsed), oldest first, in one query."""
    if not employer_keys:
        return []
    rows = conn.execute(select(alerts).where(alerts.c.employer_key.in_(list(employer_keys)))
                        .order_by(alerts.c.id))
    return [{**dict(r._mapping), "case_ids": json.loads(r.case_ids)} for r in rows]


def update_alert(conn: Connection, alert_id: int, claimants: int, case_ids: Sequence[str],
                 window_start: str, now_ms: int) -> None:
    """Store a grown group in its alert. If another process has just raised an alert of
    the same employer at ``window_start`` (unique), the window start is left as it was."""
    values = {"claimants": claimants, "case_ids": _json(list(case_ids)),
              "updated_at_ms": now_ms}
    try:
        with conn.begin_nested():
            conn.execute(update(alerts).where(alerts.c.id == alert_id)
                         .values(window_start=window_start, **values))
    except StoreFault as exc:
        if not exc.integrity:
            raise
        conn.execute(update(alerts).where(alerts.c.id == alert_id).values(**values))


def update_alert_groups(conn: Connection, groups: Sequence[tuple[int, int, Sequence[str]]],
                        now_ms: int) -> None:
    """Store grown groups, each (alert id, claimants, case ids), whose window start stays
    as it is, in one statement (nothing unique changes, so no savepoint is needed)."""
    if groups:
        conn.execute(update(alerts).where(alerts.c.id == bindparam("aid"))
                     .values(claimants=bindparam("n"), case_ids=bindparam("ids"),
                             updated_at_ms=now_ms),
                     [{"aid": a, "n": n, "ids": _json(list(ids))} for a, n, ids in groups])


def delete_alerts(conn: Connection, alert_ids: Sequence[int]) -> None:
    """Remove alerts merged into another one."""
    conn.execute(delete(alerts).where(alerts.c.id.in_(list(alert_ids))))


def person_keys(conn: Connection, case_ids: Sequence[str]) -> dict[str, str | None]:
    """case_id -> person_key for these cases."""
    if not case_ids:
        return {}
    rows = conn.execute(select(cases.c.case_id, cases.c.person_key)
                        .where(cases.c.case_id.in_(list(case_ids))))
    return {r[0]: r[1] for r in rows}


def list_alerts(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(alerts).order_by(alerts.c.id))
    return [{**dict(r._mapping), "case_ids": json.loads(r.case_ids)} for r in rows]


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(cases)).scalar_one())


def count_events(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(events)).scalar_one())

"""Queries for the case-work projection (``case_work``) and the workqueues over it.

A workqueue is a WHERE clause (``QUEUES``); its count and its list are the same SELECT with
another projection, so a count always equals the length of its list.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.sql.visitors import iterate

from sync_server.store._dialect import upsert
from sync_server.store.schema import case_work, cases, events, projection_dirty

_W, _C = case_work.c, cases.c
FINISHED = ("settled", "closed", "withdrawn")


def stale(conn: Connection, limit: int) -> list[str]:
    """Ids of cases whose projection is missing or outdated (marked in ``projection_dirty``
    by every write to a case), at most ``limit``: reads the marks, never every case."""
    rows = conn.execute(select(projection_dirty.c.case_id)
                        .order_by(projection_dirty.c.case_id).limit(limit))
    return [r[0] for r in rows]


def clear_dirty(conn: Connection, case_ids: Sequence[str]) -> None:
    """Drop the outdated marks of these cases (e.g. ids with no case row any more)."""
    if case_ids:
        conn.execute(delete(projection_dirty)
                     .where(projection_dirty.c.case_id.in_(list(case_ids))))


def put(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Store projection rows (every column of ``case_work``), replacing older ones."""
    if not rows:
        return
    stmt = upsert(conn, case_work)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=[_W.case_id],
        set_={c.name: stmt.excluded[c.name] for c in case_work.columns
              if c.name != "case_id"}), list(rows))
    conn.execute(delete(projection_dirty)
                 .where(projection_dirty.c.case_id.in_([r["case_id"] for r in rows])))


def invalidate_open(conn: Connection) -> None:
    """Ask for every unfinished case's projection to be made again (the calendar changed)."""
    conn.execute(update(case_work).where(_W.status.not_in(FINISHED)).values(synced_ms=-1))
    conn.execute(delete(projection_dirty).where(projection_dirty.c.case_id.in_(
        select(_W.case_id).where(_W.status.not_in(FINISHED)))))
    conn.execute(insert(projection_dirty).from_select(
        ["case_id"], select(_W.case_id).where(_W.status.not_in(FINISHED))))


def queue_where(name: str, today: str, soon: str, me: str | None,
                collective: Sequence[str]) -> ColumnElement[bool]:
    """The WHERE clause of workqueue ``name`` (see ``QUEUES``). Raises KeyError."""
    unfinished = _W.status.not_in(FINISHED)
    return {
        "all": true(),
        "triage": and_(_W.status == "received", _W.kind == "complaint",
                       _W.needs_materials == 0),
        "materials": _W.needs_materials == 1,
        "duplicates": _W.duplicate_pending == 1,
        "conflicts": _W.conflicts == 1,
        "mine": and_(_W.assignee == (me or ""), unfinished),
        "due_soon": and_(_W.due_on >= today, _W.due_on <= soon),
        "overdue": _W.due_on < today,
        "extensions": _W.pending_extensions > 0,
        "agreed_unpaid": _W.agreed_unpaid == 1,
        "collective": _W.case_id.in_(list(collective)),
    }[name]


QUEUES = ("triage", "materials", "duplicates", "conflicts", "mine", "due_soon", "overdue",
          "extensions", "agreed_unpaid", "collective", "all")


def _scoped(where: ColumnElement[bool], station: str | None,
            assignee: str | None) -> ColumnElement[bool]:
    parts = [where]
    if station is not None:
        parts.append(_W.station == station)
    if assignee is not None:
        parts.append(_W.assignee == assignee)
    return and_(*parts)


_JOIN = cases.join(case_work, _W.case_id == _C.case_id)


def _needs_cases(where: ColumnElement[bool]) -> bool:
    """Whether ``where`` reads a column of ``cases`` (else case_work alone answers it)."""
    return any(getattr(e, "table", None) is cases for e in iterate(where))


def source(where: ColumnElement[bool]) -> Any:
    """The FROM a query of ``where`` needs: case_work alone when it can."""
    return _JOIN if _needs_cases(where) else case_work


def count(conn: Connection, where: ColumnElement[bool], station: str | None,
          assignee: str | None) -> int:
    """How many cases ``where`` selects in this scope."""
    scoped = _scoped(where, station, assignee)
    return int(conn.execute(select(func.count()).select_from(source(scoped))
                            .where(scoped)).scalar_one())


def counts(conn: Connection, wheres: dict[str, ColumnElement[bool]], station: str | None,
           assignee: str | None) -> dict[str, int]:
    """name -> how many cases each ``where`` selects in this scope, in one pass (the same
    WHERE clauses ``count`` and the lists use, so each equals its list's length)."""
    if not wheres:
        return {}
    scope = _scoped(true(), station, assignee)
    needs = any(_needs_cases(w) for w in wheres.values())
    query = select(*[func.coalesce(func.sum(case((w, 1), else_=0)), 0).label(f"c{i}")
                     for i, w in enumerate(wheres.values())]
                   ).select_from(_JOIN if needs else case_work).where(scope)
    row = conn.execute(query).one()
    return {name: int(row[i]) for i, name in enumerate(wheres)}


def ordered_ids(where: ColumnElement[bool], station: str | None, assignee: str | None,
                limit: int | None, offset: int) -> Select[Any]:
    """The case ids ``where`` selects in this scope, oldest filing first, one page of them
    (read from case_work's (filed_at, case_id) index; joined to cases only if needed)."""
    scoped = _scoped(where, station, assignee)
    query = (select(_W.case_id, _W.filed_at).select_from(source(scoped)).where(scoped)
             .order_by(_W.filed_at, _W.case_id).offset(offset))
    return query.limit(limit) if limit is not None else query


def listing(conn: Connection, where: ColumnElement[bool], station: str | None,
            assignee: str | None, limit: int | None = None,
            offset: int = 0) -> list[dict[str, Any]]:
    """The cases ``where`` selects in this scope, oldest filing first (no personal data)."""
    ids = ordered_ids(where, station, assignee, limit, offset).subquery()
    query = (select(_C.case_id, _C.receipt_code, _C.kind, _C.station, _C.filed_at,
                    _C.status, _W.route, _W.assignee, _W.next_clock, _W.due_on,
                    _W.at_risk_on, _W.needs_materials)
             .select_from(ids.join(_JOIN, _C.case_id == ids.c.case_id))
             .order_by(ids.c.filed_at, ids.c.case_id))
    return [dict(r._mapping) for r in conn.execute(query)]


def assignee_of(conn: Connection, case_id: str) -> str | None:
    """The projected assignee of a case (None if none or not projected)."""
    return conn.execute(select(_W.assignee).where(_W.case_id == case_id)).scalar()


def events_with_times(conn: Connection, case_id: str) -> list[dict[str, Any]]:
    """Every event of a case as to_wire dicts plus ``recorded_at_ms`` (when the county
    stored it), in (hlc, event_id) order."""
    rows = conn.execute(select(events).where(events.c.case_id == case_id)
                        .order_by(events.c.hlc, events.c.event_id))
    return [{"event_id": r.event_id, "case_id": r.case_id, "kind": r.kind, "hlc": r.hlc,
             "author": r.author, "data": json.loads(r.data),
             "recorded_at_ms": r.recorded_at_ms} for r in rows]


def related(conn: Connection, case_id: str, person_key: str | None,
            employer_key: str | None, limit: int = 50) -> list[dict[str, Any]]:
    """Other cases of the same claimant (person key) or employer (employer key): case_id,
    receipt_code, station, status, and ``same`` = claimant | employer | both."""
    keys = [k for k in ((_C.person_key, person_key), (_C.employer_key, employer_key))
            if k[1] is not None]
    if not keys:
        return []
    rows = conn.execute(select(_C.case_id, _C.receipt_code, _C.station, _C.status,
                               _C.person_key, _C.employer_key)
                        .where(_C.case_id != case_id, or_(*(col == v for col, v in keys)))
                        .order_by(_C.filed_at, _C.case_id).limit(limit))
    out = []
    for r in rows:
        same = [n for n, hit in (("claimant", person_key is not None
                                  and r.person_key == person_key),
                                 ("employer", employer_key is not None
                                  and r.employer_key == employer_key)) if hit]
        out.append({"case_id": r.case_id, "receipt_code": r.receipt_code,
                    "station": r.station, "status": r.status,
                    "same": "both" if len(same) == 2 else same[0]})
    return out

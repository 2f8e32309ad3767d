"""Queries for the indicators' projection (``report_cases``, ``report_payments``).

Every indicator is a WHERE clause over ``report_cases`` (``MEASURES``); its count and its
list are the same SELECT with another projection, so a figure always equals the length of
the list it links to. Days are China-local ``YYYY-MM-DD`` strings: a period is a string
range, a month the first 7 characters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, delete, func, insert, or_, select

from sync_server.store._dialect import upsert
from sync_server.store.schema import cases, report_cases, report_payments

_R, _P, _C = report_cases.c, report_payments.c, cases.c
RESOLVED = ("settled", "closed")

# measure -> (the date column it counts by, its extra condition)
MEASURES: dict[str, tuple[Any, ColumnElement[bool]]] = {
    "cases_accepted": (_R.accepted_on, _R.kind == "complaint"),
    "mediation_received": (_R.mediation_on, _R.kind == "complaint"),
    "mediation_settled": (_R.settled_on, _R.status.in_(RESOLVED)),
    "resolved": (_R.accepted_on, _R.status.in_(RESOLVED)),
    "resolved_locally": (_R.accepted_on, and_(_R.status.in_(RESOLVED), _R.local == 1)),
}


def stale(conn: Connection, limit: int, since_ms: int) -> list[str]:
    """Ids of cases changed at or after ``since_ms`` whose report row is missing or older
    than the case (``ix_cases_updated`` keeps this a range scan)."""
    rows = conn.execute(select(_C.case_id).select_from(
        cases.outerjoin(report_cases, _R.case_id == _C.case_id))
        .where(_C.updated_at_ms >= since_ms)
        .where(or_(_R.case_id.is_(None), _R.synced_ms != _C.updated_at_ms))
        .order_by(_C.case_id).limit(limit))
    return [r[0] for r in rows]


def last_change_ms(conn: Connection) -> int:
    """The newest ``cases.updated_at_ms`` (0 without cases)."""
    return int(conn.execute(select(func.max(_C.updated_at_ms))).scalar() or 0)


def visit_counts(conn: Connection, start: str, end: str, station: str | None,
                 by: str | None) -> dict[str, int]:
    """group -> visits: distinct (visitor, station, filed day); a visit's matter type is
    the least of that day's filings' (registrations: ``jobseeker``)."""
    where = and_(_R.filed_day >= start, _R.filed_day <= end)
    if station:
        where = and_(where, _R.station == station)
    g = _group(by, _R.filed_day)
    pick = func.min(g) if by == "matter_type" else (g if g is not None else None)
    keys = [_R.visitor, _R.station, _R.filed_day]
    inner = select(*keys, *([pick.label("g")] if pick is not None else [])).where(where) \
        .group_by(*keys).subquery()
    if pick is None:
        return {"all": int(conn.execute(select(func.count()).select_from(inner)).scalar()
                           or 0)}
    rows = conn.execute(select(inner.c.g, func.count()).group_by(inner.c.g))
    return {str(r[0]): int(r[1]) for r in rows}


def put(conn: Connection, rows: Sequence[dict[str, Any]],
        payments: Sequence[dict[str, Any]]) -> None:
    """Store report rows (every column) and replace those cases' payments."""
    if not rows:
        return
    stmt = upsert(conn, report_cases)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=[_R.case_id],
        set_={c.name: stmt.excluded[c.name] for c in report_cases.columns
              if c.name != "case_id"}), list(rows))
    conn.execute(delete(report_payments).where(_P.case_id.in_([r["case_id"] for r in rows])))
    if payments:
        conn.execute(insert(report_payments), list(payments))


def _group(by: str | None, day: Any) -> Any:
    """The GROUP BY expression of ``by`` (None: one group, no GROUP BY)."""
    if by == "station":
        return _R.station
    if by == "matter_type":
        return _R.matter_type
    if by == "month":
        return func.substr(day, 1, 7)
    return None


def _where(day: Any, extra: ColumnElement[bool], start: str, end: str,
           station: str | None) -> ColumnElement[bool]:
    where = and_(_R.merged == 0, day >= start, day <= end, extra)
    return and_(where, _R.station == station) if station else where


def measure_counts(conn: Connection, measure: str, start: str, end: str,
                   station: str | None, by: str | None) -> dict[str, tuple[int, int, int]]:
    """group -> (cases, workers, agreed fen) of one measure."""
    day, extra = MEASURES[measure]
    g = _group(by, day)
    query = select(func.count(), func.coalesce(func.sum(_R.workers), 0),
                   func.coalesce(func.sum(_R.agreed_fen), 0)) \
        .where(_where(day, extra, start, end, station))
    if g is None:
        row = conn.execute(query).one()
        return {"all": (int(row[0]), int(row[1]), int(row[2]))}
    rows = conn.execute(query.add_columns(g.label("g")).group_by(g))
    return {str(r[3]): (int(r[0]), int(r[1]), int(r[2])) for r in rows}


def measure_list(conn: Connection, measure: str, start: str, end: str,
                 station: str | None, by: str | None, group: str | None) -> list[dict[str, Any]]:
    """The cases one measure counts (in one group when ``group`` is given)."""
    day, extra = MEASURES[measure]
    g = _group(by, day)
    where = _where(day, extra, start, end, station)
    if g is not None and group is not None:
        where = and_(where, g == group)
    rows = conn.execute(select(_R.receipt_code, _R.station, _R.matter_type, _R.status,
                               day.label("day"), _R.workers, _R.agreed_fen)
                        .where(where).order_by(day, _R.receipt_code))
    return [dict(r._mapping) for r in rows]


def _paid_where(start: str, end: str, station: str | None) -> ColumnElement[bool]:
    where = and_(_R.merged == 0, _P.paid_on >= start, _P.paid_on <= end)
    return and_(where, _R.station == station) if station else where


def paid_sums(conn: Connection, start: str, end: str, station: str | None,
              by: str | None) -> dict[str, tuple[int, int]]:
    """group -> (cases with a payment, fen paid) by payment date."""
    g = _group(by, _P.paid_on)
    query = select(func.count(func.distinct(_P.case_id)), func.coalesce(func.sum(_P.fen), 0)) \
        .select_from(report_payments.join(report_cases, _R.case_id == _P.case_id)) \
        .where(_paid_where(start, end, station))
    if g is None:
        row = conn.execute(query).one()
        return {"all": (int(row[0]), int(row[1]))}
    rows = conn.execute(query.add_columns(g.label("g")).group_by(g))
    return {str(r[2]): (int(r[0]), int(r[1])) for r in rows}


def paid_list(conn: Connection, start: str, end: str, station: str | None, by: str | None,
              group: str | None) -> list[dict[str, Any]]:
    """The cases with a payment in the period, with the sum paid in it."""
    g = _group(by, _P.paid_on)
    where = _paid_where(start, end, station)
    if g is not None and group is not None:
        where = and_(where, g == group)
    rows = conn.execute(select(_R.receipt_code, _R.station, _R.matter_type, _R.status,
                               func.max(_P.paid_on).label("day"), _R.workers,
                               func.sum(_P.fen).label("paid_fen"))
                        .select_from(report_payments.join(report_cases,
                                                          _R.case_id == _P.case_id))
                        .where(where)
                        .group_by(_R.receipt_code, _R.station, _R.matter_type, _R.status,
                                  _R.workers)
                        .order_by(_R.receipt_code))
    return [{**r._mapping, "paid_fen": int(r.paid_fen)} for r in rows]  # PG sums: Decimal


def subsidy_rows(conn: Connection, start: str, end: str) -> list[dict[str, Any]]:
    """Cases settled in the period (agreement date), not merged, neither withdrawn nor
    reopened-and-open: mediator, grade, receipt code."""
    rows = conn.execute(select(_R.mediator, _R.grade, _R.receipt_code, _R.status,
                               _R.settled_on)
                        .where(_where(_R.settled_on, _R.status.in_(RESOLVED), start, end,
                                      None))
                        .order_by(_R.mediator, _R.receipt_code))
    return [dict(r._mapping) for r in rows]

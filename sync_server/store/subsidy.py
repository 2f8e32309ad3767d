"""Queries on the mediator subsidy's rates per difficulty grade and the approvals of a
period's report (``subsidy_rates``, ``subsidy_approvals``; 以案定补)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select

from sync_server.store._dialect import upsert
from sync_server.store.schema import subsidy_approvals, subsidy_rates


def rates(conn: Connection) -> dict[str, int]:
    """grade -> rate in fen."""
    return {r.grade: int(r.rate_fen) for r in conn.execute(select(subsidy_rates))}


def set_rate(conn: Connection, grade: str, rate_fen: int, by: str, at_ms: int) -> None:
    stmt = upsert(conn, subsidy_rates)
    row = {"grade": grade, "rate_fen": rate_fen, "updated_by": by, "updated_at_ms": at_ms}
    conn.execute(stmt.on_conflict_do_update(index_elements=[subsidy_rates.c.grade],
                                            set_={k: v for k, v in row.items()
                                                  if k != "grade"}), row)


def add_approval(conn: Connection, start: str, end: str, digest: str, by: str,
                 at_ms: int) -> None:
    conn.execute(insert(subsidy_approvals).values(period_from=start, period_to=end,
                                                  digest=digest, approved_by=by,
                                                  approved_at_ms=at_ms))


def approval(conn: Connection, start: str, end: str, digest: str) -> dict[str, Any] | None:
    """The approval of exactly these figures for this period, if any."""
    a = subsidy_approvals.c
    row = conn.execute(select(subsidy_approvals).where(
        a.period_from == start, a.period_to == end, a.digest == digest)
        .order_by(a.id.desc()).limit(1)).first()
    return dict(row._mapping) if row else None

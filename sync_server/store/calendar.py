"""Queries for the working-day calendar (``calendar_days``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, select

from sync_server.store._dialect import upsert
from sync_server.store.schema import calendar_days


def count(conn: Connection) -> int:
    """How many days the calendar holds."""
    return int(conn.execute(select(func.count()).select_from(calendar_days)).scalar_one())


def last_seeded(conn: Connection, prefix: str) -> str | None:
    """The latest day held from a source starting with ``prefix`` (None if none)."""
    return conn.execute(select(func.max(calendar_days.c.day))
                        .where(calendar_days.c.source.startswith(prefix))).scalar()


def seed(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Add days (day, workday, name, source, updated_by, updated_at_ms); a day already
    held is left as it is (a staff edit wins over the package)."""
    if rows:
        conn.execute(upsert(conn, calendar_days).on_conflict_do_nothing(), list(rows))


def set_day(conn: Connection, row: dict[str, Any]) -> None:
    """Set one day, replacing what was held."""
    stmt = upsert(conn, calendar_days).values(**row)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=[calendar_days.c.day],
        set_={k: stmt.excluded[k] for k in row if k != "day"}))


def days(conn: Connection, since: str | None = None,
         until: str | None = None) -> list[dict[str, Any]]:
    """Held days in [since, until] (YYYY-MM-DD, either open), in date order."""
    query = select(calendar_days).order_by(calendar_days.c.day)
    if since is not None:
        query = query.where(calendar_days.c.day >= since)
    if until is not None:
        query = query.where(calendar_days.c.day <= until)
    return [dict(r._mapping) for r in conn.execute(query)]


def overrides(conn: Connection) -> dict[str, bool]:
    """day -> working day?, for every held day."""
    rows = conn.execute(select(calendar_days.c.day, calendar_days.c.workday))
    return {r[0]: bool(r[1]) for r in rows}

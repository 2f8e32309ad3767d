"""Queries for the per-station changes feed and the status-lookup rate limit."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, select

from sync_server.store._dialect import serialise_feed_writers, upsert
from sync_server.store.cases import json_text
from sync_server.store.schema import changes, rate_limits

EVERY_STATION = "*"


def append(conn: Connection, items: Sequence[tuple[str, dict[str, Any]]], now_ms: int) -> None:
    """Append (station, change) pairs; station ``*`` reaches every station.

    Call it last in a transaction: on PostgreSQL it takes the feed-writer lock until commit.
    """
    if not items:
        return
    serialise_feed_writers(conn)
    conn.execute(changes.insert(), [
        {"station": station, "type": change["type"],
         "payload": json_text(change), "created_at_ms": now_ms}
        for station, change in items])


def read(conn: Connection, station: str, after: int,
         limit: int) -> list[tuple[int, dict[str, Any]]]:
    """Up to ``limit`` changes for ``station`` with id > ``after``, oldest first.

    Uses the (station, id) index twice, so the cost follows the changes returned, not the
    size of the store.
    """
    rows: list[Any] = []
    for target in (station, EVERY_STATION):
        rows += conn.execute(select(changes.c.id, changes.c.payload)
                             .where(changes.c.station == target, changes.c.id > after)
                             .order_by(changes.c.id).limit(limit)).all()
    rows.sort(key=lambda r: r[0])
    return [(r[0], json.loads(r[1])) for r in rows[:limit]]


def last_id(conn: Connection) -> int:
    """The id of the newest change of any station (0 when there is none)."""
    return int(conn.execute(select(func.max(changes.c.id))).scalar_one() or 0)


def every_station(conn: Connection, upto: int | None = None) -> list[dict[str, Any]]:
    """Every change addressed to all stations (configuration, revocations), oldest first;
    only those with id <= ``upto`` when given."""
    query = select(changes.c.payload).where(changes.c.station == EVERY_STATION)
    if upto is not None:
        query = query.where(changes.c.id <= upto)
    rows = conn.execute(query.order_by(changes.c.id))
    return [json.loads(r[0]) for r in rows]


def hit(conn: Connection, bucket: str, window_ms: int) -> int:
    """Count one request in ``bucket``'s window. Returns the count including this one."""
    stmt = upsert(conn, rate_limits).values(bucket=bucket, window_ms=window_ms, count=1)
    stmt = stmt.on_conflict_do_update(index_elements=[rate_limits.c.bucket,
                                                      rate_limits.c.window_ms],
                                      set_={"count": rate_limits.c.count + 1})
    conn.execute(stmt)
    return int(conn.execute(select(rate_limits.c.count)
                            .where(rate_limits.c.bucket == bucket,
                                   rate_limits.c.window_ms == window_ms)).scalar_one())


def purge_rate_limits(conn: Connection, before_ms: int) -> None:
    """Forget counters of finished windows."""
    conn.execute(rate_limits.delete().where(rate_limits.c.window_ms < before_ms))

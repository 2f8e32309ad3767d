"""Queries behind the status-lookup limits: per client address and per receipt.

* **Per address** (``rate_limits``): one counter per address and minute. ``address_hit``
  counts a request and returns a sliding-window estimate: this minute's count plus the last
  minute's, weighted by how much of it still lies in the past 60 s. A burst across a minute
  boundary therefore counts in full (10 at 0:59.9 and 10 at 1:00.1 is 20, not 10 + 10).
* **Per receipt** (``pin_failures``): one row per wrong PIN for a well-formed code, whether
  the receipt exists or not; ``failures_since`` counts them in a sliding window.
* ``receipt_guard``: for receipts that exist, a row whose lock serialises concurrent
  lookups of one receipt across server processes (PostgreSQL ``FOR UPDATE``; SQLite has one
  writer), the lifetime wrong-PIN count and the time the receipt was locked for it, and the
  verifier of a PIN staff reissued (``reissue``: lock and counts cleared).

All counts live in the store, so every ``serve`` process on one PostgreSQL shares them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from sync_server.store._dialect import lock_for_update, upsert
from sync_server.store.schema import pin_failures, rate_limits, receipt_guard

MINUTE_MS = 60_000


def address_hit(conn: Connection, bucket: str, now_ms: int) -> float:
    """Count one request for ``bucket``; returns the requests in the sliding last minute
    (this one included)."""
    window = now_ms // MINUTE_MS * MINUTE_MS
    stmt = upsert(conn, rate_limits).values(bucket=bucket, window_ms=window, count=1)
    stmt = stmt.on_conflict_do_update(index_elements=[rate_limits.c.bucket,
                                                      rate_limits.c.window_ms],
                                      set_={"count": rate_limits.c.count + 1})
    conn.execute(stmt)
    rows: dict[int, int] = {int(w): int(c) for w, c in conn.execute(
        select(rate_limits.c.window_ms, rate_limits.c.count)
        .where(rate_limits.c.bucket == bucket,
               rate_limits.c.window_ms.in_([window, window - MINUTE_MS])))}
    past = 1 - (now_ms - window) / MINUTE_MS
    return int(rows.get(window, 0)) + int(rows.get(window - MINUTE_MS, 0)) * past


def purge(conn: Connection, now_ms: int, receipt_window_ms: int) -> None:
    """Forget address counters older than the previous minute and wrong PINs older than
    ``receipt_window_ms`` (``receipt_guard`` rows are kept: they hold lifetime counts)."""
    window = now_ms // MINUTE_MS * MINUTE_MS
    conn.execute(rate_limits.delete().where(rate_limits.c.window_ms < window - MINUTE_MS))
    conn.execute(pin_failures.delete().where(pin_failures.c.at_ms <= now_ms
                                             - receipt_window_ms))


def guard(conn: Connection, code: str) -> int:
    """Lock the guard row of an existing receipt ``code`` until the transaction ends
    (creating it); returns its lifetime wrong-PIN count."""
    conn.execute(upsert(conn, receipt_guard).values(receipt_code=code, wrong_total=0)
                 .on_conflict_do_nothing(index_elements=[receipt_guard.c.receipt_code]))
    query = select(receipt_guard.c.wrong_total).where(receipt_guard.c.receipt_code == code)
    if lock_for_update(conn):
        query = query.with_for_update()
    return int(conn.execute(query).scalar_one())


def failures_since(conn: Connection, code: str, since_ms: int) -> tuple[int, int | None]:
    """Wrong PINs for ``code`` after ``since_ms``: (count, time of the oldest or None)."""
    count, oldest = conn.execute(
        select(func.count(), func.min(pin_failures.c.at_ms))
        .where(pin_failures.c.receipt_code == code, pin_failures.c.at_ms > since_ms)).one()
    return int(count), None if oldest is None else int(oldest)


def record_failure(conn: Connection, code: str, now_ms: int, *, exists: bool) -> None:
    """Count one wrong PIN for ``code`` (and, if the receipt exists, in its lifetime total)."""
    conn.execute(pin_failures.insert().values(receipt_code=code, at_ms=now_ms))
    if exists:
        conn.execute(receipt_guard.update().where(receipt_guard.c.receipt_code == code)
                     .values(wrong_total=receipt_guard.c.wrong_total + 1,
                             last_wrong_ms=now_ms))


def guard_row(conn: Connection, code: str) -> dict[str, Any]:
    """Lock (creating) the guard row of an existing receipt ``code`` until the transaction
    ends, and return it: ``wrong_total``, ``locked_at_ms``, ``pin_verifier`` (a reissued
    PIN's, or None) and ``reissues``."""
    guard(conn, code)
    row = conn.execute(select(receipt_guard).where(receipt_guard.c.receipt_code == code)).one()
    return dict(row._mapping)


def lock(conn: Connection, code: str, now_ms: int) -> None:
    """Lock receipt ``code`` (its lifetime wrong-PIN count reached the cap) until reissue."""
    conn.execute(receipt_guard.update().where(receipt_guard.c.receipt_code == code,
                                              receipt_guard.c.locked_at_ms.is_(None))
                 .values(locked_at_ms=now_ms))


def reissue(conn: Connection, code: str, verifier: str, now_ms: int, user: str) -> int:
    """Give receipt ``code`` a new PIN verifier: the lock and every wrong-PIN count go.
    Returns how many times it has been reissued (this time included)."""
    guard(conn, code)
    conn.execute(receipt_guard.update().where(receipt_guard.c.receipt_code == code)
                 .values(pin_verifier=verifier, wrong_total=0, locked_at_ms=None,
                         reissued_at_ms=now_ms, reissued_by=user,
                         reissues=receipt_guard.c.reissues + 1))
    conn.execute(pin_failures.delete().where(pin_failures.c.receipt_code == code))
    return int(conn.execute(select(receipt_guard.c.reissues)
                            .where(receipt_guard.c.receipt_code == code)).scalar_one())

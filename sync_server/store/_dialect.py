"""The one place that knows which backend a connection talks to."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, text
from sqlalchemy.dialects import postgresql, sqlite


def upsert(conn: Connection, table: Table) -> Any:
    """An INSERT that supports ``on_conflict_do_nothing/update`` on this backend."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def lock_for_update(conn: Connection) -> bool:
    """True when ``SELECT ... FOR UPDATE`` means something (PostgreSQL; SQLite has one writer)."""
    return conn.dialect.name == "postgresql"


def serialise_feed_writers(conn: Connection) -> None:
    """Make changes-feed ids commit in id order (PostgreSQL: a transaction advisory lock).

    Without it a reader could see id 10 committed before id 9 and move its cursor past 9.
    SQLite already has one writer at a time.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(7311005)"))

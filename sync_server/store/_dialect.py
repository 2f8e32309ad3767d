"""The one place that knows which backend a connection talks to."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, cast, func, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import JSONB


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


def json_text(conn: Connection, column: Any, *path: str) -> Any:
    """SQL for the text at ``path`` inside the JSON text held in ``column`` (NULL when
    absent): ``json_extract`` on SQLite, ``jsonb_extract_path_text`` on PostgreSQL."""
    if conn.dialect.name == "postgresql":
        return func.jsonb_extract_path_text(cast(column, JSONB), *path)
    return func.json_extract(column, "$." + ".".join(path))

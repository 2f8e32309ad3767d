"""The central case store: schema, migrations and every SQL query the server runs.

Functions take a SQLAlchemy ``Connection`` so the caller decides the transaction; nothing
outside this package builds SQL.
"""

from sync_server.store.engine import is_current, make_engine, migrate, ping

__all__ = ["is_current", "make_engine", "migrate", "ping"]

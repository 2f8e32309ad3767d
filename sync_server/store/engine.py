"""Opening the case store: the engine for a URL, and migrating it to the current schema.

SQLite runs in WAL mode with ``synchronous=FULL`` (an acknowledged record survives power
loss) and ``BEGIN IMMEDIATE`` transactions, so concurrent writers queue instead of failing
half-way. PostgreSQL migrations run under an advisory lock so several processes may start
at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import ArgumentError, OperationalError

from sync_server.errors import ConfigError
from sync_server.store import faults

MIGRATIONS = Path(__file__).parent / "migrations"
_MIGRATE_LOCK = 7_311_004


def make_engine(url: str, busy_timeout_s: float = 30.0) -> Engine:
    """An Engine for ``url`` (sqlite:///... or postgresql+psycopg://...). A SQLite
    statement waits up to ``busy_timeout_s`` for a lock another connection holds (from the
    moment the connection opens: ``journal_mode=WAL`` itself may wait), then raises
    ``StoreBusy``.

    Bound parameters never appear in its error messages (``hide_parameters``) and a failed
    statement raises ``StoreFault`` without row values (``sync_server.store.faults``).
    Raises ConfigError if the URL is malformed or names an unsupported database.
    """
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": busy_timeout_s},
                                   hide_parameters=True)
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
            faults.install(engine)
            return engine
        if url.startswith("postgresql"):
            engine = create_engine(url, pool_size=8, max_overflow=8, pool_pre_ping=True,
                                   hide_parameters=True)
            faults.install(engine)
            return engine
    except ArgumentError as exc:
        raise ConfigError(f"--db {url!r}: {exc}") from None
    raise ConfigError(f"--db {url!r}: only sqlite:/// and postgresql:// are supported")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy drive transactions; we emit BEGIN IMMEDIATE ourselves.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")  # durability: never NORMAL (see docs/server.md)
    # busy_timeout: already set by the driver's ``timeout`` (make_engine), before any PRAGMA
    # A server's working set, not a phone's: 64 MiB page cache, temporary b-trees (sorts,
    # IN lists) in memory, reads through a 256 MiB memory map. None of these touch durability.
    cur.execute("PRAGMA cache_size=-65536")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.execute("PRAGMA mmap_size=268435456")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration. Raises ConfigError if the DB is unreachable."""
    cfg = _alembic_config()
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATE_LOCK})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except OperationalError as exc:
        raise ConfigError(f"database {engine.url.render_as_string(hide_password=True)} "
                          f"cannot be opened: {exc.orig}") from None


def is_current(engine: Engine) -> bool:
    """True when the database is at the newest migration."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() == head


def ping(engine: Engine) -> None:
    """Run ``SELECT 1``: raises whatever the driver raises when the store does not answer."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))

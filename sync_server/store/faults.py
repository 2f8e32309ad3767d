"""The store boundary for errors: a database failure leaves as a ``StoreFault`` that names
the fault and carries no row values.

A driver's error repeats what was sent. SQLAlchemy's message lists the bound parameters
(``hide_parameters=True`` on the engine takes those out) and PostgreSQL's message carries the
failing row in its DETAIL line (``Failing row contains (…, 张三, 110105…, 138…)``) and values
in its primary line (``invalid input syntax for type integer: "…"``). Both reach the server
log when a request fails, and the CLI's stderr.

``install(engine)`` adds a ``handle_error`` listener that, for every failed statement (or
commit: a deferred constraint reports there),
rewrites the driver exception's text in place to the fault's summary (the exception stays
chained as the cause, and a traceback prints it) and raises ``StoreFault`` instead of
SQLAlchemy's error. Connection-level failures (a refused connection, a dropped one, the
pool's pre-ping) are left to SQLAlchemy — their texts name the server, not a row — so pool
recovery and ``migrate``'s "cannot be opened" message work as before.

A statement that failed because another connection held the lock it needed past the busy
timeout (``BUSY_STATES``) raises ``StoreBusy``, the StoreFault that says "try again": the
HTTP edge answers it 503 with Retry-After instead of 500.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import ExceptionContext

from sync_server.errors import StoreBusy, StoreFault

# SQLite names columns (never values) in its constraint messages: "UNIQUE constraint
# failed: cases.receipt_code", "NOT NULL constraint failed: cases.record",
# "CHECK constraint failed: name".
# Another connection holds the lock the statement needs (past the busy timeout): nothing was
# changed and trying again later can succeed. SQLite's extended names start with these
# (SQLITE_BUSY_SNAPSHOT, SQLITE_LOCKED_SHAREDCACHE, ...); 55P03 is PostgreSQL's
# lock_not_available (NOWAIT, lock_timeout).
BUSY_STATES = ("SQLITE_BUSY", "SQLITE_LOCKED", "55P03")

_SQLITE_CONSTRAINT = re.compile(r"(UNIQUE|NOT NULL|CHECK|FOREIGN KEY) constraint failed: "
                                r"([A-Za-z_][\w.]*)")


def describe(original: BaseException, kind: str) -> StoreFault:
    """The ``StoreFault`` for a driver exception: class, SQLSTATE and names, no values
    (a ``StoreBusy`` when the database was locked)."""
    sqlstate = getattr(original, "sqlstate", None)  # psycopg
    diag = getattr(original, "diag", None)
    if diag is not None:
        cls = StoreBusy if _busy(sqlstate) else StoreFault
        return cls(kind, sqlstate, _name(diag, "table_name"), _name(diag, "column_name"),
                   _name(diag, "constraint_name"))
    errorname = getattr(original, "sqlite_errorname", None)  # sqlite3 (Python 3.11+)
    table = column = constraint = None
    args = getattr(original, "args", ())
    found = _SQLITE_CONSTRAINT.search(str(args[0])) if args else None
    if found is not None:
        if found.group(1) == "CHECK":
            constraint = found.group(2)
        else:
            table, _, column = found.group(2).rpartition(".")
    name = errorname if isinstance(errorname, str) else None
    cls = StoreBusy if _busy(name) else StoreFault
    return cls(kind, name, table or None, column or None, constraint)


def _busy(state: str | None) -> bool:
    """True for the codes of a lock another connection holds (``BUSY_STATES``)."""
    return state is not None and state.startswith(BUSY_STATES)


def _name(diag: Any, attr: str) -> str | None:
    value = getattr(diag, attr, None)
    return value if isinstance(value, str) and value else None


def _on_error(ctx: ExceptionContext) -> None:
    if ctx.is_disconnect or ctx.is_pre_ping or ctx.connection is None:
        return  # connection-level: no row in it, and SQLAlchemy's recovery needs its error
    original = ctx.original_exception
    wrapped = ctx.sqlalchemy_exception
    kind = type(wrapped).__name__ if wrapped is not None else type(original).__name__
    fault = describe(original, kind)
    # The original stays chained as the cause (SQLAlchemy raises ours "from" it): its text
    # is the summary from now on, so a printed traceback repeats nothing of the row.
    original.args = (str(fault),)
    raise fault


def install(engine: Engine) -> None:
    """Make every failed statement on ``engine`` raise a scrubbed ``StoreFault``."""
    event.listen(engine, "handle_error", _on_error)

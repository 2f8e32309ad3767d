"""The errors of the ``sync_server`` package: the server's branch of the one error tree
drawn in ``shared/_errors.py`` (``ServerError`` and below; the merge domain's
``DomainError`` branch is in ``sync_server/domain/errors.py``).

``Problem`` becomes a JSON problem body (RFC 9457 shape plus ``code``) at the HTTP edge, and
so does every other error of the tree (``sync_server.api.problems``, by ``http_status``);
the CLI prints them to stderr and exits non-zero.
"""

from __future__ import annotations

from typing import Any

from shared._errors import YizhanError


class ServerError(YizhanError):
    """Base of every error the sync server raises on purpose."""

    code = "server_error"


class ConfigError(ServerError):
    """The data folder, a key file, a passphrase or a database URL cannot be used."""

    code = "config_unusable"


class NotFound(ServerError):
    """A thing named by staff (receipt code, device, case) does not exist."""

    code = "not_found"
    http_status = 404


class ActionRefused(ServerError):
    """A staff action that the state of the named case or record does not allow (e.g.
    splitting two cases that were never linked); nothing was changed."""

    code = "action_refused"
    http_status = 409


class BundleRefused(ServerError):
    """A USB record bundle cannot be imported; nothing of it was stored."""

    code = "bundle_refused"
    http_status = 422


class StoreFault(ServerError):
    """The database refused or failed a statement (``sync_server.store.faults`` makes it
    from the driver's error at the store boundary).

    Driver errors repeat what was sent: SQLAlchemy's message lists the bound parameters and
    PostgreSQL's DETAIL line the failing row, i.e. a claimant's name, ID number and phone.
    This error keeps only what names the fault: ``kind`` (the SQLAlchemy error class, e.g.
    ``IntegrityError``), ``sqlstate`` (PostgreSQL's code, or SQLite's error name), and the
    ``table``, ``column`` and ``constraint`` when the database reports them.
    """

    code = "store_fault"

    def __init__(self, kind: str, sqlstate: str | None = None, table: str | None = None,
                 column: str | None = None, constraint: str | None = None) -> None:
        self.kind = kind
        self.sqlstate = sqlstate
        self.table = table
        self.column = column
        self.constraint = constraint
        where = ".".join(p for p in (table, column) if p)
        super().__init__(" ".join(
            [f"store_fault: {kind}"] + ([f"({sqlstate})"] if sqlstate else [])
            + ([f"on {where}"] if where else [])
            + ([f"constraint {constraint}"] if constraint else [])))

    @property
    def integrity(self) -> bool:
        """True for a unique, foreign-key, not-null or check constraint violation."""
        return self.kind == "IntegrityError"


class StoreBusy(StoreFault):
    """The database stayed locked by other writers past the busy timeout (SQLite's
    ``SQLITE_BUSY``/``SQLITE_LOCKED``, PostgreSQL's ``lock_not_available``): the statement
    was not run and its transaction rolled back, so the whole request may be tried again.
    The HTTP edge answers 503 with ``Retry-After``; kiosks retry it with backoff."""

    code = "store_busy"
    http_status = 503


class BackupError(ServerError):
    """A backup cannot be written or restored (damaged archive, occupied target, no
    pg_dump); the message names the file or member at fault."""

    code = "backup_failed"


class Problem(ServerError):
    """A refused HTTP request: ``status``, a stable ``code`` and a human ``detail``."""

    code = "http_problem"

    def __init__(self, status: int, code: str, detail: str, title: str | None = None,
                 **extra: Any) -> None:
        self.status = status
        self.code = code
        self.detail = detail
        self.title = title or code.replace("_", " ")
        self.extra = extra
        super().__init__(f"{status} {code}: {detail}")

    def body(self) -> dict[str, Any]:
        """The JSON problem body."""
        return {"type": f"https://yizhan.example/problems/{self.code}", "title": self.title,
                "status": self.status, "code": self.code, "detail": self.detail, **self.extra}

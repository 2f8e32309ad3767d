"""The error tree of the ``sync_server`` package.

::

    ServerError                  base of everything the server raises on purpose
    ├── ConfigError              the data folder, a key file, a passphrase or --db is unusable
    ├── NotFound                 a receipt code, device or case named on the CLI does not exist
    ├── ActionRefused            a staff action the named case or record's state does not allow
    ├── BundleRefused            a USB record bundle is unreadable, tampered with, or from an
    │                            unknown or revoked device; nothing of it was stored
    ├── StoreFault               the database refused or failed a statement; carries only the
    │                            SQLSTATE, table, column and constraint (never row values)
    ├── BackupError              a backup cannot be written, or an archive is damaged or does
    │                            not fit the target; a refused restore wrote nothing
    └── Problem                  an HTTP request is refused; carries status + stable ``code``

``Problem`` becomes a JSON problem body (RFC 9457 shape plus ``code``) at the HTTP edge;
the CLI prints the others to stderr and exits non-zero.
"""

from __future__ import annotations

from typing import Any


class ServerError(Exception):
    """Base of every error the sync server raises on purpose."""


class ConfigError(ServerError):
    """The data folder, a key file, a passphrase or a database URL cannot be used."""


class NotFound(ServerError):
    """A thing named by staff (receipt code, device, case) does not exist."""


class ActionRefused(ServerError):
    """A staff action that the state of the named case or record does not allow (e.g.
    splitting two cases that were never linked); nothing was changed."""


class BundleRefused(ServerError):
    """A USB record bundle cannot be imported; nothing of it was stored."""


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


class BackupError(ServerError):
    """A backup cannot be written or restored (damaged archive, occupied target, no
    pg_dump); the message names the file or member at fault."""


class Problem(ServerError):
    """A refused HTTP request: ``status``, a stable ``code`` and a human ``detail``."""

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

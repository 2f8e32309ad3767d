"""The audit log: who changed or saw what, when, from where. Append-only.

``record`` appends in a transaction of its own; ``append`` inside a caller's transaction
(so an action and its audit entry commit together). ``entries`` reads it for the auditor
page and ``yizhan-server audit``. ``actor`` is a username (or ``cli`` for an operator at
the server's shell); ``detail`` must not hold personal data (what was looked at is named
by ``case_code``, never copied).
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from shared._errors import ReceiptError
from shared.clock import format_utc
from shared.receipt import parse_code
from sync_server.services.wiring import Services
from sync_server.store import audit as store

__all__ = ["AuditEntry", "append", "entries", "record"]


@dataclass(frozen=True)
class AuditEntry:
    """One audit log entry."""

    id: int
    at: datetime
    actor: str
    action: str
    case_code: str | None
    detail: str
    address: str | None

    @classmethod
    def from_row(cls, row: Any) -> AuditEntry:
        return cls(int(row["id"]), datetime.fromtimestamp(row["at_ms"] / 1000, UTC),
                   str(row["actor"]), str(row["action"]), row["case_code"],
                   str(row["detail"]), row["address"])

    def to_wire(self) -> dict[str, Any]:
        return {"id": self.id, "at": format_utc(self.at), "actor": self.actor,
                "action": self.action, "case_code": self.case_code, "detail": self.detail,
                "address": self.address}


def append(conn: Connection, at_ms: int, actor: str, action: str, case_code: str | None,
           detail: str, address: str | None) -> None:
    """Append one entry inside the caller's transaction ``conn``."""
    store.append(conn, at_ms, actor[:64], action[:64], case_code, detail, address)


def record(svc: Services, actor: str, action: str, case_code: str | None, detail: str,
           address: str | None) -> None:
    """Append one entry now, in a transaction of its own."""
    now = int(svc.clock.now().timestamp() * 1000)
    with svc.engine.begin() as conn:
        append(conn, now, actor, action, case_code, detail, address)


def entries(svc: Services, *, user: str | None = None, case_code: str | None = None,
            since: datetime | None = None, limit: int = 1000) -> list[AuditEntry]:
    """Entries matching every filter given, newest first (at most ``limit``). A receipt
    code is matched however it was typed (hyphens, case)."""
    if case_code is not None:
        # not a well-formed code: matched as given (and finds nothing)
        with suppress(ReceiptError):
            case_code = parse_code(case_code)
    since_ms = None if since is None else int(since.timestamp() * 1000)
    with svc.engine.connect() as conn:
        return [AuditEntry.from_row(r) for r in store.entries(
            conn, actor=user, case_code=case_code, since_ms=since_ms, limit=limit)]

"""Queries behind the audit log: append and read. There is deliberately no update or delete
here (and the database refuses both: migration 0007's triggers)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, RowMapping, select

from sync_server.store.schema import audit_log


def append(conn: Connection, at_ms: int, actor: str, action: str, case_code: str | None,
           detail: str, address: str | None) -> int:
    """Append one entry; returns its id."""
    result = conn.execute(audit_log.insert().values(
        at_ms=at_ms, actor=actor, action=action, case_code=case_code, detail=detail,
        address=address))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def entries(conn: Connection, *, actor: str | None = None, case_code: str | None = None,
            since_ms: int | None = None, limit: int = 1000) -> Sequence[RowMapping]:
    """Entries matching every filter given, newest first, at most ``limit``."""
    query = select(audit_log)
    if actor is not None:
        query = query.where(audit_log.c.actor == actor)
    if case_code is not None:
        query = query.where(audit_log.c.case_code == case_code)
    if since_ms is not None:
        query = query.where(audit_log.c.at_ms >= since_ms)
    query = query.order_by(audit_log.c.id.desc()).limit(limit)
    return [r._mapping for r in conn.execute(query)]

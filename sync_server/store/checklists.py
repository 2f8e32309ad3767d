"""Queries on ``checklist_versions``: the county's checklist sets, every version kept."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, insert, select

from sync_server.store.schema import checklist_versions


def in_force(conn: Connection) -> dict[str, Any] | None:
    """The newest checklist set the county saved, or None (kiosks keep the built-in one)."""
    row = conn.execute(select(checklist_versions.c.document)
                       .order_by(checklist_versions.c.version.desc()).limit(1)).first()
    return None if row is None else dict(json.loads(row[0]))


def history(conn: Connection, limit: int = 50) -> list[dict[str, Any]]:
    """Versions newest first: ``version``, ``created_at_ms``, ``created_by``."""
    rows = conn.execute(select(checklist_versions.c.version, checklist_versions.c.created_at_ms,
                               checklist_versions.c.created_by)
                        .order_by(checklist_versions.c.version.desc()).limit(limit))
    return [dict(r._mapping) for r in rows]


def add(conn: Connection, document: dict[str, Any], now_ms: int, user: str) -> None:
    """Store a new version (``document["version"]``); two at once: one fails on the key."""
    conn.execute(insert(checklist_versions).values(
        version=int(document["version"]), created_at_ms=now_ms, created_by=user,
        document=json.dumps(document, ensure_ascii=False, sort_keys=True)))

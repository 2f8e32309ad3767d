"""Queries on ``county_settings``: county-wide values staff set, one row per key (JSON text)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from sync_server.store._dialect import upsert
from sync_server.store.schema import county_settings


def all_values(conn: Connection) -> dict[str, Any]:
    """Every stored setting, key -> decoded value."""
    rows = conn.execute(select(county_settings.c.key, county_settings.c.value)).all()
    return {str(k): json.loads(v) for k, v in rows}


def put(conn: Connection, key: str, value: Any, now_ms: int, user: str) -> None:
    """Store ``value`` (JSON-encodable) under ``key``, replacing what was there."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    stmt = upsert(conn, county_settings).values(key=key, value=text, updated_at_ms=now_ms,
                                                updated_by=user)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=[county_settings.c.key],
        set_={"value": text, "updated_at_ms": now_ms, "updated_by": user}))


def delete(conn: Connection, key: str) -> None:
    conn.execute(county_settings.delete().where(county_settings.c.key == key))

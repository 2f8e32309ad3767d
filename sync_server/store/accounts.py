"""Queries behind console accounts: staff users, the per-username login guard, sessions.

Rows come back as plain mappings; ``sync_server.services.accounts`` makes values of them.
Sessions are found by the SHA-256 of their cookie value, never by the value itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, RowMapping, select

from sync_server.store._dialect import lock_for_update, upsert
from sync_server.store.schema import login_guard, staff_sessions, staff_users

Row = RowMapping


def add_user(conn: Connection, username: str, roles: str, station: str | None,
             password_hash: str, now_ms: int) -> int:
    """Insert a user; returns its id. A taken username raises StoreFault (integrity)."""
    result = conn.execute(staff_users.insert().values(
        username=username, roles=roles, station=station, password_hash=password_hash,
        created_at_ms=now_ms, updated_at_ms=now_ms))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def user_by_name(conn: Connection, username: str) -> Row | None:
    """The user row named ``username``, or None."""
    row = conn.execute(select(staff_users).where(staff_users.c.username == username)).first()
    return None if row is None else row._mapping


def user_by_id(conn: Connection, user_id: int) -> Row | None:
    """The user row with ``user_id``, or None."""
    row = conn.execute(select(staff_users).where(staff_users.c.id == user_id)).first()
    return None if row is None else row._mapping


def users(conn: Connection) -> Sequence[Row]:
    """Every user row, by username."""
    return [r._mapping for r in conn.execute(select(staff_users)
                                             .order_by(staff_users.c.username))]


def update_user(conn: Connection, user_id: int, now_ms: int, **values: Any) -> None:
    """Set ``values`` (roles, station, password_hash, disabled_at_ms) on one user."""
    conn.execute(staff_users.update().where(staff_users.c.id == user_id)
                 .values(updated_at_ms=now_ms, **values))


# -- the login guard ---------------------------------------------------------------------

def guard(conn: Connection, username: str) -> Row | None:
    """The guard row of ``username`` (locked until the transaction ends on PostgreSQL),
    or None when it has no recorded failures."""
    query = select(login_guard).where(login_guard.c.username == username)
    if lock_for_update(conn):
        query = query.with_for_update()
    row = conn.execute(query).first()
    return None if row is None else row._mapping


def set_guard(conn: Connection, username: str, failures: int, now_ms: int,
              locked_until_ms: int | None) -> None:
    """Record ``failures`` consecutive failures for ``username`` and its lock time."""
    values = {"failures": failures, "last_failure_ms": now_ms,
              "locked_until_ms": locked_until_ms}
    stmt = upsert(conn, login_guard).values(username=username, **values)
    conn.execute(stmt.on_conflict_do_update(index_elements=[login_guard.c.username],
                                            set_=values))


def purge_guards(conn: Connection, before_ms: int, now_ms: int) -> None:
    """Forget failures last seen before ``before_ms`` on usernames not locked now (so
    guessed usernames do not pile up)."""
    conn.execute(login_guard.delete().where(
        login_guard.c.last_failure_ms < before_ms,
        (login_guard.c.locked_until_ms.is_(None)) | (login_guard.c.locked_until_ms < now_ms)))


def clear_guard(conn: Connection, username: str) -> None:
    """Forget the failures of ``username`` (a successful login or an admin's reset)."""
    conn.execute(login_guard.delete().where(login_guard.c.username == username))


# -- sessions ----------------------------------------------------------------------------

def add_session(conn: Connection, token_hash: str, user_id: int, csrf_token: str,
                now_ms: int, expires_at_ms: int) -> None:
    """Store a new session."""
    conn.execute(staff_sessions.insert().values(
        token_hash=token_hash, user_id=user_id, csrf_token=csrf_token, created_at_ms=now_ms,
        last_seen_ms=now_ms, expires_at_ms=expires_at_ms))


def session(conn: Connection, token_hash: str) -> Row | None:
    """The session row for ``token_hash``, or None."""
    row = conn.execute(select(staff_sessions)
                       .where(staff_sessions.c.token_hash == token_hash)).first()
    return None if row is None else row._mapping


def touch_session(conn: Connection, token_hash: str, now_ms: int) -> None:
    """Move a session's last-seen time to ``now_ms``."""
    conn.execute(staff_sessions.update().where(staff_sessions.c.token_hash == token_hash)
                 .values(last_seen_ms=now_ms))


def revoke_session(conn: Connection, token_hash: str, now_ms: int) -> None:
    """End one session."""
    conn.execute(staff_sessions.update()
                 .where(staff_sessions.c.token_hash == token_hash,
                        staff_sessions.c.revoked_at_ms.is_(None))
                 .values(revoked_at_ms=now_ms))


def revoke_user_sessions(conn: Connection, user_id: int, now_ms: int) -> int:
    """End every live session of a user; returns how many."""
    result = conn.execute(staff_sessions.update()
                          .where(staff_sessions.c.user_id == user_id,
                                 staff_sessions.c.revoked_at_ms.is_(None))
                          .values(revoked_at_ms=now_ms))
    return int(result.rowcount)


def purge_sessions(conn: Connection, before_ms: int) -> None:
    """Forget sessions that expired or were revoked before ``before_ms``."""
    conn.execute(staff_sessions.delete().where(
        (staff_sessions.c.expires_at_ms < before_ms)
        | (staff_sessions.c.revoked_at_ms < before_ms)))

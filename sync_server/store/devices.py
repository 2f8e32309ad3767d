"""Queries for enrolled devices, enrollment tokens and request nonces."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Connection, delete, func, select, update

from shared.envelope import GENESIS
from sync_server.store._dialect import lock_for_update, upsert
from sync_server.store.schema import devices, enroll_tokens, inbox, nonces


@dataclass(frozen=True)
class Device:
    device_id: str
    public_key: str
    station: str
    enrolled_at_ms: int
    revoked_at_ms: int | None
    chain_seq: int
    chain_hash: str
    revoked_at_seq: int | None = None
    lost_ranges: str | None = None
    last_seen_ms: int | None = None

    def lost(self) -> list[tuple[int, int]]:
        """The seq ranges the device reported lost after a restore (``set_lost``)."""
        return [(int(a), int(b)) for a, b in json.loads(self.lost_ranges or "[]")]


def get(conn: Connection, device_id: str, *, for_update: bool = False) -> Device | None:
    """The device row, locked for the transaction when ``for_update``; None if unknown."""
    query = select(devices).where(devices.c.device_id == device_id)
    if for_update and lock_for_update(conn):
        query = query.with_for_update()
    row = conn.execute(query).first()
    return Device(**row._mapping) if row else None


def list_all(conn: Connection) -> list[Device]:
    """Every device, by device id."""
    return [Device(**r._mapping) for r in conn.execute(select(devices)
                                                         .order_by(devices.c.device_id))]


def add_token(conn: Connection, token_hash: str, station: str, now_ms: int,
              expires_ms: int) -> None:
    """Store a new enrollment token (by its hash)."""
    conn.execute(enroll_tokens.insert().values(token_hash=token_hash, station=station,
                                               created_at_ms=now_ms, expires_at_ms=expires_ms))


def token(conn: Connection, token_hash: str) -> dict[str, object] | None:
    """The token row, or None."""
    row = conn.execute(select(enroll_tokens)
                       .where(enroll_tokens.c.token_hash == token_hash)).first()
    return dict(row._mapping) if row else None


def use_token(conn: Connection, token_hash: str, device_id: str, now_ms: int) -> bool:
    """Mark the token used by ``device_id`` if it is unused and unexpired. Returns success."""
    result = conn.execute(update(enroll_tokens)
                          .where(enroll_tokens.c.token_hash == token_hash,
                                 enroll_tokens.c.used_at_ms.is_(None),
                                 enroll_tokens.c.expires_at_ms > now_ms)
                          .values(used_at_ms=now_ms, device_id=device_id)
                          .returning(enroll_tokens.c.token_hash))
    return result.first() is not None


def enroll(conn: Connection, device_id: str, public_key: str, station: str, now_ms: int) -> None:
    """Register a device, or move an already enrolled one to ``station``."""
    stmt = upsert(conn, devices).values(device_id=device_id, public_key=public_key,
                                        station=station, enrolled_at_ms=now_ms, chain_seq=0,
                                        chain_hash=GENESIS)
    conn.execute(stmt.on_conflict_do_update(index_elements=[devices.c.device_id],
                                            set_={"station": station}))


def revoke(conn: Connection, device_id: str, now_ms: int) -> bool:
    """Revoke a device, recording its verified chain head as ``revoked_at_seq`` (idempotent:
    the first revocation stays). Locks the row on PostgreSQL. False if unknown."""
    found = get(conn, device_id, for_update=True)
    if found is None:
        return False
    if found.revoked_at_ms is None:
        conn.execute(update(devices).where(devices.c.device_id == device_id)
                     .values(revoked_at_ms=now_ms, revoked_at_seq=found.chain_seq))
    return True


def set_lost(conn: Connection, device_id: str, ranges: list[tuple[int, int]]) -> None:
    """Remember the seq ranges the device reports it no longer holds (sorted, merged)."""
    conn.execute(update(devices).where(devices.c.device_id == device_id)
                 .values(lost_ranges=json.dumps([list(r) for r in ranges])))


def set_chain(conn: Connection, device_id: str, seq: int, hash_: str) -> None:
    """Move the device's verified chain head."""
    conn.execute(update(devices).where(devices.c.device_id == device_id)
                 .values(chain_seq=seq, chain_hash=hash_))


def record_nonce(conn: Connection, device_id: str, nonce: str, now_ms: int) -> bool:
    """Remember a request nonce. Returns False if it was already seen (a replay)."""
    stmt = upsert(conn, nonces).values(device_id=device_id, nonce=nonce, seen_at_ms=now_ms)
    # RETURNING, not rowcount: psycopg reports -1 for INSERT ... ON CONFLICT DO NOTHING.
    return conn.execute(stmt.on_conflict_do_nothing().returning(nonces.c.nonce)).first() \
        is not None


def mark_seen(conn: Connection, device_id: str, now_ms: int) -> None:
    """Remember the device's last signed request (at most one write a minute per device)."""
    conn.execute(update(devices).where(devices.c.device_id == device_id)
                 .where((devices.c.last_seen_ms.is_(None))
                        | (devices.c.last_seen_ms < now_ms - 60_000))
                 .values(last_seen_ms=now_ms))


def purge_nonces(conn: Connection, before_ms: int) -> None:
    """Forget nonces older than the replay window."""
    conn.execute(delete(nonces).where(nonces.c.seen_at_ms < before_ms))


def with_pending(conn: Connection) -> list[str]:
    """Devices that have inbox records not yet verified (after a crash, or held)."""
    return list(conn.execute(select(inbox.c.device_id).where(inbox.c.state == "pending")
                             .group_by(inbox.c.device_id)).scalars())


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(devices)).scalar_one())

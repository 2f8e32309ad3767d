"""Queries for the durable inbox (raw envelopes) and for envelopes kept aside as rejected."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, delete, func, select, update

from sync_server.store._dialect import upsert
from sync_server.store.schema import devices, inbox, rejected


@dataclass(frozen=True)
class Incoming:
    """One parsed envelope as the inbox stores it."""

    record_id: str
    device_id: str
    station: str
    seq: int
    envelope_hash: str
    raw: bytes


@dataclass(frozen=True)
class Stored:
    """An inbox row without its bytes."""

    record_id: str
    envelope_hash: str
    state: str
    reason: str | None


def store(conn: Connection, items: Sequence[Incoming], now_ms: int) -> dict[str, str]:
    """Insert envelopes not yet held. Returns record_id -> ``new`` | ``duplicate`` | ``conflict``.

    An id already held with the same bytes is a duplicate, with other bytes a conflict (the
    stored bytes are never touched). One query finds what the batch already holds, one
    multi-row insert adds the rest. Safe against concurrent writers: the insert is
    ON CONFLICT DO NOTHING and rows another writer won are read back and classified.
    """
    if not items:
        return {}
    unique = {i.record_id: i for i in reversed(items)}  # the first of a repeated id wins
    held = _hashes(conn, list(unique))
    fresh = [unique[rid] for rid in sorted(unique) if rid not in held]
    if fresh:
        # In record-id order: concurrent pushes with overlapping batches then take row locks
        # in the same order and cannot deadlock each other.
        params = [{"record_id": i.record_id, "device_id": i.device_id, "station": i.station,
                   "seq": i.seq, "envelope_hash": i.envelope_hash, "raw": i.raw,
                   "received_at_ms": now_ms, "state": "pending"} for i in fresh]
        stmt = upsert(conn, inbox).on_conflict_do_nothing(index_elements=[inbox.c.record_id])
        if conn.dialect.name == "sqlite":
            # BEGIN IMMEDIATE (store/engine.py): no other writer between the read above and
            # this insert, so every fresh row is ours; a plain executemany is several times
            # cheaper than an INSERT ... RETURNING per row
            conn.execute(stmt, params)
            inserted = {i.record_id for i in fresh}
        else:
            inserted = set(conn.execute(stmt.returning(inbox.c.record_id), params).scalars())
        lost = [i.record_id for i in fresh if i.record_id not in inserted]
        if lost:  # another writer stored these ids between our read and our insert
            held.update(_hashes(conn, lost))
    return {rid: "new" if rid not in held
            else "duplicate" if held[rid] == item.envelope_hash else "conflict"
            for rid, item in unique.items()}


def _hashes(conn: Connection, record_ids: list[str]) -> dict[str, str]:
    rows = conn.execute(select(inbox.c.record_id, inbox.c.envelope_hash)
                        .where(inbox.c.record_id.in_(record_ids)))
    return {r[0]: r[1] for r in rows}


def reject(conn: Connection, device_id: str, record_id: str | None, envelope_hash: str,
           raw: bytes, status: str, reason: str, now_ms: int) -> None:
    """Keep envelope bytes that are not admitted under their id (idempotent per bytes)."""
    stmt = upsert(conn, rejected).values(device_id=device_id, record_id=record_id,
                                         envelope_hash=envelope_hash, raw=raw,
                                         received_at_ms=now_ms, status=status, reason=reason)
    conn.execute(stmt.on_conflict_do_nothing(index_elements=[rejected.c.device_id,
                                                             rejected.c.envelope_hash]))


def move_to_rejected(conn: Connection, record_id: str, reason: str, now_ms: int) -> None:
    """Take an inbox row out from under its id (bad signature) and keep it as rejected."""
    row = conn.execute(select(inbox).where(inbox.c.record_id == record_id)).first()
    if row is None:
        return
    reject(conn, row.device_id, record_id, row.envelope_hash, row.raw, "quarantined", reason,
           now_ms)
    conn.execute(delete(inbox).where(inbox.c.record_id == record_id))


def quarantined(conn: Connection, record_id: str) -> tuple[str, bytes, str] | None:
    """(device_id, raw, reason) of a record quarantined in the inbox, else None."""
    row = conn.execute(select(inbox.c.device_id, inbox.c.raw, inbox.c.reason)
                       .where(inbox.c.record_id == record_id,
                              inbox.c.state == "quarantined")).first()
    return None if row is None else (row[0], bytes(row[1]), row[2] or "")


def quarantined_by_reason(conn: Connection, prefix: str) -> list[tuple[str, str]]:
    """(device_id, record_id) of inbox records quarantined with a reason starting with
    ``prefix`` (a reason code such as ``unknown_kid``), by device and seq."""
    rows = conn.execute(select(inbox.c.device_id, inbox.c.record_id)
                        .where(inbox.c.state == "quarantined",
                               inbox.c.reason.startswith(prefix, autoescape=True))
                        .order_by(inbox.c.device_id, inbox.c.seq))
    return [(r[0], r[1]) for r in rows]


def unverified(conn: Connection, device_id: str) -> list[tuple[str, bytes]]:
    """(record_id, raw) of a device's pending and held envelopes, by seq."""
    rows = conn.execute(select(inbox.c.record_id, inbox.c.raw)
                        .where(inbox.c.device_id == device_id,
                               inbox.c.state.in_(("pending", "held")))
                        .order_by(inbox.c.seq))
    return [(r[0], bytes(r[1])) for r in rows]


def verified(conn: Connection, device_id: str, limit: int | None = None
             ) -> list[tuple[str, bytes]]:
    """(record_id, raw) of a device's envelopes verified on its chain and not yet merged
    (a deferred push), by seq; at most ``limit``."""
    stmt = select(inbox.c.record_id, inbox.c.raw).where(inbox.c.device_id == device_id,
                                                        inbox.c.state == "verified")\
        .order_by(inbox.c.seq)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [(r[0], bytes(r[1])) for r in conn.execute(stmt)]


def devices_verified(conn: Connection) -> list[str]:
    """Devices with envelopes verified and not yet merged."""
    return list(conn.execute(select(inbox.c.device_id).where(inbox.c.state == "verified")
                             .group_by(inbox.c.device_id)).scalars())


def set_states(conn: Connection, changes: Iterable[tuple[str, str, str | None]],
               now_ms: int) -> None:
    """Set (record_id, state, reason) for several rows: one UPDATE per (state, reason) and
    1,000 ids (a push of 2,000 verified records is two statements, not 2,000)."""
    last = {rid: (state, reason) for rid, state, reason in changes}  # a later one wins
    groups: dict[tuple[str, str | None], list[str]] = {}
    for rid, key in last.items():
        groups.setdefault(key, []).append(rid)
    for (state, reason), ids in groups.items():
        for start in range(0, len(ids), 1000):
            conn.execute(update(inbox).where(inbox.c.record_id.in_(ids[start:start + 1000]))
                         .values(state=state, reason=reason, processed_at_ms=now_ms))


def set_receipt_codes(conn: Connection, codes: Mapping[str, str]) -> None:
    """Note the receipt code (record_id -> code) of quarantined records."""
    params = [{"rid": rid, "code": code} for rid, code in codes.items()]
    if params:
        conn.execute(update(inbox).where(inbox.c.record_id == bindparam("rid"))
                     .values(receipt_code=bindparam("code")), params)


def kept_aside(conn: Connection, receipt_code: str) -> tuple[str, bytes, int] | None:
    """(state, raw, when it was last processed, ms) of the quarantined or staff-rejected
    record noted under ``receipt_code``, else None."""
    row = conn.execute(select(inbox.c.state, inbox.c.raw, inbox.c.processed_at_ms,
                              inbox.c.received_at_ms)
                       .where(inbox.c.receipt_code == receipt_code,
                              inbox.c.state.in_(("quarantined", "rejected")))
                       .order_by(inbox.c.received_at_ms).limit(1)).first()
    return None if row is None else (row[0], bytes(row[1]), int(row[2] or row[3]))


def states(conn: Connection, record_ids: Sequence[str]) -> dict[str, Stored]:
    """What the inbox holds for these ids."""
    if not record_ids:
        return {}
    rows = conn.execute(select(inbox.c.record_id, inbox.c.envelope_hash, inbox.c.state,
                               inbox.c.reason).where(inbox.c.record_id.in_(list(record_ids))))
    return {r[0]: Stored(*r) for r in rows}


def rejected_ids(conn: Connection, device_id: str, hashes: Sequence[str]) -> dict[str, str]:
    """envelope_hash -> reason of rejected envelopes of this device among ``hashes``."""
    if not hashes:
        return {}
    rows = conn.execute(select(rejected.c.envelope_hash, rejected.c.reason)
                        .where(rejected.c.device_id == device_id,
                               rejected.c.envelope_hash.in_(list(hashes))))
    return {r[0]: r[1] for r in rows}


def held_rows(conn: Connection, device_id: str) -> list[tuple[str, int, bytes]]:
    """(record_id, seq, raw) of a device's envelopes held behind a gap, by seq."""
    rows = conn.execute(select(inbox.c.record_id, inbox.c.seq, inbox.c.raw)
                        .where(inbox.c.device_id == device_id, inbox.c.state == "held")
                        .order_by(inbox.c.seq))
    return [(r[0], int(r[1]), bytes(r[2])) for r in rows]


def held_seqs(conn: Connection, device_id: str) -> list[int]:
    """Seqs of a device's envelopes held behind a gap, ascending."""
    return list(conn.execute(select(inbox.c.seq).where(inbox.c.device_id == device_id,
                                                       inbox.c.state == "held")
                             .order_by(inbox.c.seq)).scalars())


def counts(conn: Connection) -> dict[str, int]:
    """Inbox rows by state, plus ``rejected``."""
    out = {r[0]: int(r[1]) for r in conn.execute(select(inbox.c.state, func.count())
                                                 .group_by(inbox.c.state))}
    out["rejected"] = int(conn.execute(select(func.count()).select_from(rejected))
                          .scalar_one())
    return out


def quarantined_rows(conn: Connection) -> list[tuple[dict[str, object], bytes]]:
    """Quarantined inbox records and rejected envelopes (for staff): each a row with its
    station (the device's, for rejected envelopes) and, apart, the envelope's bytes."""
    held = conn.execute(select(inbox.c.record_id, inbox.c.device_id, inbox.c.station,
                               inbox.c.seq, inbox.c.envelope_hash, inbox.c.reason,
                               inbox.c.received_at_ms, inbox.c.raw)
                        .where(inbox.c.state == "quarantined").order_by(inbox.c.received_at_ms))
    out: list[tuple[dict[str, object], bytes]] = [
        ({**{k: v for k, v in r._mapping.items() if k != "raw"}, "status": "quarantined",
          "kept_in": "inbox"}, bytes(r.raw)) for r in held]
    rows = conn.execute(select(rejected.c.record_id, rejected.c.device_id, devices.c.station,
                               rejected.c.envelope_hash, rejected.c.status, rejected.c.reason,
                               rejected.c.received_at_ms, rejected.c.raw)
                        .select_from(rejected.outerjoin(
                            devices, devices.c.device_id == rejected.c.device_id))
                        .order_by(rejected.c.id))
    out += [({**{k: v for k, v in r._mapping.items() if k != "raw"}, "seq": None,
              "kept_in": "rejected"}, bytes(r.raw)) for r in rows]
    return out

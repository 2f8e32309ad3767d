"""Fault isolation for merging: one record's failure quarantines that record, never its batch.

Records are filed in bulk (``CaseDesk.file_many``: one query for receipt codes, one for
duplicate candidates, multi-row inserts), inside a savepoint. Should anything fail — a
database error, an overflow, a bug meeting input nobody foresaw — the savepoint is rolled
back and the batch is filed again one record per savepoint: each record that fails alone is
quarantined ``merge_failed`` with a reason that names the fault (``fault_reason``) and
nothing of the record, and the device's other records go on. The usual batch pays one
SAVEPOINT; only a batch holding a poison record pays one per record.

Only a fault that can be the record's is isolated (``record_fault``): a data exception or a
constraint violation from the database, or any error of our own code meeting the record. A
fault of the world — a deadlock or serialisation failure, a dropped connection, a full disk,
a cancelled statement, a busy SQLite file — is no record's: it propagates, the caller's
transaction rolls back whole and the records stay ``pending`` for a retry (deadlocks and
serialisation failures at once, the rest at the device's next push or the next start-up).
Quarantining good records because the disk was full would be wrong.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from shared.anyenv import AnyEnvelope as Envelope  # v1 envelopes and stored v2 items
from shared.intake import IntakePayload
from sync_server.errors import StoreFault
from sync_server.services import jobhooks
from sync_server.services.merge import CaseDesk, FilingBatch

log = logging.getLogger("yizhan.server.ingest")
RETRY_STATES = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure


# SQLSTATE classes a record's values can cause: 22 data exception (a value too long, out
# of range, malformed), 23 integrity constraint violation. SQLite's counterparts by name.
_RECORD_CLASSES = ("22", "23")
_SQLITE_RECORD = ("SQLITE_CONSTRAINT", "SQLITE_TOOBIG", "SQLITE_MISMATCH", "SQLITE_RANGE")
_WORLD_KINDS = ("OperationalError", "InterfaceError", "InternalError", "DatabaseError")


def retryable(exc: BaseException) -> bool:
    """True for a store fault that a retry of the whole transaction may cure."""
    return isinstance(exc, StoreFault) and exc.sqlstate in RETRY_STATES


def record_fault(exc: BaseException) -> bool:
    """True if ``exc`` can be the fault of the record being filed (isolate it), False for a
    fault of the database or the machine (let it propagate)."""
    if isinstance(exc, MemoryError | SQLAlchemyError):
        return False  # out of memory; connection-level failures SQLAlchemy raises itself
    if not isinstance(exc, StoreFault):
        return True  # our code meeting this record: a bug or a bound we missed
    state = exc.sqlstate
    if state is None:
        return exc.kind not in _WORLD_KINDS  # e.g. a value the driver cannot bind
    if state.startswith("SQLITE_"):
        return state.startswith(_SQLITE_RECORD)
    return state[:2] in _RECORD_CLASSES


def fault_reason(exc: BaseException) -> str:
    """The quarantine reason for an unexpected failure: ``merge_failed: `` and the store
    fault's summary (SQLSTATE, table, column, constraint) or the exception's class. Never
    the exception's message, which may quote the record."""
    if isinstance(exc, StoreFault):
        return f"merge_failed: {exc}"
    return f"merge_failed: {type(exc).__name__} while filing (see docs/merge.md)"


def file_isolated(desk: CaseDesk, conn: Connection,
                  items: Sequence[tuple[Envelope, IntakePayload]], batch: FilingBatch,
                  now_ms: int) -> dict[str, str]:
    """File ``items`` and raise their alerts; returns record id -> quarantine reason for
    every record refused or failed. Raises what is not a record's fault (``record_fault``),
    e.g. a retryable StoreFault."""
    if not items:
        return {}
    try:
        return _unit(desk, conn, items, batch, now_ms)
    except Exception as exc:  # a record's fault is isolated below; the world's propagates
        if not record_fault(exc):
            raise
        if len(items) == 1:
            return {items[0][0].header.id: _failed(items[0][0], exc)}
    reasons: dict[str, str] = {}
    for item in items:
        try:
            reasons.update(_unit(desk, conn, [item], batch, now_ms))
        except Exception as exc:  # this record alone failed: quarantine it
            if not record_fault(exc):
                raise
            reasons[item[0].header.id] = _failed(item[0], exc)
    return reasons


def _unit(desk: CaseDesk, conn: Connection, items: Sequence[tuple[Envelope, IntakePayload]],
          batch: FilingBatch, now_ms: int) -> dict[str, str]:
    part = FilingBatch()
    with conn.begin_nested():
        refused = desk.file_many(conn, items, part, now_ms)
        desk.raise_alerts(conn, part, now_ms)
        part.feed += jobhooks.after_filing(conn, part.filings, now_ms)
    batch.absorb(part)
    return refused


def _failed(env: Envelope, exc: BaseException) -> str:
    reason = fault_reason(exc)
    # the class and where it was raised, for the IT officer; no message, no locals
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb is not None else "?"
    log.error("device %s record %s failed to merge (%s at %s); quarantined",
              env.header.device, env.header.id, reason, where)
    return reason

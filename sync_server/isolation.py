"""Fault isolation for merging: one record's failure quarantines that record, never its batch.

Records are filed in bulk (``CaseDesk.file_many``: one query for receipt codes, one for
duplicate candidates, multi-row inserts), inside a savepoint. Should anything fail — a
database error, an overflow, a bug meeting input nobody foresaw — the savepoint is rolled
back and the batch is filed again one record per savepoint: each record that fails alone is
quarantined ``merge_failed`` with a reason that names the fault (``fault_reason``) and
nothing of the record, and the device's other records go on. The usual batch pays one
SAVEPOINT; only a batch holding a poison record pays one per record.

Retryable PostgreSQL failures (deadlock, serialisation) are no record's fault: they
propagate, so the caller's transaction is retried whole.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import Connection

from shared.envelope import Envelope
from shared.intake import IntakePayload
from sync_server.errors import StoreFault
from sync_server.merge import CaseDesk, FilingBatch

log = logging.getLogger("yizhan.server.ingest")
RETRY_STATES = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure


def retryable(exc: BaseException) -> bool:
    """True for a store fault that a retry of the whole transaction may cure."""
    return isinstance(exc, StoreFault) and exc.sqlstate in RETRY_STATES


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
    every record refused or failed. Raises only retryable StoreFaults."""
    if not items:
        return {}
    try:
        return _unit(desk, conn, items, batch, now_ms)
    except Exception as exc:  # any fault is some record's: isolate it below
        if retryable(exc):
            raise
        if len(items) == 1:
            return {items[0][0].header.id: _failed(items[0][0], exc)}
    reasons: dict[str, str] = {}
    for item in items:
        try:
            reasons.update(_unit(desk, conn, [item], batch, now_ms))
        except Exception as exc:  # this record alone failed: quarantine it
            if retryable(exc):
                raise
            reasons[item[0].header.id] = _failed(item[0], exc)
    return reasons


def _unit(desk: CaseDesk, conn: Connection, items: Sequence[tuple[Envelope, IntakePayload]],
          batch: FilingBatch, now_ms: int) -> dict[str, str]:
    part = FilingBatch()
    with conn.begin_nested():
        refused = desk.file_many(conn, items, part, now_ms)
        desk.raise_alerts(conn, part, now_ms)
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

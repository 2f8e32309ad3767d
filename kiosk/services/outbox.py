"""The outbox as the sync client sees it: sealed envelopes waiting for the county.

States: ``pending`` (sealed, never sent) -> ``sent`` (pushed, no ack yet) -> ``acknowledged``
(a server-signed ack named this record id AND envelope hash). ``quarantined`` (with reason)
means the server reported it could not take the record; it stays, visible to staff. A row
leaves the outbox (``prune_retained``) only after an ack named it and the retention window
(``ack_retention_days``, default 60) has passed: until then its sealed bytes (which the kiosk
cannot read) are kept so a county restored from a backup can ask for them again
(``resend_from``: acknowledged rows go back to ``pending``).

Typical use by the sync client (issue 5)::

    outbox = Outbox(store, clock, device_id)
    items = outbox.unacknowledged(limit=200)       # or pending(limit) for never-sent only
    outbox.mark_sent([i.record_id for i in items])
    ack = shared.ack.verify_ack(answer, identity.server_key(store), device_id)
    outbox.apply_ack(ack)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from kiosk.errors import AckMismatch
from kiosk.store import Store
from shared.ack import Ack
from shared.clock import Clock, format_utc

ACKED_HEAD = "acked_head"
LOST = "lost_after_restore"
RETENTION_DAYS = 60  # default ``ack_retention_days``: how long sealed acknowledged copies stay


@dataclass(frozen=True)
class OutboxItem:
    """One sealed record: its id, chain position, envelope hash and exact bytes."""

    record_id: str
    seq: int
    hash: str
    envelope: bytes
    kind: str
    state: str
    reason: str | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> OutboxItem:
        return cls(row["record_id"], row["seq"], row["hash"], bytes(row["envelope"]),
                   row["kind"], row["state"], row["reason"])


class Outbox:
    """Plain operations over the store's outbox table, for one device."""

    def __init__(self, store: Store, clock: Clock, device_id: str) -> None:
        self._store = store
        self._clock = clock
        self.device_id = device_id

    def _now(self) -> str:
        return format_utc(self._clock.now())

    def pending(self, limit: int = 100) -> list[OutboxItem]:
        """Never-sent records, oldest first (seq order), at most ``limit``."""
        return [OutboxItem.from_row(r) for r in self._store.outbox_rows(["pending"], limit)]

    def unacknowledged(self, limit: int = 100, after_seq: int = 0) -> list[OutboxItem]:
        """Pending and sent records (a lost answer means 'sent' must be pushed again), in
        seq order, those after ``after_seq`` only."""
        return [OutboxItem.from_row(r)
                for r in self._store.outbox_rows(["pending", "sent"], limit, after_seq + 1)]

    def quarantined(self) -> list[OutboxItem]:
        """Records the server could not take, with their reasons."""
        return [OutboxItem.from_row(r) for r in self._store.outbox_rows(["quarantined"])]

    def mark_sent(self, record_ids: Iterable[str]) -> int:
        """Pending -> sent. Returns how many rows moved."""
        return self._store.set_outbox_state(record_ids, "sent", self._now(), ["pending"])

    def apply_ack(self, ack: Ack) -> int:
        """Move to acknowledged exactly the rows whose record id AND hash the ack names.

        Their receipts then look up as ``received`` (unless a later status is cached).
        Returns how many rows moved. Raises AckMismatch if the ack is for another device.
        Check the ack's signature first (``shared.ack.verify_ack``).
        """
        if ack.device != self.device_id:
            raise AckMismatch(f"acknowledgement is for device {ack.device}, "
                              f"not this kiosk ({self.device_id})")
        with self._store.transaction():
            done = self._store.acknowledge(ack.stored, self._now())
            head = self._store.acknowledged_head()
            if head > int(self._store.get_setting(ACKED_HEAD) or 0):
                self._store.set_setting(ACKED_HEAD, head)
            if done:
                self._store.put_statuses_if_none(self._store.receipt_codes_for(done),
                                                 "received", ack.issued_at)
        return len(done)

    def mark_quarantined(self, record_id: str, reason: str, as_of: str | None = None) -> bool:
        """Record that the server quarantined ``record_id`` and why (in its push answer, or
        on the feed after a v2 acknowledgement: then the row was ``acknowledged``); its
        receipt then reads ``needs_review`` as of ``as_of`` (the county's time, else now).
        Returns whether the row moved."""
        with self._store.transaction():
            moved = self._store.set_outbox_state([record_id], "quarantined", self._now(),
                                                 ["pending", "sent", "acknowledged"],
                                                 reason=reason[:500]) > 0
            if moved:
                for code in self._store.receipt_codes_for([record_id]):
                    self._store.put_status(code, "needs_review", "", "", as_of or self._now())
        return moved

    def apply_decision(self, record_id: str, status: str | None, zh: str, en: str,
                       as_of: str) -> bool:
        """Staff at the county released or rejected a quarantined record: the county holds
        its bytes and has decided, so the row leaves ``quarantined`` for ``acknowledged``
        (then pruned like any other). When ``status`` is given, the record's receipt reads
        it (with the next step ``zh``/``en``) as of ``as_of``, over ``needs_review``.
        Returns whether the row moved."""
        with self._store.transaction():
            moved = self._store.set_outbox_state([record_id], "acknowledged", self._now(),
                                                 ["quarantined", "pending", "sent"]) > 0
            if status is not None:
                for code in self._store.receipt_codes_for([record_id]):
                    self._store.put_status(code, status, zh, en, as_of)
        return moved

    def counts(self) -> dict[str, int]:
        """``{"pending": n, "sent": n, "acknowledged": n, "quarantined": n}``."""
        return self._store.outbox_counts()

    def since_last_ack(self) -> list[OutboxItem]:
        """The sealed chain segment from the first unacknowledged record to the head.

        Contiguous in seq (acknowledged rows inside the segment are included), so the server
        can check the whole segment with one signature (``shared.envelope.verify_run``); the
        first item's ``prev`` links it to what the server already holds. Empty when every
        record is acknowledged. This is what a USB bundle carries.
        """
        first = self._store.first_unacknowledged_seq()
        if first is None:
            return []
        rows = self._store.outbox_rows(["pending", "sent", "acknowledged", "quarantined"],
                                       from_seq=first)
        return [OutboxItem.from_row(r) for r in rows]

    def acked_head(self) -> int:
        """The highest seq the county has acknowledged (kept in the ``acked_head`` setting,
        so pruning old rows does not lower it); 0 before the first ack."""
        return max(self._store.acknowledged_head(),
                   int(self._store.get_setting(ACKED_HEAD) or 0))

    def resend_from(self, seq: int) -> list[tuple[int, int]]:
        """The county asked for every record from ``seq`` on again (its store was restored
        from a backup): retained sealed rows from there go back to ``pending``. Returns the
        seq ranges up to the acknowledged head that this kiosk no longer holds (pruned after
        the retention window), also remembered in the ``lost_after_restore`` setting."""
        head = self.acked_head()
        with self._store.transaction():
            self._store.requeue_from(seq, self._now())
            held = set(self._store.outbox_seqs(seq, head))
            lost: list[tuple[int, int]] = []
            for n in range(seq, head + 1):
                if n in held:
                    continue
                if lost and lost[-1][1] == n - 1:
                    lost[-1] = (lost[-1][0], n)
                else:
                    lost.append((n, n))
            if lost:
                known = [tuple(r) for r in self._store.get_setting(LOST) or []]
                self._store.set_setting(LOST, sorted({*known, *lost}))
        return lost

    def lost_after_restore(self) -> list[tuple[int, int]]:
        """Seq ranges the county asked for again that this kiosk no longer held."""
        return [(int(a), int(b)) for a, b in self._store.get_setting(LOST) or []]

    def prune_retained(self, retention_days: object = None) -> int:
        """Delete the sealed copies of records acknowledged more than ``retention_days`` ago
        (the station setting ``ack_retention_days``; anything but a whole number >= 1 means
        the default, 60) — they were kept so a county restored from a backup can ask for them
        again — never those a USB bundle still carries. Returns how many."""
        if type(retention_days) is not int or retention_days < 1:
            retention_days = RETENTION_DAYS
        first = self._store.first_unacknowledged_seq()
        head, _, _ = self._store.chain_head()
        cutoff = format_utc(self._clock.now() - timedelta(days=retention_days))
        return self._store.prune_acknowledged_before(first if first is not None else head + 1,
                                                     cutoff)

    def prune_acknowledged(self) -> int:
        """Delete acknowledged rows below the first unacknowledged one. Returns how many."""
        first = self._store.first_unacknowledged_seq()
        head, _, _ = self._store.chain_head()
        return self._store.prune_acknowledged(first if first is not None else head + 1)

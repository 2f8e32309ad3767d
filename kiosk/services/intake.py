"""Intake: validate -> seal to county and station keys -> chain -> durable commit -> receipt.

A receipt exists only after the transaction holding the outbox row, the new chain head and
the receipt row has committed (``synchronous=FULL``), so a receipt a worker was shown always
names a record that survives a crash or power cut. Nothing invalid is ever sealed.

``submit_many`` seals and commits in batches (one transaction per batch) and yields one
result per input record, in input order, after that record's batch has committed; an
invalid record yields its field errors and does not stop the others.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from kiosk.errors import IntakeInvalid, KioskRevoked
from kiosk.services.identity import REVOKED_MESSAGE, Identity, county_recipient, is_revoked
from kiosk.services.sealing import SealChoice
from kiosk.services.shapes import ReceiptWire
from kiosk.store import Store
from shared._errors import FieldError, RecordInvalid
from shared.clock import Clock, format_utc
from shared.envelope import EnvelopeHeader
from shared.hlc import HLC, HybridClock
from shared.ids import new_record_id
from shared.intake import IntakePayload
from shared.receipt import ReceiptClaims, new_code, new_pin, pin_verifier, sign_receipt
from shared.records import Complaint, JobSeekerRegistration, parse_record, plausible_today

DEFAULT_BATCH = 100


@dataclass(frozen=True)
class Receipt:
    """What a worker takes home. ``to_wire()`` is the INTERFACES.md receipt shape."""

    receipt_code: str
    pin: str
    record_id: str
    filed_at: str
    qr_payload: str
    envelope_hash: str
    seq: int
    # a job-seeker registration's best current matches (kiosk.services.jobs), else None
    matches: tuple[dict[str, Any], ...] | None = None

    def to_wire(self) -> ReceiptWire:
        out: ReceiptWire = {"receipt_code": self.receipt_code, "pin": self.pin,
                               "record_id": self.record_id, "filed_at": self.filed_at,
                               "qr_payload": self.qr_payload}
        if self.matches is not None:
            out["matches"] = list(self.matches)
        return out


@dataclass(frozen=True)
class Result:
    """One input record's outcome in a batch: a receipt, or the fields at fault."""

    index: int
    receipt: Receipt | None = None
    errors: tuple[FieldError, ...] = ()

    def to_wire(self) -> dict[str, Any]:
        if self.receipt is not None:
            return dict(self.receipt.to_wire())
        return {"index": self.index, "errors": [e.to_wire() for e in self.errors]}


class Intake:
    """Files records for one kiosk. Thread-safe; one instance per open store."""

    def __init__(self, store: Store, identity: Identity, clock: Clock,
                 today: Callable[[], date] | None = None,
                 on_registered: Callable[[str, JobSeekerRegistration],
                                         list[dict[str, Any]]] | None = None,
                 public_url: Callable[[], str | None] | None = None) -> None:
        self._store = store
        self._public_url = public_url  # the county's status page: v2 receipt links
        self._on_registered = on_registered  # job matches of a registration (kiosk.services.jobs)
        self._id = identity
        self._clock = clock
        self._today = today  # the station's civil date, for ID and period date checks
        self._lock = threading.Lock()
        self._sealing = SealChoice(store)  # v1, or v2 when switched on (issue 17)
        self.chain_lock = self._lock  # every writer of this kiosk's chain takes it (visits)

    def _local_today(self) -> date:
        return self._today() if self._today else self._clock.now().date()

    def validate(self, kind: str, data: object) -> Complaint | JobSeekerRegistration:
        """The normalised record. Raises IntakeInvalid listing every bad field."""
        try:
            # A kiosk clock reading 2000 must not turn away a worker born in 2003.
            return parse_record(kind, data, plausible_today(self._local_today()))
        except RecordInvalid as exc:
            raise IntakeInvalid(exc.errors) from None

    def submit(self, kind: str, data: object, ticket: str | None = None) -> Receipt:
        """Validate, seal and durably commit one record; returns its receipt.

        Raises IntakeInvalid (nothing sealed), NotEnrolled, KioskRevoked (the county revoked
        this kiosk), or StoreError (nothing stored).
        """
        record = self.validate(kind, data)
        return self._commit([(kind, record, ticket)])[0]

    def submit_many(self, kind: str, records: Iterable[object],
                    batch: int = DEFAULT_BATCH, ticket: str | None = None) -> Iterator[Result]:
        """Yield one Result per record, in input order, each after its batch committed.

        Raises NotEnrolled, KioskRevoked or StoreError (the failing batch is not stored;
        earlier batches are). ``ticket``: today's queue number of this visit, carried in each
        record's payload (the county counts the ticket and its filing as one visit). Invalid
        records are reported, not raised; an item that is already an IntakeInvalid (e.g. a
        line that was not JSON) is reported as it is.
        """
        county_recipient(self._store)  # refuse before reading anything
        if is_revoked(self._store, self._id.device_id):
            raise KioskRevoked(REVOKED_MESSAGE)
        pending: list[tuple[int, Complaint | JobSeekerRegistration | IntakeInvalid]] = []

        def flush() -> Iterator[Result]:
            valid = [(kind, r, ticket) for _, r in pending if not isinstance(r, IntakeInvalid)]
            receipts = iter(self._commit(valid)) if valid else iter(())
            for index, r in pending:
                if isinstance(r, IntakeInvalid):
                    yield Result(index, errors=tuple(r.errors))
                else:
                    yield Result(index, receipt=next(receipts))
            pending.clear()

        for index, data in enumerate(records):
            if isinstance(data, IntakeInvalid):  # the caller could not even parse it
                pending.append((index, data))
                continue
            try:
                pending.append((index, self.validate(kind, data)))
            except IntakeInvalid as exc:
                pending.append((index, exc))
            if len(pending) >= batch:
                yield from flush()
        if pending:
            yield from flush()

    def _commit(self, items: Sequence[tuple[str, Complaint | JobSeekerRegistration, str | None]]
                ) -> list[Receipt]:
        county = county_recipient(self._store)
        ident = self._id
        if is_revoked(self._store, ident.device_id):
            raise KioskRevoked(REVOKED_MESSAGE)
        recipients = (county, ident.station_recipient)
        out: list[Receipt] = []
        public_url = self._public_url() if self._public_url else None
        with self._lock, self._store.transaction():
            seq, prev, last_hlc = self._store.chain_head()
            hlc = HybridClock(ident.device_id, self._clock,
                              HLC.parse(last_hlc) if last_hlc else None)
            for kind, record, ticket in items:
                now = format_utc(self._clock.now())
                code, pin = self._fresh_code(), new_pin()
                verifier = pin_verifier(code, pin)
                seq += 1
                header = EnvelopeHeader(kind=kind, id=new_record_id(self._clock),
                                        device=ident.device_id, station=ident.station,
                                        seq=seq, prev=prev, created=now, hlc=str(hlc.now()),
                                        to=tuple(r.kid for r in recipients))
                payload = IntakePayload(kind, record, code, verifier, now, ident.station,
                                        ticket)
                env = self._sealing.seal(payload.to_wire(), header, recipients,
                                         ident.device_key)
                self._store.add_intake(seq=seq, record_id=header.id, kind=kind,
                                       hash=env.hash, envelope=env.raw, created=now,
                                       hlc=header.hlc, receipt_code=code,
                                       pin_verifier=verifier)
                qr = sign_receipt(ReceiptClaims(code, ident.device_id, ident.station, now,
                                                env.hash), ident.device_key, public_url)
                matches = None
                if isinstance(record, JobSeekerRegistration) and self._on_registered:
                    matches = tuple(self._on_registered(code, record))
                out.append(Receipt(code, pin, header.id, now, qr, env.hash, seq, matches))
                prev = env.hash
        return out

    def _fresh_code(self) -> str:
        # 50 random bits: a clash is all but impossible, but a receipt must never be shared.
        while True:
            code = new_code()
            if self._store.receipt(code) is None:
                return code

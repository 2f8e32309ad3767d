"""Visit records: each queue ticket sealed into the chain as a ``visit`` record for the county.

A ticket is sealed (``shared.visit.VisitPayload``, to the county and station keys, signed and
chained like an intake record, then pushed, acknowledged and carried in USB bundles by the
same outbox) only once the county has announced that it files them: the station config key
``accepts_visits: true``. Until then tickets are held: nothing is sealed, and the setting
``visits_sealed_through`` (the highest ticket id sealed) tells which tickets still wait. A
county without the flag would quarantine the unknown kind; holding keeps a mixed fleet clean.

The visit holds only what the ticket holds: station, number, service date, time taken, the
linked receipt code if any, and the matter type only if the sealed details name a known
matter type code. Name and phone stay sealed to the station key in the tickets table.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from kiosk.errors import NotEnrolled
from kiosk.services.identity import Identity, county_recipient, is_revoked
from kiosk.store import Store
from shared.clock import Clock, format_utc
from shared.envelope import EnvelopeHeader, seal
from shared.hlc import HLC, HybridClock
from shared.ids import new_record_id
from shared.records import MATTER_TYPES
from shared.visit import KIND, VisitPayload

SEALED_THROUGH = "visits_sealed_through"
MATTERS = "visits_held_matters"  # ticket id -> matter type code, for held tickets only
FLAG = "accepts_visits"


def payload_for(row: dict[str, Any], station: str, matter_type: str | None) -> VisitPayload:
    """The visit record of one tickets row (no personal data)."""
    matter = matter_type if matter_type in MATTER_TYPES else None
    return VisitPayload(station=station, ticket=f"{row['prefix']}{row['number']:03d}",
                        service_date=row["service_date"], taken_at=row["issued_at"],
                        matter_type=matter, linked_receipt=row["receipt_code"])


class Visits:
    """Seals held tickets into the outbox when the county accepts visits."""

    def __init__(self, store: Store, identity: Identity, clock: Clock,
                 accepts: Callable[[], bool], chain_lock: threading.Lock | None = None) -> None:
        # one chain writer at a time in this process: share intake's lock (the store's
        # BEGIN IMMEDIATE covers other processes)
        self._lock = chain_lock or threading.Lock()
        self._store = store
        self._id = identity
        self._clock = clock
        self._accepts = accepts

    def held(self) -> int:
        """How many tickets wait to be sealed."""
        return len(self._store.tickets_after(int(self._store.get_setting(SEALED_THROUGH) or 0)))

    def note_matter(self, ticket_id: int, details: dict[str, Any] | None) -> None:
        """Remember the matter type code the details name (``matter_type`` or ``matter``),
        if it is a known code, until the ticket is sealed; call in the take transaction."""
        matter = None
        for key in ("matter_type", "matter"):
            if details and details.get(key) in MATTER_TYPES:
                matter = details[key]
                break
        if matter is not None:
            held = dict(self._store.get_setting(MATTERS) or {})
            held[str(ticket_id)] = matter
            self._store.set_setting(MATTERS, held)

    def seal_held(self) -> int:
        """Seal every held ticket, in ticket order, if the county accepts visits (and the
        kiosk is enrolled and not revoked); else nothing. Returns how many were sealed.
        Call inside or outside a store transaction (nested use is a savepoint)."""
        if not self._accepts():
            return 0
        try:
            county = county_recipient(self._store)
        except NotEnrolled:  # held until it is
            return 0
        ident = self._id
        if is_revoked(self._store, ident.device_id):
            return 0
        recipients = (county, ident.station_recipient)
        with self._lock, self._store.transaction():
            through = int(self._store.get_setting(SEALED_THROUGH) or 0)
            rows = self._store.tickets_after(through)
            if not rows:
                return 0
            matters = dict(self._store.get_setting(MATTERS) or {})
            seq, prev, last_hlc = self._store.chain_head()
            hlc = HybridClock(ident.device_id, self._clock,
                              HLC.parse(last_hlc) if last_hlc else None)
            for row in rows:
                now = format_utc(self._clock.now())
                seq += 1
                header = EnvelopeHeader(kind=KIND, id=new_record_id(self._clock),
                                        device=ident.device_id, station=ident.station,
                                        seq=seq, prev=prev, created=now, hlc=str(hlc.now()),
                                        to=tuple(r.kid for r in recipients))
                payload = payload_for(row, ident.station, matters.pop(str(row["id"]), None))
                env = seal(payload.to_wire(), header, recipients, ident.device_key)
                self._store.add_sealed(seq=seq, record_id=header.id, kind=KIND, hash=env.hash,
                                       envelope=env.raw, created=now, hlc=header.hlc)
                prev = env.hash
            self._store.set_setting(SEALED_THROUGH, rows[-1]["id"])
            self._store.set_setting(MATTERS, matters)
        return len(rows)

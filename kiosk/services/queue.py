"""Queue numbers (取号): a per-station daily number such as ``A023``, and the staff actions.

Numbers restart each service day (the station's civil date, ``StationConfig.service_date``).
A ticket may be linked to the receipt of a complaint filed in the same visit. Each ticket
also becomes a sealed ``visit`` record for the county (``kiosk.services.visits``). Details about
the person waiting (name, phone, matter) are sealed to the station key when the ticket is
taken; staff read them only with the station key unlocked (``details``).

States: ``waiting`` -> ``called`` -> ``served`` | ``no_show`` (a waiting number may also be
marked directly).
"""

from __future__ import annotations

import re
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from kiosk.errors import TicketError
from kiosk.services.config import StationConfig
from kiosk.services.shapes import QueueEntry, Ticket
from kiosk.services.stationkey import open_details, seal_details
from kiosk.services.visits import Visits
from kiosk.store import Store
from shared._errors import ReceiptError
from shared.clock import Clock, format_utc
from shared.keys import Recipient
from shared.receipt import parse_code

MAX_NUMBER = 999
NUMBER = re.compile(r"^([A-Z])(\d{1,3})$")
FINAL = {"served": ("waiting", "called"), "no_show": ("waiting", "called")}


def _label(service_date: str, prefix: str, number: int) -> str:
    return f"{service_date}/{prefix}{number:03d}"


def _entry(row: dict[str, Any]) -> QueueEntry:
    return {"number": f"{row['prefix']}{row['number']:03d}", "state": row["state"],
            "issued_at": row["issued_at"], "linked_receipt": row["receipt_code"],
            "has_details": row["details"] is not None}


class Queue:
    """Today's queue at this station."""

    def __init__(self, store: Store, clock: Clock, config: StationConfig,
                 station: Recipient, visits: Visits | None = None) -> None:
        self._visits = visits  # each ticket becomes a sealed visit record for the county
        self._store = store
        self._clock = clock
        self._config = config
        self._station = station

    def take(self, linked_receipt: str | None = None,
             details: dict[str, Any] | None = None) -> Ticket:
        """Issue the next number of the day. Returns ``{number, ahead, issued_at,
        linked_receipt}``.

        ``details`` (e.g. name, phone, matter) are sealed to the station key. Raises
        TicketError if the receipt code is malformed or the day's numbers are used up.
        """
        code = None
        if linked_receipt:
            try:
                code = parse_code(linked_receipt)
            except ReceiptError as exc:
                raise TicketError(f"linked receipt: {exc}") from None
        day = self._config.service_date().isoformat()
        prefix = self._config.ticket_prefix()
        now = format_utc(self._clock.now())
        with self._store.transaction():
            number = self._store.add_ticket(day, prefix, now, code, None)
            if number > MAX_NUMBER:
                raise TicketError(f"all {MAX_NUMBER} queue numbers of {day} are used")
            row = self._store.ticket(day, prefix, number)
            assert row is not None  # noqa: S101  (inserted just above, same transaction)
            if self._visits is not None:
                self._visits.note_matter(row["id"], details)
            if details:
                sealed = seal_details(details, self._station.public_key,
                                      _label(day, prefix, number))
                self._store.set_ticket(row["id"], ["waiting"], details=sealed)
            ahead = sum(1 for r in self._store.tickets(day, ["waiting"])
                        if r["prefix"] == prefix and r["number"] < number)
        if self._visits is not None:  # after the ticket is durable; a crash here leaves it held
            self._visits.seal_held()
        return {"number": f"{prefix}{number:03d}", "ahead": ahead, "issued_at": now,
                "linked_receipt": code}

    def list(self, states: tuple[str, ...] = ("waiting", "called", "served", "no_show")
             ) -> list[QueueEntry]:
        """Today's tickets in ``states``, in number order: ``{number, state, issued_at,
        linked_receipt, has_details}`` (no personal data)."""
        day = self._config.service_date().isoformat()
        return [_entry(r) for r in self._store.tickets(day, states)]

    def call_next(self) -> QueueEntry | None:
        """Call the lowest waiting number; returns its entry, or None if nobody waits."""
        day = self._config.service_date().isoformat()
        with self._store.transaction():
            waiting = self._store.tickets(day, ["waiting"])
            if not waiting:
                return None
            row = waiting[0]
            self._store.set_ticket(row["id"], ["waiting"], state="called",
                                   state_at=format_utc(self._clock.now()))
        entry = _entry(row)
        entry["state"] = "called"
        return entry

    def mark(self, number: str, state: str) -> QueueEntry:
        """Set ``number`` to ``served`` or ``no_show``. Returns its entry.

        Raises TicketError for an unknown number or a change that is not allowed.
        """
        if state not in FINAL:
            raise TicketError(f"state must be served or no_show, not {state!r}")
        row = self._row(number)
        with self._store.transaction():
            if not self._store.set_ticket(row["id"], FINAL[state], state=state,
                                          state_at=format_utc(self._clock.now())):
                raise TicketError(f"ticket {number} is {row['state']}; it cannot become {state}")
        entry = _entry(row)
        entry["state"] = state
        return entry

    def link(self, number: str, receipt_code: str) -> None:
        """Link today's ``number`` to a receipt filed in the same visit."""
        row = self._row(number)
        try:
            code = parse_code(receipt_code)
        except ReceiptError as exc:
            raise TicketError(f"linked receipt: {exc}") from None
        self._store.set_ticket(row["id"], ["waiting", "called", "served", "no_show"],
                               receipt_code=code)  # a visit still held is sealed with it

    def today_number(self, number: str) -> str:
        """``number`` in canonical form (``A023``) if it is one of today's tickets. Raises
        TicketError otherwise."""
        row = self._row(number)
        return f"{row['prefix']}{row['number']:03d}"

    def details(self, number: str, station_key: X25519PrivateKey) -> dict[str, Any] | None:
        """The sealed details of today's ``number`` (None if none were given)."""
        row = self._row(number)
        if row["details"] is None:
            return None
        return open_details(bytes(row["details"]), station_key,
                            _label(row["service_date"], row["prefix"], row["number"]))

    def _row(self, number: str) -> dict[str, Any]:
        match = NUMBER.match(number.strip().upper())
        if not match:
            raise TicketError(f"queue number {number!r} is not like A023")
        day = self._config.service_date().isoformat()
        row = self._store.ticket(day, match.group(1), int(match.group(2)))
        if row is None:
            raise TicketError(f"no queue number {number} today ({day})")
        return row

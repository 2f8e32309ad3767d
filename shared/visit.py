"""The payload sealed inside a ``visit`` envelope: one queue ticket (取号), as both ends read it.

A visit record counts a service contact (接待群众) at the county. It holds only what the
ticket itself holds, and none of the sealed details (name, phone) a person may have given::

    {"kind": "visit",
     "station": "S001",
     "ticket": "A023",                       # the day's number
     "service_date": "2026-11-21",           # the station's civil date
     "taken_at": "2026-11-21T02:00:00.000Z",
     "matter_type": "wage_arrears" | null,   # only a known matter type code
     "linked_receipt": "ABCDEFGHJKM" | null, # the receipt filed in the same visit
     "person_key": null}                     # a keyed ID hash, only if a ticket holds one

Today's tickets hold no person identifier, so kiosks send ``person_key: null`` and each such
ticket counts as one visit. The field is reserved so a later ticket that does hold a keyed
hash needs no new kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from shared._errors import ReceiptError, RecordInvalid
from shared.clock import parse_utc
from shared.messages import field_error
from shared.receipt import parse_code
from shared.records import MATTER_TYPES

KIND = "visit"
TICKET = re.compile(r"^[A-Z]\d{3}$")
PERSON_KEY = re.compile(r"^[0-9a-f]{16,64}$")
MAX_STATION = 64
_KEYS = {"kind", "station", "ticket", "service_date", "taken_at", "matter_type",
         "linked_receipt", "person_key"}


def _bad(name: str, code: str) -> RecordInvalid:
    return RecordInvalid([field_error(f"payload.{name}", code)])


@dataclass(frozen=True)
class VisitPayload:
    station: str
    ticket: str
    service_date: str
    taken_at: str
    matter_type: str | None = None
    linked_receipt: str | None = None
    person_key: str | None = None
    kind: str = KIND

    def to_wire(self) -> dict[str, Any]:
        return {"kind": KIND, "station": self.station, "ticket": self.ticket,
                "service_date": self.service_date, "taken_at": self.taken_at,
                "matter_type": self.matter_type, "linked_receipt": self.linked_receipt,
                "person_key": self.person_key}

    @classmethod
    def from_wire(cls, data: object) -> VisitPayload:
        """Validate an opened payload. Raises RecordInvalid naming the field at fault (an
        unknown key included: nothing a visit does not need is taken)."""
        if not isinstance(data, dict):
            raise _bad("", "not_object")
        for name in sorted(set(data) - _KEYS):
            raise _bad(name, "unknown")
        for name in ("station", "ticket", "service_date", "taken_at"):
            if not isinstance(data.get(name), str):
                raise _bad(name, "required")
        if data.get("kind") != KIND:
            raise _bad("kind", "choice")
        if not 0 < len(data["station"]) <= MAX_STATION:
            raise RecordInvalid([field_error("payload.station", "too_long", max=MAX_STATION)])
        if not TICKET.match(data["ticket"]):
            raise _bad("ticket", "format")
        try:
            date.fromisoformat(data["service_date"])
        except ValueError:
            raise _bad("service_date", "not_date") from None
        try:
            parse_utc(data["taken_at"])
        except ValueError:
            raise _bad("taken_at", "not_time") from None
        matter = data.get("matter_type")
        if matter is not None and matter not in MATTER_TYPES:
            raise _bad("matter_type", "choice")
        linked = data.get("linked_receipt")
        if linked is not None:
            try:
                if not isinstance(linked, str) or parse_code(linked) != linked:
                    raise _bad("linked_receipt", "format")
            except ReceiptError:
                raise _bad("linked_receipt", "format") from None
        person = data.get("person_key")
        if person is not None and not (isinstance(person, str) and PERSON_KEY.match(person)):
            raise _bad("person_key", "format")
        return cls(data["station"], data["ticket"], data["service_date"], data["taken_at"],
                   matter, linked, person)

"""The payload sealed inside an intake envelope, as both ends read it.

::

    {"kind": "complaint" | "jobseeker",
     "record": {...normalised record, INTERFACES.md shape...},
     "receipt": {"code": "ABCDEFGHJKM", "pin_verifier": "<hex>"},
     "filed_at": "2026-11-21T10:00:00.000Z",
     "station": "S001",
     "ticket": "A023" | null,
     "notes": ["...for staff..."]}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from shared._errors import RecordInvalid
from shared.clock import parse_utc
from shared.messages import field_error
from shared.records import Complaint, JobSeekerRegistration, parse_record

# What the county stores of a payload besides the record, bounded by its columns (cases:
# receipt_code String(16), pin_verifier String(128), station String(64), filed_at
# String(32) once normalised) or by reason (a ticket is "A023"; notes are a few lines for
# staff). A payload beyond them is refused by name, so the server quarantines it.
MAX_TEXT = {"receipt_code": 16, "pin_verifier": 128, "filed_at": 64, "station": 64}
MAX_TICKET = 16
MAX_NOTES = 20
MAX_NOTE = 1000


@dataclass(frozen=True)
class IntakePayload:
    kind: str
    record: Complaint | JobSeekerRegistration
    receipt_code: str
    pin_verifier: str
    filed_at: str
    station: str
    ticket: str | None = None
    notes: tuple[str, ...] = field(default=())

    def to_wire(self) -> dict[str, Any]:
        return {"kind": self.kind, "record": self.record.to_wire(),
                "receipt": {"code": self.receipt_code, "pin_verifier": self.pin_verifier},
                "filed_at": self.filed_at, "station": self.station, "ticket": self.ticket,
                "notes": list(self.notes)}

    @classmethod
    def from_wire(cls, data: dict[str, Any], today: date | None = None) -> IntakePayload:
        """Validate an opened payload, record included; dates that must not be in the future
        are checked against ``today`` when given (the county passes its own, with slack:
        ``shared.records.plausible_today``). Raises RecordInvalid naming the field."""
        try:
            receipt = data["receipt"]
            kind = data["kind"]
            record = parse_record(kind, data["record"], today)
            payload = cls(kind, record, receipt["code"], receipt["pin_verifier"],
                          data["filed_at"], data["station"], data.get("ticket"),
                          tuple(data.get("notes") or ()))
        except KeyError as exc:
            raise RecordInvalid([field_error(f"payload.{exc.args[0]}", "required")]) from None
        except TypeError:
            raise RecordInvalid([field_error("payload", "not_object")]) from None
        for name, limit in MAX_TEXT.items():
            value = getattr(payload, name)
            if not isinstance(value, str):
                raise RecordInvalid([field_error(f"payload.{name}", "not_text")])
            if len(value) > limit:
                raise RecordInvalid([field_error(f"payload.{name}", "too_long", max=limit)])
        try:
            parse_utc(payload.filed_at)
        except ValueError:
            raise RecordInvalid([field_error("payload.filed_at", "not_time")]) from None
        if payload.ticket is not None and (not isinstance(payload.ticket, str)
                                           or len(payload.ticket) > MAX_TICKET):
            raise RecordInvalid([field_error("payload.ticket", "too_long", max=MAX_TICKET)])
        if len(payload.notes) > MAX_NOTES:
            raise RecordInvalid([field_error("payload.notes", "too_many", max=MAX_NOTES)])
        if not all(isinstance(n, str) and len(n) <= MAX_NOTE for n in payload.notes):
            raise RecordInvalid([field_error("payload.notes", "too_long", max=MAX_NOTE)])
        return payload

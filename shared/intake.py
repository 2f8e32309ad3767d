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
from typing import Any

from shared._errors import RecordInvalid
from shared.messages import field_error
from shared.records import Complaint, JobSeekerRegistration, parse_record


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
    def from_wire(cls, data: dict[str, Any]) -> IntakePayload:
        """Validate an opened payload, record included. Raises RecordInvalid naming the field."""
        try:
            receipt = data["receipt"]
            kind = data["kind"]
            record = parse_record(kind, data["record"])
            payload = cls(kind, record, receipt["code"], receipt["pin_verifier"],
                          data["filed_at"], data["station"], data.get("ticket"),
                          tuple(data.get("notes") or ()))
        except KeyError as exc:
            raise RecordInvalid([field_error(f"payload.{exc.args[0]}", "required")]) from None
        except TypeError:
            raise RecordInvalid([field_error("payload", "not_object")]) from None
        for name in ("receipt_code", "pin_verifier", "filed_at", "station"):
            if not isinstance(getattr(payload, name), str):
                raise RecordInvalid([field_error(f"payload.{name}", "not_text")])
        return payload

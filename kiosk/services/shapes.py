"""The dict shapes the kiosk services hand out (``shared/design/INTERFACES.md``), typed.

The services and the root return these; the screens' Protocol
(``kiosk.ui.services_api.ScreenServices``) names the same types, so mypy checks both sides
of the seam against one definition.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict


class ReceiptWire(TypedDict):
    """A receipt as ``submit_*`` returns it once the sealed record is committed locally
    (``kiosk.services.intake.Receipt.to_wire()``)."""

    receipt_code: str
    pin: str
    record_id: str
    filed_at: str  # ISO 8601, UTC
    qr_payload: str  # the exact string the receipt QR encodes
    # a job-seeker registration's best current postings: posting_id and title (issue 16)
    matches: NotRequired[list[dict[str, Any]]]


class Status(TypedDict):
    """Last known status of a receipt (as of the last sync)."""

    receipt_code: str
    status: str  # provisional | received | in_mediation | ... (INTERFACES.md)
    as_of: str
    next_step: str
    source: NotRequired[str]  # "county": another station's receipt, asked of the county


class Ticket(TypedDict):
    """A queue number handed to a worker."""

    number: str  # as printed and called, e.g. "A012"
    ahead: int  # people waiting before this one
    issued_at: str
    linked_receipt: NotRequired[str | None]


class QueueEntry(TypedDict):
    """A waiting-queue line for staff (no personal data before the station key is unlocked)."""

    number: str
    state: str  # waiting | called | served | no_show
    issued_at: str
    linked_receipt: NotRequired[str | None]
    has_details: NotRequired[bool]


class OutboxCounts(TypedDict):
    """Outbox figures for the staff screen."""

    pending: int
    sent: int
    acknowledged: int
    quarantined: int
    last_sync: str | None
    last_error: str | None
    unverified: NotRequired[bool]  # the county's last answer failed verification


class SyncProgress(TypedDict):
    """One progress report during ``sync_now``."""

    phase: str  # waiting | push | pull | done
    done: int
    total: int


class Quarantined(TypedDict):
    """A record the server refused, for the staff outbox page."""

    record_id: str
    reason: str

"""What the touchscreen needs from the kiosk services: the one seam between UI and core.

Screens hold a :class:`KioskServices` and never touch the store, the crypto or the network.
The real implementation lives in ``kiosk/services``; UI tests pass an in-memory fake.

Every method may be slow (SQLite, sealing, HTTP), so the UI calls them only through
:class:`kiosk.ui.worker.ServiceRunner`, which runs them on a worker thread and hands the
result back on the Kivy thread. Implementations therefore must not touch Kivy objects.

Errors: a method raises ``ValueError`` (or a subclass carrying per-field messages) for
input the worker can correct, anything else for faults the staff must see.

The dict shapes follow ``shared/design/INTERFACES.md`` (receipt, status); the rest are
defined here as :class:`~typing.TypedDict` so both sides can check them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NotRequired, Protocol, TypedDict, runtime_checkable

__all__ = [
    "KioskServices",
    "OutboxCounts",
    "Quarantined",
    "QueueEntry",
    "Receipt",
    "StationSettings",
    "Status",
    "SyncProgress",
    "SyncSummary",
    "Ticket",
]


class Receipt(TypedDict):
    """What ``submit_*`` returns once the sealed record is committed locally."""

    receipt_code: str
    pin: str
    record_id: str
    filed_at: str  # ISO 8601, UTC
    qr_payload: str  # the exact string the receipt QR encodes


class Status(TypedDict):
    """Last known status of a receipt (as of the last sync)."""

    receipt_code: str
    status: str  # provisional | received | in_mediation | ... (INTERFACES.md)
    as_of: str
    next_step: str


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

    phase: str  # push | pull | done
    done: int
    total: int


class Quarantined(TypedDict):
    """A record the server refused, for the staff outbox page."""

    record_id: str
    reason: str


class SyncSummary(TypedDict):
    """What ``sync_now`` returns."""

    pushed: int
    acknowledged: int
    quarantined: int
    pulled: int
    errors: list[str]


class StationSettings(Protocol):
    """The station settings the screens read and switch (``KioskServices.config``)."""

    def voice_prompts(self) -> bool:
        """True when the screen's questions are read aloud (语音提示; off by default)."""
        ...

    def set_voice_prompts(self, on: bool) -> None:
        """Switch voice prompts on or off for this station; kept across restarts."""
        ...


@runtime_checkable
class KioskServices(Protocol):
    """The kiosk core as the screens see it. All methods are called off the UI thread
    (``config``'s too)."""

    config: StationSettings

    def submit_complaint(self, record: Mapping[str, Any]) -> Receipt:
        """Validate, seal and commit a complaint; return its receipt.

        Raises ``shared.RecordInvalid`` (``.errors``: FieldError per field, dotted paths)
        when the worker must correct something."""
        ...

    def submit_jobseeker(self, record: Mapping[str, Any]) -> Receipt:
        """Validate, seal and commit a job-seeker registration; return its receipt."""
        ...

    def lookup_status(self, code: str, pin: str, lang: str = "zh") -> Status | None:
        """Return the last known status (next step in ``lang``: ``zh``/``en``), or None when
        code and PIN do not match a receipt. Raises ValueError for a malformed code."""
        ...

    def take_ticket(self, linked_receipt: str | None = None) -> Ticket:
        """Issue the next queue number, optionally linked to a receipt from this visit."""
        ...

    def checklist(self, matter_type: str, lang: str) -> list[str]:
        """The documents to bring for ``matter_type`` (一次性告知清单), in ``lang``
        (``zh``/``en``)."""
        ...

    # -- staff mode -------------------------------------------------------------------------

    def check_staff_pin(self, pin: str) -> bool:
        """True when ``pin`` unlocks staff mode."""
        ...

    def queue(self) -> list[QueueEntry]:
        """Today's queue, oldest first."""
        ...

    def call_next(self) -> QueueEntry | None:
        """Call the next waiting number; None when nobody waits."""
        ...

    def mark_ticket(self, number: str, state: str) -> None:
        """Set a called number to ``served`` or ``no_show``."""
        ...

    def outbox_counts(self) -> OutboxCounts:
        """Outbox figures and the last sync result."""
        ...

    def sync_now(self, progress_cb: Callable[[SyncProgress], None]) -> SyncSummary:
        """Push and pull now. ``progress_cb`` is called on the worker thread."""
        ...

    def unlock_station(self, passphrase: str) -> None:
        """Unlock the station key for queue details. Raises on a wrong passphrase."""
        ...

    def lock_station(self) -> None:
        """Forget the unlocked station key (leaving staff mode)."""
        ...

    def ticket_details(self, number: str) -> Mapping[str, Any] | None:
        """What the person holding ``number`` gave (name, phone, matter); needs the station
        key unlocked."""
        ...

    def quarantined(self) -> list[Quarantined]:
        """Records the server refused, with the reason it gave."""
        ...

    def revoked(self) -> bool:
        """Whether the county revoked this kiosk: intake is refused, home says so."""
        ...

    def export_bundle(self, path: str) -> Mapping[str, Any]:
        """Write the pending records as a USB bundle to ``path``; return a summary."""
        ...

    def enroll(self, server_url: str, token: str) -> Mapping[str, Any]:
        """Enroll this kiosk at ``server_url`` with the one-time ``token``."""
        ...

    def device_info(self) -> Mapping[str, Any]:
        """Device id, station, county and last sync time, for the staff screen."""
        ...

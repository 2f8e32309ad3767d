"""What the touchscreen needs from the kiosk services: the one seam between UI and core.

Screens hold a :class:`ScreenServices` and never touch the store, the crypto or the network.
The real implementation is the kiosk root, ``kiosk.root.KioskServices`` (checked against
this Protocol by mypy at ``kiosk.cli.run`` and by tests/kiosk/test_kiosk_screen_services.py);
UI tests pass an in-memory fake.

Every method may be slow (SQLite, sealing, HTTP), so the UI calls them only through
:class:`kiosk.ui.worker.ServiceRunner`, which runs them on a worker thread and hands the
result back on the Kivy thread. Implementations therefore must not touch Kivy objects.

Errors: a method raises ``ValueError`` (or a subclass carrying per-field messages) for
input the worker can correct, anything else for faults the staff must see.

The dict shapes are the services' own (``kiosk.services.shapes``, after
``shared/design/INTERFACES.md``), re-exported here; ``SyncOutcome`` is the part of the sync
summary (``kiosk.sync.SyncSummary.to_wire()``) the staff screen reads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypedDict, runtime_checkable

from kiosk.services.shapes import (
    OutboxCounts,
    Quarantined,
    QueueEntry,
    ReceiptWire,
    Status,
    SyncProgress,
    Ticket,
)

__all__ = [
    "OutboxCounts",
    "Quarantined",
    "QueueEntry",
    "ReceiptWire",
    "ScreenServices",
    "StationSettings",
    "Status",
    "SyncOutcome",
    "SyncProgress",
    "Ticket",
]


class SyncOutcome(TypedDict):
    """What the staff screen reads of ``sync_now``'s summary (``kiosk.sync.SummaryWire``,
    which carries more)."""

    pushed: int
    acknowledged: int
    quarantined: int
    pulled: int
    errors: list[str]


class StationSettings(Protocol):
    """The station settings the screens read and switch (``ScreenServices.config``)."""

    def voice_prompts(self) -> bool:
        """True when the screen's questions are read aloud (语音提示; off by default)."""
        ...

    def set_voice_prompts(self, on: bool) -> None:
        """Switch voice prompts on or off for this station; kept across restarts."""
        ...


class JobListings(Protocol):
    """The job postings the kiosk holds (``ScreenServices.jobs``; issue 16)."""

    def postings(self) -> list[dict[str, Any]]:
        """The open postings held, by area, job type and title (``warning`` when flagged)."""
        ...

    def matches_for(self, code: str) -> list[dict[str, str]] | None:
        """posting_id and title of the postings matching receipt ``code``; None when it is
        not a job-seeker registration filed here."""
        ...


@runtime_checkable
class ScreenServices(Protocol):
    """The kiosk core as the screens see it. All methods are called off the UI thread
    (``config``'s too)."""

    @property
    def config(self) -> StationSettings:
        """The station settings (read-only here, so any richer settings object fits)."""
        ...

    def submit_complaint(self, record: Mapping[str, Any]) -> ReceiptWire:
        """Validate, seal and commit a complaint; return its receipt.

        Raises ``shared.RecordInvalid`` (``.errors``: FieldError per field, dotted paths)
        when the worker must correct something."""
        ...

    def submit_jobseeker(self, record: Mapping[str, Any]) -> ReceiptWire:
        """Validate, seal and commit a job-seeker registration; return its receipt."""
        ...

    def lookup_status(self, code: str, pin: str, lang: str = "zh") -> Status | None:
        """Return the last known status (next step in ``lang``: ``zh``/``en``), or None when
        code and PIN do not match a receipt. Raises ValueError for a malformed code."""
        ...

    def take_ticket(self, linked_receipt: str | None = None) -> Ticket:
        """Issue the next queue number, optionally linked to a receipt from this visit."""
        ...

    @property
    def jobs(self) -> JobListings:
        """The job postings held and a registration's matches (找工作)."""
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

    def sync_now(self, progress_cb: Callable[[SyncProgress], None]) -> SyncOutcome:
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

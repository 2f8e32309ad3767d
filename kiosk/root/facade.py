"""``KioskServices``: the kiosk root, the one object the touchscreen and the CLI call.

It opens the data folder, wires the services (``kiosk.services``) over one store and one
clock, and hands them to sync (``kiosk.sync``) through sync's own Protocols: it is a
``kiosk.sync.port.KioskPort`` and ``sync_port()`` is the ``RecordsPort``
(``kiosk.root.syncport.ServicesPort``). Neither layer imports this module back. Its methods
satisfy ``kiosk.ui.services_api.ScreenServices`` (the screens' Protocol; checked by mypy at
``kiosk.cli.run`` and by tests/kiosk/test_kiosk_screen_services.py). Every method may do
SQLite and crypto: call it off the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from kiosk.errors import CodeInvalid, NotInitialised, StationLocked, WrongPassphrase
from kiosk.root.syncport import ServicesPort
from kiosk.services import identity as ident
from kiosk.services.config import StationConfig
from kiosk.services.intake import Intake
from kiosk.services.jobs import KioskJobs
from kiosk.services.outbox import Outbox
from kiosk.services.queue import Queue
from kiosk.services.shapes import (
    OutboxCounts,
    Quarantined,
    QueueEntry,
    ReceiptWire,
    Status,
    SyncProgress,
    Ticket,
)
from kiosk.services.status import StatusCache
from kiosk.services.visits import Visits
from kiosk.store import Store
from kiosk.sync import bundles
from kiosk.sync.client import SummaryWire
from kiosk.sync.enroll import enroll as enroll_online
from kiosk.sync.lookup import forward_status
from kiosk.sync.once import sync_once
from shared._errors import ReceiptError
from shared.clock import Clock, SystemClock
from shared.feed import Trust
from shared.receipt import parse_code

SYNC_KEY = "last_sync"


class KioskServices:
    """The kiosk core over one data folder. Use ``KioskServices.open``."""

    def __init__(self, data_dir: Path, store: Store, clock: Clock) -> None:
        self.data_dir = data_dir
        self.store = store
        self.clock = clock
        self.identity = ident.load_identity(data_dir, store)
        self.config = StationConfig(store, clock)
        self.jobs = KioskJobs(store, self.config.get, self.config.service_date)
        self.intake = Intake(store, self.identity, clock, today=self.config.service_date,
                             on_registered=self.jobs.on_registered,
                             public_url=self.config.public_url)
        self.outbox = Outbox(store, clock, self.identity.device_id)
        self.status = StatusCache(store, clock)
        self.visits = Visits(store, self.identity, clock, self.config.accepts_visits,
                             self.intake.chain_lock)
        self.tickets = Queue(store, clock, self.config, self.identity.station_recipient,
                             self.visits)
        self._station_key: X25519PrivateKey | None = None

    @classmethod
    def open(cls, data_dir: Path | str, clock: Clock | None = None) -> KioskServices:
        """Open the kiosk in ``data_dir``.

        Raises NotInitialised if ``init`` has not run there, StoreError if the store cannot
        be opened.
        """
        data_dir = Path(data_dir)
        if not (data_dir / ident.DB_FILE).exists():
            raise NotInitialised(f"{data_dir} holds no kiosk yet: run 'yizhan-kiosk init'")
        store = Store.open(data_dir / ident.DB_FILE)
        try:
            return cls(data_dir, store, clock or SystemClock())
        except BaseException:
            store.close()
            raise

    def close(self) -> None:
        self.lock_station()
        self.store.close()

    def __enter__(self) -> KioskServices:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- identity and enrollment ------------------------------------------------------------

    @property
    def device_id(self) -> str:
        return self.identity.device_id

    @property
    def station(self) -> str:
        return self.identity.station

    def enroll_with(self, county_public: dict[str, Any], server_url: str | None) -> None:
        """Store the county keys and server key (see ``identity.enroll_with``)."""
        ident.enroll_with(self.store, county_public, server_url)

    def server_key(self) -> Ed25519PublicKey:
        """The server's acknowledgement key. Raises NotEnrolled."""
        return ident.server_key(self.store)

    def trust(self) -> Trust:
        """The county keys and server key this kiosk trusts. Raises NotEnrolled."""
        return ident.trust(self.store)

    def set_trust(self, trust: Trust) -> None:
        """Store keys reached through verified key statements (``shared.feed.advance``)."""
        ident.set_trust(self.store, trust)

    def sync_port(self) -> ServicesPort:
        """These services as the sync client's port (``kiosk.sync.port.RecordsPort``)."""
        return ServicesPort(self)

    def server_url(self) -> str | None:
        value = self.store.get_setting("server_url")
        return None if value is None else str(value)

    def device_signing_key(self) -> Ed25519PrivateKey:
        return self.identity.device_key

    def device_info(self) -> dict[str, Any]:
        """Device id, station, county (None before enrollment), server URL and last sync."""
        county = self.store.get_setting("county") or {}
        last = self.store.get_setting(SYNC_KEY) or {}
        return {"device_id": self.device_id, "station": self.station,
                "county": county.get("county"), "server_url": self.server_url(),
                "last_sync": last.get("at")}

    def revoked(self) -> bool:
        """Whether the county told this kiosk it is revoked (then intake is refused)."""
        return ident.is_revoked(self.store, self.device_id)

    # -- intake and lookup ------------------------------------------------------------------

    def submit_complaint(self, record: Mapping[str, Any],
                         ticket: str | None = None) -> ReceiptWire:
        """Validate, seal and commit a complaint; returns the receipt (INTERFACES.md shape).

        Raises IntakeInvalid (a ValueError; ``.errors`` per field), NotEnrolled, StoreError.
        """
        return self.intake.submit("complaint", dict(record), ticket).to_wire()

    def submit_jobseeker(self, record: Mapping[str, Any],
                         ticket: str | None = None) -> ReceiptWire:
        """As ``submit_complaint``, for a job-seeker registration."""
        return self.intake.submit("jobseeker", dict(record), ticket).to_wire()

    def lookup_status(self, code: str, pin: str, lang: str = "zh") -> Status | None:
        """Last known status, or None when code and PIN match no receipt. Raises CodeInvalid
        for a malformed code."""
        try:
            canonical = parse_code(code)
        except ReceiptError as exc:
            raise CodeInvalid(str(exc)) from None
        if self.status.holds(canonical):
            return self.status.lookup(canonical, pin, lang)
        # Another station's receipt (or none at all): the county answers, with its limits.
        found = forward_status(self.server_url(), canonical, pin, lang)
        if found is None:
            return None
        return Status(receipt_code=found["receipt_code"], status=found["status"],
                      as_of=found["as_of"], next_step=found["next_step"],
                      source=found["source"])

    def checklist(self, matter_type: str, lang: str = "zh") -> list[str]:
        """Documents to bring for ``matter_type`` in ``lang`` (``zh``/``en``)."""
        return self.config.checklist(matter_type, lang)

    def checklist_sheet(self, matter_type: str, lang: str = "zh") -> dict[str, Any]:
        """The whole checklist: title, documents, where, next_steps, time_limits."""
        return self.config.checklist_sheet(matter_type, lang)

    # -- queue ------------------------------------------------------------------------------

    def take_ticket(self, linked_receipt: str | None = None,
                    details: dict[str, Any] | None = None) -> Ticket:
        """Issue the next queue number (details sealed to the station key)."""
        return self.tickets.take(linked_receipt, details)

    def queue(self) -> list[QueueEntry]:
        """Today's queue, in number order (no personal data)."""
        return self.tickets.list()

    def call_next(self) -> QueueEntry | None:
        return self.tickets.call_next()

    def mark_ticket(self, number: str, state: str) -> None:
        """Set ``number`` to ``served`` or ``no_show``. Raises TicketError."""
        self.tickets.mark(number, state)

    def ticket_details(self, number: str) -> dict[str, Any] | None:
        """What the person waiting gave. Raises StationLocked until ``unlock_station``."""
        if self._station_key is None:
            raise StationLocked("unlock the station with the staff passphrase first")
        return self.tickets.details(number, self._station_key)

    # -- staff ------------------------------------------------------------------------------

    def unlock_station(self, passphrase: str) -> None:
        """Unlock the station key for this session. Raises WrongPassphrase."""
        self._station_key = ident.unlock_station_key(self.data_dir, passphrase.encode())

    def check_staff_pin(self, pin: str) -> bool:
        """True (and the station unlocked) when ``pin`` is the staff passphrase."""
        try:
            self.unlock_station(pin)
        except WrongPassphrase:
            return False
        return True

    def lock_station(self) -> None:
        self._station_key = None

    @property
    def station_unlocked(self) -> bool:
        return self._station_key is not None

    def station_key(self) -> X25519PrivateKey:
        """The unlocked station private key (to open this station's envelopes)."""
        if self._station_key is None:
            raise StationLocked("unlock the station with the staff passphrase first")
        return self._station_key

    # -- outbox, status updates, config (for the sync client) -------------------------------

    def outbox_counts(self) -> OutboxCounts:
        """Counts by state plus ``last_sync``, ``last_error`` (set by the sync client) and
        ``unverified``: true while the last sync or ack import ended with an answer that
        failed verification (``answer_unverified``), until one succeeds."""
        last = self.store.get_setting(SYNC_KEY) or {}
        counts = self.outbox.counts()
        return {"pending": counts["pending"], "sent": counts["sent"],
                "acknowledged": counts["acknowledged"], "quarantined": counts["quarantined"],
                "last_sync": last.get("at"), "last_error": last.get("error"),
                "unverified": bool(last.get("unverified"))}

    def record_sync(self, at: str, error: str | None, *, unverified: bool = False) -> None:
        """Remember when the last sync ran and how it ended (for ``outbox_counts``);
        ``unverified`` when the county's answer failed verification."""
        self.store.set_setting(SYNC_KEY, {"at": at, "error": error, "unverified": unverified})

    def quarantined(self) -> list[Quarantined]:
        """Records the server refused, with the reason it gave (for the staff screen)."""
        return [{"record_id": i.record_id, "reason": i.reason or ""}
                for i in self.outbox.quarantined()]

    def apply_status_updates(self, updates: list[dict[str, Any]]) -> int:
        return self.status.apply_status_updates(updates)

    def apply_config(self, config: dict[str, Any]) -> None:
        self.config.apply_config(config)
        self.visits.seal_held()  # tickets held until the county accepts visits go next push

    def sync_now(self, progress_cb: Callable[[SyncProgress], None]) -> SummaryWire:
        """Push and pull with the county server now (call it off the UI thread).

        ``progress_cb`` gets ``{"phase": push|pull|done, "done", "total"}``. Returns the sync
        summary (``kiosk.sync.SyncSummary.to_wire()``). Raises SyncError subclasses:
        TransientError when the county cannot be reached, PermanentError when it refuses.
        """
        def progress(phase: str, done: int, total: int) -> None:
            progress_cb({"phase": phase, "done": done, "total": total})

        summary = sync_once(self, progress=progress).to_wire()
        progress_cb({"phase": "done", "done": summary["pushed"], "total": summary["pushed"]})
        return summary

    def enroll(self, server_url: str, token: str) -> dict[str, Any]:
        """Enroll online with a one-time token (see ``kiosk.sync.enroll.enroll``)."""
        return enroll_online(self, server_url, token)

    def export_bundle(self, path: str | Path, force: bool = False) -> dict[str, Any]:
        """Write a USB bundle of everything not yet acknowledged (``kiosk.sync.bundles``)."""
        return bundles.export_bundle(self, path, force)

    def import_ack(self, path: str | Path) -> dict[str, Any]:
        """Apply an ack bundle from the county (``kiosk.sync.bundles``)."""
        return bundles.import_ack(self, path)

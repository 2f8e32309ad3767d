"""What county staff do (the CLI today, the console later), reached as ``Services.staff``:
case actions, duplicate decisions, quarantine release and reject, bundle import, export.

``StaffDesk.open`` and ``add_token``, ``revoke``, ``publish_config``, ``devices`` and
``alerts`` serve callers holding only a desk (the tests' ``staff`` fixture); each hands
over to the service that owns it (``enrollment``, ``devices``, ``feed``, ``views``)."""

from __future__ import annotations

from collections.abc import Iterator
from types import TracebackType
from typing import Any

from shared._errors import ReceiptError
from shared.clock import Clock, SystemClock, format_utc
from shared.receipt import parse_code
from sync_server.config.settings import Settings
from sync_server.domain import disclosure
from sync_server.domain.fold import CaseState
from sync_server.domain.statuses import ROUTES, STATUSES
from sync_server.errors import NotFound
from sync_server.services import duplicates, quarantine
from sync_server.services.bundles import BundleImport, Progress, import_bundle
from sync_server.services.core import Core
from sync_server.services.devices import Devices
from sync_server.services.enrollment import Enrollment
from sync_server.services.feed import Feed
from sync_server.services.views import Views
from sync_server.store import cases as cq

__all__ = ["ROUTES", "STATUSES", "StaffDesk"]


class StaffDesk:
    """Staff operations on one store. Use as a context manager (closes the store)."""

    def __init__(self, core: Core) -> None:
        self._core = core

    @classmethod
    def open(cls, settings: Settings, clock: Clock | None = None) -> StaffDesk:
        """Open the store (migrating it). Raises ConfigError naming what is unusable."""
        return cls(Core.open(settings, clock or SystemClock()))

    def __enter__(self) -> StaffDesk:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._core.close()

    def add_token(self, token_hash: str, station: str, ttl_hours: int) -> str:
        """Store an enrollment token by its hash for ``station``; returns when it expires
        (``Enrollment.add``)."""
        return Enrollment(self._core).add(token_hash, station, ttl_hours)

    def revoke(self, device_id: str) -> str | None:
        """Revoke a device and tell every station (``Devices.revoke``). Returns a fault
        summary when its stored records could not be processed first, else None. Raises
        NotFound for an unknown device."""
        return Devices(self._core).revoke(device_id)

    def release(self, record_id: str, user: str) -> tuple[str, str | None]:
        """Release a quarantined record into the case store after review (see
        ``Ingestor.release``). Returns (``merged`` | ``quarantined``, reason). Raises
        NotFound, ActionRefused."""
        return self._core.ingestor.release(record_id, user)

    def publish_config(self) -> None:
        """Put the current configuration on every station's feed (``Feed.publish_config``)."""
        Feed(self._core).publish_config()

    def act(self, code: str, kind: str, data: dict[str, Any], user: str) -> CaseState:
        """Apply a staff event to the case with receipt ``code``; returns the new state.

        Raises NotFound for an unknown or malformed code, DomainError for refused data.
        """
        try:
            canonical = parse_code(code)
        except ReceiptError as exc:
            raise NotFound(f"receipt code {code!r}: {exc}") from None
        with self._core.engine.begin() as conn:
            return self._core.desk.staff_action(conn, canonical, kind, data, user)

    def duplicate(self, code: str, other_code: str, decision: str,
                  user: str) -> tuple[CaseState, CaseState]:
        """Confirm ``code`` as a duplicate of ``other_code`` or split them (``decision`` =
        ``confirm`` | ``split``); returns both new states. Raises NotFound for an unknown or
        malformed code, ActionRefused when the pair's state forbids it."""
        codes = []
        for c in (code, other_code):
            try:
                codes.append(parse_code(c))
            except ReceiptError as exc:
                raise NotFound(f"receipt code {c!r}: {exc}") from None
        with self._core.engine.begin() as conn:
            return duplicates.decide(conn, self._core.desk, codes[0], codes[1], decision, user,
                                     self._core.now_ms())

    def duplicates(self) -> list[dict[str, Any]]:
        """Likely-duplicate pairs awaiting staff's decision, side by side (no ID numbers)."""
        with self._core.engine.connect() as conn:
            return duplicates.pending(conn)

    def import_bundle(self, data: bytes, progress: Progress | None = None) -> BundleImport:
        """Import a USB record bundle (``services.bundles``); returns the outcome and
        the ack bundle. Raises BundleRefused, with nothing stored, for a refused bundle."""
        return import_bundle(self._core, data, progress)

    def export(self, audience: str = "county") -> Iterator[dict[str, Any]]:
        """Every case in the INTERFACES.md export shape, oldest filing first.

        ``audience`` ``employer`` or ``inspector``: the identity of a claimant who asked to
        conceal it from the employer is sealed (``domain.disclosure``). Raises ValueError for
        an unknown audience."""
        disclosure.hides_identity(audience, None, None)  # names a bad audience before output
        with self._core.engine.connect() as conn:
            for case in cq.iter_cases(conn):
                state = case["state"]
                if disclosure.hides_identity(audience, case["kind"], case["record"]):
                    case = {**case, "record": disclosure.redact_record(case["kind"],
                                                                       case["record"])}
                    state = {**state, "history": disclosure.redact_history(state["history"])}
                yield {"case_id": case["case_id"], "receipt_code": case["receipt_code"],
                       "kind": case["kind"], "status": case["status"],
                       "station": case["station"], "filed_at": state["filed_at"],
                       "record": case["record"], "route": state["route"],
                       "outcomes": state["outcomes"], "flags": state["flags"],
                       "duplicate_of": state["duplicate_of"],
                       "duplicate_links": state.get("duplicate_links", {}),
                       "device_id": case["device_id"],
                       "notes": state["notes"], "history": state["history"]}

    def devices(self) -> list[dict[str, Any]]:
        """The devices listing (``Devices.listing``)."""
        return Devices(self._core).listing()

    def quarantine(self) -> list[dict[str, Any]]:
        """Quarantined inbox records and rejected envelopes with station and receipt code
        (None when unknown); no bytes, no personal data."""
        with self._core.engine.connect() as conn:
            return quarantine.listing(conn, self._core.keys.keyring.private_keys)

    def reject(self, record_id: str, user: str, reason: str) -> str:
        """Reject a quarantined record after review (kept, audited, its kiosk told through
        the feed). Returns the stored reason. Raises NotFound, ActionRefused."""
        with self._core.engine.begin() as conn:
            return quarantine.reject(conn, record_id, user, reason, self._core.now_ms(),
                                     format_utc(self._core.clock.now()))

    def alerts(self) -> list[dict[str, Any]]:
        """Collective-dispute alerts, oldest first (``Views.alerts``)."""
        return Views(self._core).alerts()

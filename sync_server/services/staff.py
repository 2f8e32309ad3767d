"""What county staff do outside HTTP (the CLI today, the console later): tokens, revocation,
case actions, export, and views of devices, quarantine and alerts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

from shared._errors import ReceiptError
from shared.clock import Clock, SystemClock, format_utc
from shared.envelope import ChainPoint
from shared.receipt import parse_code
from sync_server.config.settings import Settings
from sync_server.domain.fold import CaseState
from sync_server.domain.statuses import ROUTES, STATUSES
from sync_server.errors import NotFound, StoreFault
from sync_server.services import countysettings, duplicates, quarantine
from sync_server.services.bundles import BundleImport, Progress, import_bundle
from sync_server.services.ingest import gaps_behind, held_at_revocation
from sync_server.services.stationconfig import station_config
from sync_server.services.wiring import Services
from sync_server.store import cases as cq
from sync_server.store import devices as dq
from sync_server.store import feed
from sync_server.store import inbox as iq

__all__ = ["ROUTES", "STATUSES", "StaffDesk"]


def _iso(ms: int | None) -> str | None:
    return None if ms is None else format_utc(datetime.fromtimestamp(ms / 1000, UTC))


class StaffDesk:
    """Staff operations on one store. Use as a context manager (closes the store)."""

    def __init__(self, svc: Services) -> None:
        self._svc = svc

    @classmethod
    def open(cls, settings: Settings, clock: Clock | None = None) -> StaffDesk:
        """Open the store (migrating it). Raises ConfigError naming what is unusable."""
        return cls(Services.open(settings, clock or SystemClock()))

    def __enter__(self) -> StaffDesk:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._svc.close()

    def _now_ms(self) -> int:
        return int(self._svc.clock.now().timestamp() * 1000)

    def add_token(self, token_hash: str, station: str, ttl_hours: int) -> str:
        """Store an enrollment token for ``station``; returns when it expires (RFC 3339)."""
        now = self._svc.clock.now()
        expires = now + timedelta(hours=ttl_hours)
        with self._svc.engine.begin() as conn:
            dq.add_token(conn, token_hash, station, self._now_ms(),
                         int(expires.timestamp() * 1000))
        return format_utc(expires)

    def revoke(self, device_id: str) -> str | None:
        """Revoke a device and tell every station. Raises NotFound for an unknown device.

        Records the server already holds are verified and merged first, so the chain head
        recorded at revocation covers everything stored before it; any record beyond that
        head is quarantined ``device_revoked`` (see ``release``), those held behind a gap
        included. A record that fails to merge is
        quarantined on its own and does not hold revocation up; should processing fail
        whole (the database failing), the device is revoked at the head verified before,
        and the fault's summary is returned (else None): its stored records beyond that
        head will be quarantined ``device_revoked``, kept for staff."""
        fault = None
        try:
            self._svc.ingestor.process_device(device_id)
        except StoreFault as exc:
            fault = str(exc)
        with self._svc.engine.begin() as conn:
            if not dq.revoke(conn, device_id, self._now_ms()):
                raise NotFound(f"device {device_id}: not enrolled here")
            # Records held behind a gap will never follow the head now: staff review them.
            held = iq.held_rows(conn, device_id)
            states = [(rid, "quarantined", held_at_revocation(seq)) for rid, seq, _ in held]
            iq.set_states(conn, states, self._now_ms())
            quarantine.note_codes(conn, {rid: raw for rid, _, raw in held}, states,
                                  self._svc.keys.keyring.private_keys)
            feed.append(conn, [(feed.EVERY_STATION,
                                {"type": "revocation", "device_id": device_id})],
                        self._now_ms())
        return fault

    def release(self, record_id: str, user: str) -> tuple[str, str | None]:
        """Release a quarantined record into the case store after review (see
        ``Ingestor.release``). Returns (``merged`` | ``quarantined``, reason). Raises
        NotFound, ActionRefused."""
        return self._svc.ingestor.release(record_id, user)

    def publish_config(self) -> None:
        """Put the current configuration (and county public keys) on every station's feed."""
        with self._svc.engine.begin() as conn:
            feed.append(conn, [(feed.EVERY_STATION, {
                "type": "config", "config": station_config(
                    None, self._svc.keys.public(),
                    county_settings=countysettings.for_kiosks(conn))})],
                self._now_ms())

    def act(self, code: str, kind: str, data: dict[str, Any], user: str) -> CaseState:
        """Apply a staff event to the case with receipt ``code``; returns the new state.

        Raises NotFound for an unknown or malformed code, DomainError for refused data.
        """
        try:
            canonical = parse_code(code)
        except ReceiptError as exc:
            raise NotFound(f"receipt code {code!r}: {exc}") from None
        with self._svc.engine.begin() as conn:
            return self._svc.desk.staff_action(conn, canonical, kind, data, user)

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
        with self._svc.engine.begin() as conn:
            return duplicates.decide(conn, self._svc.desk, codes[0], codes[1], decision, user,
                                     self._now_ms())

    def duplicates(self) -> list[dict[str, Any]]:
        """Likely-duplicate pairs awaiting staff's decision, side by side (no ID numbers)."""
        with self._svc.engine.connect() as conn:
            return duplicates.pending(conn)

    def import_bundle(self, data: bytes, progress: Progress | None = None) -> BundleImport:
        """Import a USB record bundle (``services.bundles``); returns the outcome and
        the ack bundle. Raises BundleRefused, with nothing stored, for a refused bundle."""
        return import_bundle(self._svc, data, progress)

    def export(self) -> Iterator[dict[str, Any]]:
        """Every case in the INTERFACES.md export shape, oldest filing first."""
        with self._svc.engine.connect() as conn:
            for case in cq.iter_cases(conn):
                state = case["state"]
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
        """Devices with their verified chain head, the gaps records are held behind, and the
        seq ranges the device no longer held when the county asked for them again after a
        restore (``lost_after_restore``: those records are gone for good)."""
        with self._svc.engine.connect() as conn:
            out = []
            for d in dq.list_all(conn):
                head = ChainPoint(d.chain_seq, d.chain_hash)
                out.append({"device_id": d.device_id, "station": d.station,
                            "enrolled_at": _iso(d.enrolled_at_ms),
                            "revoked_at": _iso(d.revoked_at_ms),
                            "revoked_at_seq": d.revoked_at_seq, "chain_seq": d.chain_seq,
                            "chain_hash": d.chain_hash,
                            "gaps": gaps_behind(head, iq.held_seqs(conn, d.device_id)),
                            "lost_after_restore": [{"from_seq": a, "to_seq": b}
                                                   for a, b in d.lost()]})
            return out

    def quarantine(self) -> list[dict[str, Any]]:
        """Quarantined inbox records and rejected envelopes with station and receipt code
        (None when unknown); no bytes, no personal data."""
        with self._svc.engine.connect() as conn:
            return quarantine.listing(conn, self._svc.keys.keyring.private_keys)

    def reject(self, record_id: str, user: str, reason: str) -> str:
        """Reject a quarantined record after review (kept, audited, its kiosk told through
        the feed). Returns the stored reason. Raises NotFound, ActionRefused."""
        with self._svc.engine.begin() as conn:
            return quarantine.reject(conn, record_id, user, reason, self._now_ms(),
                                     format_utc(self._svc.clock.now()))

    def alerts(self) -> list[dict[str, Any]]:
        """Collective-dispute alerts, oldest first; ``updated_at`` is when the group last
        grew (None if never)."""
        with self._svc.engine.connect() as conn:
            return [{**a, "created_at": _iso(a["created_at_ms"]),
                     "updated_at": _iso(a["updated_at_ms"])} for a in cq.list_alerts(conn)]

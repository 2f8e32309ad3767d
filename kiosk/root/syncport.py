"""``ServicesPort``: the kiosk services seen through sync's ``RecordsPort``.

It translates feed entries into the services' calls: status entries lose their ``type``; a
configuration entry's ``county`` member (the unsigned key list older kiosks followed) is
dropped — county keys and the server key change only through verified key statements
(``adopt_trust``); a revocation of this very device is remembered so the kiosk stops
syncing and tells staff. ``apply_page`` applies one verified changes page in one store
transaction: the trust it reached, its changes and its cursor, all or nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from kiosk.services.config import StationConfig
from kiosk.services.identity import REVOKED_KEY
from kiosk.services.outbox import Outbox, OutboxItem
from kiosk.services.sealing import EPOCHS_KEY, PROTOCOLS_KEY
from kiosk.services.status import StatusCache
from kiosk.store import Store
from kiosk.sync.client import apply_changes
from shared.ack import Ack
from shared.feed import Trust


class AdaptedServices(Protocol):
    """What ``ServicesPort`` reaches in the facade (``kiosk.root.facade.KioskServices``)."""

    @property
    def store(self) -> Store: ...
    @property
    def outbox(self) -> Outbox: ...
    @property
    def status(self) -> StatusCache: ...
    @property
    def config(self) -> StationConfig: ...
    @property
    def device_id(self) -> str: ...

    def trust(self) -> Trust: ...
    def set_trust(self, trust: Trust) -> None: ...
    def enroll_with(self, county_public: dict[str, Any], server_url: str | None) -> None: ...
    def apply_status_updates(self, updates: list[dict[str, Any]]) -> int: ...
    def apply_config(self, config: dict[str, Any]) -> None: ...


class ServicesPort:
    """Adapts one open ``KioskServices`` to sync's ``RecordsPort``."""

    def __init__(self, services: AdaptedServices) -> None:
        self._s = services

    def pending(self, limit: int, after_seq: int = 0) -> Sequence[OutboxItem]:
        return self._s.outbox.unacknowledged(limit, after_seq)

    def pending_count(self) -> int:
        counts = self._s.outbox.counts()
        return counts["pending"] + counts["sent"]

    def since_last_ack(self) -> Sequence[OutboxItem]:
        return self._s.outbox.since_last_ack()

    def acked_head(self) -> int:
        return self._s.outbox.acked_head()

    def resend_from(self, seq: int) -> list[tuple[int, int]]:
        return self._s.outbox.resend_from(seq)

    def lost_after_restore(self) -> list[tuple[int, int]]:
        return self._s.outbox.lost_after_restore()

    def prune_retained(self) -> int:
        return self._s.outbox.prune_retained(self._s.config.get("ack_retention_days"))

    def mark_sent(self, record_ids: Sequence[str]) -> None:
        self._s.outbox.mark_sent(record_ids)

    def apply_ack(self, ack: Ack) -> int:
        return self._s.outbox.apply_ack(ack)

    def mark_quarantined(self, record_id: str, reason: str, as_of: str | None = None) -> None:
        self._s.outbox.mark_quarantined(record_id, reason, as_of)

    def apply_decisions(self, decisions: Sequence[dict[str, Any]]) -> None:
        for d in decisions:
            if d.get("decision") == "quarantined":
                self._s.outbox.mark_quarantined(d["record_id"], d["reason"], d["as_of"])
                continue
            self._s.outbox.apply_decision(d["record_id"], d["status"], d["next_step_zh"],
                                          d["next_step_en"], d["as_of"])

    def apply_status_updates(self, updates: Sequence[dict[str, Any]]) -> None:
        self._s.apply_status_updates([{k: v for k, v in u.items() if k != "type"}
                                      for u in updates])

    def apply_config(self, config: dict[str, Any]) -> None:
        self._s.apply_config({k: v for k, v in config.items() if k != "county"})

    def apply_pin(self, code: str, verifier: str | None, locked: bool) -> None:
        """The county locked a receipt this kiosk filed, or staff reissued its PIN (the old
        PIN stops working, the lock goes)."""
        self._s.status.replace_pin(code, verifier, locked)

    def note_protocols(self, versions: list[int]) -> None:
        """Remember the push protocols the county said it takes (kiosk.services.sealing)."""
        if self._s.store.get_setting(PROTOCOLS_KEY) != versions:
            self._s.store.set_setting(PROTOCOLS_KEY, versions)

    def v2_epochs(self) -> Mapping[str, str]:
        """The v2 epoch messages this kiosk saved, hex by hex epoch id."""
        saved = self._s.store.get_setting(EPOCHS_KEY) or {}
        return saved if isinstance(saved, dict) else {}

    def apply_revocation(self, device_id: str) -> None:
        revoked = set(self._s.store.get_setting(REVOKED_KEY) or [])
        revoked.add(device_id)
        self._s.store.set_setting(REVOKED_KEY, sorted(revoked))

    def revoked(self) -> bool:
        """Whether the county has revoked this device."""
        return self._s.device_id in (self._s.store.get_setting(REVOKED_KEY) or [])

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """One atomic write over the kiosk store (``Store.transaction``)."""
        with self._s.store.transaction() as store:
            yield store

    def get_cursor(self) -> str:
        return self._s.status.get_cursor() or ""

    def set_cursor(self, cursor: str) -> None:
        self._s.status.set_cursor(cursor)

    def trust(self) -> Trust:
        """The county keys and server key this kiosk trusts. Raises NotEnrolled."""
        return self._s.trust()

    def adopt_trust(self, trust: Trust) -> None:
        """Store keys reached through verified key statements."""
        self._s.set_trust(trust)

    def apply_page(self, trust: Trust, changes: Sequence[dict[str, Any]],
                   cursor: str) -> None:
        """Apply one verified page: trust, changes, cursor in one transaction."""
        with self._s.store.transaction():
            if trust != self.trust():
                self.adopt_trust(trust)
            apply_changes(self, changes)
            self.set_cursor(cursor)

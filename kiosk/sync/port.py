"""``ServicesPort``: the kiosk services seen through the sync client's ``SyncPort``.

It translates feed entries into the services' calls: status entries lose their ``type``; a
configuration entry's ``county`` member (the unsigned key list older kiosks followed) is
dropped — county keys and the server key change only through verified key statements
(``adopt_trust``); a revocation of this very device is remembered so the kiosk stops
syncing and tells staff. ``apply_page`` applies one verified changes page in one store
transaction: the trust it reached, its changes and its cursor, all or nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kiosk.sync.client import apply_changes
from shared.ack import Ack
from shared.feed import Trust

# The setting kiosk.services.identity.is_revoked reads (intake stops); not imported from
# there: the services package imports this one.
REVOKED_KEY = "revoked_devices"
# The settings kiosk.services.sealing reads and writes (not imported: same reason)
PROTOCOLS_KEY = "county_protocols"
EPOCHS_KEY = "v2_epochs"

if TYPE_CHECKING:  # the facade imports this package; only types flow back
    from kiosk.services.facade import KioskServices
    from kiosk.services.outbox import OutboxItem


class ServicesPort:
    """Adapts one open ``KioskServices`` to the sync client."""

    def __init__(self, services: KioskServices) -> None:
        self._s = services

    def pending(self, limit: int) -> Sequence[OutboxItem]:
        return self._s.outbox.unacknowledged(limit)

    def pending_count(self) -> int:
        counts = self._s.outbox.counts()
        return counts["pending"] + counts["sent"]

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
            self._s.outbox.apply_decision(d["record_id"], d["status"], d["next_step_zh"],
                                          d["next_step_en"], d["as_of"])

    def apply_status_updates(self, updates: Sequence[dict[str, Any]]) -> None:
        self._s.apply_status_updates([{k: v for k, v in u.items() if k != "type"}
                                      for u in updates])

    def apply_config(self, config: dict[str, Any]) -> None:
        self._s.apply_config({k: v for k, v in config.items() if k != "county"})

    def apply_revocation(self, device_id: str) -> None:
        revoked = set(self._s.store.get_setting(REVOKED_KEY) or [])
        revoked.add(device_id)
        self._s.store.set_setting(REVOKED_KEY, sorted(revoked))

    def revoked(self) -> bool:
        """Whether the county has revoked this device."""
        return self._s.device_id in (self._s.store.get_setting(REVOKED_KEY) or [])

    def get_cursor(self) -> str:
        return self._s.status.get_cursor() or ""

    def set_cursor(self, cursor: str) -> None:
        self._s.status.set_cursor(cursor)

    def note_protocols(self, versions: list[int]) -> None:
        """Remember the push protocols the county said it takes (kiosk.services.sealing)."""
        if self._s.store.get_setting(PROTOCOLS_KEY) != versions:
            self._s.store.set_setting(PROTOCOLS_KEY, versions)

    def v2_epochs(self) -> Mapping[str, str]:
        """The v2 epoch messages this kiosk saved, hex by hex epoch id."""
        saved = self._s.store.get_setting(EPOCHS_KEY) or {}
        return saved if isinstance(saved, dict) else {}

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

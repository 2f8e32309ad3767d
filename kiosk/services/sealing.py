"""Which envelope format a kiosk seals: v1 (the default) or v2 (shared/envelope2.py).

v2 is sealed only when **both** hold: this kiosk's switch is on (environment
``YIZHAN_PROTOCOL=2``; off unless set) and the county said it takes v2 (the
``X-Yizhan-Protocols`` header of any answer, remembered as the ``county_protocols``
setting by ``kiosk.sync.push2``). Otherwise v1, exactly as before.

The v2 epoch lives in this object, in memory only: the epoch secret is dropped when the
epoch starts, and the chain key moves on with every record, so nothing on the disk (and
nothing left in memory) opens a record sealed earlier (docs/protocol.md, "Security
argument"). A new process starts a new epoch. The epoch message — public: the secret in it
is sealed to the county — is saved in the ``v2_epochs`` setting, in the same transaction
as the first record sealed with it, so a push can always carry it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.store import Store
from shared import envelope2 as e2
from shared.envelope import Envelope, EnvelopeHeader, seal
from shared.keys import Recipient

SWITCH = "YIZHAN_PROTOCOL"
PROTOCOLS_KEY = "county_protocols"
EPOCHS_KEY = "v2_epochs"


def switched_on() -> bool:
    """This kiosk's own v2 switch (off unless ``YIZHAN_PROTOCOL=2``)."""
    return os.environ.get(SWITCH, "1").strip() == "2"


def county_takes_v2(store: Store) -> bool:
    return 2 in (store.get_setting(PROTOCOLS_KEY) or [])


def epoch_messages(store: Store) -> Mapping[str, str]:
    """Saved epoch messages, hex, by hex epoch id."""
    saved = store.get_setting(EPOCHS_KEY) or {}
    return saved if isinstance(saved, dict) else {}


class SealChoice:
    """Seals each record as v1 or v2 (see the module docstring)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._sealer: e2.Sealer | None = None
        self._for: tuple[Any, ...] = ()

    def seal(self, payload: Mapping[str, Any], header: EnvelopeHeader,
             recipients: Sequence[Recipient], device_key: Ed25519PrivateKey
             ) -> Envelope | e2.Record:
        """The sealed record; call inside the store transaction that saves it."""
        if not (switched_on() and county_takes_v2(self._store)):
            return seal(payload, header, recipients, device_key)
        wanted = (header.device, tuple(r.kid for r in recipients), id(device_key))
        if self._sealer is None or self._sealer.exhausted or self._for != wanted:
            self._sealer = e2.Sealer(header.device, header.created, recipients, device_key)
            self._for = wanted
        saved = epoch_messages(self._store)
        if self._sealer.epoch_id.hex() not in saved:  # (again after a rolled-back first use)
            self._store.set_setting(EPOCHS_KEY, {**saved, self._sealer.epoch_id.hex():
                                                 self._sealer.epoch.raw.hex()})
        return self._sealer.seal(payload, kind=header.kind, record_id=header.id,
                                 station=header.station, seq=header.seq,
                                 prev=bytes.fromhex(header.prev), created=header.created,
                                 hlc=header.hlc)

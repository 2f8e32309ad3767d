"""What kiosk/sync needs from the rest of the kiosk, as Protocols owned by sync.

Sync never imports the kiosk services or the facade: it is handed objects of these shapes.
The kiosk root (:mod:`kiosk.root`) satisfies them: ``KioskServices`` is a ``KioskPort``,
and its ``sync_port()`` is the ``RecordsPort`` (``kiosk.root.syncport.ServicesPort``).

``SyncPort`` (:mod:`kiosk.sync.client`) is what the HTTP client reads and writes;
``RecordsPort`` adds what enrollment, ``sync_once`` and USB bundles need of the store;
``KioskPort`` is the station itself: its folder, clock, device key and server address.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.sync.client import OutboxItemLike, SyncPort
from shared.clock import Clock


class RecordsPort(SyncPort, Protocol):
    """The client's ``SyncPort`` plus the outbox segment for a bundle, the revocation flag
    and one store transaction."""

    def since_last_ack(self) -> Sequence[OutboxItemLike]:
        """Every record after the acknowledged head, in seq order (for a USB bundle)."""
        ...

    def revoked(self) -> bool:
        """Whether the county has revoked this device."""
        ...

    def transaction(self) -> AbstractContextManager[object]:
        """One atomic write over the kiosk store."""
        ...


class KioskPort(Protocol):
    """One open kiosk as sync sees it (``kiosk.root.KioskServices`` satisfies it)."""

    @property
    def data_dir(self) -> Path: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def device_id(self) -> str: ...
    @property
    def station(self) -> str: ...

    def device_signing_key(self) -> Ed25519PrivateKey:
        """The device's Ed25519 key (signs requests and bundles)."""
        ...

    def server_url(self) -> str | None:
        """The county server address stored at enrollment, if any."""
        ...

    def record_sync(self, at: str, error: str | None, *, unverified: bool = False) -> None:
        """Remember when the last sync ran and how it ended."""
        ...

    def enroll_with(self, county_public: dict[str, Any], server_url: str | None) -> None:
        """Store the county keys and server key an enrollment answer carried."""
        ...

    def sync_port(self) -> RecordsPort:
        """The kiosk's records and feed state, as the sync client reads and writes them."""
        ...

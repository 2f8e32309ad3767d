"""``sync_once``: one push and pull for one kiosk, its outcome recorded for the staff screen.

What the CLI's ``sync``, the touchscreen's "sync now" and the background worker all run.
"""

from __future__ import annotations

from typing import Any

import httpx

from kiosk.sync.client import SyncSummary
from kiosk.sync.enroll import client_for
from kiosk.sync.errors import PermanentError, UnverifiedAnswer
from kiosk.sync.lock import sync_lock
from kiosk.sync.port import KioskPort
from shared.clock import format_utc


def sync_once(kiosk: KioskPort, transport: httpx.BaseTransport | None = None,
              server_url: str | None = None, **kwargs: Any) -> SyncSummary:
    """Push and pull once, recording the outcome for the staff screen. Returns the summary;
    raises SyncError subclasses. One sync at a time per kiosk (:mod:`kiosk.sync.lock`): a
    second waits for the first, reporting phase ``waiting`` to ``progress`` if given."""
    progress = kwargs.get("progress")

    def waiting() -> None:
        if progress is not None:
            progress("waiting", 0, 0)

    with sync_lock(kiosk.data_dir, on_wait=waiting):
        try:
            with client_for(kiosk, transport, server_url, **kwargs) as client:
                summary = client.sync()
        except Exception as exc:
            if isinstance(exc, PermanentError) and exc.code == "device_revoked":
                # Told by the county itself: stop taking intake (docs/sync.md, Revocation).
                kiosk.sync_port().apply_revocation(kiosk.device_id)
            kiosk.record_sync(format_utc(kiosk.clock.now()), str(exc)[:300],
                              unverified=isinstance(exc, UnverifiedAnswer))
            raise
        kiosk.record_sync(format_utc(kiosk.clock.now()), None)
    return summary

"""What the worker's public status page needs from the store: the county's device public
keys (to verify receipts in the page) and the path the page lives under."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sync_server.services import countysettings
from sync_server.services.core import Core
from sync_server.store import devices as dq


def device_keys(svc: Core) -> dict[str, Any]:
    """``{"county", "devices": {device id: {"key": Ed25519 public key (base64url),
    "station"}}}`` for every device ever enrolled: a receipt a since-revoked kiosk issued
    before its revocation is still genuine. Public keys only; no personal data."""
    with svc.engine.connect() as conn:
        rows = dq.list_all(conn)
    return {"county": svc.keys.county,
            "devices": {d.device_id: {"key": d.public_key, "station": d.station}
                        for d in rows}}


def base_path(svc: Core) -> str:
    """The path prefix of the county's ``public_url`` ("" at a host's root), so the page's
    assets and requests resolve behind a reverse proxy that serves it under a folder."""
    with svc.engine.connect() as conn:
        url = countysettings.current(conn, svc.settings).public_url
    return urlsplit(url).path.rstrip("/") if url else ""

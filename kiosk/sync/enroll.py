"""Online enrollment: register this kiosk's device key with the county using a one-time token.

``POST /v1/enroll`` with the token and the device's Ed25519 public key; the answer carries the
county's public keys, the server's ack-signing key and the station configuration, which are
stored through ``KioskPort.enroll_with`` and the records port's ``apply_config``.
"""

from __future__ import annotations

from typing import Any

import httpx

from kiosk.sync import push2
from kiosk.sync.client import SyncClient, json_answer, raise_for_status
from kiosk.sync.errors import PermanentError, TransientError
from kiosk.sync.port import KioskPort
from shared.keys import b64u, raw_public


def enroll(kiosk: KioskPort, server_url: str, token: str,
           transport: httpx.BaseTransport | None = None) -> dict[str, Any]:
    """Enroll with the county server at ``server_url``.

    Returns ``{"device_id", "station", "county"}``. Raises PermanentError when the server
    refuses (unknown/used/expired token, station mismatch), TransientError when it cannot be
    reached or answers something that is not the enrollment answer.
    """
    token = token.strip()
    if not token:
        raise PermanentError("the enrollment token is empty", "token_unknown")
    body = {"token": token, "station": kiosk.station,
            "device_public_key": b64u(raw_public(kiosk.device_signing_key().public_key()))}
    url = server_url.rstrip("/")
    try:
        with httpx.Client(base_url=url, transport=transport, timeout=30.0) as http:
            response = http.post("/v1/enroll", json=body)
    except httpx.TransportError as exc:
        raise TransientError(f"cannot reach {url}: {type(exc).__name__}: {exc}") from exc
    raise_for_status(response)  # same classification as sync
    if response.status_code != 201:
        raise TransientError(f"enroll answered {response.status_code}, not 201 "
                             "(a captive portal or proxy?)")
    answer = json_answer(response, "enroll")
    if answer.get("device_id") != kiosk.device_id:
        raise PermanentError(f"server registered device {answer.get('device_id')!r}, "
                             f"but this kiosk is {kiosk.device_id}", "device_mismatch")
    county = answer.get("county")
    if not isinstance(county, dict):
        raise TransientError("enroll answer lacks the county keys")
    kiosk.enroll_with(county, url)
    config = answer.get("config")
    if isinstance(config, dict):
        kiosk.sync_port().apply_config(config)
    push2.note_protocols(response, kiosk.sync_port())  # may this kiosk seal v2?
    return {"device_id": kiosk.device_id, "station": answer.get("station"),
            "county": county.get("county")}


def client_for(kiosk: KioskPort, transport: httpx.BaseTransport | None = None,
               server_url: str | None = None, **kwargs: Any) -> SyncClient:
    """A SyncClient for this enrolled kiosk. Raises PermanentError if it is not enrolled
    online (no server URL) or has been revoked. ``server_url`` overrides the stored address
    for this client only."""
    url = server_url or kiosk.server_url()
    if not url:
        raise PermanentError("this kiosk has no server address: enroll it online first "
                             "('yizhan-kiosk enroll --server URL --token T'), or use USB "
                             "bundles", "not_enrolled")
    port = kiosk.sync_port()
    if port.revoked():
        raise PermanentError("the county has revoked this kiosk's key: ask county staff to "
                             "enroll it again", "device_revoked")
    return SyncClient(port, base_url=url, device_id=kiosk.device_id,
                      device_key=kiosk.device_signing_key(), clock=kiosk.clock,
                      transport=transport, **kwargs)

"""Online enrollment: register this kiosk's device key with the county using a one-time token.

``POST /v1/enroll`` with the token and the device's Ed25519 public key; the answer carries the
county's public keys, the server's ack-signing key and the station configuration, which are
stored through ``KioskServices.enroll_with`` and ``apply_config``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from kiosk.sync import push2
from kiosk.sync.client import SyncClient, SyncSummary
from kiosk.sync.errors import PermanentError, TransientError, UnverifiedAnswer
from kiosk.sync.lock import sync_lock
from kiosk.sync.port import ServicesPort
from shared.clock import format_utc
from shared.keys import b64u, raw_public

if TYPE_CHECKING:  # the facade imports this package; only types flow back
    from kiosk.services.facade import KioskServices


def enroll(services: KioskServices, server_url: str, token: str,
           transport: httpx.BaseTransport | None = None) -> dict[str, Any]:
    """Enroll with the county server at ``server_url``.

    Returns ``{"device_id", "station", "county"}``. Raises PermanentError when the server
    refuses (unknown/used/expired token, station mismatch), TransientError when it cannot be
    reached or answers something that is not the enrollment answer.
    """
    token = token.strip()
    if not token:
        raise PermanentError("the enrollment token is empty", "token_unknown")
    body = {"token": token, "station": services.station,
            "device_public_key": b64u(raw_public(services.device_signing_key().public_key()))}
    url = server_url.rstrip("/")
    try:
        with httpx.Client(base_url=url, transport=transport, timeout=30.0) as http:
            response = http.post("/v1/enroll", json=body)
    except httpx.TransportError as exc:
        raise TransientError(f"cannot reach {url}: {type(exc).__name__}: {exc}") from exc
    SyncClient._raise_for_status(response)  # same classification as sync
    if response.status_code != 201:
        raise TransientError(f"enroll answered {response.status_code}, not 201 "
                             "(a captive portal or proxy?)")
    answer = SyncClient._json(response, "enroll")
    if answer.get("device_id") != services.device_id:
        raise PermanentError(f"server registered device {answer.get('device_id')!r}, "
                             f"but this kiosk is {services.device_id}", "device_mismatch")
    county = answer.get("county")
    if not isinstance(county, dict):
        raise TransientError("enroll answer lacks the county keys")
    services.enroll_with(county, url)
    config = answer.get("config")
    if isinstance(config, dict):
        ServicesPort(services).apply_config(config)
    push2.note_protocols(response, ServicesPort(services))  # may this kiosk seal v2?
    return {"device_id": services.device_id, "station": answer.get("station"),
            "county": county.get("county")}


def client_for(services: KioskServices, transport: httpx.BaseTransport | None = None,
               server_url: str | None = None, **kwargs: Any) -> SyncClient:
    """A SyncClient for this enrolled kiosk. Raises PermanentError if it is not enrolled
    online (no server URL) or has been revoked. ``server_url`` overrides the stored address
    for this client only."""
    url = server_url or services.server_url()
    if not url:
        raise PermanentError("this kiosk has no server address: enroll it online first "
                             "('yizhan-kiosk enroll --server URL --token T'), or use USB "
                             "bundles", "not_enrolled")
    port = ServicesPort(services)
    if port.revoked():
        raise PermanentError("the county has revoked this kiosk's key: ask county staff to "
                             "enroll it again", "device_revoked")
    return SyncClient(port, base_url=url, device_id=services.device_id,
                      device_key=services.device_signing_key(), clock=services.clock,
                      transport=transport, **kwargs)


def sync_once(services: KioskServices, transport: httpx.BaseTransport | None = None,
              server_url: str | None = None, **kwargs: Any) -> SyncSummary:
    """Push and pull once, recording the outcome for the staff screen. Returns the summary;
    raises SyncError subclasses. One sync at a time per kiosk (:mod:`kiosk.sync.lock`): a
    second waits for the first, reporting phase ``waiting`` to ``progress`` if given."""
    progress = kwargs.get("progress")

    def waiting() -> None:
        if progress is not None:
            progress("waiting", 0, 0)

    with sync_lock(services.data_dir, on_wait=waiting):
        try:
            with client_for(services, transport, server_url, **kwargs) as client:
                summary = client.sync()
        except Exception as exc:
            if isinstance(exc, PermanentError) and exc.code == "device_revoked":
                # Told by the county itself: stop taking intake (docs/sync.md, Revocation).
                ServicesPort(services).apply_revocation(services.device_id)
            services.record_sync(format_utc(services.clock.now()), str(exc)[:300],
                                 unverified=isinstance(exc, UnverifiedAnswer))
            raise
        services.record_sync(format_utc(services.clock.now()), None)
    return summary

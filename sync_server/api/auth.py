"""Authenticating kiosk requests: known, unrevoked device; fresh, signed, never replayed."""

from __future__ import annotations

import secrets

from fastapi import Request

from shared.auth import H_DEVICE, H_NONCE, H_SIGNATURE, H_TIMESTAMP, RequestAuthError, check_request
from shared.keys import ed25519_public_from_b64
from sync_server.api.problems import problem
from sync_server.services.wiring import Services
from sync_server.store import devices as dq
from sync_server.store.devices import Device


def path_and_query(request: Request) -> str:
    """The request target exactly as the client sent (and signed) it."""
    raw_path = request.scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else request.scope["path"]
    query = request.scope.get("query_string", b"").decode("latin-1")
    return f"{path}?{query}" if query else path


def authenticate(svc: Services, method: str, target: str, body: bytes,
                 headers: dict[str, str], *, revoked_ok: bool = False) -> Device:
    """The device that signed this request. Raises Problem with the auth_* / device_* code;
    ``revoked_ok``: a revoked device's signed request is authenticated too (the caller stores
    what it carries, then tells it ``device_revoked``; check ``revoked_at_ms``)."""
    device_id = headers.get(H_DEVICE.lower())
    if not device_id:
        raise problem("auth_missing", f"header {H_DEVICE} is missing")
    now = svc.clock.now()
    now_ms = int(now.timestamp() * 1000)
    with svc.engine.begin() as conn:
        device = dq.get(conn, device_id)
        if device is None:
            raise problem("device_unknown", f"device {device_id} is not enrolled here")
        if device.revoked_at_ms is not None and not revoked_ok:
            raise problem("device_revoked", f"device {device_id} has been revoked")
        try:
            nonce, _ = check_request(method, target, body, _canonical_headers(headers),
                                     ed25519_public_from_b64(device.public_key), svc.clock,
                                     svc.settings.auth_window_s)
        except RequestAuthError as exc:
            if exc.code == "auth_stale":  # tell the kiosk our time: its clock may be wrong
                raise problem(exc.code, exc.detail,
                              server_time=int(now.timestamp())) from None
            raise problem(exc.code, exc.detail) from None
        if not dq.record_nonce(conn, device_id, nonce, now_ms):
            raise problem("auth_replay", "this request nonce was already used")
        if secrets.randbelow(100) == 0:  # keep the nonce table to about the replay window
            dq.purge_nonces(conn, now_ms - 2 * svc.settings.auth_window_s * 1000)
    return device


def _canonical_headers(headers: dict[str, str]) -> dict[str, str]:
    out = {}
    for name in (H_DEVICE, H_TIMESTAMP, H_NONCE, H_SIGNATURE):
        value = headers.get(name.lower())
        if value is not None:
            out[name] = value
    return out

"""Authenticating kiosk requests: the request target as signed; the check itself is
``Services.devices.authenticate`` (known, unrevoked device; fresh, signed, never replayed)."""

from __future__ import annotations

from fastapi import Request

from sync_server.services.devices import Device
from sync_server.services.wiring import Services


def path_and_query(request: Request) -> str:
    """The request target exactly as the client sent (and signed) it."""
    raw_path = request.scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else request.scope["path"]
    query = request.scope.get("query_string", b"").decode("latin-1")
    return f"{path}?{query}" if query else path


def authenticate(svc: Services, method: str, target: str, body: bytes,
                 headers: dict[str, str], *, revoked_ok: bool = False) -> Device:
    """The device that signed this request (``Devices.authenticate``). Raises Refused with
    the auth_* / device_* code, answered as that problem."""
    return svc.devices.authenticate(method, target, body, headers, revoked_ok=revoked_ok)

"""Enrollment tokens: issued by staff, redeemed once by a kiosk for its device key.

The store keeps only :func:`token_hash` of a token, never the token.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from shared._errors import KeyMaterialError
from shared.clock import format_utc
from shared.enrollment import new_token
from shared.keys import b64u, device_id_of, ed25519_public_from_b64, raw_public
from sync_server.services.core import Core
from sync_server.services.refusals import Refused
from sync_server.services.stationconfig import station_config
from sync_server.store import checklists as clq
from sync_server.store import devices as dq


def token_hash(token: str) -> str:
    """What the store keeps of an enrollment token (hex SHA-256 of its UTF-8 text)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Issued:
    """A new enrollment token (a secret until used) and when it expires (RFC 3339)."""

    token: str
    expires: str


class Enrollment:
    """Issue and redeem enrollment tokens on one store."""

    def __init__(self, core: Core) -> None:
        self._core = core

    def issue(self, station: str, ttl_hours: int) -> Issued:
        """A new token for ``station``, valid ``ttl_hours``; only its hash is stored."""
        token = new_token()
        return Issued(token, self.add(token_hash(token), station, ttl_hours))

    def add(self, hashed: str, station: str, ttl_hours: int) -> str:
        """Store a token by its hash ``hashed`` for ``station``; returns when it expires."""
        expires = self._core.clock.now() + timedelta(hours=ttl_hours)
        with self._core.engine.begin() as conn:
            dq.add_token(conn, hashed, station, self._core.now_ms(),
                         int(expires.timestamp() * 1000))
        return format_utc(expires)

    def redeem(self, token: str, device_public_key: str,
               station: str | None) -> dict[str, Any]:
        """Enroll the device key ``device_public_key`` (base64url Ed25519) with ``token``.

        A retry by the device that used the token succeeds again. Returns the enrollment
        answer (device id, station, county public keys, station configuration). Raises
        Refused: ``invalid_body``, ``token_unknown``, ``station_mismatch``,
        ``device_revoked``, ``token_used``, ``token_expired``."""
        try:
            key = ed25519_public_from_b64(device_public_key)
        except KeyMaterialError:
            raise Refused("invalid_body", "device_public_key: not a base64url Ed25519 "
                          "public key") from None
        device_id = device_id_of(key)
        now_ms = self._core.now_ms()
        hashed = token_hash(token)
        with self._core.engine.begin() as conn:
            tok = dq.token(conn, hashed)
            if tok is None:
                raise Refused("token_unknown", "token: no such enrollment token")
            granted = str(tok["station"])
            if station is not None and station != granted:
                raise Refused("station_mismatch", f"station: the token is for station "
                              f"{granted}, not {station}")
            existing = dq.get(conn, device_id)
            if existing is not None and existing.revoked_at_ms is not None:
                raise Refused("device_revoked", f"device {device_id} has been revoked")
            retry = tok["used_at_ms"] is not None and tok["device_id"] == device_id
            if not retry:
                if tok["used_at_ms"] is not None:
                    raise Refused("token_used", "token: this enrollment token was already used")
                if not dq.use_token(conn, hashed, device_id, now_ms):
                    raise Refused("token_expired", "token: this enrollment token has expired")
                dq.enroll(conn, device_id, b64u(raw_public(key)), granted, now_ms)
            checklists = clq.in_force(conn)
        return {"device_id": device_id, "station": granted,
                "county": self._core.fresh_keys().public(),
                "config": station_config(granted, checklists=checklists)}

"""Enrolled devices: authenticating their signed requests (known, unrevoked, fresh, never
replayed), revocation, and the devices listing staff see."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from shared.auth import H_DEVICE, H_NONCE, H_SIGNATURE, H_TIMESTAMP, RequestAuthError, check_request
from shared.clock import format_millis
from shared.envelope import ChainPoint
from shared.keys import ed25519_public_from_b64
from sync_server.errors import NotFound, StoreFault
from sync_server.services import quarantine
from sync_server.services.core import Core
from sync_server.services.ingest import gaps_behind, held_at_revocation
from sync_server.services.refusals import Refused
from sync_server.store import devices as dq
from sync_server.store import feed as fq
from sync_server.store import inbox as iq
from sync_server.store.devices import Device

__all__ = ["Device", "Devices"]


def _iso(ms: int | None) -> str | None:
    return None if ms is None else format_millis(ms)


class Devices:
    """The enrolled devices of one store."""

    def __init__(self, core: Core) -> None:
        self._core = core

    def authenticate(self, method: str, target: str, body: bytes,
                     headers: Mapping[str, str], *, revoked_ok: bool = False) -> Device:
        """The device that signed this request (``headers`` with lower-case names).

        Raises Refused with the auth_* / device_* code; ``revoked_ok``: a revoked device's
        signed request is authenticated too (the caller stores what it carries, then tells
        it ``device_revoked``; check ``revoked_at_ms``)."""
        core = self._core
        device_id = headers.get(H_DEVICE.lower())
        if not device_id:
            raise Refused("auth_missing", f"header {H_DEVICE} is missing")
        now = core.clock.now()
        now_ms = int(now.timestamp() * 1000)
        with core.engine.begin() as conn:
            device = dq.get(conn, device_id)
            if device is None:
                raise Refused("device_unknown", f"device {device_id} is not enrolled here")
            if device.revoked_at_ms is not None and not revoked_ok:
                raise Refused("device_revoked", f"device {device_id} has been revoked")
            try:
                nonce, _ = check_request(method, target, body, _canonical_headers(headers),
                                         ed25519_public_from_b64(device.public_key),
                                         core.clock, core.settings.auth_window_s)
            except RequestAuthError as exc:
                if exc.code == "auth_stale":  # tell the kiosk our time: its clock may be wrong
                    raise Refused(exc.code, exc.detail,
                                  server_time=int(now.timestamp())) from None
                raise Refused(exc.code, exc.detail) from None
            if not dq.record_nonce(conn, device_id, nonce, now_ms):
                raise Refused("auth_replay", "this request nonce was already used")
            dq.mark_seen(conn, device_id, now_ms)
            if secrets.randbelow(100) == 0:  # keep the nonce table to about the replay window
                dq.purge_nonces(conn, now_ms - 2 * core.settings.auth_window_s * 1000)
        return device

    def revoke(self, device_id: str) -> str | None:
        """Revoke a device and tell every station. Raises NotFound for an unknown device.

        Records the server already holds are verified and merged first, so the chain head
        recorded at revocation covers everything stored before it; any record beyond that
        head is quarantined ``device_revoked`` (see ``Ingestor.release``), those held behind
        a gap included. A record that fails to merge is quarantined on its own and does not
        hold revocation up; should processing fail whole (the database failing), the device
        is revoked at the head verified before, and the fault's summary is returned (else
        None): its stored records beyond that head will be quarantined ``device_revoked``,
        kept for staff."""
        core = self._core
        fault = None
        try:
            core.ingestor.process_device(device_id)
        except StoreFault as exc:
            fault = str(exc)
        with core.engine.begin() as conn:
            if not dq.revoke(conn, device_id, core.now_ms()):
                raise NotFound(f"device {device_id}: not enrolled here")
            # Records held behind a gap will never follow the head now: staff review them.
            held = iq.held_rows(conn, device_id)
            states = [(rid, "quarantined", held_at_revocation(seq)) for rid, seq, _ in held]
            iq.set_states(conn, states, core.now_ms())
            quarantine.note_codes(conn, {rid: raw for rid, _, raw in held}, states,
                                  core.keys.keyring.private_keys)
            fq.append(conn, [(fq.EVERY_STATION,
                              {"type": "revocation", "device_id": device_id})], core.now_ms())
        return fault

    def listing(self) -> list[dict[str, Any]]:
        """Devices with their verified chain head, the gaps records are held behind, and the
        seq ranges the device no longer held when the county asked for them again after a
        restore (``lost_after_restore``: those records are gone for good)."""
        with self._core.engine.connect() as conn:
            out = []
            for d in dq.list_all(conn):
                head = ChainPoint(d.chain_seq, d.chain_hash)
                out.append({"device_id": d.device_id, "station": d.station,
                            "enrolled_at": _iso(d.enrolled_at_ms),
                            "revoked_at": _iso(d.revoked_at_ms),
                            "last_seen": _iso(d.last_seen_ms),
                            "revoked_at_seq": d.revoked_at_seq, "chain_seq": d.chain_seq,
                            "chain_hash": d.chain_hash,
                            "gaps": gaps_behind(head, iq.held_seqs(conn, d.device_id)),
                            "lost_after_restore": [{"from_seq": a, "to_seq": b}
                                                   for a, b in d.lost()]})
            return out


def _canonical_headers(headers: Mapping[str, str]) -> dict[str, str]:
    out = {}
    for name in (H_DEVICE, H_TIMESTAMP, H_NONCE, H_SIGNATURE):
        value = headers.get(name.lower())
        if value is not None:
            out[name] = value
    return out

"""Stations and devices as a station admin works them on the console: enrollment tokens
(with their QR), the devices with last sync, chain head, gaps and records waiting, revoke,
and the quarantine inbox by station with release/reject. Every change is audited (the
token itself never: it is a secret until used).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from shared import EnrollmentTokenError
from shared.clock import parse_utc
from shared.enrollment import EnrollmentToken, check_server_url, check_station
from shared.qr import qr_png
from sync_server.domain.roles import in_scope, may
from sync_server.errors import ConfigError
from sync_server.services import audit
from sync_server.services.accounts import StaffUser
from sync_server.services.alertwork import local, silent_stations
from sync_server.services.casework import NotPermitted
from sync_server.services.wiring import Services
from sync_server.store import alertwork as q

MAX_TTL_HOURS = 24 * 30


@dataclass(frozen=True)
class NewToken:
    """A token just issued: its wire form, the QR text and the QR as a PNG data URI."""

    station: str
    expires_at: str
    token: str
    qr_text: str
    qr_data_uri: str


def _need(user: StaffUser, action: str) -> None:
    if not may(user.roles, action):
        raise NotPermitted(f"user {user.username!r} may not {action} / 无此权限")


def issue_token(svc: Services, user: StaffUser, station: str, ttl_hours: int,
                server_url: str | None, *, address: str | None = None) -> NewToken:
    """A one-time enrollment token for ``station`` and its QR (PNG, as a data URI).
    Raises ConfigError naming ``station``/``ttl_hours``/``server`` when refused."""
    _need(user, "device.manage")
    try:
        check_station(station)
        if server_url:
            check_server_url(server_url)
    except EnrollmentTokenError as exc:
        raise ConfigError(f"{exc.field}: {exc} / 站点编号或服务器地址不正确") from None
    if not 1 <= ttl_hours <= MAX_TTL_HOURS:
        raise ConfigError(f"ttl_hours {ttl_hours}: must be 1..{MAX_TTL_HOURS} / 有效期超出范围")
    if user.station_id and user.station_id != station:
        raise NotPermitted(f"station {station}: not your station / 只能为本站点签发")
    new = svc.enrollment.issue(station, ttl_hours)
    issued = EnrollmentToken(new.token, station, parse_utc(new.expires), server_url or None)
    text = issued.qr_payload()
    audit.record(svc, user.username, "enroll_token.issue", None,
                 f"station {station}, expires {new.expires}", address)
    png = base64.b64encode(qr_png(text)).decode()
    return NewToken(station, local(new.expires) or new.expires, new.token, text,
                    "data:image/png;base64," + png)


def devices(svc: Services, user: StaffUser) -> list[dict[str, Any]]:
    """Devices in the user's scope with last sync (China time), chain head, gaps, records
    waiting to be merged, revocation."""
    _need(user, "device.manage")
    rows = svc.devices.listing()
    with svc.engine.connect() as conn:
        waiting = q.inbox_waiting(conn)
    return [{**d, "last_sync": local(d["last_seen"]), "waiting": waiting.get(d["device_id"], 0),
             "revoked": d["revoked_at"] is not None, "revoked_local": local(d["revoked_at"])}
            for d in rows if in_scope(user.station_id, d["station"])]


def revoke(svc: Services, user: StaffUser, device_id: str, *,
           address: str | None = None) -> str | None:
    """Revoke a device of the user's scope (audited). Raises NotFound, NotPermitted."""
    _need(user, "device.manage")
    mine = {d["device_id"]: d for d in svc.devices.listing()}
    if device_id in mine and not in_scope(user.station_id, mine[device_id]["station"]):
        raise NotPermitted(f"device {device_id}: not your station / 非本站点设备")
    fault = svc.devices.revoke(device_id)
    audit.record(svc, user.username, "device.revoke", None, f"device {device_id}", address)
    return fault


def quarantine(svc: Services, user: StaffUser) -> dict[str, list[dict[str, Any]]]:
    """The quarantine inbox grouped by station (unknown station: ``?``), with reasons and
    receipt codes; no personal data."""
    _need(user, "quarantine.manage")
    out: dict[str, list[dict[str, Any]]] = {}
    for r in svc.staff.quarantine():
        station = r["station"] or "?"
        if user.station_id and station != user.station_id:
            continue
        out.setdefault(station, []).append(r)
    return dict(sorted(out.items()))


def decide(svc: Services, user: StaffUser, record_id: str, verb: str, reason: str,
           *, address: str | None = None) -> str:
    """Release or reject a quarantined record (audited with the reason). Returns the state
    it ended in. Raises NotFound, ActionRefused, NotPermitted, ConfigError."""
    _need(user, "quarantine.manage")
    rows = {r["record_id"]: r for r in svc.staff.quarantine()}
    if record_id in rows and user.station_id and rows[record_id]["station"] != user.station_id:
        raise NotPermitted(f"record {record_id}: not your station / 非本站点记录")
    if verb == "reject":
        if not reason.strip():
            raise ConfigError("reason: 驳回须写明理由 / rejecting needs a reason")
        svc.staff.reject(record_id, user.username, reason.strip())
        state = "rejected"
    elif verb == "release":
        state, _ = svc.staff.release(record_id, user.username)
    else:
        raise ConfigError(f"action {verb!r}: release or reject")
    audit.record(svc, user.username, f"quarantine.{verb}", None,
                 f"record {record_id}: {state}" + (f": {reason.strip()}" if reason else ""),
                 address)
    return state


def overview(svc: Services, user: StaffUser) -> dict[str, Any]:
    """Everything the stations page shows."""
    silent = silent_stations(svc)
    if user.station_id:
        silent = [s for s in silent if s["station"] == user.station_id]
    return {"devices": devices(svc, user), "silent": silent,
            "quarantine": quarantine(svc, user) if may(user.roles, "quarantine.manage")
            else {}}

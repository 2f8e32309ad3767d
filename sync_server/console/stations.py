"""The console's stations page (站点与设备, station admins): enrollment tokens with their QR
on screen, devices with last sync, chain head, gaps and records waiting, revoke; stations
not synced for N days; the quarantine inbox by station with release/reject.

The token is shown once, in the answer to the POST that issued it (``Cache-Control:
no-store``): only its hash is stored, so it cannot be shown again.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from shared._errors import YizhanError
from sync_server.console import session
from sync_server.console.render import page
from sync_server.domain.roles import may
from sync_server.services import stations
from sync_server.services.sessions import Session

router = APIRouter(prefix="/console", include_in_schema=False)
PAGE = "/console/stations"


async def _require_any(request: Request) -> Session:
    current = await session.require(request)
    if not (may(current.user.roles, "device.manage")
            or may(current.user.roles, "quarantine.manage")):
        raise session.Denied(403)
    return current


async def _page(request: Request, current: Session, status: int = 200,
                **extra: object) -> Response:
    svc = session.services(request)
    user = current.user
    if may(user.roles, "device.manage"):
        data = await run_in_threadpool(stations.overview, svc, user)
    else:
        data = {"devices": [], "silent": [],
                "quarantine": await run_in_threadpool(stations.quarantine, svc, user)}
    context: dict[str, object] = {"notice": request.query_params.get("notice", ""),
                                  "error": request.query_params.get("error", ""),
                                  "issued": None, **data}
    context.update(extra)
    return page(request, "stations.html", current, status=status,
                manage_devices=may(user.roles, "device.manage"),
                manage_quarantine=may(user.roles, "quarantine.manage"), **context)


@router.get("/stations")
async def stations_page(request: Request) -> Response:
    return await _page(request, await _require_any(request))


@router.post("/stations/tokens")
async def issue_token(request: Request) -> Response:
    current = await session.require(request, "device.manage")
    fields = await session.form(request)
    session.check_csrf(request, current, fields)
    server = str(request.base_url).rstrip("/")
    try:
        ttl = int(fields.get("ttl_hours") or "24")
        issued = await run_in_threadpool(
            lambda: stations.issue_token(session.services(request), current.user,
                                         fields.get("station", "").strip(), ttl, server,
                                         address=session.address(request)))
    except ValueError:
        return await _page(request, current, 422,
                           error="ttl_hours: 请填写小时数 / a whole number of hours")
    except YizhanError as exc:
        return await _page(request, current, 422, error=str(exc))
    return await _page(request, current, issued=issued)


@router.post("/devices/{device_id}/revoke")
async def revoke(request: Request, device_id: str) -> Response:
    current = await session.require(request, "device.manage")
    session.check_csrf(request, current, await session.form(request))
    try:
        await run_in_threadpool(lambda: stations.revoke(
            session.services(request), current.user, device_id,
            address=session.address(request)))
    except YizhanError as exc:
        return RedirectResponse(f"{PAGE}?error={quote(str(exc))}", status_code=303)
    return RedirectResponse(f"{PAGE}?notice=revoked", status_code=303)


@router.post("/quarantine/{record_id}/{verb}")
async def decide(request: Request, record_id: str, verb: str) -> Response:
    current = await session.require(request, "quarantine.manage")
    fields = await session.form(request)
    session.check_csrf(request, current, fields)
    try:
        state = await run_in_threadpool(lambda: stations.decide(
            session.services(request), current.user, record_id, verb,
            fields.get("reason", ""), address=session.address(request)))
    except YizhanError as exc:
        return RedirectResponse(f"{PAGE}?error={quote(str(exc))}", status_code=303)
    return RedirectResponse(f"{PAGE}?notice={quote(state)}", status_code=303)

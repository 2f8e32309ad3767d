"""The console's oversight pages: early warning (``/console/alerts``: list, lifecycle
buttons, the SVG chart), the employer page (``/console/employers/{key}``) and the home
page's panel of new alerts and silent stations (``/console/oversight/home``, loaded by htmx
into 工作台).

Access is decided here for every request (``alert.view``, ``alert.work``); every form
carries the CSRF token; the services do the work (``services.alertwork``).
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from shared._errors import YizhanError
from sync_server.console import session
from sync_server.console.charts import weekly_svg
from sync_server.console.render import lang, page
from sync_server.domain.alertflow import STEPS
from sync_server.domain.roles import may
from sync_server.errors import NotFound
from sync_server.services import alertwork, employers

router = APIRouter(prefix="/console", include_in_schema=False)
VERBS = (*STEPS, "escalate")


@router.get("/alerts")
async def alerts_page(request: Request, state: str = "", notice: str = "",
                      error: str = "") -> Response:
    current = await session.require(request, "alert.view")
    svc = session.services(request)
    rows = await run_in_threadpool(alertwork.listing, svc, current.user, state or None)
    series = await run_in_threadpool(alertwork.chart_series, svc)
    return page(request, "alerts.html", current, alerts=rows, state=state, notice=notice,
                error=error, chart=weekly_svg(series, lang(request)), series=series,
                work=may(current.user.roles, "alert.work"))


@router.post("/alerts/{alert_id}/{verb}")
async def alert_step(request: Request, alert_id: int, verb: str) -> Response:
    current = await session.require(request, "alert.work")
    fields = await session.form(request)
    session.check_csrf(request, current, fields)
    if verb not in VERBS:
        return page(request, "error.html", current, status=404, message=verb)
    try:
        await run_in_threadpool(
            lambda: alertwork.step(session.services(request), alert_id, verb,
                                   current.user.username, fields.get("note") or None,
                                   address=session.address(request)))
    except YizhanError as exc:
        return RedirectResponse(f"/console/alerts?error={quote(str(exc))}#alert-{alert_id}",
                                status_code=303)
    return RedirectResponse(f"/console/alerts?notice={verb}#alert-{alert_id}",
                            status_code=303)


@router.get("/oversight/home")
async def home_panel(request: Request) -> Response:
    """The home page's panel: open alerts (every user sees the count; those who may view
    alerts see them listed) and stations not synced for N days."""
    current = await session.require(request)
    svc = session.services(request)
    rows = await run_in_threadpool(alertwork.listing, svc, current.user, "open")
    silent = await run_in_threadpool(alertwork.silent_stations, svc)
    if current.user.station_id:
        silent = [s for s in silent if s["station"] == current.user.station_id]
    return page(request, "oversight_home.html", current, new_alerts=rows, silent=silent,
                sees_alerts=may(current.user.roles, "alert.view"))


@router.get("/employers/{employer_key:path}")
async def employer_page(request: Request, employer_key: str,
                        audience: str = "staff") -> Response:
    """用人单位画像: every case against the employer, amounts, stations, alert state."""
    current = await session.require(request, "employer.view")
    try:
        data = await run_in_threadpool(lambda: employers.profile(
            session.services(request), current.user, employer_key, audience,
            address=session.address(request)))
    except NotFound:
        return page(request, "error.html", current, status=404, message=employer_key)
    except ValueError as exc:
        return page(request, "error.html", current, status=422, message=str(exc))
    return page(request, "employer.html", current, **data)

"""The console's report pages: the indicators (``/console/reports``), the list of cases each
figure counts (``/console/reports/cases``: its length is the figure, the same query), the
mediator subsidy with the director's approval (``/console/reports/subsidy``) and the
exports (CSV/XLSX downloads, audited; no personal data).

``report.view`` for all of them (statistician, director); a statistician gets cells under
the county's minimum hidden and lists without receipt codes (``services.reports``).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from shared._errors import YizhanError
from sync_server.console import session
from sync_server.console.render import page
from sync_server.domain.roles import may
from sync_server.errors import ConfigError
from sync_server.services import exports, reports, subsidy

router = APIRouter(prefix="/console/reports", include_in_schema=False)
KPI_COLUMNS = (*reports.KEYS, "workers_accepted", "cases_paid", "resolved",
               "resolved_locally", "resolved_locally_rate")


def _period(start: str, end: str, svc_today: date) -> tuple[date, date]:
    first = svc_today.replace(day=1)
    return (reports.parse_day(start, "from") if start else first,
            reports.parse_day(end, "to") if end else svc_today)


def _today(request: Request) -> date:
    from sync_server.domain.deadlines import today_in_china

    return today_in_china(session.services(request).clock.now())


@router.get("")
async def kpi_page(request: Request, start: str = "", end: str = "", station: str = "",
                   by: str = "") -> Response:
    current = await session.require(request, "report.view")
    svc = session.services(request)
    try:
        f, t = _period(start, end, _today(request))
        data = await run_in_threadpool(reports.kpi, svc, f, t, station or None, by or None,
                                       current.user.username)
    except YizhanError as exc:
        return page(request, "error.html", current, status=400, message=str(exc))
    query = {"start": f.isoformat(), "end": t.isoformat(), "station": station, "by": by}
    return page(request, "reports.html", current, data=data, query=query,
                qs=urlencode(query))


@router.get("/cases")
async def cases_page(request: Request, measure: str, start: str, end: str,
                     station: str = "", by: str = "", group: str = "") -> Response:
    current = await session.require(request, "report.view")
    svc = session.services(request)
    try:
        f, t = reports.parse_day(start, "from"), reports.parse_day(end, "to")
        rows = await run_in_threadpool(reports.cases, svc, measure, f, t, station or None,
                                       by or None, group or None, current.user.username)
    except YizhanError as exc:
        return page(request, "error.html", current, status=403, message=str(exc))
    return page(request, "report_cases.html", current, rows=rows, measure=measure,
                start=start, end=end, group=group, station=station)


@router.get("/subsidy")
async def subsidy_page(request: Request, start: str = "", end: str = "", notice: str = "",
                       error: str = "") -> Response:
    current = await session.require(request, "report.view")
    svc = session.services(request)
    try:
        f, t = _period(start, end, _today(request))
        data = await run_in_threadpool(subsidy.report, svc, f, t, current.user.username)
    except YizhanError as exc:
        return page(request, "error.html", current, status=400, message=str(exc))
    return page(request, "subsidy.html", current, data=data, notice=notice, error=error,
                approve=may(current.user.roles, "case.grade"),
                qs=urlencode({"start": f.isoformat(), "end": t.isoformat()}))


@router.post("/subsidy/approve")
async def subsidy_approve(request: Request) -> Response:
    current = await session.require(request, "case.grade")
    fields = await session.form(request)
    session.check_csrf(request, current, fields)
    start, end = fields.get("start", ""), fields.get("end", "")
    back = f"/console/reports/subsidy?start={quote(start)}&end={quote(end)}"
    try:
        await run_in_threadpool(
            subsidy.approve, session.services(request), current.user.username,
            reports.parse_day(start, "from"), reports.parse_day(end, "to"),
            fields.get("digest") or "")
    except YizhanError as exc:
        return RedirectResponse(f"{back}&error={quote(str(exc))}", status_code=303)
    return RedirectResponse(f"{back}&notice=approved", status_code=303)


@router.get("/export")
async def export(request: Request, what: str, fmt: str, start: str, end: str,
                 station: str = "", by: str = "") -> Response:
    current = await session.require(request, "report.view")
    svc = session.services(request)
    user = current.user.username
    try:
        f, t = reports.parse_day(start, "from"), reports.parse_day(end, "to")
        if fmt not in ("csv", "xlsx"):
            raise ConfigError(f"format {fmt!r}: csv or xlsx")
        rows: list[dict[str, Any]]
        columns: tuple[str, ...]
        banner = None
        if what == "subsidy":
            data = await run_in_threadpool(subsidy.report, svc, f, t, user)
            rows, columns = data["mediators"], ("mediator", "cases", "amount_fen",
                                                "receipt_codes")
            banner = None if data["approved"] else "草稿 DRAFT: 未经主任审批 / not approved"
        else:
            kpi = await run_in_threadpool(reports.kpi, svc, f, t, station or None, by or None,
                                          user)
            rows, columns, what = kpi["groups"], KPI_COLUMNS, "kpi"
        body = await run_in_threadpool(lambda: _body(svc, user, what, rows, columns, fmt,
                                                     banner))
    except YizhanError as exc:
        return page(request, "error.html", current, status=400, message=str(exc))
    name = f"{what}-{start}-{end}{'-draft' if banner else ''}.{fmt}"
    media = "text/csv; charset=utf-8" if fmt == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})


def _body(svc: Any, user: str, what: str, rows: list[dict[str, Any]],
          columns: tuple[str, ...], fmt: str, banner: str | None) -> bytes:
    if fmt == "xlsx":
        data = exports.xlsx_bytes(rows, columns, what, banner)
    else:
        data = exports.render_text(rows, columns, "csv", banner).encode()
    exports.audit_download(svc, user, what, fmt, len(rows), banner is not None)
    return data

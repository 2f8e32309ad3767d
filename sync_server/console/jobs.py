"""The console's jobs pages (零工驿站, issue 16): enter a posting, list postings, a posting's
page (its rights flags before publishing, "publish anyway", its matches, placements with
the link to a later complaint, close) and the jobs indicators by station and period.

Every action is checked on the server (``domain.roles``: ``job.view``, ``job.post``,
``job.publish``, ``job.place``, ``job.indicators``); a station user sees and places only
the job seekers who registered at their station. Calls ``services.jobs.JobBoard`` only.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from shared._errors import RecordInvalid, YizhanError
from shared.postings import parse_posting
from sync_server.console import session
from sync_server.console.render import page
from sync_server.services.jobs import COUNTY, OUTCOMES, JobBoard
from sync_server.services.sessions import Session

router = APIRouter(prefix="/console", include_in_schema=False)
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")
_INTS = ("pay_fen", "headcount")


def _board(request: Request) -> JobBoard:
    return JobBoard(session.services(request))


def posting_from_form(fields: dict[str, str]) -> dict[str, Any]:
    """The posting JSON of the entry form (left for ``parse_posting`` to judge): lists split
    on commas (ASCII or 、，), whole numbers read where they are whole numbers."""
    def text(name: str) -> str:
        return fields.get(name, "").strip()

    data: dict[str, Any] = {
        "employer": {"name": text("employer_name"), "uscc": text("employer_uscc") or None},
        "title": text("title"), "job_type": text("job_type"),
        "skills": [s.strip() for s in text("skills").replace("、", ",").replace("，", ",")
                   .split(",") if s.strip()],
        "area": text("area"), "pay_period": text("pay_period"), "start": text("start"),
        "end": text("end") or None, "employment": text("employment")}
    for name in _INTS:
        raw = text(name)
        data[name] = int(raw) if raw.isdigit() else raw
    if text("contact"):
        data["contact"] = text("contact")
    return data


async def _new_form(request: Request, current: Session, status: int = 200,
                    **extra: object) -> Response:
    context: dict[str, object] = {"errors": {}, "form": {}, "error": ""}
    context.update(extra)
    return page(request, "job_new.html", current, status=status, **context)


@router.get("/jobs")
async def list_postings(request: Request) -> Response:
    current = await session.require(request, "job.view")
    q = request.query_params
    state, area, job_type = q.get("state", ""), q.get("area", ""), q.get("job_type", "")
    everything = await run_in_threadpool(_board(request).postings)
    rows = [p for p in everything if (not state or p["state"] == state)
            and (not area or p["area"] == area) and (not job_type or p["job_type"] == job_type)]
    return page(request, "jobs.html", current, postings=rows, state=state, area=area,
                job_type=job_type, areas=sorted({p["area"] for p in everything}),
                job_types=sorted({p["job_type"] for p in everything}),
                notice=q.get("notice", ""))


@router.get("/jobs/new")
async def new_posting(request: Request) -> Response:
    return await _new_form(request, await session.require(request, "job.post"))


@router.post("/jobs")
async def add_posting(request: Request) -> Response:
    current = await session.require(request, "job.post")
    fields = await session.form(request)
    session.check_csrf(request, current, fields)
    try:
        posting = parse_posting(posting_from_form(fields))
    except RecordInvalid as exc:
        return await _new_form(request, current, 422, form=fields,
                               errors={e.field: e for e in exc.errors})
    user, who = current.user, (current.user.username, session.address(request))
    try:
        done = await run_in_threadpool(lambda: _board(request).add(
            posting, by=user.author, station=user.station_id or COUNTY, audit=who))
    except YizhanError as exc:
        return await _new_form(request, current, 422, form=fields, error=str(exc))
    return RedirectResponse(f"/console/jobs/{done['posting_id']}?notice={done['state']}",
                            status_code=303)


@router.get("/jobs/indicators")
async def indicators(request: Request) -> Response:
    current = await session.require(request, "job.indicators")
    q = request.query_params
    today = datetime.now(CHINA).date()
    error = ""
    try:
        since = date.fromisoformat(q.get("since") or today.replace(day=1).isoformat())
        until = date.fromisoformat(q.get("until") or today.isoformat())
    except ValueError:
        since, until = today.replace(day=1), today
        error = "since/until: 请填写日期 YYYY-MM-DD / a date YYYY-MM-DD"
    # whole China days, both ends included
    start = datetime.combine(since, time(), CHINA)
    stop = datetime.combine(until + timedelta(days=1), time(), CHINA)
    rows = await run_in_threadpool(lambda: _board(request).indicators(start, stop))
    station = current.user.station_id
    if station is not None:
        rows = [r for r in rows if r["station"] == station]
    return page(request, "job_indicators.html", current, rows=rows, error=error,
                since=since.isoformat(), until=until.isoformat())


async def _posting_page(request: Request, current: Session, posting_id: str,
                        status: int = 200, error: str = "") -> Response:
    board, station = _board(request), current.user.station_id
    try:
        posting = await run_in_threadpool(board.posting, posting_id)
    except YizhanError:
        return page(request, "error.html", current, status=404, message=posting_id)
    matches = await run_in_threadpool(board.matches, posting_id, station)
    placements = await run_in_threadpool(board.placements, posting_id, station)
    q = request.query_params
    return page(request, "job.html", current, status=status, p=posting, matches=matches,
                placements=placements, outcomes=OUTCOMES, notice=q.get("notice", ""),
                error=error or q.get("error", ""))


@router.get("/jobs/{posting_id}")
async def show_posting(request: Request, posting_id: str) -> Response:
    return await _posting_page(request, await session.require(request, "job.view"),
                               posting_id)


@router.post("/jobs/{posting_id}/{verb}")
async def act(request: Request, posting_id: str, verb: str) -> Response:
    action = {"publish": "job.publish", "close": "job.post", "place": "job.place"}.get(verb)
    if action is None:
        return Response(status_code=404)
    current = await session.require(request, action)
    fields = await session.form(request)
    session.check_csrf(request, current, fields)
    board, user = _board(request), current.user
    who = (user.username, session.address(request))
    try:
        if verb == "publish":
            await run_in_threadpool(board.publish, posting_id, who)
        elif verb == "close":
            await run_in_threadpool(board.close, posting_id, who)
        else:
            outcome = fields.get("outcome", "")
            await run_in_threadpool(lambda: board.place(
                posting_id, fields.get("code", ""), outcome, by=user.author,
                station=user.station_id, scope=user.station_id, audit=who))
    except YizhanError as exc:
        return RedirectResponse(f"/console/jobs/{posting_id}?error={quote(str(exc))}",
                                status_code=303)
    notice = fields.get("outcome", "") if verb == "place" else verb
    return RedirectResponse(f"/console/jobs/{posting_id}?notice={quote(notice)}",
                            status_code=303)

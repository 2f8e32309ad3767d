"""The console's pages: login, logout, home (工作台), users (admin), audit log (auditor).

Every route decides access itself (``session.require``); case pages and actions live in
their own modules.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from sync_server.console import i18n, session
from sync_server.console.render import lang, page, workqueues
from sync_server.services import accounts, audit, sessions

router = APIRouter(prefix="/console", include_in_schema=False)
HOME = "/console/"


def _next(value: str | None) -> str:
    # only back into the console: never an open redirect to another site
    if value and value.startswith("/console/") and "//" not in value and "\\" not in value:
        return value
    return HOME


def _login_page(request: Request, error: str = "", status: int = 200,
                username: str = "", retry_after: str = "") -> Response:
    token = secrets.token_urlsafe(32)
    resp = page(request, "login.html", status=status, login_token=token, error=error,
                username=username, next=_next(request.query_params.get("next")),
                retry_after=retry_after)
    session.set_cookie(request, resp, session.LOGIN_COOKIE, token, 3600)
    if retry_after:
        resp.headers["Retry-After"] = retry_after
    return resp


@router.get("/login")
async def login_form(request: Request) -> Response:
    if await session.current(request) is not None:
        return RedirectResponse(HOME, status_code=303)
    return _login_page(request)


@router.post("/login")
async def login(request: Request) -> Response:
    fields = await session.form(request)
    if not session.check_login_csrf(request, fields):
        return _login_page(request, "The login form expired; please try again.", 403)
    username = fields.get("username", "").strip()[:64]
    try:
        _, cookie = await run_in_threadpool(
            sessions.login, session.services(request), username,
            fields.get("password", ""), session.address(request))
    except accounts.LoginRefused as exc:
        if exc.code == "locked_out":
            return _login_page(request, "Too many failed logins. Try again in %(s)s seconds.",
                               429, username, retry_after=str(exc.retry_after))
        return _login_page(request, "Wrong username or password.", 401, username)
    resp = RedirectResponse(_next(fields.get("next")), status_code=303)
    session.start(request, resp, cookie)
    return resp


@router.post("/logout")
async def logout(request: Request) -> Response:
    current = await session.require(request)
    session.check_csrf(request, current, await session.form(request))
    await run_in_threadpool(sessions.logout, session.services(request), current,
                            session.address(request))
    resp = RedirectResponse("/console/login", status_code=303)
    session.end(resp)
    return resp


@router.get("/lang/{to}")
async def language(request: Request, to: str) -> Response:
    resp = RedirectResponse(_next(request.query_params.get("next")), status_code=303)
    resp.set_cookie(i18n.COOKIE, i18n.pick(to), max_age=365 * 86400, path="/console",
                    samesite="lax", secure=session.over_tls(request))
    return resp


@router.get("/")
async def home(request: Request) -> Response:
    current = await session.require(request)
    queues = await run_in_threadpool(workqueues, session.services(request), current.user,
                                    lang(request))
    return page(request, "home.html", current, queues=queues)


@router.get("/admin/users")
async def users(request: Request, notice: str = "", error: str = "") -> Response:
    current = await session.require(request, "user.manage")
    rows = await run_in_threadpool(accounts.list_users, session.services(request))
    return page(request, "users.html", current, users=rows, notice=notice, error=error)


@router.post("/admin/users")
async def add_user(request: Request) -> Response:
    current = await session.require(request, "user.manage")
    fields = await session.form(request)
    session.check_csrf(request, current, fields)
    roles = [r.strip() for r in fields.get("roles", "").split(",") if r.strip()]
    try:
        await run_in_threadpool(
            accounts.add_user, session.services(request), fields.get("username", ""), roles,
            fields.get("station") or None, fields.get("password", ""),
            actor=current.user.username, address=session.address(request))
    except accounts.BadAccountInput as exc:
        rows = await run_in_threadpool(accounts.list_users, session.services(request))
        return page(request, "users.html", current, status=422, users=rows, notice="",
                    error=str(exc))
    return RedirectResponse("/console/admin/users?notice=added", status_code=303)


@router.post("/admin/users/{username}/disable")
async def disable_user(request: Request, username: str) -> Response:
    current = await session.require(request, "user.manage")
    session.check_csrf(request, current, await session.form(request))
    try:
        await run_in_threadpool(accounts.disable_user, session.services(request), username,
                                actor=current.user.username, address=session.address(request))
    except accounts.UnknownUser:
        return page(request, "error.html", current, status=404, message=username)
    return RedirectResponse("/console/admin/users?notice=disabled", status_code=303)


@router.get("/audit")
async def audit_log(request: Request, user: str = "", case: str = "",
                    since: str = "") -> Response:
    current = await session.require(request, "audit.view")
    when = None
    error = ""
    if since:
        try:
            when = datetime.fromisoformat(since).replace(tzinfo=UTC)
        except ValueError:
            error = f"since: {since!r} is not a date (YYYY-MM-DD) / 日期格式应为 YYYY-MM-DD"
    rows = await run_in_threadpool(lambda: audit.entries(
        session.services(request), user=user or None, case_code=case or None, since=when,
        limit=500))
    return page(request, "audit.html", current, entries=rows, user_filter=user,
                case_filter=case, since=since, error=error)

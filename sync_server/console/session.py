"""Who is asking: the session cookie, the per-session CSRF token, and access checks.

* The cookie ``yz_session`` holds 256 random bits (``services.sessions.login``); HttpOnly,
  SameSite=Lax, Path=/console, Secure when the request came over TLS (directly, or through
  a ``--trusted-proxy`` that says ``X-Forwarded-Proto: https``).
* Every state-changing request carries the session's CSRF token: the form field
  ``csrf_token`` or, for htmx, the header ``X-CSRF-Token`` (set once on ``<body>`` with
  ``hx-headers``). The login form, before any session exists, carries a token that must
  equal the ``yz_login`` cookie (double submit).
* ``Denied`` is raised for a missing session (the routes redirect to the login page) or a
  refused permission (403): access is decided here for every request, never only by
  hiding a link.
"""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import parse_qs

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from sync_server.api.public import _trusted, client_ip
from sync_server.console.origin import refused
from sync_server.domain.roles import may
from sync_server.errors import ServerError
from sync_server.services import sessions
from sync_server.services.sessions import ABSOLUTE_S, Session
from sync_server.services.wiring import Services

COOKIE = "yz_session"
LOGIN_COOKIE = "yz_login"
HEADER = "x-csrf-token"
MAX_FORM = 64 * 1024


class Denied(ServerError):
    """The request may not go on: ``status`` 401 (log in first) or 403 (forbidden); the
    console answers it with the login page or a 403 page (``console._denied``)."""

    code = "console_denied"
    http_status = 403

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


def address(request: Request) -> str:
    """The client address recorded in the audit log."""
    return client_ip(request, services(request).settings.trusted_proxies)


def over_tls(request: Request) -> bool:
    """True when the browser reached us over TLS (so cookies get ``Secure``)."""
    if request.url.scheme == "https":
        return True
    peer = request.client.host if request.client else ""
    return (_trusted(peer, services(request).settings.trusted_proxies)
            and request.headers.get("x-forwarded-proto", "").lower() == "https")


def set_cookie(request: Request, response: Response, name: str, value: str,
               max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/console", httponly=True,
                        samesite="lax", secure=over_tls(request))


def start(request: Request, response: Response, cookie: str) -> None:
    """Give the browser the session cookie ``cookie``."""
    set_cookie(request, response, COOKIE, cookie, ABSOLUTE_S)
    response.delete_cookie(LOGIN_COOKIE, path="/console")


def end(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/console")


async def current(request: Request) -> Session | None:
    """The live session of this request, or None."""
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        return None
    return await run_in_threadpool(sessions.session_user, services(request), cookie)


async def require(request: Request, action: str | None = None) -> Session:
    """The session, if its user may do ``action`` (None: any logged-in user).

    Raises Denied(401) without a live session, Denied(403) without the permission.
    """
    session = await current(request)
    if session is None:
        raise Denied(401)
    if action is not None and not may(session.user.roles, action):
        raise Denied(403)
    return session


async def form(request: Request) -> dict[str, str]:
    """The urlencoded form of a POST (first value of each field; at most 64 KiB)."""
    body = await request.body()
    if len(body) > MAX_FORM:
        raise Denied(413)
    parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[0] for k, v in parsed.items()}


def check_csrf(request: Request, session: Session, fields: dict[str, Any]) -> None:
    """Raise the ``csrf_failed`` Problem (403) unless the request carries ``session``'s
    token in the form field ``csrf_token`` or the header ``X-CSRF-Token``."""
    sent = str(fields.get("csrf_token") or request.headers.get(HEADER) or "")
    if not sent or not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
        raise refused("csrf_token missing or wrong")


def check_login_csrf(request: Request, fields: dict[str, str]) -> bool:
    """True when the login form's token equals its ``yz_login`` cookie."""
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    sent = fields.get("csrf_token", "")
    return bool(cookie) and hmac.compare_digest(cookie.encode(), sent.encode())



"""Turning a template into a console page: the Jinja2 environment (autoescaped, i18n), the
language of the request, and the headers every console page carries."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from sync_server.console import i18n
from sync_server.domain.roles import label, may
from sync_server.services.accounts import StaffUser
from sync_server.services.sessions import Session
from sync_server.services.wiring import Services

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                  extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
# the default (zh-CN); each render passes the gettext of the request's language
env.install_gettext_callables(i18n.gettext_for(i18n.DEFAULT),  # type: ignore[attr-defined]
                              i18n.ngettext_for(i18n.DEFAULT), newstyle=True)

HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def lang(request: Request) -> str:
    return i18n.pick(request.cookies.get(i18n.COOKIE))


def page(request: Request, template: str, session: Session | None = None,
         status: int = 200, **context: Any) -> HTMLResponse:
    """The page ``template`` rendered for this request's language and user."""
    language = lang(request)
    user = session.user if session else None
    html = env.get_template(template).render(
        gettext=i18n.gettext_for(language), ngettext=i18n.ngettext_for(language),
        lang=language, user=user, csrf_token=session.csrf_token if session else "",
        role_label=lambda role: label(role, language),
        may=(lambda action: user is not None and may(user.roles, action)),
        path=request.url.path, **context)
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def workqueues(svc: Services, user: StaffUser) -> list[tuple[str, str, int, str]]:
    """The home page's queue rows ``(name, label, count, url)`` for ``user``, from
    ``sync_server.services.workqueues.counts(svc, user)`` when that module exists (the
    case services provide it); else none."""
    try:
        module = importlib.import_module("sync_server.services.workqueues")
    except ModuleNotFoundError:
        return []
    rows: Any = module.counts(svc, user.username)
    if isinstance(rows, dict):  # console-cases' counts: queue name -> count
        titles = getattr(module, "TITLES", {})
        return [(n, " ".join(titles.get(n, (n,))[:1]), int(c), f"/console/queues/{n}")
                for n, c in rows.items()]
    return [(str(n), str(t), int(c), str(u)) for n, t, c, u in rows]

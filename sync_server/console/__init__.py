"""The county console under ``/console/``: server-rendered pages (FastAPI + Jinja2, htmx),
served by ``yizhan-server serve`` from the same process and store as the sync API.

``install(app)`` adds everything: the pages, the static files (htmx pinned by hash in
``static/``), the cross-site check (``origin.OriginCheck``) and the handler that turns a
``session.Denied`` into a redirect to the login page (401) or a 403 page. See
docs/console.md.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from sync_server.console import (
    cases,
    checklists,
    jobs,
    oversight,
    pages,
    receipts,
    reports,
    stations,
)
from sync_server.console.origin import OriginCheck
from sync_server.console.render import STATIC, page
from sync_server.console.session import Denied, current

__all__ = ["install"]

# sha256 of static/htmx.min.js: htmx.org 2.0.11 from the npm registry (dist/htmx.min.js,
# licence 0BSD); tests/console/test_console_static.py checks the file against it
HTMX_SHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"


async def _denied(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, Denied):  # pragma: no cover - registered for Denied only
        raise exc
    if exc.status == 401:
        target = "/console/login?next=" + request.url.path
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": target})
        if request.method != "GET":
            return page(request, "error.html", status=401, message="")
        return RedirectResponse(target, status_code=303)
    return page(request, "error.html", await current(request), status=exc.status,
                message="")


def install(app: FastAPI) -> None:
    """Serve the console under /console/ in ``app``."""
    app.include_router(pages.router)
    app.include_router(receipts.router)  # reissue a receipt's PIN (status page, issue 15)
    app.include_router(oversight.router)
    app.include_router(stations.router)
    app.include_router(checklists.router)
    app.include_router(cases.router)
    app.include_router(jobs.router)  # job postings, matches, placements (issue 16)
    app.include_router(reports.router)
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")
    app.add_exception_handler(Denied, _denied)
    app.add_middleware(OriginCheck)

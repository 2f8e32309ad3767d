"""Console: reissue a receipt's PIN (a worker who lost it, or whose receipt was locked after
too many wrong PINs, at a station with their ID). The slip with the new PIN is shown once,
for printing; the PIN is stored nowhere (``services.pinguard.reissue``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from sync_server.console import session
from sync_server.console.render import page
from sync_server.errors import NotFound
from sync_server.services import pinguard

router = APIRouter(prefix="/console", include_in_schema=False)
ACTION = "receipt.reissue_pin"


@router.get("/receipts/reissue")
async def reissue_form(request: Request) -> Response:
    current = await session.require(request, ACTION)
    return page(request, "reissue.html", current, slip=None, error="", code="")


@router.post("/receipts/reissue")
async def reissue(request: Request) -> Response:
    current = await session.require(request, ACTION)
    fields = await session.form(request)
    session.check_csrf(request, current, fields)
    code = fields.get("code", "").strip()[:40]
    try:
        slip = await run_in_threadpool(pinguard.reissue, session.services(request), code,
                                       current.user.username, session.address(request))
    except NotFound as exc:
        return page(request, "reissue.html", current, status=404, slip=None, code=code,
                    error=str(exc))
    return page(request, "reissue.html", current, slip=slip, error="", code="")

"""The console's checklists page (一次性告知清单, director): pick a matter type, edit its
title, documents, where to go and next steps in zh-CN and English; saving makes a new
version that every kiosk receives at its next sync (``services.checklists``)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from shared._errors import YizhanError
from shared.records import MATTER_TYPES
from sync_server.console import session
from sync_server.console.render import page
from sync_server.services import checklists

router = APIRouter(prefix="/console", include_in_schema=False)


def _form_values(sheet: dict[str, object]) -> dict[str, str]:
    out: dict[str, str] = {}
    title = sheet.get("title") or {}
    for lang in ("zh", "en"):
        out[f"title_{lang}"] = str(title.get(lang, "")) if isinstance(title, dict) else ""
        for section in checklists.EDITABLE:
            items = sheet.get(section) or []
            out[f"{section}_{lang}"] = "\n".join(
                str(i.get(lang, "")) for i in items if isinstance(i, dict)) \
                if isinstance(items, list) else ""
    return out


@router.get("/checklists")
async def checklists_page(request: Request, matter: str = "wage_arrears", notice: str = "",
                          error: str = "") -> Response:
    current = await session.require(request, "checklist.edit")
    svc = session.services(request)
    doc = await run_in_threadpool(checklists.in_force, svc)
    versions = await run_in_threadpool(checklists.history, svc)
    matter = matter if matter in MATTER_TYPES else MATTER_TYPES[0]
    sheet = doc["matters"].get(matter, {})
    return page(request, "checklists.html", current, matter=matter, matters=MATTER_TYPES,
                values=_form_values(sheet), version=doc.get("version"), versions=versions,
                sections=checklists.EDITABLE, notice=notice, error=error)


@router.post("/checklists/{matter}")
async def save(request: Request, matter: str) -> Response:
    current = await session.require(request, "checklist.edit")
    fields = await session.form(request)
    session.check_csrf(request, current, fields)
    try:
        version = await run_in_threadpool(lambda: checklists.save(
            session.services(request), current.user, matter, fields,
            address=session.address(request)))
    except YizhanError as exc:
        return RedirectResponse(f"/console/checklists?matter={quote(matter)}"
                                f"&error={quote(str(exc))}", status_code=303)
    return RedirectResponse(f"/console/checklists?matter={quote(matter)}&notice={version}",
                            status_code=303)

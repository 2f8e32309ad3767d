"""The caseworkers' pages: workqueue lists (search, filters, paging), the case page, the
sealed identity panel and the case actions (forms posting to the casework services).

Access is the services' to decide (``casework.check_access``: role, station, assignment);
a refusal of the whole page answers 403, a refused action answers the case page again with
the reason in zh-CN and English. Every POST checks the session's CSRF token first.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from shared._errors import YizhanError
from shared.records import MATTER_TYPES
from sync_server.console import session
from sync_server.console.render import page
from sync_server.domain.casework import REFUSED_ZH
from sync_server.errors import NotFound, ServerError
from sync_server.services import casefile, caselist, casework, workqueues
from sync_server.services.casework import NotPermitted
from sync_server.services.sessions import Session

router = APIRouter(prefix="/console", include_in_schema=False)


class BadField(ServerError, ValueError):
    """A form value the action cannot use; the message names the field."""

    code = "bad_field"
    http_status = 422


def _status(exc: Exception) -> int:
    if isinstance(exc, NotPermitted):
        return 403
    return int(getattr(exc, "http_status", 409))


@router.get("/queues/{name}")
async def queue(request: Request, name: str, page_no: int = 1) -> Response:
    current = await session.require(request, "case.list")
    user = current.user.username
    svc = session.services(request)
    given = {k: request.query_params.get(k, "") for k in caselist.FILTERS}
    today = caselist.today(svc)
    if name == "quarantine":
        try:
            rows = await run_in_threadpool(workqueues.listing, svc, user, name)
        except NotPermitted:
            return page(request, "error.html", current, status=403, message="")
        return page(request, "quarantine.html", current, rows=rows)
    try:
        listing = await run_in_threadpool(caselist.search, svc, user, name, given, page_no,
                                          caselist.PER_PAGE, session.address(request))
    except workqueues.UnknownQueue:
        return page(request, "error.html", current, status=404, message=name)
    except NotPermitted as exc:
        return page(request, "error.html", current, status=403, message=str(exc))
    except caselist.BadFilter as exc:
        return page(request, "queue.html", current, status=422, listing=None, queue=name,
                    given=given, error=str(exc), today=today, **_choices())
    return page(request, "queue.html", current, listing=listing, queue=name, given=given,
                error="", today=today, **_choices())


def _choices() -> dict[str, Any]:
    return {"matter_types": MATTER_TYPES, "routes": caselist.ROUTES,
            "deadline_states": caselist.DEADLINE_STATES, "titles": workqueues.TITLES,
            "list_url": caselist.list_url}


async def _case_page(request: Request, current: Session, code: str, *, status: int = 200,
                     reason: str | None = None, audience: str = "staff", error: str = "",
                     notice: str = "") -> Response:
    try:
        case = await run_in_threadpool(lambda: casefile.show(
            session.services(request), current.user.username, code, identity_reason=reason,
            audience=audience, address=session.address(request)))
    except NotPermitted:
        return page(request, "error.html", current, status=403, message="")
    except NotFound:
        return page(request, "error.html", current, status=404, message=code)
    except (ServerError, YizhanError) as exc:  # an empty reason, an unknown audience
        if reason is None and audience == "staff":
            raise
        return await _case_page(request, current, code, status=_status(exc), error=str(exc))
    return page(request, "case.html", current, status=status, case=case, error=error,
                notice=notice, audience=audience, actions=ACTION_FORMS)


@router.get("/cases/{code}")
async def case_page(request: Request, code: str, audience: str = "staff",
                    notice: str = "") -> Response:
    current = await session.require(request, "case.view")
    return await _case_page(request, current, code, audience=audience, notice=notice)


@router.post("/cases/{code}/identity")
async def open_identity(request: Request, code: str) -> Response:
    current = await session.require(request, "identity.open")
    fields = await session.form(request)
    session.check_csrf(request, current, fields)
    return await _case_page(request, current, code, reason=fields.get("reason", ""))


def _fen(fields: dict[str, str], name: str = "yuan") -> int:
    text = fields.get(name, "").strip().replace(",", "").lstrip("¥")
    try:
        value = Decimal(text) * 100
    except InvalidOperation:
        raise BadField(f"{name}: {text!r} 不是金额（元，最多两位小数）/ not an amount in "
                       "yuan (at most 2 decimals)") from None
    if value != value.to_integral_value() or value < 0:
        raise BadField(f"{name}: {text!r} 不是金额（元，最多两位小数）/ not an amount in "
                       "yuan (at most 2 decimals)")
    return int(value)


def _days(fields: dict[str, str]) -> int:
    try:
        return int(fields.get("days", ""))
    except ValueError:
        raise BadField("days: 请填写天数 / a whole number of days") from None


def _none(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


# action -> how its params come from the form (the CLI's ``case`` params, same names)
PARAMS: dict[str, Any] = {
    "accept": lambda f: {},
    "needs_materials": lambda f: {"items": f.get("items", "")},
    "materials_received": lambda f: {},
    "route": lambda f: {"to": f.get("to", ""), "track": _none(f.get("track")),
                        "fast": True if f.get("fast") else None},
    "assign": lambda f: {"username": f.get("username", "").strip()},
    "session": lambda f: {"on": f.get("on", ""), "summary": f.get("summary", "")},
    "agreement": lambda f: {"fen": _fen(f), "on": _none(f.get("on"))},
    "payment": lambda f: {"fen": _fen(f), "on": f.get("on", "")},
    "award": lambda f: {"fen": _fen(f)},
    "close": lambda f: {"grade": _none(f.get("grade")), "reason": _none(f.get("reason"))},
    "withdraw": lambda f: {"reason": f.get("reason", "")},
    "reopen": lambda f: {"reason": f.get("reason", "")},
    "note": lambda f: {"text": f.get("text", "")},
    "resolve": lambda f: {"field": f.get("field", ""), "keep": f.get("keep", "")},
    "extend": lambda f: {"clock": f.get("clock", ""), "days": _days(f),
                         "reason": f.get("reason", "")},
    "decide_extension": lambda f: {"request": f.get("request", ""),
                                   "approved": f.get("approved") == "1",
                                   "reason": _none(f.get("reason"))},
}
# the forms the case page offers, in order: (action, permission)
ACTION_FORMS = [(a, casework.ACTIONS[a].permission) for a in PARAMS]


def _refused_by_fold(state: Any) -> str:
    """The reason the fold refused the newest event, if it did ('' otherwise)."""
    if not state.history or state.history[-1].get("result") != "refused":
        return ""
    why = str(state.history[-1].get("reason") or "")
    return f"{REFUSED_ZH.get(why, why)} / {why}"


@router.post("/cases/{code}/act/{action}")
async def act(request: Request, code: str, action: str) -> Response:
    current = await session.require(request, "case.view")
    fields = await session.form(request)
    session.check_csrf(request, current, fields)
    if action not in PARAMS:
        return page(request, "error.html", current, status=404, message=action)
    try:
        params = PARAMS[action](fields)
        state = await run_in_threadpool(
            casework.act, session.services(request), current.user.username, code, action,
            params, session.address(request))
    except BadField as exc:
        return await _case_page(request, current, code, status=422, error=str(exc))
    except NotFound:
        return page(request, "error.html", current, status=404, message=code)
    except (ServerError, YizhanError) as exc:
        return await _case_page(request, current, code, status=_status(exc), error=str(exc))
    refused = _refused_by_fold(state)
    if refused:
        return await _case_page(request, current, code, status=409, error=refused)
    return RedirectResponse(f"/console/cases/{state.receipt_code}?notice={action}",
                            status_code=303)

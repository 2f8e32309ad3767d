"""Case work: what a named staff user does to a case, checked, recorded and audited.

``act(svc, username, code, action, params)`` is the one entry point (the CLI and the console
call it). An action is a row of ``ACTIONS`` (rules as data): the permission it needs
(``domain.roles``), the event it makes and how its data is built. Before any event is made
the user must exist and be enabled, hold the permission, and have the case in scope: a
station user only their station's cases, a mediator only cases assigned to them. The event
is authored ``staff:<user id>`` and applied by ``CaseDesk.staff_events`` (so a status change
reaches the station's feed and the worker's status lookup as every staff event does); the
case's ``case_work`` projection is made again and the action audited, all in one
transaction. A refused action raises ``NotPermitted`` or ``ActionRefused`` saying why in
Chinese and English, and is audited as refused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from shared._errors import ReceiptError, YizhanError
from shared.receipt import parse_code
from sync_server.domain import roles
from sync_server.domain.deadlines import RULES_BY_NAME
from sync_server.domain.fold import CaseState
from sync_server.domain.statuses import is_finished
from sync_server.errors import ActionRefused, NotFound, ServerError
from sync_server.services import accounts, audit, duplicates
from sync_server.services.accounts import StaffUser
from sync_server.services.core import Core
from sync_server.services.projection import clocks_of, next_clock, project, refresh
from sync_server.store import cases as cq

__all__ = ["ACTIONS", "NotPermitted", "act", "decide_duplicate", "resolve_code"]


class NotPermitted(ActionRefused, YizhanError):
    """The user may not do this to this case (role, station or assignment); nothing changed."""

    code = "not_permitted"


@dataclass(frozen=True)
class Action:
    """One case action: the permission it needs, the event kind it makes, how the event's
    data is made from the caller's params, and what the audit entry says (never personal
    data: amounts and choices only, free text only as 'given')."""

    permission: str
    kind: str
    data: Callable[[Mapping[str, Any]], dict[str, Any]]
    detail: Callable[[Mapping[str, Any]], str] = lambda p: ""


def _pick(*keys: str) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    return lambda p: {k: p[k] for k in keys if p.get(k) is not None}


def _given(*keys: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda p: " ".join(f"{k}={p[k]}" for k in keys if p.get(k) is not None)


ACTIONS: dict[str, Action] = {
    "accept": Action("case.accept", "accepted", _pick()),
    "needs_materials": Action("case.needs_materials", "materials_requested", _pick("items"),
                              lambda p: "items given"),
    "materials_received": Action("case.needs_materials", "materials_received", _pick()),
    "route": Action("case.route", "routed", _pick("to", "track", "fast"),
                    _given("to", "track", "fast")),
    "assign": Action("case.assign", "assigned", _pick("to", "username"), _given("username")),
    "session": Action("case.outcome", "mediation_session", _pick("on", "summary"),
                      _given("on")),
    "agreement": Action("case.outcome", "agreement_recorded", _pick("fen", "on"),
                        _given("fen", "on")),
    "payment": Action("case.outcome", "payment_recorded", _pick("fen", "on"),
                      _given("fen", "on")),
    "award": Action("case.outcome", "outcome_recorded",
                    lambda p: {"field": "award_fen", "value": p["fen"]}, _given("fen")),
    "settled": Action("case.outcome", "outcome_recorded",
                      lambda p: {"field": "settled_fen", "value": p["fen"]}, _given("fen")),
    "close": Action("case.close", "closed",
                    lambda p: {"status": "closed"} | _pick("grade", "reason")(p),
                    _given("grade")),
    "withdraw": Action("case.withdraw", "closed",
                       lambda p: {"status": "withdrawn"} | _pick("reason")(p)),
    "reopen": Action("case.reopen", "reopened", _pick("reason"), lambda p: "reason given"),
    "note": Action("case.note", "note_added", _pick("text"), lambda p: "text given"),
    "resolve": Action("case.resolve_conflict", "conflict_resolved", _pick("field", "keep"),
                      _given("field", "keep")),
    "extend": Action("case.outcome", "extension_requested", _pick("clock", "days", "reason"),
                     _given("clock", "days")),
    "decide_extension": Action("deadline.extend_approve", "extension_decided",
                               _pick("request", "approved", "reason"),
                               _given("request", "approved")),
    "status": Action("case.route", "status_changed", _pick("status"), _given("status")),
    "employer": Action("case.route", "employer_completed", _pick("name", "uscc"),
                       lambda p: "employer given"),
}


def _refuse(user: StaffUser, code: str, zh: str, en: str) -> NotPermitted:
    return NotPermitted(f"receipt code {code}: {zh} / user {user.username} {en}")


def resolve_code(code: str) -> str:
    """The canonical form of receipt ``code``. Raises NotFound for a malformed one."""
    try:
        return parse_code(code)
    except ReceiptError as exc:
        raise NotFound(f"receipt code {code!r}: {exc}") from None


def check_access(user: StaffUser, case: Mapping[str, Any], permission: str) -> None:
    """Raise NotPermitted unless ``user`` may do ``permission`` to ``case`` (a case row)."""
    code = case["receipt_code"]
    if not roles.may(user.roles, permission):
        raise _refuse(user, code, f"无权执行此操作（{permission}）",
                      f"may not do {permission} (role)")
    if not roles.in_scope(user.station_id, case["station"]):
        raise _refuse(user, code, "该案件不属于您所在的站点",
                      f"of station {user.station_id} may not work a case of another station")
    assignee = CaseState.from_wire(case["state"]).work.get("assignee") or {}
    if roles.only_assigned(user.roles) and assignee.get("to") != user.author:
        raise _refuse(user, code, "该案件未分派给您", "sees only cases assigned to them")


def _extra_checks(conn: Connection, svc: Core, user: StaffUser, case: dict[str, Any],
                  action: str, params: dict[str, Any], target: StaffUser | None) -> None:
    """What an action needs beyond its permission (who may be assigned, grades, approvers,
    running clocks). Fills ``params`` where the event needs more than the caller gave."""
    code = case["receipt_code"]
    state = CaseState.from_wire(case["state"])
    if target is not None:
        if not roles.in_scope(target.station_id, case["station"]) \
                or not roles.may(target.roles, "case.view"):
            raise _refuse(user, code, f"不能分派给 {target.username}（站点或角色不符）",
                          f"may not assign it to {target.username}: another station, or a "
                          "role that does not work cases")
        current = (state.work.get("assignee") or {}).get("to")
        if current not in (None, target.author) and not roles.may(user.roles, "case.reassign"):
            raise _refuse(user, code, "改派须由中心主任进行", "may not reassign (director only)")
        params["to"] = target.author
    if action == "close" and params.get("grade") and not roles.may(user.roles, "case.grade"):
        raise _refuse(user, code, "难度等级须由中心主任评定", "may not grade (director only)")
    if action in ("extend", "decide_extension"):
        name = params.get("clock") or _clock_of_request(state, params["request"], code)
        rule = RULES_BY_NAME.get(name)
        if rule is None:
            raise ActionRefused(f"clock {name!r}: 没有这个期限 / no such clock "
                                f"({', '.join(RULES_BY_NAME)})")
        if action == "decide_extension" and rule.approver not in user.roles:
            raise _refuse(user, code, f"延期须由 {rule.approver} 批准",
                          f"may not approve this extension (role {rule.approver})")
        running = [c for c in clocks_of(conn, svc, case) if c.rule.name == name
                   and c.stopped is None]
        if action == "extend" and not running:
            raise ActionRefused(f"receipt code {code}: 期限“{rule.title_zh}”未在计算中 / "
                                f"the {name} clock is not running")


def _clock_of_request(state: CaseState, request: str, code: str) -> str:
    for ext in state.work.get("extensions", ()):
        if ext["request"] == request:
            return str(ext["clock"])
    raise ActionRefused(f"receipt code {code}: 没有此延期申请 / no extension request {request}")


def act(svc: Core, username: str, code: str, action: str, params: Mapping[str, Any],
        address: str | None = None) -> CaseState:
    """Do ``action`` (a key of ``ACTIONS``) to the case with receipt ``code`` as
    ``username``; returns the case's new state.

    Raises UnknownUser/UserDisabled, NotFound, NotPermitted, ActionRefused (the case's state
    refuses it), DomainError (bad data, naming the field). Refusals are audited too.
    """
    spec = ACTIONS[action]
    user = accounts.require_user(svc, username)
    canonical = resolve_code(code)
    given = dict(params)
    # looked up first: on SQLite every transaction holds the write lock (BEGIN IMMEDIATE),
    # so no second connection may be opened inside the one below
    target = accounts.require_user(svc, given["username"]) if action == "assign" else None
    now = svc.clock.now()
    now_ms = int(now.timestamp() * 1000)
    try:
        with svc.engine.begin() as conn:
            case = cq.by_code(conn, canonical, for_update=True)
            if case is None:
                raise NotFound(f"receipt code {canonical}: no such case / 没有这个案件")
            check_access(user, case, spec.permission)
            _extra_checks(conn, svc, user, case, action, given, target)
            state = svc.desk.staff_events(
                conn, [(case, spec.kind, spec.data(given))], str(user.id),
                clock_of=lambda c, row, st: next_clock(c, svc, row, st))[0]
            project(conn, [case["case_id"]], svc)
            audit.append(conn, now_ms, user.username, f"case.{action}", canonical,
                         spec.detail(given), address)
            return state
    except (ServerError, YizhanError) as exc:
        audit.record(svc, user.username, f"case.{action}.refused", canonical,
                     type(exc).__name__, address)
        raise


def decide_duplicate(svc: Core, username: str, code: str, other_code: str,
                     decision: str, address: str | None = None
                     ) -> tuple[CaseState, CaseState]:
    """Confirm ``code`` as a duplicate of ``other_code`` or split them, as ``username``
    (``case.duplicate``, both cases in scope). Raises as ``act``."""
    user = accounts.require_user(svc, username)
    codes = (resolve_code(code), resolve_code(other_code))
    now = svc.clock.now()
    with svc.engine.begin() as conn:
        for c in codes:
            row = cq.by_code(conn, c)
            if row is None:
                raise NotFound(f"receipt code {c}: no such case / 没有这个案件")
            check_access(user, row, "case.duplicate")
        pair = duplicates.decide(conn, svc.desk, codes[0], codes[1], decision, str(user.id),
                                 int(now.timestamp() * 1000))
        project(conn, [s.case_id for s in pair], svc)
        audit.append(conn, int(now.timestamp() * 1000), user.username, "case.duplicate",
                     codes[0], f"{decision} {codes[1]}", address)
    return pair


def refresh_all(svc: Core) -> int:
    """Make every missing or outdated projection; returns how many were made."""
    with svc.engine.begin() as conn:
        return refresh(conn, svc)


def finished(state: CaseState) -> bool:
    """True for a settled, closed or withdrawn case."""
    return is_finished(state.status)

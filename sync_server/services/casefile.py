"""The case file: everything staff see of one case (``yizhan-server case show``; the console's
case page reads the same), with the identity sealed unless opened with a reason.

Shown: the summary (status, route, track, flags, assignee), the statutory clocks with their
legal basis and state as of today, the record (claims), the event history with device time
(the author's HLC wall clock) and server time (when the county stored it) and the author's
username, the fold's field changes, conflicting values side by side, linked cases (duplicate
links, same claimant, same employer, collective group), notes and the case work (sessions,
agreement, payments, closure, extensions). Viewing is audited; opening the identity is
audited with its reason. ``audience`` employer/inspector gives what may leave the centre
(``domain.disclosure``: a claimant who asked to conceal their identity is omitted).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.clock import format_utc
from shared.hlc import HLC
from sync_server.domain import disclosure, roles
from sync_server.domain.deadlines import today_in_china
from sync_server.domain.fold import CaseState
from sync_server.errors import ActionRefused, NotFound
from sync_server.services import accounts, audit, workcalendar
from sync_server.services.casework import NotPermitted, check_access, resolve_code
from sync_server.services.projection import case_clocks, project
from sync_server.services.wiring import Services
from sync_server.store import cases as cq
from sync_server.store import casework as wq


def _iso(ms: int) -> str:
    return format_utc(datetime.fromtimestamp(ms / 1000, UTC))


def _names(svc: Services) -> dict[str, str]:
    return {u.author: u.username for u in accounts.list_users(svc)}


def _events(rows: list[dict[str, Any]], names: dict[str, str],
            sealed: bool) -> list[dict[str, Any]]:
    out = []
    for e in rows:
        data = e["data"]
        if e["kind"] == "filed":  # the record is shown apart (sealed or not)
            data = {k: data.get(k) for k in ("receipt_code", "station", "filed_at", "ticket")}
        elif e["kind"] == "contact_updated" and sealed:
            data = {"phone": disclosure.SEALED}
        out.append({"event_id": e["event_id"], "kind": e["kind"], "author": e["author"],
                    "author_name": names.get(e["author"]),
                    "device_time": _iso(HLC.parse(e["hlc"]).wall),
                    "server_time": _iso(e["recorded_at_ms"]), "data": data})
    return out


def _conflicts(state: CaseState) -> list[dict[str, Any]]:
    return [{"field": name, "values": [dict(r) for r in o["recorded"]],
             "kept": o.get("kept")}
            for name, o in state.outcomes.items() if o["conflict"]]


def show(svc: Services, username: str, code: str, *, identity_reason: str | None = None,
         audience: str = "staff", address: str | None = None) -> dict[str, Any]:
    """The case file of ``code`` for ``username``.

    ``identity_reason``: open the sealed identity panel (``identity.open``), audited with
    the reason. ``audience``: ``staff`` (default), or ``employer`` / ``inspector`` for a
    print meant to leave the centre. Raises UnknownUser, UserDisabled, NotFound,
    NotPermitted, ActionRefused (an empty reason, an unknown audience).
    """
    user = accounts.require_user(svc, username)
    canonical = resolve_code(code)
    if audience not in disclosure.AUDIENCES or audience == "county":
        raise ActionRefused(f"audience {audience!r}: staff, employer or inspector")
    if identity_reason is not None:
        if not identity_reason.strip():
            raise ActionRefused("查看身份信息须说明理由 / --reason: opening the identity needs "
                                "a reason")
        if audience != "staff":
            raise ActionRefused("对外打印不能包含被隐藏的身份信息 / a print for an employer or "
                                "inspector cannot open the identity")
    try:
        return _show(svc, user, canonical, identity_reason, audience, address)
    except NotPermitted:  # a refused look is recorded too
        audit.record(svc, user.username, "case.view.refused", canonical, "NotPermitted",
                     address)
        raise


def _show(svc: Services, user: accounts.StaffUser, canonical: str,
          identity_reason: str | None, audience: str, address: str | None) -> dict[str, Any]:
    now = svc.clock.now()
    now_ms = int(now.timestamp() * 1000)
    today = today_in_china(now)
    with svc.engine.begin() as conn:
        case = cq.by_code(conn, canonical)
        if case is None:
            raise NotFound(f"receipt code {canonical}: no such case / 没有这个案件")
        check_access(user, case, "case.view")
        if identity_reason is not None and not roles.may(user.roles, "identity.open"):
            raise NotPermitted(f"receipt code {canonical}: 无权查看身份信息 / user "
                               f"{user.username} may not open the identity")
        project(conn, [case["case_id"]], svc)
        calendar = workcalendar.load(conn, now_ms)
        rows = wq.events_with_times(conn, case["case_id"])
        related = [r for r in wq.related(conn, case["case_id"], case["person_key"],
                                         case["employer_key"])
                   if roles.in_scope(user.station_id, r["station"])]
        groups = [a["id"] for a in cq.list_alerts(conn) if case["case_id"] in a["case_ids"]]
        others = cq.by_ids(conn, list(CaseState.from_wire(case["state"]).duplicate_links))
        audit.append(conn, now_ms, user.username, "case.view", canonical, audience, address)
        if identity_reason is not None:
            audit.append(conn, now_ms, user.username, "case.identity_view", canonical,
                         f"reason: {identity_reason.strip()[:200]}", address)
    state = CaseState.from_wire(case["state"])
    sealed = identity_reason is None and disclosure.hides_identity(
        "staff" if audience == "staff" else audience, state.kind, state.record)
    runs = case_clocks(state, rows, calendar)
    work = state.to_wire().get("work", {})
    names = _names(svc)
    assignee = (work.get("assignee") or {}).get("to")
    return {
        "receipt_code": state.receipt_code, "case_id": state.case_id, "kind": state.kind,
        "station": state.station, "filed_at": state.filed_at, "status": state.status,
        "route": state.route, "track": work.get("track"), "fast": work.get("fast", False),
        "flags": list(state.flags), "assignee": names.get(assignee or "", assignee),
        "duplicate_of": state.duplicate_of,
        "conceal_identity": disclosure.conceals(state.kind, state.record),
        "identity": "open" if not sealed else "sealed",
        "clocks": [c.to_wire(today, calendar) for c in runs],
        "record": disclosure.redact_record(state.kind, state.to_wire()["record"])
        if sealed else state.to_wire()["record"],
        "contact": disclosure.redact_contact(state.contact) if sealed
        else dict(state.contact),
        "events": _events(rows, names, sealed),
        "changes": disclosure.redact_history(state.to_wire()["history"]) if sealed
        else state.to_wire()["history"],
        "conflicts": _conflicts(state),
        "linked": {"duplicates": [{"receipt_code": others[o]["receipt_code"], "link": link}
                                  for o, link in state.duplicate_links.items()
                                  if o in others],
                   "related": [{k: r[k] for k in ("receipt_code", "station", "status", "same")}
                               for r in related],
                   "collective_alerts": groups},
        "notes": [dict(n) | {"author_name": names.get(n["author"])} for n in state.notes],
        "work": work,
        "outcomes": state.to_wire()["outcomes"],
    }

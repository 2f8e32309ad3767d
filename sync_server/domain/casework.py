"""How the fold applies case-work events (accept, 需补正, assignment, sessions, agreement,
payment, closure, conflict resolution, extensions): one small policy per kind, as ``fold``'s
own, registered in its dispatch table through ``WORK_APPLY``.

Everything lands in the state's ``work`` mapping (and ``flags``): ``accepted`` (hlc, route),
``materials`` (items, pending), ``assignee`` (to, username), ``track``/``fast`` (from
``routed``), ``sessions``, ``agreement``, ``payments`` and ``paid_fen``, ``closure`` (grade,
reason), ``extensions`` (request id, clock, days, state). A refused event is logged in
``history`` with its reason (``REFUSED_ZH`` gives each reason in Chinese).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from sync_server.domain.deadlines import RULES_BY_NAME
from sync_server.domain.events import Event
from sync_server.domain.statuses import is_finished, stage

NEEDS_MATERIALS = "needs_materials"
FINISHED = "the case is finished; reopen it first"
NOT_ROUTED = "the case has not been routed to a handling body yet"
NOT_MEDIATION = "sessions are recorded only for a case in mediation"
NOT_PENDING = "no materials are awaited"
ALREADY_PENDING = "materials are already awaited"
STILL_MISSING = "materials are still missing (需补正); record them as received first"
REGISTRATION = "a job-seeker registration is not a dispute"
NO_VALUE = "no recorded value of that field has this event id"
NO_EXTENSION = "this clock cannot be extended"
UNKNOWN_CLOCK = "no such clock"
NO_REQUEST = "no pending extension request has this id"
SAME_STATUS = "the case already has that status"
REFUSED_ZH = {
    FINISHED: "案件已办结，须先重新开启",
    NOT_ROUTED: "案件尚未分流到处理部门",
    NOT_MEDIATION: "只有调解中的案件才能记录调解",
    NOT_PENDING: "没有待补正的材料",
    ALREADY_PENDING: "已在等待补正材料",
    STILL_MISSING: "材料尚未补正齐全，请先登记已补正",
    NO_VALUE: "该字段没有此事件记录的值",
    NO_EXTENSION: "该期限不可延长",
    UNKNOWN_CLOCK: "没有这个期限",
    NO_REQUEST: "没有此待批的延期申请",
    SAME_STATUS: "案件已是该状态",
}


class WorkFold(Protocol):
    """The part of ``fold``'s working state these policies use."""

    kind: str | None
    status: str
    route: str | None
    work: dict[str, Any]
    flags: set[str]
    outcomes: dict[str, list[dict[str, Any]]]
    resolved: dict[str, tuple[Any, str]]

    def log(self, event: Event, field: str, old: Any, new: Any, result: str,
            reason: str | None = None) -> None: ...

    def set_status(self, event: Event, new: str) -> None: ...


def _refuse(f: WorkFold, event: Event, field: str, why: str) -> None:
    f.log(event, field, None, event.kind, "refused", why)


def _open(f: WorkFold, event: Event, field: str, *, dispute: bool = True) -> bool:
    """True if ``event`` may apply; else logs why not."""
    if dispute and f.kind == "jobseeker":
        _refuse(f, event, field, REGISTRATION)
        return False
    if is_finished(f.status):
        _refuse(f, event, field, FINISHED)
        return False
    return True


def _accepted(f: WorkFold, event: Event) -> None:
    if not _open(f, event, "accepted"):
        return
    if NEEDS_MATERIALS in f.flags:
        _refuse(f, event, "accepted", STILL_MISSING)
        return
    f.work["accepted"] = {"hlc": event.hlc, "route": f.route, "author": event.author}
    f.log(event, "accepted", None, f.route or "centre", "set")


def _materials_requested(f: WorkFold, event: Event) -> None:
    if not _open(f, event, "materials", dispute=False):
        return
    if NEEDS_MATERIALS in f.flags:
        _refuse(f, event, "materials", ALREADY_PENDING)
        return
    f.flags.add(NEEDS_MATERIALS)
    f.work["materials"] = {"items": event.data["items"], "requested_hlc": event.hlc,
                           "pending": True}
    f.log(event, "materials", None, event.data["items"], "set")


def _materials_received(f: WorkFold, event: Event) -> None:
    if NEEDS_MATERIALS not in f.flags:
        _refuse(f, event, "materials", NOT_PENDING)
        return
    f.flags.discard(NEEDS_MATERIALS)
    f.work["materials"] = {**f.work["materials"], "pending": False,
                           "received_hlc": event.hlc}
    f.log(event, "materials", "pending", "received", "set")


def _assigned(f: WorkFold, event: Event) -> None:
    if not _open(f, event, "assignee", dispute=False):
        return
    old = f.work.get("assignee")
    f.work["assignee"] = {"to": event.data["to"], "username": event.data["username"]}
    f.log(event, "assignee", old and old["username"], event.data["username"],
          "set" if old is None else "overwritten")


def _mediation_session(f: WorkFold, event: Event) -> None:
    if not _open(f, event, "sessions"):
        return
    if f.route != "mediation":
        _refuse(f, event, "sessions", NOT_MEDIATION)
        return
    f.work.setdefault("sessions", []).append({**event.data, "event_id": event.event_id,
                                              "author": event.author})
    f.log(event, "sessions", None, event.data["on"], "set")


def record_outcome(f: WorkFold, event: Event, name: str, value: int) -> None:
    """Keep a recorded outcome value; flag it when it disagrees with the values standing
    (every value, or the one staff kept and any recorded since)."""
    recorded = f.outcomes.setdefault(name, [])
    kept = f.resolved.get(name)
    standing = recorded if kept is None else \
        [r for r in recorded if r["hlc"] > kept[1]] + [{"value": kept[0]}]
    earlier = sorted({r["value"] for r in standing})
    recorded.append({"value": value, "hlc": event.hlc, "event_id": event.event_id,
                     "author": event.author})
    if not earlier:
        f.log(event, f"outcomes.{name}", None, value, "set")
    elif value not in earlier:
        f.flags.add(f"outcome_conflict:{name}")
        f.log(event, f"outcomes.{name}", earlier[0] if len(earlier) == 1 else earlier, value,
              "conflict", "disagrees with an earlier recorded value; all kept for staff review")


def _agreement(f: WorkFold, event: Event) -> None:
    if f.kind == "jobseeker":
        _refuse(f, event, "agreement", REGISTRATION)
        return
    if f.status != "settled" and not _open(f, event, "agreement"):
        return
    if f.route is None or stage(f.status) < 2:
        _refuse(f, event, "agreement", NOT_ROUTED)
        return
    f.work["agreement"] = {"fen": event.data["fen"], "on": event.data.get("on"),
                           "event_id": event.event_id}
    record_outcome(f, event, "agreed_fen", event.data["fen"])
    f.set_status(event, "settled")


def _payment(f: WorkFold, event: Event) -> None:
    if f.kind == "jobseeker":
        _refuse(f, event, "payments", REGISTRATION)
        return
    if f.route is None:
        _refuse(f, event, "payments", NOT_ROUTED)
        return
    f.work.setdefault("payments", []).append({"fen": event.data["fen"], "on": event.data["on"],
                                              "event_id": event.event_id,
                                              "author": event.author})
    f.work["paid_fen"] = sum(p["fen"] for p in f.work["payments"])
    f.log(event, "payments", None, event.data["fen"], "set")


def _closed(f: WorkFold, event: Event) -> None:
    new = event.data["status"]
    if f.status == new:
        _refuse(f, event, "status", SAME_STATUS)
        return
    before = f.status
    f.set_status(event, new)
    if f.status == before:
        return  # the fold logged why
    f.flags.discard(NEEDS_MATERIALS)
    f.work["closure"] = {k: event.data[k] for k in ("grade", "reason") if k in event.data} \
        | {"status": new, "hlc": event.hlc, "author": event.author}


def _resolved(f: WorkFold, event: Event) -> None:
    name, keep = event.data["field"], event.data["keep"]
    chosen = [r for r in f.outcomes.get(name, []) if r["event_id"] == keep]
    if not chosen:
        _refuse(f, event, f"outcomes.{name}", NO_VALUE)
        return
    f.resolved[name] = (chosen[0]["value"], event.hlc)
    f.flags.discard(f"outcome_conflict:{name}")
    f.log(event, f"outcomes.{name}", None, chosen[0]["value"], "resolved", f"kept {keep}")


def _extension_requested(f: WorkFold, event: Event) -> None:
    rule = RULES_BY_NAME.get(event.data["clock"])
    if rule is None:
        _refuse(f, event, "extensions", UNKNOWN_CLOCK)
        return
    if rule.max_extension == 0:
        _refuse(f, event, "extensions", NO_EXTENSION)
        return
    if not _open(f, event, "extensions"):
        return
    f.work.setdefault("extensions", []).append(
        {"request": event.event_id, "clock": rule.name, "days": event.data["days"],
         "reason": event.data["reason"], "author": event.author, "state": "pending"})
    f.log(event, "extensions", None, event.data["days"], "set")


def _extension_decided(f: WorkFold, event: Event) -> None:
    asked = [x for x in f.work.get("extensions", ())
             if x["request"] == event.data["request"] and x["state"] == "pending"]
    if not asked:
        _refuse(f, event, "extensions", NO_REQUEST)
        return
    asked[0]["state"] = "approved" if event.data["approved"] else "refused"
    asked[0]["decided_by"] = event.author
    f.log(event, "extensions", "pending", asked[0]["state"], "set")


WORK_APPLY: dict[str, Callable[[Any, Event], None]] = {
    "accepted": _accepted,
    "materials_requested": _materials_requested,
    "materials_received": _materials_received,
    "assigned": _assigned,
    "mediation_session": _mediation_session,
    "agreement_recorded": _agreement,
    "payment_recorded": _payment,
    "closed": _closed,
    "conflict_resolved": _resolved,
    "extension_requested": _extension_requested,
    "extension_decided": _extension_decided,
}

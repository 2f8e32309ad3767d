"""The case-work projection: from a case's folded state and events to the ``case_work`` row
the workqueues query (assignee, 需补正, conflicts, duplicates, agreement unpaid, pending
extensions, and the statutory clock that falls due first).

Staff actions project their case at once (``services.casework``); anything else that
changes a case (a filing, a kiosk's sync, a duplicate found) leaves its row missing or older
than the case, and ``refresh`` makes those before a workqueue is read. A calendar edit marks
every open row outdated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection

from sync_server.domain.deadlines import (
    Clock,
    WorkCalendar,
    clocks,
    next_deadline,
)
from sync_server.domain.events import Event
from sync_server.domain.fold import CaseState
from sync_server.services import workcalendar
from sync_server.services.core import Core
from sync_server.store import cases as cq
from sync_server.store import casework as wq

BATCH = 500


def routes_before(events: Sequence[Event], state: CaseState) -> Callable[[Event], str | None]:
    """event -> the case's route just before it, from the fold's history."""
    moves: dict[str, str | None] = {}
    for h in state.history:
        if h["field"] == "route" and h["result"] in ("set", "overwritten"):
            moves[h["event_id"]] = h["new"]
    before: dict[str, str | None] = {}
    route: str | None = None
    for event in events:
        before[event.event_id] = route
        route = moves.get(event.event_id, route)
    return lambda event: before.get(event.event_id)


def case_clocks(state: CaseState, wire_events: Sequence[Mapping[str, Any]],
                calendar: WorkCalendar) -> list[Clock]:
    """The statutory clocks of one case."""
    events = [Event.from_wire({k: v for k, v in e.items() if k != "recorded_at_ms"})
              for e in wire_events]
    return clocks(events, routes_before(events, state), calendar)


def clocks_of(conn: Connection, svc: Core, case: Mapping[str, Any]) -> list[Clock]:
    """The clocks of a case row, on the stored calendar."""
    calendar = workcalendar.load(conn, _now_ms(svc))
    return case_clocks(CaseState.from_wire(case["state"]), cq.events_of(conn, case["case_id"]),
                       calendar)


def next_clock(conn: Connection, svc: Core, case: Mapping[str, Any],
               state: CaseState | None = None) -> Clock | None:
    """The running clock of a case row that falls due first (``state``: the case's state
    when newer than the row's), on the stored calendar."""
    state = state or CaseState.from_wire(case["state"])
    calendar = workcalendar.load(conn, _now_ms(svc))
    return next_deadline(case_clocks(state, cq.events_of(conn, case["case_id"]), calendar))


def _now_ms(svc: Core) -> int:
    return int(svc.clock.now().timestamp() * 1000)


def _row(case: Mapping[str, Any], state: CaseState, runs: list[Clock],
         calendar: WorkCalendar) -> dict[str, Any]:
    work = state.work
    agreement = work.get("agreement")
    nxt = next_deadline(runs)
    risk = nxt.at_risk_on(calendar) if nxt is not None else None
    return {
        "case_id": case["case_id"], "station": case["station"], "status": state.status,
        "route": state.route, "assignee": (work.get("assignee") or {}).get("to"),
        "needs_materials": int("needs_materials" in state.flags),
        "conflicts": int(any(f.startswith("outcome_conflict:") or f == "filed_conflict"
                             for f in state.flags)),
        "duplicate_pending": int(any(f.startswith("duplicate_pending:")
                                     for f in state.flags)),
        "agreed_unpaid": int(agreement is not None and state.status not in
                             ("closed", "withdrawn")
                             and int(work.get("paid_fen", 0)) < int(agreement["fen"])),
        "pending_extensions": sum(1 for x in work.get("extensions", ())
                                  if x["state"] == "pending"),
        "next_clock": nxt.rule.name if nxt else None,
        "due_on": nxt.due.isoformat() if nxt and nxt.due else None,
        "at_risk_on": risk.isoformat() if risk else None,
        "synced_ms": case["updated_at_ms"],
        "kind": case["kind"], "filed_at": case["filed_at"],
        "employer_search": employer_search(case.get("employer_key"), case.get("record"))}


def employer_search(employer_key: str | None, record: Any) -> str:
    """What an employer-name search looks through: the employer key (a folded name, or
    ``uscc:…``), a newline, and the employer's name as filed, casefolded."""
    employer = record.get("employer") if isinstance(record, dict) else None
    name = employer.get("name") if isinstance(employer, dict) else None
    return f"{employer_key or ''}\n{name.casefold() if isinstance(name, str) else ''}"


def project(conn: Connection, case_ids: Sequence[str], svc: Core) -> None:
    """Make the projection rows of these cases again (inside the caller's transaction)."""
    if not case_ids:
        return
    calendar = workcalendar.load(conn, _now_ms(svc))
    rows = cq.by_ids(conn, case_ids)
    events = cq.events_of_many(conn, list(rows))
    out = []
    for case_id, case in rows.items():
        state = CaseState.from_wire(case["state"])
        out.append(_row(case, state, case_clocks(state, events[case_id], calendar), calendar))
    wq.put(conn, out)
    wq.clear_dirty(conn, [c for c in case_ids if c not in rows])


def refresh(conn: Connection, svc: Core) -> int:
    """Make every missing or outdated projection row; returns how many."""
    done = 0
    while True:
        ids = wq.stale(conn, BATCH)
        if not ids:
            return done
        project(conn, ids, svc)
        done += len(ids)


def soon(today: date, days: int = 3) -> date:
    """The last day of the 'due within N days' window that starts today."""
    return today + timedelta(days=days)

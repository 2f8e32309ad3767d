"""The indicators' projection: from a case's folded state to its ``report_cases`` row and
``report_payments`` rows (the facts CONSOLE.md's indicators count, each with its date).

Kept as ``case_work`` is: ``refresh`` makes every missing or outdated row before a report is
read (a row is outdated when the case's ``updated_at_ms`` moved on), so every way a case
changes (kiosk sync, staff action, duplicate decision) is covered without hooks.

Facts (China-local days):
* ``accepted_on``: the day of the ``accepted`` event in force (受理);
* ``mediation_on``: the first day the case was routed to mediation (接收调解);
* ``settled_on``: the agreement's date (its ``on``, else the day it was recorded); a case
  reopened after its agreement and finished again without a new one is settled on the day
  it was closed again, so it counts once, when finally settled;
* ``filed_day``/``visitor``: the day filed and who (``person_key``, else the case itself),
  for visits (one per visitor per station per day);
* ``merged``: a confirmed duplicate of another case (counted under that case only);
* ``workers``: the workers the case stands for (``coworkers_affected`` when more than one,
  so a collective case counts once with its workers beside it);
* ``local``: never routed to arbitration or a court (就地化解);
* ``grade``/``mediator``: the grade set at closure (a closed case) and the case's assignee.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from shared.clock import parse_utc
from shared.hlc import HLC
from sync_server.domain.deadlines import CHINA
from sync_server.domain.fold import CaseState
from sync_server.services.wiring import Services
from sync_server.store import cases as cq
from sync_server.store import countysettings as cs
from sync_server.store import reports as rq

BATCH = 1000
WATERMARK = "report_watermark_ms"  # internal: the newest change the projection has seen
SLACK_MS = 10 * 60 * 1000
NOT_LOCAL = ("arbitration", "court")


def hlc_day(hlc: str) -> str:
    """The China-local day of an HLC stamp."""
    ms = HLC.parse(hlc).wall
    return datetime.fromtimestamp(ms / 1000, UTC).astimezone(CHINA).date().isoformat()


def _settled_on(state: CaseState) -> str | None:
    agreement = state.work.get("agreement")
    if agreement is None:
        return None
    at = next((h["hlc"] for h in state.history if h["event_id"] == agreement["event_id"]),
              None)
    day = agreement.get("on") or (hlc_day(at) if at else None)
    closure = state.work.get("closure")
    reopened_after = at is not None and any(
        h["event"] == "reopened" and h["result"] == "set" and h["hlc"] > at
        for h in state.history)
    if reopened_after and closure is not None and closure.get("hlc", "") > at:
        return hlc_day(closure["hlc"])
    return str(day) if day else None


def facts(case: Mapping[str, Any], state: CaseState) -> tuple[dict[str, Any],
                                                              list[dict[str, Any]]]:
    """(report row, payment rows) of one case row and its folded state."""
    work, record = state.work, case["record"] or {}
    accepted = work.get("accepted")
    routes = [h for h in state.history
              if h["field"] == "route" and h["result"] in ("set", "overwritten")]
    mediation = next((hlc_day(h["hlc"]) for h in routes if h["new"] == "mediation"), None)
    closure = work.get("closure") or {}
    coworkers = record.get("coworkers_affected") or 0
    row = {
        "case_id": case["case_id"], "receipt_code": case["receipt_code"],
        "station": case["station"], "kind": case["kind"],
        "matter_type": record.get("matter_type") or case["kind"],
        "status": state.status,
        "filed_day": parse_utc(case["filed_at"]).astimezone(CHINA).date().isoformat(),
        "visitor": case["person_key"] or "case:" + case["case_id"],
        "merged": int(state.duplicate_of is not None),
        "workers": max(1, int(coworkers)),
        "accepted_on": hlc_day(accepted["hlc"]) if accepted else None,
        "mediation_on": mediation, "settled_on": _settled_on(state),
        "agreed_fen": (work.get("agreement") or {}).get("fen"),
        "local": int(not any(h["new"] in NOT_LOCAL for h in routes)),
        "grade": closure.get("grade") if state.status == "closed" else None,  # not reopened
        "mediator": (work.get("assignee") or {}).get("username"),
        "synced_ms": case["updated_at_ms"]}
    payments = [{"event_id": p["event_id"], "case_id": case["case_id"], "paid_on": p["on"],
                 "fen": int(p["fen"])} for p in work.get("payments", ())]
    return row, payments


def refresh(svc: Services) -> int:
    """Make every missing or outdated report row; returns how many. Looks only at cases
    changed since the last refresh (``WATERMARK`` less ``SLACK_MS`` for clocks that
    stepped back), through the index on ``cases.updated_at_ms``."""
    done = 0
    with svc.engine.connect() as conn:
        seen = int(cs.all_values(conn).get(WATERMARK) or 0)
        newest = rq.last_change_ms(conn)
    while True:
        with svc.engine.begin() as conn:
            ids = rq.stale(conn, BATCH, seen - SLACK_MS)
            if not ids:
                if newest != seen:  # a report read writes only when cases changed
                    cs.put(conn, WATERMARK, newest, svc.now_ms(), "system:reports")
                return done
            rows, pays = [], []
            for case in cq.by_ids(conn, ids).values():
                row, paid = facts(case, CaseState.from_wire(case["state"]))
                rows.append(row)
                pays.extend(paid)
            rq.put(conn, rows, pays)
        done += len(ids)

"""Collective-dispute alerts (涉众预警) kept in step with their groups as filings arrive.

After a batch is filed, each employer it filed against is checked once: its complaints
around the batch's filing times (one query for all employers) are grouped by
``sync_server.domain.alerts.collective_groups``. A group that holds a new case either

* matches an alert of that employer sharing a case with it: the dispute has grown, so the
  alert is updated in place: case ids become the union, claimants are recounted over it,
  ``window_start`` moves earlier if a late filing starts the group sooner, and
  ``updated_at_ms`` says when (``yizhan-server alerts`` shows it); or
* matches none: a new alert is raised.

So a growing dispute stays one alert instead of one per window start.

An update that leaves ``window_start`` as it was cannot meet the (employer, window start)
uniqueness, so those are written together, once per alert, after every employer of the batch
is checked (one statement); an update that moves the window start is written at once, on its
own savepoint (see ``store.cases.update_alert``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection

from shared.clock import format_utc, parse_utc
from sync_server.config.settings import Settings
from sync_server.domain.alerts import ComplaintSummary, Group, collective_groups
from sync_server.services.alertsettings import thresholds
from sync_server.store import cases as q

Filed = Mapping[str, tuple[str, list[tuple[str, Any]]]]  # ekey -> (name, [(case, filed at)])


def raise_alerts(conn: Connection, employers: Filed, settings: Settings,
                 now_ms: int) -> tuple[int, int]:
    """Raise or update the alerts of the employers a batch filed against. Returns
    (alerts raised, alerts updated)."""
    if not employers:
        return 0, 0
    limits = thresholds(conn, settings)
    window = timedelta(days=limits.window_days)
    spans = {ekey: (format_utc(min(at for _, at in filed) - window),
                    format_utc(max(at for _, at in filed) + window))
             for ekey, (_, filed) in employers.items()}
    rows: dict[str, list[dict[str, Any]]] = {}
    for r in q.employer_filings_many(conn, sorted(spans), min(lo for lo, _ in spans.values()),
                                     max(hi for _, hi in spans.values())):
        lo, hi = spans[r["employer_key"]]
        if lo <= r["filed_at"] <= hi:
            rows.setdefault(r["employer_key"], []).append(r)
    known: dict[str, list[dict[str, Any]]] = {}
    for row in q.alerts_of(conn, sorted(spans)):
        known.setdefault(row["employer_key"], []).append(row)
    raised = updated = 0
    grown: dict[int, dict[str, Any]] = {}  # alert id -> its row, to write at the end
    for ekey, (name, filed) in sorted(employers.items()):
        new = {case_id for case_id, _ in filed}
        people = {r["case_id"]: r["person_key"] for r in rows.get(ekey, [])}
        summaries = [ComplaintSummary(r["case_id"], r["person_key"], ekey,
                                      parse_utc(r["filed_at"]))
                     for r in rows.get(ekey, []) if r["person_key"]]
        for group in collective_groups(summaries, limits.emerging_claimants,
                                       limits.window_days):
            if not new & set(group.case_ids):
                continue
            mine = known.setdefault(ekey, [])
            if any(set(a["case_ids"]) & set(group.case_ids) for a in mine):
                updated += _grow(conn, mine, group, people, grown, now_ms)
            else:
                raised += _raise(conn, ekey, name, group, mine, now_ms)
    q.update_alert_groups(conn, [(a["id"], a["claimants"], a["case_ids"])
                                 for _, a in sorted(grown.items())], now_ms)
    return raised, updated


def _raise(conn: Connection, ekey: str, name: str, group: Group,
           mine: list[dict[str, Any]], now_ms: int) -> int:
    start = format_utc(group.first_filed)
    if not q.add_alert(conn, ekey, name, group.claimants, group.case_ids, start, now_ms):
        return 0
    mine.append({"case_ids": list(group.case_ids), "window_start": start})  # no id: new
    return 1


def _grow(conn: Connection, mine: list[dict[str, Any]], group: Group,
          people: dict[str, str | None], grown: dict[int, dict[str, Any]],
          now_ms: int) -> int:
    """Widen the employer's alert(s) sharing cases with ``group`` into one holding it.

    Alerts the group bridges (two processes may each have raised one for the same dispute)
    become one: the oldest keeps the union, the others are deleted. A survivor whose window
    start stays goes into ``grown`` (written by the caller); one whose start moves is
    written now. Returns 1 if the surviving alert changed.
    """
    ids = set(group.case_ids)
    start = format_utc(group.first_filed)
    matching = [a for a in mine if set(a["case_ids"]) & ids or a["window_start"] == start]
    if any("id" not in a for a in matching):  # raised moments ago by this same batch
        return 0
    matching.sort(key=lambda a: a["id"])
    survivor, merged = matching[0], matching[1:]
    case_ids = sorted(ids.union(*(a["case_ids"] for a in matching)))
    missing = [c for c in case_ids if c not in people]
    if missing:  # members outside this batch's window: their person keys from the store
        people = {**people, **q.person_keys(conn, missing)}
    claimants = len({people[c] for c in case_ids if people.get(c)})
    start = min([start] + [a["window_start"] for a in matching])
    if not merged and (case_ids, claimants, start) == (
            survivor["case_ids"], survivor["claimants"], survivor["window_start"]):
        return 0
    if merged:
        q.delete_alerts(conn, [a["id"] for a in merged])
        mine[:] = [a for a in mine if a not in merged]
        for a in merged:
            grown.pop(a["id"], None)
    if start == survivor["window_start"]:
        grown[survivor["id"]] = survivor
    else:
        q.update_alert(conn, survivor["id"], claimants, case_ids, start, now_ms)
    survivor.update(case_ids=case_ids, claimants=claimants, window_start=start)
    return 1

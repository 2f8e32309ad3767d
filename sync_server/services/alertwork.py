"""Early warning (预警) as county staff work it: the alerts with their level (苗头/集体),
stations, receipt codes and China local times; the lifecycle 认领 → 研判 → 处置 → 销号 taken
by named users (each step audited in the same transaction); escalation to labour
inspection; the chart's series; stations that have gone silent.

Raising and growing alerts as filings arrive stays in ``services/alerts.py``; the rules of
the lifecycle are in ``domain/alertflow.py``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from shared.clock import format_utc, from_millis, parse_utc
from sync_server.domain import alertflow as flow
from sync_server.domain import spikes
from sync_server.domain.roles import in_scope, may
from sync_server.errors import NotFound
from sync_server.services import audit
from sync_server.services.accounts import StaffUser, require_user
from sync_server.services.alertsettings import thresholds
from sync_server.services.casework import NotPermitted
from sync_server.services.wiring import Services
from sync_server.store import alertwork as q
from sync_server.store import cases as cq

CHINA = timezone(timedelta(hours=8), "CST")


def local(ms_or_iso: int | str | None) -> str | None:
    """China local time ``YYYY-MM-DD HH:MM`` of epoch ms or an ISO UTC time; None stays."""
    if ms_or_iso is None:
        return None
    when = from_millis(ms_or_iso) if isinstance(ms_or_iso, int) else parse_utc(ms_or_iso)
    return when.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def refresh_spikes(svc: Services) -> int:
    """Raise the spike alerts of the current 7 days (one per station or matter type per
    China-local week; ``domain/spikes.py``). Returns how many were new."""
    now = svc.clock.now()
    since = now - timedelta(days=7 * (spikes.DEFAULT_BASELINE_WEEKS + 1))
    raised = 0
    with svc.engine.begin() as conn:
        t = thresholds(conn, svc.settings)
        rows = [r for r in q.contacts(conn, format_utc(since), format_utc(now
                                                                          + timedelta(1)))
                if r["kind"] == "complaint"]
        found = spikes.spikes([spikes.Filing(r["case_id"], r["station"],
                                             str(r["matter_type"] or "other"),
                                             parse_utc(r["filed_at"])) for r in rows],
                              now, t.spike_min_count, t.spike_factor)
        today = now.astimezone(CHINA).date()
        monday = today - timedelta(days=today.weekday())
        week = format_utc(datetime(monday.year, monday.month, monday.day, tzinfo=CHINA))
        for s in found:
            raised += cq.add_alert(conn, s.key, s.name(), s.current, s.case_ids, week,
                                   _now_ms(svc))
    return raised


def _now_ms(svc: Services) -> int:
    return int(svc.clock.now().timestamp() * 1000)


def _shape(a: dict[str, Any], facts: dict[str, dict[str, Any]],
           steps: list[dict[str, Any]], t: flow.Thresholds) -> dict[str, Any]:
    mine = [facts[c] for c in a["case_ids"] if c in facts]
    mine.sort(key=lambda f: (f["filed_at"], f["receipt_code"]))
    spike = str(a["employer_key"]).startswith("spike:")
    lvl = "spike" if spike else flow.level(a["claimants"], None, t)
    stations = sorted({f["station"] for f in mine})
    lz, le = flow.LEVEL_LABELS[lvl]
    sz, se = flow.STATE_LABELS.get(a["state"], (a["state"], a["state"]))
    since = local(a["window_start"])
    return {
        "id": a["id"], "kind": "spike" if spike else "collective", "level": lvl,
        "level_zh": lz, "level_en": le,
        "state": a["state"], "state_zh": sz, "state_en": se,
        "employer_name": a["employer_name"], "employer_key": a["employer_key"],
        "claimants": a["claimants"], "stations": stations,
        "cases": [{"receipt_code": f["receipt_code"], "station": f["station"],
                   "filed_at": local(f["filed_at"]), "status": f["status"]} for f in mine],
        "since": since, "raised_at": local(a["created_at_ms"]),
        "updated_at": local(a["updated_at_ms"]), "state_by": a["state_by"],
        "state_at": local(a["state_at_ms"]), "outcome": a["outcome"],
        "escalated_at": local(a["escalated_at_ms"]),
        "steps": [{"step": s["step"], "step_zh": flow.STEP_LABELS.get(s["step"],
                                                                       (s["step"],))[0],
                   "actor": s["actor"], "at": local(s["at_ms"]), "note": s["note"]}
                  for s in steps],
        "text_zh": (f"{'激增' if spike else '涉众'}预警（{lz}）：{a['employer_name']} 自 "
                    f"{since} 起 {a['claimants']} 名投诉人 {len(a['case_ids'])} 件，"
                    f"涉及站点 {'、'.join(stations) or '—'}"),
        "text_en": (f"Collective dispute ({le}): {a['employer_name']}, {a['claimants']} "
                    f"claimants, {len(a['case_ids'])} cases since {since} (China time), "
                    f"stations {', '.join(stations) or '-'}"),
    }


def listing(svc: Services, user: StaffUser | None = None,
            state: str | None = None) -> list[dict[str, Any]]:
    """Alerts newest first, shaped for people (no personal data), spikes brought up to date
    first. A station user sees the alerts touching their station, with their station's
    cases only."""
    refresh_spikes(svc)
    with svc.engine.connect() as conn:
        t = thresholds(conn, svc.settings)
        rows = q.list_alerts(conn)
        if state:
            rows = [a for a in rows if a["state"] == state]
        facts = q.case_facts(conn, sorted({c for a in rows for c in a["case_ids"]}))
        steps = q.steps_of(conn, [a["id"] for a in rows])
    out = []
    for a in rows:
        if user is not None and user.station_id:
            a = {**a, "case_ids": [c for c in a["case_ids"] if c in facts
                                   and in_scope(user.station_id, facts[c]["station"])]}
            if not a["case_ids"]:
                continue
        out.append(_shape(a, facts, steps.get(a["id"], []), t))
    return out


def step(svc: Services, alert_id: int, verb: str, username: str, note: str | None = None,
         *, address: str | None = None) -> dict[str, Any]:
    """Take one lifecycle step (``ack``, ``assess``, ``handle``, ``close``) or ``escalate``
    as ``username``; audited with the step in one transaction. Returns the alert as
    ``listing`` shapes it. Raises UnknownUser, NotPermitted, NotFound, StepRefused."""
    user = require_user(svc, username)
    if not may(user.roles, "alert.work"):
        raise NotPermitted(f"user {username!r} may not work alerts (triage, director) / "
                           "无权处理预警")
    now = _now_ms(svc)
    note = note.strip() if note and note.strip() else None
    with svc.engine.begin() as conn:
        alert = q.get_alert(conn, alert_id)
        if alert is None:
            raise NotFound(f"alert {alert_id}: no such alert (yizhan-server alerts) / 无此预警")
        if verb == "escalate":
            if alert["state"] == "closed":
                raise flow.StepRefused("预警已销号 / the alert is closed")
            if not q.mark_escalated(conn, alert_id, now):
                raise flow.StepRefused("已移送劳动监察 / already escalated to inspection")
        else:
            to = flow.next_state(alert["state"], verb, note)
            if not q.move(conn, alert_id, alert["state"], to, user.username, now,
                          note if verb == "close" else None):
                raise flow.StepRefused("预警状态刚被他人更改，请刷新 / the alert changed "
                                       "meanwhile; reload")
        q.add_step(conn, alert_id, verb, user.username, now, note)
        audit.append(conn, now, user.username, f"alert.{verb}", None,
                     f"alert {alert_id} ({alert['employer_name']}): {verb}"
                     + (f": {note}" if note else ""), address)
    [shaped] = [a for a in listing(svc) if a["id"] == alert_id]
    return shaped


def chart_series(svc: Services, weeks: int = 12) -> list[dict[str, Any]]:
    """Per China-local week (Monday first), the last ``weeks`` of them: complaints filed
    and alerts raised."""
    today = svc.clock.now().astimezone(CHINA).date()
    first = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    start = datetime(first.year, first.month, first.day, tzinfo=CHINA)
    buckets: list[dict[str, Any]] = [
        {"week": (first + timedelta(days=7 * i)).isoformat(), "filings": 0, "alerts": 0}
        for i in range(weeks)]

    def slot(when: datetime) -> int:
        return (when.astimezone(CHINA).date() - first).days // 7

    with svc.engine.connect() as conn:
        times = q.filing_times(conn, format_utc(start))
        raised = [a["created_at_ms"] for a in q.list_alerts(conn)]
    for t in times:
        i = slot(parse_utc(t))
        if 0 <= i < weeks:
            buckets[i]["filings"] += 1
    for ms in raised:
        i = slot(from_millis(ms))
        if 0 <= i < weeks:
            buckets[i]["alerts"] += 1
    return buckets


def silent_stations(svc: Services) -> list[dict[str, Any]]:
    """Stations whose devices (not revoked) have not synced for the county's N days, the
    longest silent first: ``station``, ``last_seen`` (China time or None), ``days``."""
    now = _now_ms(svc)
    with svc.engine.connect() as conn:
        n = thresholds(conn, svc.settings).silent_station_days
        seen = q.station_last_seen(conn)
    out = []
    for station, ms in seen.items():
        days = None if ms is None else (now - ms) // 86_400_000
        if ms is None or (days is not None and days >= n):
            out.append({"station": station, "last_seen": local(ms), "days": days,
                        "threshold_days": n})
    return sorted(out, key=lambda s: (s["days"] is not None, -(s["days"] or 0), s["station"]))

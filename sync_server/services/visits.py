"""Visits (接待群众, 人次) as CONSOLE.md defines them: service contacts — kiosk filings,
registrations and queue tickets — one per person per station per China-local day.

``visits(svc, from_, to, station=None, by=None)`` is what the reports call. A person is
known by the filing's ``person_key`` (a keyed hash of the ID number; never the number);
a filing without one counts on its own. Dates are China-local calendar days, both ends
included.

Not counted yet: a queue ticket taken without a filing. Tickets stay on the kiosk (their
details sealed to the station key); a ticket linked to a filing reaches the county in that
filing's ``filed`` event and is the same visit. Counting unlinked tickets needs a sealed
``visit`` record kind in the sync protocol (see the issue 14 report).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from shared.clock import format_utc, parse_utc
from sync_server.errors import ConfigError
from sync_server.services.alertwork import CHINA
from sync_server.services.wiring import Services
from sync_server.store import alertwork as q

GROUPINGS = (None, "station", "matter_type", "month")


def _utc(day: date) -> str:
    start = datetime(day.year, day.month, day.day, tzinfo=CHINA)
    return format_utc(start)  # the stored form (``…T16:00:00.000Z``), so strings compare


def visits(svc: Services, from_: date, to: date, station: str | None = None,
           by: str | None = None) -> list[dict[str, Any]]:
    """``[{"group": G, "visits": N}]``, one per group (one group ``"all"`` when ``by`` is
    None), sorted by group. A visit belongs to the matter type of the first filing that
    made it that day (registrations: ``jobseeker``). Raises ConfigError for ``to`` before
    ``from_`` or an unknown ``by``."""
    if by not in GROUPINGS:
        raise ConfigError(f"by {by!r}: station, matter_type or month")
    if to < from_:
        raise ConfigError(f"to {to}: before from {from_} / 结束日期早于开始日期")
    with svc.engine.connect() as conn:
        rows = q.contacts(conn, _utc(from_), _utc(to + timedelta(days=1)), station)
    rows.sort(key=lambda r: (r["filed_at"], r["case_id"]))
    seen: dict[tuple[str, str, str], str] = {}  # (person, station, day) -> group
    for r in rows:
        day = parse_utc(r["filed_at"]).astimezone(CHINA).date()
        person = r["person_key"] or "case:" + r["case_id"]
        key = (person, r["station"], day.isoformat())
        if key in seen:
            continue
        if by is None:
            group = "all"
        elif by == "station":
            group = r["station"]
        elif by == "month":
            group = day.strftime("%Y-%m")
        else:
            group = r["matter_type"] or r["kind"]
        seen[key] = group
    counts: dict[str, int] = {}
    for group in seen.values():
        counts[group] = counts.get(group, 0) + 1
    if by is None:
        counts.setdefault("all", 0)
    return [{"group": g, "visits": n} for g, n in sorted(counts.items())]

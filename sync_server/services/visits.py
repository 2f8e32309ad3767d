"""Visits (接待群众, 人次) as CONSOLE.md defines them: service contacts — kiosk filings,
registrations and queue tickets — one per person per station per China-local day.

``visits(svc, from_, to, station=None, by=None)`` is what the reports call. A person is
known by the filing's ``person_key`` (a keyed hash of the ID number; never the number);
a filing without one counts on its own. Dates are China-local calendar days, both ends
included.

Queue tickets reach the county as sealed ``visit`` records (docs/protocol.md, "Visit
records"; filed in the ``visits`` table). A ticket holds no person identifier, so each ticket
is its own visit, unless it belongs to a filing of the same station and day — linked by the
receipt code the ticket names, or by the ticket number the filing carries — which then
counts once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from shared.clock import format_utc, parse_utc
from sync_server.errors import ConfigError
from sync_server.services.alertwork import CHINA
from sync_server.services.core import Core
from sync_server.store import alertwork as q
from sync_server.store import visits as vq

GROUPINGS = (None, "station", "matter_type", "month")


def _utc(day: date) -> str:
    start = datetime(day.year, day.month, day.day, tzinfo=CHINA)
    return format_utc(start)  # the stored form (``…T16:00:00.000Z``), so strings compare


def _day(at: str) -> str:
    return parse_utc(at).astimezone(CHINA).date().isoformat()


def _filed(rows: list[dict[str, Any]], links: Mapping[str, tuple[str, str | None]]
           ) -> set[tuple[str, str, str]]:
    """(station, China day, receipt code | ticket number) of every filing in ``rows``."""
    return {(r["station"], _day(r["filed_at"]), link)
            for r in rows for link in links.get(r["case_id"], (None, None)) if link}


def _counted_by_filing(t: dict[str, Any], filed: set[tuple[str, str, str]]) -> bool:
    """True when a filing at the ticket's station on its day names the ticket (by number)
    or the ticket names the filing (by receipt code): one visit, counted with the filing."""
    day = _day(t["taken_at"])
    return any((t["station"], day, link) in filed
               for link in (t["linked_receipt"], t["ticket"]) if link)


def visits(svc: Core, from_: date, to: date, station: str | None = None,
           by: str | None = None) -> list[dict[str, Any]]:
    """``[{"group": G, "visits": N}]``, one per group (one group ``"all"`` when ``by`` is
    None), sorted by group. A visit belongs to the matter type of the first filing that
    made it that day (registrations: ``jobseeker``; tickets: theirs, else ``queue``).
    Raises ConfigError for ``to`` before ``from_`` or an unknown ``by``."""
    if by not in GROUPINGS:
        raise ConfigError(f"by {by!r}: station, matter_type or month")
    if to < from_:
        raise ConfigError(f"to {to}: before from {from_} / 结束日期早于开始日期")
    since, until = _utc(from_), _utc(to + timedelta(days=1))
    with svc.engine.connect() as conn:
        rows = q.contacts(conn, since, until, station)
        links = vq.filing_links(conn, since, until)
        tickets = vq.between(conn, since, until, station)
    contacts: list[tuple[str, str, str, str, str]] = [
        (r["filed_at"], r["case_id"], r["person_key"] or "case:" + r["case_id"],
         r["station"], r["matter_type"] or r["kind"]) for r in rows]
    # (time, id, person, station, group)
    filed = _filed(rows, links)
    for t in tickets:
        if _counted_by_filing(t, filed):
            continue  # the filing of the same visit counts it
        person = t["person_key"] or f"ticket:{t['service_date']}/{t['ticket']}"
        contacts.append((t["taken_at"], t["record_id"], person, t["station"],
                         t["matter_type"] or "queue"))
    contacts.sort()
    seen: dict[tuple[str, str, str], str] = {}  # (person, station, day) -> group
    for at, _, person, where, matter in contacts:
        day = _day(at)
        key = (person, where, day)
        if key in seen:
            continue
        if by is None:
            group = "all"
        elif by == "station":
            group = where
        elif by == "month":
            group = day[:7]
        else:
            group = matter
        seen[key] = group
    counts: dict[str, int] = {}
    for group in seen.values():
        counts[group] = counts.get(group, 0) + 1
    if by is None:
        counts.setdefault("all", 0)
    return [{"group": g, "visits": n} for g, n in sorted(counts.items())]


def ticket_visits(conn: Connection, from_: date, to: date, station: str | None,
                  by: str | None) -> dict[str, int]:
    """group -> visits made by queue tickets alone: tickets that no filing at the same
    station on the same day accounts for (by the filing's ticket number or the ticket's
    receipt code). A ticket holds no person key, so each is one visit. The KPI report adds
    these to the filings' visits it counts over its projection (``services.reports``)."""
    since, until = _utc(from_), _utc(to + timedelta(days=1))
    tickets = vq.between(conn, since, until, station)
    if not tickets:  # the common case in a large report: no filing needs reading
        return {}
    filed = _filed(q.contacts(conn, since, until, station),
                   vq.filing_links(conn, since, until))
    counts: dict[str, int] = {}
    for t in tickets:
        day = _day(t["taken_at"])
        if t["person_key"] or _counted_by_filing(t, filed):
            continue  # counted with its filing, or by the person (a later kiosk's key)
        group = ("all" if by is None else t["station"] if by == "station"
                 else day[:7] if by == "month" else t["matter_type"] or "queue")
        counts[group] = counts.get(group, 0) + 1
    return counts

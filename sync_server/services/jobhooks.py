"""What filing cases (``isolation._unit``) and staff actions on them (``CaseDesk.staff_events``)
mean for jobs, inside their transaction.

* A job-seeker registration: the person's profile is rebuilt from all their registrations
  (one job seeker however many stations) and matched against the live postings; the
  stations they registered at get their receipts' matches.
* A complaint by someone the station placed with the complaint's employer (outcome
  ``hired``): the placement is marked disputed, linked to the complaint's case, so the
  county sees placements that went wrong.
* A complaint or alert against an employer with postings: their flags are recomputed (a
  published posting then carries the warning to kiosks).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from shared.clock import format_utc
from sync_server.services import jobmatch
from sync_server.services.jobflags import refresh_flags
from sync_server.store import jobs as jq


def after_filing(conn: Connection, filings: Sequence[tuple[str, str, str, str | None]],
                 now_ms: int) -> list[tuple[str, dict[str, Any]]]:
    """Apply the jobs side of ``filings`` (kind, case id, person key, employer key).
    Returns the feed entries to append (the caller appends them last)."""
    seekers = [pkey for kind, _, pkey, _ in filings if kind == "jobseeker"]
    complaints = [(cid, pkey, ekey) for kind, cid, pkey, ekey in filings
                  if kind == "complaint" and ekey is not None]
    out: list[tuple[str, dict[str, Any]]] = []
    if seekers:
        jobmatch.refresh_seekers(conn, seekers, now_ms)
        out += jobmatch.station_matches_changes(conn, jq.stations_of_persons(conn, seekers))
    if complaints:
        link_placements(conn, complaints, now_ms)
        as_of = format_utc(datetime.fromtimestamp(now_ms / 1000, UTC))
        if refresh_flags(conn, sorted({e for _, _, e in complaints}), now_ms):
            out.append(jobmatch.postings_change(conn, as_of))
    return out


def link_placements(conn: Connection, complaints: Sequence[tuple[str, str, str]],
                    now_ms: int) -> int:
    """Mark hired placements disputed by a complaint of the same person against the same
    employer (USCC or name key). Returns how many were linked."""
    hired = jq.hired_undisputed(conn, [pkey for _, pkey, _ in complaints])
    linked = 0
    for case_id, pkey, ekey in complaints:
        for p in hired:
            if p["person_key"] == pkey and ekey in (p["employer_key"], p["name_key"]):
                jq.set_disputed(conn, p["posting_id"], pkey, case_id, now_ms)
                p["person_key"] = None  # linked once, to the first complaint
                linked += 1
    return linked

"""Keeping job matches current, incrementally, inside the caller's transaction.

* ``match_posting``: one posting (new, or published) against the job seekers sharing a
  term with it (the term index of ``services.seekercache``, kept in the serving process and
  refreshed from the store before each use), not every seeker; the best
  ``MATCHES_PER_POSTING`` are kept.
* ``refresh_seekers``: people who registered (again): their registrations at every station
  merged into one profile (``shared.matching.SeekerProfile``), re-indexed and scored
  against the postings sharing a term.
* ``postings_change`` / ``station_matches_changes``: the feed entries that carry the open
  postings (county data, no personal data) to every kiosk, and to each station the best
  matches of the registrations filed there (receipt code → posting ids and titles), both as
  ``config`` entries a kiosk stores as they come (``jobs``, ``job_matches``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection

from shared.matching import (
    Match,
    PostingProfile,
    SeekerProfile,
    best,
    score,
)
from sync_server.services import seekercache
from sync_server.store import feed
from sync_server.store import jobs as jq

LIVE = ("open", "held")  # postings that are matched (held ones for staff to see)
KIOSK_MATCHES = 5  # matches per receipt a kiosk shows
MATCHES_PER_POSTING = 200  # job seekers kept per posting, best first (staff's list)


def posting_profile(row: dict[str, Any]) -> PostingProfile:
    return PostingProfile.from_posting(row["posting_id"], row["posting"])


def _rows(matches: Iterable[Match]) -> list[dict[str, Any]]:
    return [{"posting_id": m.posting_id, "person_key": m.seeker, "score": m.score,
             "reasons": list(m.reasons)} for m in matches]


def match_posting(conn: Connection, row: dict[str, Any]) -> list[str]:
    """Score posting ``row`` against the seekers sharing a term; store its matches.
    Returns the person keys matched."""
    p = posting_profile(row)
    jq.put_terms(conn, "posting", p.posting_id, p.terms())
    index, lock = seekercache.cached_index(conn)  # the profiles kept in this process
    try:
        found = index.for_posting(p, MATCHES_PER_POSTING)
    finally:
        lock.release()
    jq.replace_matches(conn, posting_id=p.posting_id, rows=_rows(found))
    return [m.seeker for m in found]


def refresh_seekers(conn: Connection, person_keys: Sequence[str], now_ms: int) -> None:
    """Rebuild each person's profile from all their registrations (any station), re-index
    it and replace their matches with the live postings sharing a term."""
    for key in sorted(set(person_keys)):
        regs = [r for r in jq.registrations_of(conn, key)
                if r["status"] not in ("closed", "withdrawn")]
        profile = SeekerProfile.from_registrations(
            key, [r["record"] for r in regs], [r["receipt_code"] for r in regs],
            [r["station"] for r in regs])
        jq.put_seeker(conn, key, profile.to_wire(), profile.terms() if regs else (), now_ms)
        ids = jq.owners_with_terms(conn, "posting", sorted(profile.terms())) if regs else set()
        rows = jq.postings_by_id(conn, sorted(ids), LIVE)
        found = best(score(profile, posting_profile(r)) for r in rows)
        jq.replace_matches(conn, person_key=key, rows=_rows(found))


def public_posting(row: dict[str, Any]) -> dict[str, Any]:
    """What a kiosk shows of a posting: the posting, its id and its flags (a published
    posting with flags carries the warning for job seekers)."""
    return {"posting_id": row["posting_id"], **row["posting"], "flags": row["flags"]}


def postings_change(conn: Connection, as_of: str) -> tuple[str, dict[str, Any]]:
    """The feed entry giving every station the open postings as they are now."""
    return (feed.EVERY_STATION, {"type": "config", "config": {"jobs": {
        "as_of": as_of, "postings": [public_posting(r) for r in jq.postings(conn, ["open"])]}}})


def station_matches_changes(conn: Connection,
                            stations: Iterable[str]) -> list[tuple[str, dict[str, Any]]]:
    """For each station, the feed entry with the best open-posting matches of every
    registration filed there (receipt code → [{posting_id, title, score}])."""
    out: list[tuple[str, dict[str, Any]]] = []
    open_rows = {r["posting_id"]: r for r in jq.postings(conn, ["open"])}
    if not open_rows:
        return out  # nothing to match (a kiosk drops matches of postings it no longer holds)
    for station in sorted(set(stations)):
        regs = jq.persons_at_station(conn, station)
        by_person: dict[str, list[dict[str, Any]]] = {}
        for m in jq.matches_of_persons(conn, [k for _, k in regs if k]):
            if m["posting_id"] in open_rows:
                by_person.setdefault(m["person_key"], []).append(m)
        table = {}
        for code, key in regs:
            if key not in by_person:
                continue  # no match: the kiosk shows none for a code it is not told of
            ms = sorted(by_person[key], key=lambda m: (-m["score"], m["posting_id"]))
            table[code] = [{"posting_id": m["posting_id"], "score": m["score"],
                            "title": open_rows[m["posting_id"]]["posting"]["title"]}
                           for m in ms[:KIOSK_MATCHES]]
        out.append((station, {"type": "config", "config": {"job_matches": table}}))
    return out

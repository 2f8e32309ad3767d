"""Queries for job postings, job seekers' matching profiles, the matching index (terms),
matches and placements (issue 16). JSON columns hold canonical JSON text."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, and_, delete, func, or_, select, update

from sync_server.store.cases import json_text
from sync_server.store.schema import (
    alerts,
    cases,
    job_matches,
    job_placements,
    job_postings,
    job_seekers,
    job_terms,
)

# SQLite allows 32766 bound parameters; stay well under for IN lists.
_CHUNK = 900


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i:i + _CHUNK]


def _posting(row: Any) -> dict[str, Any]:
    out = dict(row._mapping)
    out["posting"] = json.loads(out["posting"])
    out["flags"] = json.loads(out["flags"])
    return out


# -- postings ------------------------------------------------------------------------------

def insert_posting(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(job_postings.insert(), [{**row, "posting": json_text(row["posting"]),
                                          "flags": json_text(row["flags"])}])


def posting(conn: Connection, posting_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(job_postings)
                       .where(job_postings.c.posting_id == posting_id)).first()
    return _posting(row) if row else None


def postings(conn: Connection, states: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Postings (in ``states`` when given), oldest first."""
    query = select(job_postings).order_by(job_postings.c.created_at_ms,
                                          job_postings.c.posting_id)
    if states is not None:
        query = query.where(job_postings.c.state.in_(list(states)))
    return [_posting(r) for r in conn.execute(query)]


def postings_by_id(conn: Connection, ids: Sequence[str],
                   states: Sequence[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for part in _chunks(sorted(ids)):
        out += [_posting(r) for r in conn.execute(
            select(job_postings).where(job_postings.c.posting_id.in_(list(part)),
                                       job_postings.c.state.in_(list(states))))]
    return out


def set_posting_state(conn: Connection, posting_id: str, state: str, now_ms: int) -> None:
    conn.execute(update(job_postings).where(job_postings.c.posting_id == posting_id)
                 .values(state=state, updated_at_ms=now_ms))


def postings_of_employer(conn: Connection, keys: Sequence[str]) -> list[dict[str, Any]]:
    """Postings whose employer has any of ``keys`` (USCC or name key)."""
    return [_posting(r) for r in conn.execute(select(job_postings).where(or_(
        job_postings.c.employer_key.in_(list(keys)), job_postings.c.name_key.in_(list(keys)))))]


# -- what the rights side knows of an employer ---------------------------------------------

def complaints_against(conn: Connection, keys: Sequence[str]) -> list[dict[str, Any]]:
    """case_id, status and record of complaints whose employer key is one of ``keys``."""
    rows = conn.execute(select(cases.c.case_id, cases.c.status, cases.c.record)
                        .where(cases.c.employer_key.in_(list(keys)),
                               cases.c.kind == "complaint"))
    return [{"case_id": r.case_id, "status": r.status, "record": json.loads(r.record)}
            for r in rows]


def alerts_against(conn: Connection, keys: Sequence[str]) -> list[dict[str, Any]]:
    rows = conn.execute(select(alerts).where(alerts.c.employer_key.in_(list(keys))))
    return [{**dict(r._mapping), "case_ids": json.loads(r.case_ids)} for r in rows]


def case_statuses(conn: Connection, case_ids: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in _chunks(sorted(set(case_ids))):
        out.update((r.case_id, r.status) for r in conn.execute(
            select(cases.c.case_id, cases.c.status).where(cases.c.case_id.in_(list(part)))))
    return out


# -- job seekers -----------------------------------------------------------------------------

def registrations_of(conn: Connection, person_key: str) -> list[dict[str, Any]]:
    """receipt_code, station, status, filed_at and record of a person's registrations."""
    rows = conn.execute(select(cases.c.receipt_code, cases.c.station, cases.c.status,
                               cases.c.filed_at, cases.c.record)
                        .where(cases.c.person_key == person_key, cases.c.kind == "jobseeker")
                        .order_by(cases.c.filed_at))
    return [{"receipt_code": r.receipt_code, "station": r.station, "status": r.status,
             "filed_at": r.filed_at, "record": json.loads(r.record)} for r in rows]


def person_of_code(conn: Connection, code: str) -> dict[str, Any] | None:
    """kind, person_key and station of the case with receipt ``code``, or None."""
    row = conn.execute(select(cases.c.kind, cases.c.person_key, cases.c.station)
                       .where(cases.c.receipt_code == code)).first()
    return dict(row._mapping) if row else None


def put_seeker(conn: Connection, person_key: str, profile: dict[str, Any],
               terms: Iterable[str], now_ms: int) -> None:
    """Store a person's profile and index it under ``terms`` (replacing what was there)."""
    conn.execute(delete(job_seekers).where(job_seekers.c.person_key == person_key))
    conn.execute(job_seekers.insert(), [{"person_key": person_key,
                                         "profile": json_text(profile),
                                         "updated_at_ms": now_ms}])
    put_terms(conn, "seeker", person_key, terms)


def put_terms(conn: Connection, owner: str, owner_id: str, terms: Iterable[str]) -> None:
    conn.execute(delete(job_terms).where(job_terms.c.owner == owner,
                                         job_terms.c.owner_id == owner_id))
    rows = [{"owner": owner, "term": t, "owner_id": owner_id} for t in sorted(set(terms))]
    if rows:
        conn.execute(job_terms.insert(), rows)


def owners_with_terms(conn: Connection, owner: str, terms: Sequence[str]) -> set[str]:
    """Ids of seekers or postings (``owner``) filed under any of ``terms`` (the index)."""
    out: set[str] = set()
    for part in _chunks(sorted(set(terms))):
        out.update(r[0] for r in conn.execute(
            select(job_terms.c.owner_id).where(job_terms.c.owner == owner,
                                               job_terms.c.term.in_(list(part)))))
    return out


def seekers(conn: Connection, keys: Sequence[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for part in _chunks(sorted(set(keys))):
        out += [json.loads(r[0]) for r in conn.execute(
            select(job_seekers.c.profile).where(job_seekers.c.person_key.in_(list(part))))]
    return out


def seekers_with_terms(conn: Connection, terms: Sequence[str]) -> list[dict[str, Any]]:
    """The profiles of the seekers filed under any of ``terms``: one query, the term index
    joined to the profiles (each profile once)."""
    if not terms:
        return []
    hits = (select(job_terms.c.owner_id)
            .where(job_terms.c.owner == "seeker", job_terms.c.term.in_(sorted(set(terms))))
            .distinct().subquery())
    rows = conn.execute(select(job_seekers.c.profile)
                        .join(hits, hits.c.owner_id == job_seekers.c.person_key))
    loads = json.loads
    return [loads(r[0]) for r in rows]


def count_seekers(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(job_seekers)).scalar_one())


# -- matches -----------------------------------------------------------------------------

def replace_matches(conn: Connection, *, posting_id: str | None = None,
                    person_key: str | None = None, rows: Sequence[dict[str, Any]]) -> None:
    """Replace the matches of one posting or of one person with ``rows`` (each
    posting_id, person_key, score, reasons list)."""
    where = (job_matches.c.posting_id == posting_id if posting_id is not None
             else job_matches.c.person_key == person_key)
    conn.execute(delete(job_matches).where(where))
    if rows:
        conn.execute(job_matches.insert(), [{**r, "reasons": json_text(r["reasons"])}
                                            for r in rows])


def matches_of_posting(conn: Connection, posting_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(select(job_matches, job_seekers.c.profile)
                        .join(job_seekers, job_seekers.c.person_key == job_matches.c.person_key)
                        .where(job_matches.c.posting_id == posting_id)
                        .order_by(job_matches.c.score.desc(), job_matches.c.person_key))
    return [{"person_key": r.person_key, "score": r.score, "reasons": json.loads(r.reasons),
             "profile": json.loads(r.profile)} for r in rows]


def matches_of_persons(conn: Connection, keys: Sequence[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for part in _chunks(sorted(set(keys))):
        out += [{"posting_id": r.posting_id, "person_key": r.person_key, "score": r.score,
                 "reasons": json.loads(r.reasons)} for r in conn.execute(
            select(job_matches).where(job_matches.c.person_key.in_(list(part))))]
    return out


def persons_at_station(conn: Connection, station: str) -> list[tuple[str, str]]:
    """(receipt_code, person_key) of every registration filed at ``station``."""
    return [(r.receipt_code, r.person_key) for r in conn.execute(
        select(cases.c.receipt_code, cases.c.person_key)
        .where(cases.c.station == station, cases.c.kind == "jobseeker"))]


def stations_of_persons(conn: Connection, keys: Sequence[str]) -> set[str]:
    out: set[str] = set()
    for part in _chunks(sorted(set(keys))):
        out.update(r[0] for r in conn.execute(
            select(cases.c.station).where(cases.c.person_key.in_(list(part)),
                                          cases.c.kind == "jobseeker").distinct()))
    return out


# -- placements ------------------------------------------------------------------------------

def placement(conn: Connection, posting_id: str, person_key: str) -> dict[str, Any] | None:
    row = conn.execute(select(job_placements).where(
        job_placements.c.posting_id == posting_id,
        job_placements.c.person_key == person_key)).first()
    if row is None:
        return None
    return {**dict(row._mapping), "history": json.loads(row.history)}


def put_placement(conn: Connection, row: dict[str, Any], *, new: bool) -> None:
    values = {**row, "history": json_text(row["history"])}
    if new:
        conn.execute(job_placements.insert(), [values])
    else:
        conn.execute(update(job_placements).where(
            job_placements.c.posting_id == row["posting_id"],
            job_placements.c.person_key == row["person_key"]).values(**values))


def hired_undisputed(conn: Connection, person_keys: Sequence[str]) -> list[dict[str, Any]]:
    """Undisputed placements (outcome hired) of any of ``person_keys``, with the posting's
    employer keys (``employer_key``, ``name_key``)."""
    out: list[dict[str, Any]] = []
    for part in _chunks(sorted(set(person_keys))):
        out += [dict(r._mapping) for r in conn.execute(
            select(job_placements.c.posting_id, job_placements.c.person_key,
                   job_postings.c.employer_key, job_postings.c.name_key)
            .join(job_postings, job_postings.c.posting_id == job_placements.c.posting_id)
            .where(job_placements.c.person_key.in_(list(part)),
                   job_placements.c.outcome == "hired",
                   job_placements.c.disputed_case_id.is_(None)))]
    return out


def set_disputed(conn: Connection, posting_id: str, person_key: str, case_id: str,
                 now_ms: int) -> None:
    conn.execute(update(job_placements).where(
        job_placements.c.posting_id == posting_id, job_placements.c.person_key == person_key)
        .values(disputed_case_id=case_id, disputed_at_ms=now_ms))


def placements(conn: Connection, posting_id: str | None = None) -> list[dict[str, Any]]:
    """Placement rows, oldest first, each with ``disputed_receipt_code`` (the receipt code
    of the complaint case it is linked to, or None)."""
    query = (select(job_placements, cases.c.receipt_code.label("disputed_receipt_code"))
             .select_from(job_placements.outerjoin(
                 cases, cases.c.case_id == job_placements.c.disputed_case_id))
             .order_by(job_placements.c.created_at_ms))
    if posting_id is not None:
        query = query.where(job_placements.c.posting_id == posting_id)
    return [{**dict(r._mapping), "history": json.loads(r.history)} for r in conn.execute(query)]


# -- indicators ------------------------------------------------------------------------------

def registrations_by_station(conn: Connection, since: str, until: str) -> dict[str, int]:
    """Job-seeker registrations filed in [since, until) (RFC 3339 text), per station."""
    rows = conn.execute(select(cases.c.station, func.count()).where(
        cases.c.kind == "jobseeker", cases.c.filed_at >= since, cases.c.filed_at < until)
        .group_by(cases.c.station))
    return {r[0]: int(r[1]) for r in rows}


def postings_by_station(conn: Connection, since_ms: int, until_ms: int) -> dict[str, int]:
    rows = conn.execute(select(job_postings.c.station, func.count()).where(and_(
        job_postings.c.created_at_ms >= since_ms, job_postings.c.created_at_ms < until_ms))
        .group_by(job_postings.c.station))
    return {r[0]: int(r[1]) for r in rows}


def placements_in(conn: Connection, since_ms: int, until_ms: int) -> list[dict[str, Any]]:
    """Placement rows first recorded in [since_ms, until_ms)."""
    rows = conn.execute(select(job_placements.c.station, job_placements.c.outcome,
                               job_placements.c.history, job_placements.c.disputed_case_id)
                        .where(job_placements.c.created_at_ms >= since_ms,
                               job_placements.c.created_at_ms < until_ms))
    return [{"station": r.station, "outcome": r.outcome, "history": json.loads(r.history),
             "disputed": r.disputed_case_id is not None} for r in rows]


def set_flags(conn: Connection, posting_id: str, flags: Sequence[str], now_ms: int) -> None:
    conn.execute(update(job_postings).where(job_postings.c.posting_id == posting_id)
                 .values(flags=json_text(list(flags)), updated_at_ms=now_ms))


# -- the serving process's seeker cache (services.seekercache) --------------------------------

def seekers_since(conn: Connection, since_ms: int | None) -> list[tuple[str, str, int]]:
    """(person_key, profile JSON text, updated_at_ms) of the seekers changed at or after
    ``since_ms`` (None: every seeker)."""
    query = select(job_seekers.c.person_key, job_seekers.c.profile,
                   job_seekers.c.updated_at_ms)
    if since_ms is not None:
        query = query.where(job_seekers.c.updated_at_ms >= since_ms)
    return [(r[0], r[1], int(r[2])) for r in conn.execute(query)]


def seekers_version(conn: Connection) -> tuple[int, int]:
    """(count, sum of updated_at_ms) of the seekers: changes whenever a profile is stored."""
    row = conn.execute(select(func.count(), func.coalesce(func.sum(
        job_seekers.c.updated_at_ms), 0)).select_from(job_seekers)).one()
    return int(row[0]), int(row[1])

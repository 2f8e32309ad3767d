"""The seeker cache of the serving process (``services.seekercache``) stays correct when
another process changes the store: two engines on one SQLite file stand for two ``serve``
processes; one stores profiles, the other matches new postings against its cache."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from shared.matching import SeekerProfile
from sync_server.services import jobmatch
from sync_server.services.seekercache import cache_of
from sync_server.store import jobs as jq
from sync_server.store import make_engine, migrate


def _seeker(key: str, skill: str) -> SeekerProfile:
    return SeekerProfile.from_registrations(
        key, [{"skills": [skill], "wanted_jobs": [], "area": "曾都区", "employment": "gig",
               "availability": "weekdays"}], [f"CODE-{key}"], ["S001"])


def _match(engine: Engine, n: int) -> list[str]:
    row = {"posting_id": f"P{n}", "posting": {"skills": ["电工"], "job_type": "装修",
                                              "area": "曾都区", "employment": "gig"}}
    with engine.begin() as conn:
        return sorted(jobmatch.match_posting(conn, row))


def test_another_process_changes_reach_the_cache(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'county.db'}"
    serving, other = make_engine(url), make_engine(url)
    migrate(serving)

    def store(key: str, skill: str, stamp: int) -> None:
        p = _seeker(key, skill)
        with other.begin() as conn:
            jq.put_seeker(conn, key, p.to_wire(), p.terms(), stamp)

    store("alice", "电工", 1_000_000)
    assert _match(serving, 1) == ["alice"]
    store("bob", "水电工", 2_000_000)  # a synonym: matches too, read incrementally
    assert _match(serving, 2) == ["alice", "bob"]
    cache = cache_of(serving)
    assert cache is not None
    assert cache.full_loads == 1
    # alice's profile changed with an OLDER stamp (a clock set back): the incremental read
    # misses it, the version check does not
    store("alice", "保洁", 5)
    assert _match(serving, 3) == ["bob"]
    assert cache.full_loads == 2
    serving.dispose()
    other.dispose()

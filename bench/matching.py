"""Matching job seekers and postings: recompute after one new posting, indexed vs brute force.

    python bench/matching.py [--seekers 100000] [--postings 5000] [--repeat 5]

Builds ``--seekers`` job-seeker profiles and ``--postings`` postings (skills and job types
drawn with a long tail from the synonym table's trades plus other trades, areas from the
district table plus towns, a seeded generator), indexes them in ``shared.matching.MatchIndex``
and measures:

* building the index;
* one new posting matched against every seeker through the index (only the seekers sharing
  a term are ranked, and the ``--keep`` best scored in full, as the server keeps them)
  beside the brute force: scoring the same posting against all seekers in full (the pairs
  the index skips included); both must give the same matches; and the index scoring every
  candidate in full;
* one new registration matched against every posting, the same two ways;
* the per-pair cost, and what a brute-force rescoring of all seekers × postings would take.

Target (issue 16): ≤ 1 s to recompute after one new posting. Prints figures; asserts only
that the index and brute force agree. Single-threaded.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import time

from shared.matching import (
    AREA_NEIGHBOURS,
    SKILL_SYNONYMS,
    MatchIndex,
    PostingProfile,
    SeekerProfile,
    best,
    score,
    top_for_posting,
)

STAMP0 = 1_764_000_000_000  # profiles stored a second apart, as over a day of registrations
OTHER_TRADES = [f"工种{i:02d}" for i in range(60)]
TOWNS = [f"镇{i:02d}" for i in range(20)]


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    words = [g[rng.randrange(len(g))] for g in SKILL_SYNONYMS] + OTHER_TRADES
    weights = [1.0 / (i + 1) ** 0.8 for i in range(len(words))]
    return words, weights


def make_seeker(rng: random.Random, i: int, words: list[str], weights: list[float]
                ) -> SeekerProfile:
    areas = list(AREA_NEIGHBOURS) + TOWNS
    record = {"skills": rng.choices(words, weights, k=rng.randint(1, 3)),
              "wanted_jobs": rng.choices(words, weights, k=rng.randint(0, 2)),
              "area": rng.choice(areas), "employment": rng.choice(["gig", "long_term"]),
              "availability": rng.choice(["随时", "工作日", "周末", "晚上", "看情况"])}
    return SeekerProfile.from_registrations(f"person{i:06d}", [record], [f"CODE{i:06d}"])


def make_posting(rng: random.Random, i: int, words: list[str], weights: list[float]
                 ) -> PostingProfile:
    areas = list(AREA_NEIGHBOURS) + TOWNS
    wire = {"skills": rng.choices(words, weights, k=rng.randint(1, 3)),
            "job_type": rng.choices(words, weights)[0], "area": rng.choice(areas),
            "employment": rng.choice(["gig", "long_term"])}
    return PostingProfile.from_posting(f"P{i:05d}", wire)


def timed(fn: object, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def store_figures(folder: str, seekers: list[SeekerProfile], new: PostingProfile) -> None:
    """Fill a SQLite county store's job tables with ``seekers`` and time matching one new
    posting through ``services.jobmatch.match_posting`` (the SQL index, profiles read back,
    best 200 stored)."""
    from pathlib import Path

    from sync_server.services import jobmatch
    from sync_server.store import jobs as jq
    from sync_server.store import make_engine, migrate
    from sync_server.store.cases import json_text
    from sync_server.store.schema import job_seekers, job_terms

    path = Path(folder) / "bench-jobs.db"
    path.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    t = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(job_seekers.insert(), [{"person_key": s.key, "profile": json_text(
            s.to_wire()), "updated_at_ms": STAMP0 + i * 1000} for i, s in enumerate(seekers)])
        conn.execute(job_terms.insert(), [{"owner": "seeker", "term": term, "owner_id": s.key}
                                          for s in seekers for term in s.terms()])
    print(f"store: fill {len(seekers)} profiles: {time.perf_counter() - t:8.3f} s")
    row = {"posting_id": new.posting_id, "posting": {
        "skills": sorted(new.skills), "job_type": new.job_type, "area": new.area,
        "employment": new.employment}}
    with engine.begin() as conn:  # the old path: the SQL index, every candidate read back
        t = time.perf_counter()
        profiles = [SeekerProfile.from_wire(w) for w in
                    jq.seekers_with_terms(conn, sorted(new.terms()))]
        baseline = top_for_posting(profiles, new, jobmatch.MATCHES_PER_POSTING)
        old_s = time.perf_counter() - t
    print(f"store: baseline (SQL index, {len(profiles)} profiles read back, ranked): "
          f"{old_s:8.3f} s")
    times = []
    for _ in range(3):
        with engine.begin() as conn:
            t = time.perf_counter()
            kept = jobmatch.match_posting(conn, row)
            times.append(time.perf_counter() - t)
    assert kept == [m.seeker for m in baseline], "the cached path must keep the same seekers"
    print(f"store: new posting matched, cold (first use: every profile loaded into the "
          f"process): {times[0]:8.3f} s")
    print(f"store: new posting matched, warm (cache checked against the store, best "
          f"{len(kept)} stored): {statistics.median(times[1:]):8.3f} s")
    engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seekers", type=int, default=100_000)
    ap.add_argument("--postings", type=int, default=5_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--store", metavar="DIR",
                    help="also time the county's path (store.jobs over SQLite in DIR): the "
                         "profiles and term index in tables, one new posting matched")
    ap.add_argument("--keep", type=int, default=200,
                    help="matches kept per posting (the server's MATCHES_PER_POSTING)")
    args = ap.parse_args()
    rng = random.Random(16)
    words, weights = _vocabulary(rng)
    print(f"python {platform.python_version()} on {platform.machine()}, "
          f"{args.seekers} seekers x {args.postings} postings, median of {args.repeat}")
    t = time.perf_counter()
    seekers = [make_seeker(rng, i, words, weights) for i in range(args.seekers)]
    postings = [make_posting(rng, i, words, weights) for i in range(args.postings)]
    print(f"generate profiles:            {time.perf_counter() - t:8.3f} s")
    index = MatchIndex()
    t = time.perf_counter()
    for s in seekers:
        index.put_seeker(s)
    for p in postings:
        index.put_posting(p)
    print(f"build index:                  {time.perf_counter() - t:8.3f} s")

    new = make_posting(rng, args.postings, words, weights)
    indexed_s, indexed = timed(lambda: index.for_posting(new, args.keep), args.repeat)
    brute_s, brute = timed(lambda: index.brute_force_for_posting(new, args.keep),
                           args.repeat)
    assert indexed == brute, "the index and brute force disagree"
    all_s, every = timed(lambda: index.for_posting(new), args.repeat)
    print(f"new posting, indexed, best {args.keep}: {indexed_s:8.3f} s  target <= 1 s")
    print(f"new posting, brute force:     {brute_s:8.3f} s  ({len(seekers)} pairs scored "
          f"in full)")
    print(f"new posting, indexed, all:    {all_s:8.3f} s  ({len(every)} matches scored in "  # type: ignore[arg-type]
          "full)")

    person = make_seeker(rng, args.seekers, words, weights)
    ind_s, ind = timed(lambda: index.for_seeker(person), args.repeat)
    bf_s, bf = timed(lambda: best(score(person, p) for p in postings), args.repeat)
    assert ind == bf, "the index and brute force disagree"
    print(f"new registration, indexed:    {ind_s * 1000:8.2f} ms ({len(ind)} matches)")  # type: ignore[arg-type]
    print(f"new registration, brute force:{bf_s * 1000:8.2f} ms ({len(postings)} pairs)")
    if args.store:
        store_figures(args.store, seekers, new)
    pair = brute_s / len(seekers)
    print(f"per pair (brute force):       {pair * 1e6:8.2f} us; all "
          f"{args.seekers * args.postings:,} pairs would take "
          f"{pair * args.seekers * args.postings:,.0f} s")


if __name__ == "__main__":
    main()

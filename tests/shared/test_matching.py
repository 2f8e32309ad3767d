"""Matching rules (shared.matching): synonyms, areas, the score's reasons, and the index
agreeing with brute force; a generated set with known best matches."""

from __future__ import annotations

import random

import pytest

from shared.matching import (
    SKILL_SYNONYMS,
    MatchIndex,
    PostingProfile,
    SeekerProfile,
    canonical,
    reason_text,
    score,
)


def _seeker(key: str, **r: object) -> SeekerProfile:
    record = {"skills": [], "wanted_jobs": [], "area": "曾都区", "employment": "gig",
              "availability": "随时", **r}
    return SeekerProfile.from_registrations(key, [record], [key])


def _posting(pid: str, **w: object) -> PostingProfile:
    wire = {"skills": [], "job_type": "普工", "area": "曾都区", "employment": "gig", **w}
    return PostingProfile.from_posting(pid, wire)


@pytest.mark.parametrize(("said", "wanted"), [
    ("水电工", "电工"),     # the example
    ("家政", "保洁"),       # the example
    ("电焊工", "焊工"),
    ("ＣＬＥＡＮＥＲ", "保洁"),  # full-width, upper case: tidied and folded first
])
def test_synonyms_are_one_skill(said: str, wanted: str) -> None:
    assert canonical(said) == canonical(wanted)
    m = score(_seeker("a", skills=[said]), _posting("P1", skills=[wanted]))
    assert m is not None
    assert f"skill:{canonical(wanted)}" in m.reasons


def test_same_district_before_neighbour_before_elsewhere() -> None:
    p = _posting("P1", skills=["电工"], area="曾都区")
    same = score(_seeker("a", skills=["电工"], area="曾都"), p)   # an alias of 曾都区
    near = score(_seeker("b", skills=["电工"], area="随县"), p)
    far = score(_seeker("c", skills=["电工"], area="武汉市"), p)
    assert same is not None
    assert near is not None
    assert far is not None
    assert same.score > near.score > far.score
    assert "same_area" in same.reasons
    assert "neighbour_area" in near.reasons


def test_no_shared_skill_or_job_type_is_no_match_whatever_the_area() -> None:
    assert score(_seeker("a", skills=["厨师"]), _posting("P1", skills=["电工"])) is None


def test_job_type_employment_and_availability_count() -> None:
    p = _posting("P1", skills=["电工"], job_type="装修", employment="long_term")
    full = score(_seeker("a", skills=["电工"], wanted_jobs=["装修工"],
                         employment="long_term", availability="工作日"), p)
    weekend_gig = score(_seeker("b", skills=["电工"], availability="周末"), p)
    assert full is not None
    assert full.score == 100
    assert set(full.reasons) >= {"job_type", "employment", "availability"}
    assert weekend_gig is not None
    assert "availability" not in weekend_gig.reasons  # weekends do not serve a long-term job


def test_one_person_at_two_stations_is_one_profile() -> None:
    one = SeekerProfile.from_registrations(
        "person", [{"skills": ["电工"], "area": "随县", "employment": "gig"},
                   {"skills": ["保洁"], "area": "曾都区", "employment": "long_term"}],
        ["CODE2", "CODE1"], ["S002", "S001"])
    assert one.skills == {"电工", "保洁"}
    assert one.codes == ("CODE1", "CODE2")
    assert one.stations == ("S001", "S002")
    assert SeekerProfile.from_wire(one.to_wire()) == one


def test_reasons_read_in_both_languages() -> None:
    assert reason_text("skill:电工") == "技能相符：电工"
    assert reason_text("skill:电工", "en") == "skill matches: 电工"
    assert reason_text("neighbour_area", "en") == "next to the area you chose"


def _generated(rng: random.Random, n_seekers: int, n_postings: int
               ) -> tuple[MatchIndex, dict[str, str], list[PostingProfile]]:
    """Random seekers holding ONE skill, and per posting one planted seeker holding both of
    its two skills, its job type, area, employment and availability: that seeker scores
    100, every random one at most 25 + 20 + 20 + 5 + 5 = 75."""
    trades = [g[0] for g in SKILL_SYNONYMS]
    areas = ["曾都区", "随县", "广水市", "随州高新区", "镇01"]
    index = MatchIndex()
    for i in range(n_seekers):
        index.put_seeker(_seeker(f"r{i}", skills=[rng.choice(trades)],
                                 wanted_jobs=[rng.choice(trades)], area=rng.choice(areas),
                                 employment=rng.choice(["gig", "long_term"])))
    planted: dict[str, str] = {}
    postings = []
    for j in range(n_postings):
        skills = rng.sample(trades, 2)
        job = rng.choice(trades)
        area = rng.choice(areas)
        emp = rng.choice(["gig", "long_term"])
        p = _posting(f"P{j:03d}", skills=skills, job_type=job, area=area, employment=emp)
        # the planted seeker says it with synonyms where the table has them
        said = [next(g for g in SKILL_SYNONYMS if g[0] == s)[-1] for s in skills]
        index.put_seeker(_seeker(f"best{j}", skills=said, wanted_jobs=[job], area=area,
                                 employment=emp, availability="随时"))
        index.put_posting(p)
        planted[p.posting_id] = f"best{j}"
        postings.append(p)
    return index, planted, postings


def test_generated_set_known_best_matches_and_index_equals_brute_force() -> None:
    index, planted, postings = _generated(random.Random(16), 2000, 40)
    for p in postings:
        found = index.for_posting(p)
        assert found[0].seeker == planted[p.posting_id]
        assert found[0].score == 100
        assert found == index.brute_force_for_posting(p)
        # the cheap ranking then full scoring of the best few is the same as scoring all
        assert index.for_posting(p, 5) == found[:5]
    # and from the seeker's side: their planted posting comes first
    seeker = index.seekers["best7"]
    assert index.for_seeker(seeker)[0].posting_id == "P007"


def test_replacing_a_seeker_reindexes_them() -> None:
    index = MatchIndex()
    index.put_seeker(_seeker("a", skills=["电工"]))
    p = _posting("P1", skills=["保洁"])
    assert index.for_posting(p) == []
    index.put_seeker(_seeker("a", skills=["家政"]))   # registered again, another skill
    assert [m.seeker for m in index.for_posting(p)] == ["a"]
    assert index.for_posting(_posting("P2", skills=["电工"])) == []

"""Matching job seekers and job postings (零工驿站): pure rules, shared by county and kiosk.

A **seeker profile** is what matching needs of one person's registrations (skills, wanted
job types, areas, employment types, availability), with no name, ID number or phone; a person
registered at several stations is one profile (the county merges by ``person_key``). A
**posting profile** is what it needs of a posting. ``score`` rates one pair 0-100 and says
why, as reason codes (``REASONS`` holds their zh-CN and English texts):

=========================  ======  ==============================================
reason                      points  when
=========================  ======  ==============================================
``skill:<term>``            ≤ 50    a skill the posting wants (shared in proportion)
``job_type``                20      the posting's job type is wanted or a skill held
``same_area``               20      the posting's area is one the person named
``neighbour_area``          10      … or a neighbour of one (``AREA_NEIGHBOURS``)
``employment``              5       gig / long-term as the person wants
``availability``            5       the person's availability fits the employment
=========================  ======  ==============================================

A pair with neither a skill nor the job type in common is no match (``None``), whatever
the area. Terms are compared after ``canonical``: the synonym groups in ``SKILL_SYNONYMS``
(电工 = 水电工, 保洁 = 家政 …) are data (``shared.jobtables``), extended by editing the table.

``MatchIndex`` holds profiles indexed by canonical term, so scoring one new posting (or one
new registration) visits only the profiles sharing a term with it, not all of them
(``bench/matching.py`` measures both).
"""

from __future__ import annotations

import heapq
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from shared.jobtables import (
    AREA_ALIASES,
    AREA_NEIGHBOURS,
    AVAILABILITY_WORDS,
    FITS,
    SKILL_SYNONYMS,
)
from shared.textnorm import single_line

__all__ = ["AREA_ALIASES", "AREA_NEIGHBOURS", "AVAILABILITY_WORDS", "FITS", "REASONS",
           "SKILL_SYNONYMS", "Match", "MatchIndex", "PostingProfile", "SeekerProfile",
           "availability_kinds", "best", "canonical", "canonical_area", "points", "rank",
           "reason_text", "score", "top_for_posting"]

SKILL_POINTS, JOB_POINTS, SAME_AREA, NEIGHBOUR_AREA = 50, 20, 20, 10
EMPLOYMENT_POINTS = AVAILABILITY_POINTS = 5

REASONS: dict[str, tuple[str, str]] = {
    "skill": ("技能相符：{term}", "skill matches: {term}"),
    "job_type": ("工种是您想做的", "a job type you want"),
    "same_area": ("在您选择的区域", "in the area you chose"),
    "neighbour_area": ("在您选择区域的邻近区域", "next to the area you chose"),
    "employment": ("用工形式相符（零工/长期）", "gig / long-term as you want"),
    "availability": ("时间合适", "fits when you can work"),
}

# area -> the areas it neighbours, as sets (AREA_NEIGHBOURS is symmetric)
_NEAR = {area: frozenset(near) for area, near in AREA_NEIGHBOURS.items()}
_CANON: dict[str, str] = {}
for _group in SKILL_SYNONYMS:
    for _word in _group:
        _CANON[_word.casefold()] = _group[0]


def canonical(term: str) -> str:
    """The comparison form of a skill or job type: tidied, NFKC, case-folded, then its synonym
    group's first word if it belongs to one (``水电工`` → ``电工``)."""
    word = unicodedata.normalize("NFKC", single_line(term)).casefold()
    return _CANON.get(word, word)


def canonical_area(area: str) -> str:
    """The comparison form of an area (aliases such as ``曾都`` → ``曾都区``)."""
    word = unicodedata.normalize("NFKC", single_line(area))
    return AREA_ALIASES.get(word, word)


def availability_kinds(text: str) -> frozenset[str]:
    """The kinds of time (``anytime``, ``weekdays``, ``weekends``, ``evenings``) named in a
    free-text availability; empty when none is recognised."""
    low = text.casefold()
    return frozenset(kind for word, kind in AVAILABILITY_WORDS if word in low)


@dataclass(frozen=True)
class SeekerProfile:
    """One job seeker as matching sees them: ``key`` is the county's person key (or, on a
    kiosk, a receipt code); ``codes`` the receipt codes of their registrations."""

    key: str
    skills: frozenset[str]
    jobs: frozenset[str]
    areas: frozenset[str]
    employment: frozenset[str]
    availability: frozenset[str]
    codes: tuple[str, ...] = ()
    stations: tuple[str, ...] = ()

    @classmethod
    def from_registrations(cls, key: str, records: Iterable[Mapping[str, Any]],
                           codes: Iterable[str] = (),
                           stations: Iterable[str] = ()) -> SeekerProfile:
        """Merge one person's registrations (``shared.records`` wire shape) into one profile."""
        skills: set[str] = set()
        jobs: set[str] = set()
        areas: set[str] = set()
        employment: set[str] = set()
        avail: set[str] = set()
        for r in records:
            skills.update(canonical(s) for s in r.get("skills") or ())
            jobs.update(canonical(j) for j in r.get("wanted_jobs") or ())
            if r.get("area"):
                areas.add(canonical_area(str(r["area"])))
            if r.get("employment"):
                employment.add(str(r["employment"]))
            avail |= availability_kinds(str(r.get("availability") or ""))
        return cls(key, frozenset(skills), frozenset(jobs), frozenset(areas),
                   frozenset(employment), frozenset(avail), tuple(sorted(set(codes))),
                   tuple(sorted(set(stations))))

    def to_wire(self) -> dict[str, Any]:
        return {"key": self.key, "skills": sorted(self.skills), "jobs": sorted(self.jobs),
                "areas": sorted(self.areas), "employment": sorted(self.employment),
                "availability": sorted(self.availability), "codes": list(self.codes),
                "stations": list(self.stations)}

    @classmethod
    def from_wire(cls, w: Mapping[str, Any]) -> SeekerProfile:
        return cls(str(w["key"]), frozenset(w["skills"]), frozenset(w["jobs"]),
                   frozenset(w["areas"]), frozenset(w["employment"]),
                   frozenset(w["availability"]), tuple(w.get("codes", ())),
                   tuple(w.get("stations", ())))

    def terms(self) -> frozenset[str]:
        """Every canonical term the index files this profile under."""
        return self.skills | self.jobs


@dataclass(frozen=True)
class PostingProfile:
    """One posting as matching sees it."""

    posting_id: str
    skills: frozenset[str]
    job_type: str
    area: str
    employment: str

    @classmethod
    def from_posting(cls, posting_id: str, wire: Mapping[str, Any]) -> PostingProfile:
        """From a posting's wire shape (``shared.postings``)."""
        return cls(posting_id, frozenset(canonical(s) for s in wire.get("skills") or ()),
                   canonical(str(wire["job_type"])), canonical_area(str(wire["area"])),
                   str(wire["employment"]))

    def terms(self) -> frozenset[str]:
        return self.skills | {self.job_type}

    @property
    def near(self) -> frozenset[str]:
        """The areas this posting's area neighbours (a seeker there is near it)."""
        return _NEAR.get(self.area, frozenset())


class Match(NamedTuple):
    """A scored pair; ``reasons`` are codes of ``REASONS`` (``skill:<term>`` for skills)."""

    posting_id: str
    seeker: str
    score: int
    reasons: tuple[str, ...]

    def to_wire(self) -> dict[str, Any]:
        return {"posting_id": self.posting_id, "seeker": self.seeker, "score": self.score,
                "reasons": list(self.reasons)}


def rank(m: Match) -> tuple[int, str, str]:
    """The order of matches: best score first, then posting id, then seeker."""
    return (-m.score, m.posting_id, m.seeker)


def reason_text(code: str, lang: str = "zh") -> str:
    """The words for a reason code in ``lang`` (``zh`` or ``en``)."""
    name, _, term = code.partition(":")
    zh, en = REASONS.get(name, (code, code))
    return (en if lang == "en" else zh).format(term=term)


def score(seeker: SeekerProfile, posting: PostingProfile) -> Match | None:
    """Score one pair (see the module docstring); None when no skill and not the job type
    is shared."""
    shared_skills = posting.skills & seeker.skills
    job = posting.job_type in seeker.jobs or posting.job_type in seeker.skills
    if not shared_skills and not job:
        return None
    points = 0
    reasons: list[str] = []
    if shared_skills:
        points = SKILL_POINTS * len(shared_skills) // len(posting.skills)
        reasons = [f"skill:{s}" for s in sorted(shared_skills)]
    if job:
        points += JOB_POINTS
        reasons.append("job_type")
    areas = seeker.areas
    if posting.area in areas:
        points += SAME_AREA
        reasons.append("same_area")
    elif not areas.isdisjoint(posting.near):
        points += NEIGHBOUR_AREA
        reasons.append("neighbour_area")
    if posting.employment in seeker.employment:
        points += EMPLOYMENT_POINTS
        reasons.append("employment")
    if not seeker.availability.isdisjoint(FITS.get(posting.employment, ())):
        points += AVAILABILITY_POINTS
        reasons.append("availability")
    return Match(posting.posting_id, seeker.key, points, tuple(reasons))


def points(seeker: SeekerProfile, posting: PostingProfile) -> int:
    """``score(seeker, posting).score`` (0 for no match) without building the reasons: the
    cheap pass that ranks many candidates before the few best are scored in full."""
    shared_skills = len(posting.skills & seeker.skills)
    job = posting.job_type in seeker.jobs or posting.job_type in seeker.skills
    if not shared_skills and not job:
        return 0
    total = SKILL_POINTS * shared_skills // len(posting.skills) if shared_skills else 0
    if job:
        total += JOB_POINTS
    if posting.area in seeker.areas:
        total += SAME_AREA
    elif not seeker.areas.isdisjoint(posting.near):
        total += NEIGHBOUR_AREA
    if posting.employment in seeker.employment:
        total += EMPLOYMENT_POINTS
    if not seeker.availability.isdisjoint(FITS.get(posting.employment, ())):
        total += AVAILABILITY_POINTS
    return total


def best(matches: Iterable[Match | None], limit: int | None = None) -> list[Match]:
    """The matches, best first (``rank``), ``None``s dropped; the ``limit`` best if given."""
    found = [m for m in matches if m is not None]
    if limit is not None and limit < len(found):
        return heapq.nsmallest(limit, found, key=rank)
    found.sort(key=rank)
    return found


def top_for_posting(seekers: Iterable[SeekerProfile], p: PostingProfile,
                    limit: int | None = None) -> list[Match]:
    """The ``seekers`` matching posting ``p``, best first; with ``limit``, ranked by the
    cheap ``points`` and only the ``limit`` best scored in full (same result as scoring all
    in full and keeping the ``limit`` best)."""
    if limit is None:
        return best(score(s, p) for s in seekers)
    ranked = [(-n, s.key, s) for s in seekers if (n := points(s, p))]
    return best(score(s, p) for _, _, s in heapq.nsmallest(limit, ranked,
                                                           key=lambda r: (r[0], r[1])))


class MatchIndex:
    """Seeker and posting profiles indexed by canonical term, for incremental matching."""

    def __init__(self) -> None:
        self.seekers: dict[str, SeekerProfile] = {}
        self.postings: dict[str, PostingProfile] = {}
        self._seekers_by_term: dict[str, set[str]] = {}
        self._postings_by_term: dict[str, set[str]] = {}

    def put_seeker(self, p: SeekerProfile) -> None:
        """Add or replace a seeker (a new registration of a known person replaces theirs)."""
        self.drop_seeker(p.key)
        self.seekers[p.key] = p
        for t in p.terms():
            self._seekers_by_term.setdefault(t, set()).add(p.key)

    def drop_seeker(self, key: str) -> None:
        old = self.seekers.pop(key, None)
        if old is not None:
            for t in old.terms():
                self._seekers_by_term[t].discard(key)

    def put_posting(self, p: PostingProfile) -> None:
        self.drop_posting(p.posting_id)
        self.postings[p.posting_id] = p
        for t in p.terms():
            self._postings_by_term.setdefault(t, set()).add(p.posting_id)

    def drop_posting(self, posting_id: str) -> None:
        old = self.postings.pop(posting_id, None)
        if old is not None:
            for t in old.terms():
                self._postings_by_term[t].discard(posting_id)

    def for_posting(self, p: PostingProfile, limit: int | None = None) -> list[Match]:
        """The seekers matching posting ``p``, best first: only those sharing a term are
        looked at; with ``limit``, they are ranked by ``points`` and only the ``limit`` best
        are scored in full."""
        keys: set[str] = set()
        for t in p.terms():
            keys |= self._seekers_by_term.get(t, set())
        return top_for_posting([self.seekers[k] for k in keys], p, limit)

    def for_seeker(self, s: SeekerProfile, limit: int | None = None) -> list[Match]:
        """The postings matching seeker ``s``, best first: only those sharing a term."""
        ids: set[str] = set()
        for t in s.terms():
            ids |= self._postings_by_term.get(t, set())
        return best((score(s, self.postings[i]) for i in ids), limit)

    def brute_force_for_posting(self, p: PostingProfile,
                                limit: int | None = None) -> list[Match]:
        """``for_posting`` by scoring every seeker in full: the baseline it must agree with."""
        return best((score(s, p) for s in self.seekers.values()), limit)

"""Collective-dispute groups (涉众预警): many claimants against one employer in a short time.

A window of ``window_days`` slides over each employer's complaints in filing order; whenever
the complaints inside it (both edges included) come from at least ``min_claimants`` distinct
claimants (by ``person_key``), those complaints belong to a group. Qualifying windows that
share a complaint are one group, so a dispute that keeps growing stays one group instead of an
alert per new filing. ``triggered_at`` is when the threshold was first reached: the moment an
early warning would have gone out. The output is sorted and does not depend on input order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from shared.clock import format_utc
from sync_server.domain.errors import DomainError

DEFAULT_MIN_CLAIMANTS = 5
DEFAULT_WINDOW_DAYS = 30


@dataclass(frozen=True)
class ComplaintSummary:
    """What dedupe and alerts need of a complaint: no names, no ID numbers.

    ``filed_at`` must be timezone-aware (raises ValueError otherwise).
    """

    case_id: str
    person_key: str
    employer_key: str
    filed_at: datetime
    coworkers_affected: int | None = None

    def __post_init__(self) -> None:
        if self.filed_at.tzinfo is None:
            raise ValueError(f"complaint {self.case_id}: filed_at must be timezone-aware")


@dataclass(frozen=True)
class Group:
    """One collective-dispute group against one employer, and its early-warning alert."""

    employer_key: str
    case_ids: tuple[str, ...]
    claimants: int
    first_filed: datetime
    last_filed: datetime
    triggered_at: datetime
    coworkers_reported: int | None

    def alert(self) -> tuple[str, str]:
        """Return the early-warning message (zh-CN, English) for county staff."""
        since = format_utc(self.first_filed)[:10]
        extra_zh = extra_en = ""
        if self.coworkers_reported:
            extra_zh = f"，投诉人称受影响工友最多 {self.coworkers_reported} 人"
            extra_en = f"; complainants report up to {self.coworkers_reported} coworkers affected"
        return (f"涉众预警：自 {since} 起 {self.claimants} 名不同投诉人投诉同一用人单位"
                f"（{len(self.case_ids)} 件）{extra_zh}。请核查并考虑集中处理。",
                f"Collective dispute warning: {self.claimants} distinct claimants have filed "
                f"against one employer since {since} ({len(self.case_ids)} cases){extra_en}. "
                "Please review and consider handling them together.")

    def to_wire(self) -> dict[str, Any]:
        """The group as JSON-ready values, alert text included."""
        zh, en = self.alert()
        return {"employer_key": self.employer_key, "case_ids": list(self.case_ids),
                "claimants": self.claimants, "first_filed": format_utc(self.first_filed),
                "last_filed": format_utc(self.last_filed),
                "triggered_at": format_utc(self.triggered_at),
                "coworkers_reported": self.coworkers_reported, "alert": {"zh": zh, "en": en}}


def _distinct(complaints: Iterable[ComplaintSummary]) -> list[ComplaintSummary]:
    by_case: dict[str, ComplaintSummary] = {}
    for c in complaints:
        known = by_case.setdefault(c.case_id, c)
        if known != c:
            raise DomainError(f"complaint {c.case_id} given twice with different summaries")
    return sorted(by_case.values(), key=lambda c: (c.employer_key, c.filed_at, c.case_id))


def _employer_groups(run: list[ComplaintSummary], min_claimants: int,
                     window: timedelta) -> list[Group]:
    groups: list[Group] = []
    first = last = -1                       # run[first:last + 1] is the group being grown
    triggered: datetime | None = None
    counts: dict[str, int] = {}             # person_key -> complaints inside the window
    left = 0
    for right, newest in enumerate(run):
        counts[newest.person_key] = counts.get(newest.person_key, 0) + 1
        while newest.filed_at - run[left].filed_at > window:
            gone = run[left].person_key
            counts[gone] -= 1
            if not counts[gone]:
                del counts[gone]
            left += 1
        if len(counts) < min_claimants:
            continue
        if triggered is not None and left <= last:
            last = right                    # this window shares complaints with the group
            continue
        if triggered is not None:
            groups.append(_group(run[first:last + 1], triggered))
        first, last, triggered = left, right, newest.filed_at
    if triggered is not None:
        groups.append(_group(run[first:last + 1], triggered))
    return groups


def _group(members: list[ComplaintSummary], triggered: datetime) -> Group:
    reported = [c.coworkers_affected for c in members if c.coworkers_affected is not None]
    return Group(employer_key=members[0].employer_key,
                 case_ids=tuple(sorted(c.case_id for c in members)),
                 claimants=len({c.person_key for c in members}),
                 first_filed=members[0].filed_at, last_filed=members[-1].filed_at,
                 triggered_at=triggered, coworkers_reported=max(reported) if reported else None)


def collective_groups(complaints: Iterable[ComplaintSummary],
                      min_claimants: int = DEFAULT_MIN_CLAIMANTS,
                      window_days: int = DEFAULT_WINDOW_DAYS) -> list[Group]:
    """Return the collective-dispute groups, sorted by (triggered_at, employer_key).

    A complaint given twice (same case_id, same summary) counts once. Raises DomainError if
    one case_id comes with two different summaries, ValueError for min_claimants < 2 or a
    negative window.
    """
    if min_claimants < 2:
        raise ValueError("min_claimants must be at least 2")
    if window_days < 0:
        raise ValueError("window_days must not be negative")
    window = timedelta(days=window_days)
    ordered = _distinct(complaints)
    groups: list[Group] = []
    start = 0
    for end in range(1, len(ordered) + 1):
        if end == len(ordered) or ordered[end].employer_key != ordered[start].employer_key:
            groups.extend(_employer_groups(ordered[start:end], min_claimants, window))
            start = end
    return sorted(groups, key=lambda g: (g.triggered_at, g.employer_key, g.case_ids))

"""Spikes (激增预警): a station or a matter type receiving far more complaints in the last 7
days than in its own recent weeks.

For each station and each matter type: ``current`` = complaints in the 7 days up to
``now``; ``baseline`` = the mean per 7 days over the ``baseline_weeks`` before that. A spike
when ``current >= min_count`` and ``current >= factor * max(baseline, 1)``. Pure: the caller
brings the filings and stores the alerts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_MIN_COUNT = 10
DEFAULT_FACTOR = 3.0
DEFAULT_BASELINE_WEEKS = 4


@dataclass(frozen=True)
class Filing:
    case_id: str
    station: str
    matter_type: str
    filed_at: datetime


@dataclass(frozen=True)
class Spike:
    """One spike: ``dimension`` is ``station`` or ``matter``, ``value`` its id."""

    dimension: str
    value: str
    current: int
    baseline: float
    case_ids: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"spike:{self.dimension}:{self.value}"

    def name(self) -> str:
        what = "站点" if self.dimension == "station" else "事项"
        return (f"{what} {self.value} 投诉激增（近7日 {self.current} 件，"
                f"此前周均 {self.baseline:.1f} 件）")


def spikes(filings: Iterable[Filing], now: datetime, min_count: int = DEFAULT_MIN_COUNT,
           factor: float = DEFAULT_FACTOR,
           baseline_weeks: int = DEFAULT_BASELINE_WEEKS) -> list[Spike]:
    """The spikes at ``now``, sorted by (dimension, value). Raises ValueError for a
    non-positive ``min_count``, ``factor`` or ``baseline_weeks``."""
    if min_count < 1 or factor <= 0 or baseline_weeks < 1:
        raise ValueError("min_count, factor and baseline_weeks must be positive")
    week = timedelta(days=7)
    recent: dict[tuple[str, str], list[str]] = {}
    before: dict[tuple[str, str], int] = {}
    for f in filings:
        age = now - f.filed_at
        if age < timedelta(0) or age >= week * (baseline_weeks + 1):
            continue
        for dim in (("station", f.station), ("matter", f.matter_type)):
            if age < week:
                recent.setdefault(dim, []).append(f.case_id)
            else:
                before[dim] = before.get(dim, 0) + 1
    out = []
    for dim, ids in sorted(recent.items()):
        base = before.get(dim, 0) / baseline_weeks
        if len(ids) >= min_count and len(ids) >= factor * max(base, 1.0):
            out.append(Spike(dim[0], dim[1], len(ids), base, tuple(sorted(ids))))
    return out

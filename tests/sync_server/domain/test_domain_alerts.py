"""Collective-dispute groups: thresholds, the sliding window's edges, determinism."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from sync_server.domain import ComplaintSummary, DomainError, collective_groups

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
EMPLOYER = "uscc:91350100M000100Y43"


def filing(n: int, days: float, person: str | None = None, employer: str = EMPLOYER,
           coworkers: int | None = None) -> ComplaintSummary:
    return ComplaintSummary(f"C{n:03d}", person or f"p{n}", employer,
                            T0 + timedelta(days=days), coworkers)


def test_five_claimants_within_thirty_days_make_one_group_and_alert() -> None:
    complaints = [filing(i, days=i * 7, coworkers=10 + i) for i in range(5)]  # day 0..28
    (group,) = collective_groups(complaints)
    assert group.case_ids == ("C000", "C001", "C002", "C003", "C004")
    assert group.claimants == 5
    assert group.triggered_at == T0 + timedelta(days=28)
    assert group.coworkers_reported == 14
    zh, en = group.alert()
    assert "涉众预警" in zh
    assert "5" in zh
    assert "5 distinct claimants" in en
    assert group.to_wire()["triggered_at"] == "2026-11-29T09:00:00.000Z"


def test_four_claimants_are_not_enough() -> None:
    assert collective_groups([filing(i, days=i) for i in range(4)]) == []


def test_window_edge_is_included() -> None:
    complaints = [filing(0, 0), filing(1, 10), filing(2, 20), filing(3, 25), filing(4, 30)]
    assert len(collective_groups(complaints)) == 1


def test_one_millisecond_past_the_window_is_outside() -> None:
    complaints = [filing(0, 0), filing(1, 10), filing(2, 20), filing(3, 25),
                  filing(4, 30 + 1 / 86_400_000)]
    assert collective_groups(complaints) == []


def test_one_claimant_filing_many_times_counts_once() -> None:
    complaints = [filing(i, days=i, person="same") for i in range(10)]
    complaints += [filing(20 + i, days=i, person=f"q{i}") for i in range(3)]
    assert collective_groups(complaints) == []


def test_claimants_against_different_employers_are_not_pooled() -> None:
    complaints = [filing(i, days=i, employer=f"name:firm{i % 2}") for i in range(8)]
    assert collective_groups(complaints) == []


def test_a_growing_dispute_stays_one_group() -> None:
    # A new claimant every 10 days for 100 days: every 30-day window holds 4 claimants...
    sparse = [filing(i, days=i * 10) for i in range(11)]
    assert collective_groups(sparse) == []
    # ...but one every 5 days keeps 7 in every window: one group, alerted once, at day 20.
    dense = [filing(i, days=i * 5) for i in range(21)]
    (group,) = collective_groups(dense)
    assert len(group.case_ids) == 21
    assert group.triggered_at == T0 + timedelta(days=20)


def test_a_quiet_gap_starts_a_new_group() -> None:
    first = [filing(i, days=i) for i in range(5)]
    second = [filing(10 + i, days=100 + i) for i in range(6)]
    early_straggler = [filing(99, days=50)]
    groups = collective_groups(second + early_straggler + first)
    assert [g.case_ids for g in groups] == [
        tuple(f"C{i:03d}" for i in range(5)), tuple(f"C{10 + i:03d}" for i in range(6))]


def test_threshold_and_window_are_configurable() -> None:
    complaints = [filing(i, days=i * 3) for i in range(3)]
    assert collective_groups(complaints, min_claimants=3, window_days=6) != []
    assert collective_groups(complaints, min_claimants=3, window_days=5) == []


def test_output_does_not_depend_on_input_order_or_repeats() -> None:
    complaints = [filing(i, days=i % 17, person=f"p{i % 7}", employer=f"name:firm{i % 3}")
                  for i in range(60)]
    expected = collective_groups(complaints)
    assert expected  # the data does form groups
    rng = random.Random(4)
    for _ in range(20):
        shuffled = complaints + rng.sample(complaints, 10)
        rng.shuffle(shuffled)
        assert collective_groups(shuffled) == expected


def test_one_case_with_two_summaries_is_refused() -> None:
    with pytest.raises(DomainError, match="C001"):
        collective_groups([filing(1, 0), filing(1, 3)])


def test_naive_times_and_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        ComplaintSummary("C1", "p", "e", datetime(2026, 11, 1), None)
    with pytest.raises(ValueError, match="min_claimants"):
        collective_groups([], min_claimants=1)

"""The statutory deadline engine over the REAL 2025-2026 calendar (chinese-calendar's data, as
the county's calendar is seeded): National Day 2025 (Oct 1-8, make-up Saturdays Sep 28 and
Oct 11), Spring Festival 2026 (Feb 15-23), pauses for missing materials, restarts,
extensions and the on-track / at-risk / overdue states."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pytest

from shared.hlc import HLC
from sync_server.domain.deadlines import (
    CHINA,
    RULES_BY_NAME,
    Clock,
    WorkCalendar,
    clocks,
    next_deadline,
)
from sync_server.domain.events import Event
from sync_server.domain.holidays import official_days

D = date.fromisoformat


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    """The calendar as the county store is seeded with it."""
    return WorkCalendar({day: work for day, work, _ in official_days()})


class Case:
    """Builds one case's events on given China dates, routes tracked as the fold does."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.route_before: dict[str, str | None] = {}
        self._route: str | None = None

    def on(self, day: str, kind: str, **data: Any) -> Event:
        at = datetime.combine(D(day), time(10, 0), tzinfo=CHINA)
        n = len(self.events)
        event = Event(f"e{n}", "case1", kind, str(HLC(int(at.timestamp() * 1000), n, "srv")),
                      "staff:1", data)
        self.route_before[event.event_id] = self._route
        if kind == "routed":
            self._route = data["to"]
        self.events.append(event)
        return event

    def clock(self, name: str, calendar: WorkCalendar) -> Clock:
        runs = clocks(self.events, lambda e: self.route_before[e.event_id], calendar,
                      [RULES_BY_NAME[name]])
        assert len(runs) == 1
        return runs[0]


def test_calendar_knows_national_day_2025_and_its_make_up_saturdays(calendar: WorkCalendar
                                                                      ) -> None:
    assert not any(calendar.is_workday(D(f"2025-10-0{n}")) for n in range(1, 9))
    assert calendar.is_workday(D("2025-09-28"))  # Sunday, worked
    assert calendar.is_workday(D("2025-10-11"))  # Saturday, worked
    assert not calendar.is_workday(D("2025-10-12"))  # an ordinary Sunday
    assert not calendar.is_workday(D("2026-02-17"))  # Spring Festival 2026


@pytest.mark.parametrize(("routed", "due"), [
    # 15 calendar days run through the holiday and end on a working day: no roll
    ("2025-09-25", "2025-10-10"),
    # day 15 is Oct 5, inside National Day: the period ends on the next working day, Oct 9
    ("2025-09-20", "2025-10-09"),
    # day 15 is Saturday Oct 11, a make-up working day: it stays
    ("2025-09-26", "2025-10-11"),
    # day 15 is an ordinary Sunday: Monday
    ("2025-11-01", "2025-11-17"),
])
def test_fifteen_day_mediation_clock_spanning_national_day(calendar: WorkCalendar,
                                                           routed: str, due: str) -> None:
    case = Case()
    case.on(routed, "routed", to="mediation")
    clock = case.clock("mediation", calendar)
    assert clock.due == D(due)
    assert clock.rule.source_zh.startswith("劳动争议调解仲裁法 第14条")


def test_working_day_clocks_count_make_up_saturdays_and_skip_the_holiday(
        calendar: WorkCalendar) -> None:
    inspection = Case()
    # Fri Sep 26: Sun Sep 28 (make-up) 1, Sep 29 2, Sep 30 3, [Oct 1-8 off], Oct 9 4, Oct 10 5
    inspection.on("2025-09-26", "routed", to="inspection")
    assert inspection.clock("inspection_acceptance", calendar).due == D("2025-10-10")
    legal_aid = Case()
    # Thu Oct 9: Oct 10 1, Sat Oct 11 (make-up) 2, Oct 13-17 3..7; without the make-up
    # Saturday it would be Oct 20
    legal_aid.on("2025-10-09", "routed", to="legal_aid")
    assert legal_aid.clock("legal_aid", calendar).due == D("2025-10-17")


def test_missing_materials_pause_a_mediation_clock_and_it_resumes_with_the_time_left(
        calendar: WorkCalendar) -> None:
    case = Case()
    case.on("2025-11-03", "routed", to="mediation")  # due Nov 18
    assert case.clock("mediation", calendar).due == D("2025-11-18")
    case.on("2025-11-08", "materials_requested", items="工资条")  # 5 days used, 10 left
    paused = case.clock("mediation", calendar)
    assert paused.paused
    assert paused.due is None
    assert paused.left == 10
    assert paused.status(D("2025-12-31"), calendar) == "paused"  # a paused clock never lapses
    case.on("2025-11-20", "materials_received")
    resumed = case.clock("mediation", calendar)
    # Nov 20 + 10 = Sun Nov 30: the next working day
    assert resumed.due == D("2025-12-01")
    assert not resumed.paused


def test_arbitration_acceptance_restarts_when_the_materials_are_complete(
        calendar: WorkCalendar) -> None:
    case = Case()
    case.on("2025-11-03", "routed", to="arbitration")
    assert case.clock("arbitration_acceptance", calendar).due == D("2025-11-10")  # Sat -> Mon
    case.on("2025-11-05", "materials_requested", items="仲裁申请书副本")
    assert case.clock("arbitration_acceptance", calendar).paused
    case.on("2025-11-12", "materials_received")
    # counted again in full from completion (办案规则 art. 46), not from what was left
    assert case.clock("arbitration_acceptance", calendar).due == D("2025-11-17")
    case.on("2025-11-14", "accepted")
    accepted = case.clock("arbitration_acceptance", calendar)
    assert accepted.stopped == D("2025-11-14")
    assert accepted.status(D("2025-12-01"), calendar) == "met"
    # acceptance starts the 45-day award clock
    assert case.clock("arbitration_award", calendar).due == D("2025-12-29")


@pytest.mark.parametrize(("today", "state"), [
    ("2025-10-06", "on_track"),   # 4 of 15 days left
    ("2025-10-07", "at_risk"),    # 3 left: under a quarter
    ("2025-10-10", "at_risk"),    # the last day
    ("2025-10-11", "overdue"),
])
def test_clock_states(calendar: WorkCalendar, today: str, state: str) -> None:
    case = Case()
    case.on("2025-09-25", "routed", to="mediation")
    clock = case.clock("mediation", calendar)
    assert clock.at_risk_on(calendar) == D("2025-10-07")
    assert clock.status(D(today), calendar) == state


def test_extension_is_requested_then_approved_up_to_the_maximum(calendar: WorkCalendar
                                                                ) -> None:
    case = Case()
    case.on("2025-12-01", "routed", to="arbitration")
    case.on("2025-12-01", "accepted")
    award = case.clock("arbitration_award", calendar)
    assert award.due == D("2026-01-15")
    ask = case.on("2026-01-05", "extension_requested", clock="arbitration_award", days=30,
                  reason="案情复杂")
    pending = case.clock("arbitration_award", calendar)
    assert pending.due == D("2026-01-15")
    assert pending.pending[0]["request"] == ask.event_id
    case.on("2026-01-06", "extension_decided", request=ask.event_id, approved=True)
    extended = case.clock("arbitration_award", calendar)
    assert extended.extension == 15  # art. 43: at most 15 days
    assert extended.due == D("2026-01-30")
    assert not extended.pending


def test_a_refused_extension_changes_nothing(calendar: WorkCalendar) -> None:
    case = Case()
    case.on("2025-12-01", "routed", to="arbitration")
    case.on("2025-12-01", "accepted")
    ask = case.on("2026-01-05", "extension_requested", clock="arbitration_award", days=10,
                  reason="x")
    case.on("2026-01-06", "extension_decided", request=ask.event_id, approved=False)
    clock = case.clock("arbitration_award", calendar)
    assert clock.due == D("2026-01-15")
    assert clock.extension == 0
    assert not clock.pending


def test_award_clock_ending_in_spring_festival_2026_ends_after_it(calendar: WorkCalendar
                                                                  ) -> None:
    case = Case()
    case.on("2026-01-05", "routed", to="arbitration")
    case.on("2026-01-05", "accepted")
    # Jan 5 + 45 = Feb 19, inside the Spring Festival holiday (Feb 15-23): Tue Feb 24
    assert case.clock("arbitration_award", calendar).due == D("2026-02-24")


def test_routing_elsewhere_or_settling_stops_a_clock(calendar: WorkCalendar) -> None:
    case = Case()
    case.on("2025-11-03", "routed", to="mediation")
    case.on("2025-11-06", "routed", to="arbitration")
    assert case.clock("mediation", calendar).stopped == D("2025-11-06")
    settled = Case()
    settled.on("2025-11-03", "routed", to="mediation")
    settled.on("2025-11-25", "agreement_recorded", fen=100)
    clock = settled.clock("mediation", calendar)
    assert clock.status(D("2025-11-26"), calendar) == "missed"  # due Nov 18, settled later


def test_next_deadline_is_the_running_clock_due_first(calendar: WorkCalendar) -> None:
    case = Case()
    case.on("2025-11-03", "routed", to="arbitration")
    case.on("2025-11-04", "accepted")
    runs = clocks(case.events, lambda e: case.route_before[e.event_id], calendar)
    names = [c.rule.name for c in runs]
    assert names == ["arbitration_acceptance", "arbitration_award"]
    first = next_deadline(runs)
    assert first is not None
    assert first.rule.name == "arbitration_award"


def test_a_staff_edit_of_the_calendar_moves_a_due_date() -> None:
    # the county declares Fri Oct 10 2025 a day off (say, a local holiday)
    base = {day: work for day, work, _ in official_days()}
    edited = WorkCalendar({**base, D("2025-10-10"): False})
    case = Case()
    case.on("2025-09-25", "routed", to="mediation")
    assert case.clock("mediation", edited).due == D("2025-10-11")  # the make-up Saturday

"""The fold's case-work policies (``domain/casework.py``): what each event does to the state,
and what it refuses (logged in history with the reason)."""

from __future__ import annotations

from typing import Any

import pytest

from sync_server.domain import Event
from sync_server.domain.errors import EventInvalid
from sync_server.domain.fold import CaseState, fold
from tests.sync_server.domain.domain_helpers import EventMaker


def _refused(state: CaseState, event: Event) -> str | None:
    return next((h["reason"] for h in state.history
                 if h["event_id"] == event.event_id and h["result"] == "refused"), None)


@pytest.fixture
def routed(make_event: EventMaker, filed_data: dict[str, Any]) -> list[Event]:
    return [make_event("filed", 0, filed_data, event_id="filed:C1", author="device:d1"),
            make_event("routed", 10, {"to": "mediation", "track": "simple", "fast": True})]


def test_track_assignment_agreement_and_payments(make_event: EventMaker,
                                                 routed: list[Event]) -> None:
    events = [*routed,
              make_event("assigned", 20, {"to": "staff:7", "username": "med"}),
              make_event("agreement_recorded", 30, {"fen": 500_000, "on": "2026-11-28"}),
              make_event("payment_recorded", 40, {"fen": 200_000, "on": "2026-11-29"}),
              make_event("payment_recorded", 50, {"fen": 300_000, "on": "2026-11-30"})]
    state = fold(events)
    assert state.status == "settled"
    assert (state.work["track"], state.work["fast"]) == ("simple", True)
    assert state.work["assignee"] == {"to": "staff:7", "username": "med"}
    assert state.work["paid_fen"] == 500_000
    assert state.outcomes["agreed_fen"]["value"] == 500_000
    assert fold(reversed(events)) == state  # order-free, as every fold


def test_materials_pause_acceptance_until_received(make_event: EventMaker,
                                                   routed: list[Event]) -> None:
    asked = make_event("materials_requested", 20, {"items": "工资条"})
    early = make_event("accepted", 30, {})
    state = fold([*routed, asked, early])
    assert "needs_materials" in state.flags
    assert _refused(state, early) is not None
    done = fold([*routed, asked, make_event("materials_received", 40, {}),
                 make_event("accepted", 50, {})])
    assert "needs_materials" not in done.flags
    assert done.work["accepted"]["route"] == "mediation"


def test_a_kept_value_ends_the_conflict_until_another_value_disagrees(
        make_event: EventMaker, routed: list[Event]) -> None:
    first = make_event("outcome_recorded", 20, {"field": "award_fen", "value": 100})
    second = make_event("outcome_recorded", 30, {"field": "award_fen", "value": 120})
    keep = make_event("conflict_resolved", 40, {"field": "award_fen",
                                                "keep": second.event_id})
    state = fold([*routed, first, second, keep])
    assert "outcome_conflict:award_fen" not in state.flags
    assert (state.outcomes["award_fen"]["value"], state.outcomes["award_fen"]["kept"]) == \
        (120, 120)
    again = fold([*routed, first, second, keep,
                  make_event("outcome_recorded", 50, {"field": "award_fen", "value": 100})])
    assert "outcome_conflict:award_fen" in again.flags
    assert again.outcomes["award_fen"]["conflict"] is True


def test_refusals(make_event: EventMaker, filed_data: dict[str, Any],
                  routed: list[Event]) -> None:
    filed = routed[0]
    unrouted = make_event("agreement_recorded", 20, {"fen": 1})
    assert _refused(fold([filed, unrouted]), unrouted) is not None
    session = make_event("mediation_session", 20, {"on": "2026-11-25", "summary": "x"})
    assert _refused(fold([filed, session]), session) is not None  # not in mediation
    closed = make_event("closed", 20, {"status": "withdrawn", "reason": "撤回"})
    twice = make_event("closed", 30, {"status": "withdrawn"})
    state = fold([*routed, closed, twice])
    assert state.status == "withdrawn"
    assert _refused(state, twice) is not None
    no_clock = make_event("extension_requested", 40, {"clock": "mediation", "days": 5,
                                                      "reason": "x"})
    assert _refused(fold([*routed, no_clock]), no_clock) is not None  # art. 14: no extension


@pytest.mark.parametrize(("kind", "data", "field"), [
    ("routed", {"to": "mediation", "track": "medium"}, "data.track"),
    ("payment_recorded", {"fen": 1, "on": "2026-13-01"}, "data.on"),
    ("payment_recorded", {"fen": -1, "on": "2026-11-01"}, "data.fen"),
    ("closed", {"status": "closed", "grade": "Z"}, "data.grade"),
    ("extension_requested", {"clock": "x", "days": 0, "reason": "r"}, "data.days"),
    ("assigned", {"to": "staff:1"}, "data.username"),
])
def test_bad_case_work_data_names_the_field(make_event: EventMaker, kind: str,
                                            data: dict[str, Any], field: str) -> None:
    with pytest.raises(EventInvalid) as caught:
        make_event(kind, 1, data)
    assert caught.value.field == field

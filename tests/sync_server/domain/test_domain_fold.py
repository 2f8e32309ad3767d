"""Each per-field policy of the fold, and what it refuses."""

from __future__ import annotations

from typing import Any

import pytest

from sync_server.domain import CaseState, EventConflict, fold
from tests.sync_server.domain.domain_helpers import EventMaker


def history_of(state: CaseState, field: str) -> list[dict[str, Any]]:
    return [dict(h) for h in state.to_wire()["history"] if h["field"] == field]


@pytest.fixture
def filed(make_event: EventMaker, filed_data: dict[str, Any]) -> Any:
    return make_event("filed", 0, filed_data, author="device:d1", node="d1")


def test_filed_case_is_received_with_the_submitted_record(filed: Any,
                                                          filed_data: dict[str, Any]) -> None:
    state = fold([filed])
    assert (state.status, state.route, state.kind) == ("received", None, "complaint")
    assert state.to_wire()["record"] == filed_data["record"]
    assert (state.receipt_code, state.station) == ("ABCDEFGHJKM", "S001")
    assert state.filed_at == "2026-11-21T10:00:00.000Z"
    assert state.last_hlc == filed.hlc


def test_staff_events_without_filing_are_flagged(make_event: EventMaker) -> None:
    state = fold([make_event("routed", 5, {"to": "inspection"})])
    assert state.status == "in_inspection"
    assert state.record is None
    assert "missing_filed" in state.flags


def test_filing_stamped_after_staff_events_does_not_pull_status_back(
        make_event: EventMaker, filed_data: dict[str, Any]) -> None:
    # A kiosk whose clock runs ahead stamps the filing later than the county's routing.
    late_filed = make_event("filed", 500, filed_data, author="device:d1", node="d1")
    state = fold([make_event("routed", 10, {"to": "mediation"}), late_filed])
    assert state.status == "in_mediation"
    assert state.record is not None
    assert "missing_filed" not in state.flags


def test_routing_sets_route_and_matching_status(filed: Any, make_event: EventMaker) -> None:
    for to, status in [("mediation", "in_mediation"), ("inspection", "in_inspection"),
                       ("arbitration", "in_arbitration"), ("legal_aid", "with_legal_aid"),
                       ("court", "in_court")]:
        state = fold([filed, make_event("routed", 10, {"to": to})])
        assert (state.route, state.status) == (to, status)


def test_between_handling_stages_the_later_hlc_wins(filed: Any, make_event: EventMaker) -> None:
    events = [filed, make_event("routed", 10, {"to": "mediation"}, node="a"),
              make_event("routed", 11, {"to": "arbitration"}, node="b")]
    state = fold(events)
    assert (state.route, state.status) == ("arbitration", "in_arbitration")
    assert history_of(state, "route")[-1]["old"] == "mediation"
    assert history_of(state, "route")[-1]["result"] == "overwritten"


def test_status_change_to_a_handling_stage_moves_the_route(filed: Any,
                                                           make_event: EventMaker) -> None:
    state = fold([filed, make_event("routed", 10, {"to": "mediation"}),
                  make_event("status_changed", 20, {"status": "in_court"})])
    assert (state.status, state.route) == ("in_court", "court")


def test_status_never_moves_back_to_an_earlier_stage(filed: Any, make_event: EventMaker) -> None:
    state = fold([filed, make_event("routed", 10, {"to": "mediation"}),
                  make_event("status_changed", 20, {"status": "received"})])
    assert state.status == "in_mediation"
    refused = history_of(state, "status")[-1]
    assert (refused["new"], refused["result"]) == ("received", "refused")


def test_closed_case_is_not_dragged_back_by_a_later_stamp(filed: Any,
                                                          make_event: EventMaker) -> None:
    # Staff B routes at HLC 30 without having seen staff A close the case at HLC 20.
    state = fold([filed, make_event("status_changed", 20, {"status": "closed"}),
                  make_event("routed", 30, {"to": "arbitration"}),
                  make_event("status_changed", 40, {"status": "in_mediation"})])
    assert (state.status, state.route) == ("closed", None)
    results = [(h["field"], h["new"], h["result"]) for h in state.to_wire()["history"]]
    assert ("route", "arbitration", "refused") in results
    assert ("status", "in_mediation", "refused") in results


def test_finished_stages_may_follow_each_other(filed: Any, make_event: EventMaker) -> None:
    state = fold([filed, make_event("status_changed", 20, {"status": "settled"}),
                  make_event("status_changed", 30, {"status": "closed"})])
    assert state.status == "closed"


def test_reopen_returns_to_received_and_forward_movement_resumes(
        filed: Any, make_event: EventMaker) -> None:
    events = [filed, make_event("routed", 10, {"to": "mediation"}),
              make_event("status_changed", 20, {"status": "closed"}),
              make_event("reopened", 30, {"reason": "employer did not pay"})]
    state = fold(events)
    assert (state.status, state.route) == ("received", "mediation")
    assert history_of(state, "status")[-1]["reason"] == "employer did not pay"
    state = fold([*events, make_event("routed", 40, {"to": "arbitration"})])
    assert (state.status, state.route) == ("in_arbitration", "arbitration")


def test_reopen_before_the_close_does_nothing(filed: Any, make_event: EventMaker) -> None:
    state = fold([filed, make_event("reopened", 15, {"reason": "r"}),
                  make_event("status_changed", 20, {"status": "withdrawn"})])
    assert state.status == "withdrawn"
    assert history_of(state, "status")[1]["result"] == "refused"


def test_contact_is_last_writer_wins_by_hlc_with_old_values_kept(
        filed: Any, make_event: EventMaker) -> None:
    later = make_event("contact_updated", 30, {"phone": "139 0013 9000"}, node="a")
    earlier = make_event("contact_updated", 20, {"phone": "+86 137-0013-7000"}, node="b")
    state = fold([later, filed, earlier])  # delivery order must not matter
    assert state.contact == {"phone": "+8613900139000"}
    assert [(h["old"], h["new"]) for h in history_of(state, "contact.phone")] == [
        (None, "13800138000"), ("13800138000", "+8613700137000"),
        ("+8613700137000", "+8613900139000")]
    assert state.record is not None
    assert state.record["claimant"]["phone"] == "13800138000"  # the record stays as filed


def test_notes_accumulate_in_hlc_order(make_event: EventMaker,
                                       filed_data: dict[str, Any]) -> None:
    filed = make_event("filed", 0, {**filed_data, "notes": ["带了工资条"]}, author="device:d1")
    state = fold([make_event("note_added", 20, {"text": "第二条"}, author="staff:wang"),
                  make_event("note_added", 10, {"text": "第一条"}, author="staff:li"), filed])
    assert [n["text"] for n in state.notes] == ["带了工资条", "第一条", "第二条"]
    assert [n["author"] for n in state.notes] == ["device:d1", "staff:li", "staff:wang"]


def test_agreeing_outcomes_are_one_value(filed: Any, make_event: EventMaker) -> None:
    state = fold([filed,
                  make_event("outcome_recorded", 10, {"field": "settled_fen", "value": 5000}),
                  make_event("outcome_recorded", 11, {"field": "settled_fen", "value": 5000},
                             author="staff:wang")])
    settled = state.outcomes["settled_fen"]
    assert (settled["value"], settled["conflict"], len(settled["recorded"])) == (5000, False, 2)
    assert state.flags == ()


def test_disagreeing_outcomes_are_all_kept_and_flagged(filed: Any,
                                                       make_event: EventMaker) -> None:
    state = fold([filed,
                  make_event("outcome_recorded", 10, {"field": "settled_fen", "value": 5000}),
                  make_event("outcome_recorded", 11, {"field": "settled_fen", "value": 7000},
                             author="staff:wang"),
                  make_event("outcome_recorded", 12, {"field": "award_fen", "value": 9000})])
    settled = state.to_wire()["outcomes"]["settled_fen"]
    assert settled["value"] is None
    assert settled["conflict"] is True
    assert [r["value"] for r in settled["recorded"]] == [5000, 7000]
    assert state.outcomes["award_fen"]["value"] == 9000
    assert state.flags == ("outcome_conflict:settled_fen",)
    conflict = history_of(state, "outcomes.settled_fen")[-1]
    assert (conflict["old"], conflict["new"], conflict["result"]) == (5000, 7000, "conflict")


def test_duplicate_link_pending_then_confirmed_then_split(filed: Any,
                                                         make_event: EventMaker) -> None:
    marked = make_event("marked_duplicate", 10, {"of": "C0", "reason": "same claimant"},
                        author="system:dedupe")
    state = fold([filed, marked])
    assert state.duplicate_of is None
    assert state.flags == ("duplicate_pending:C0",)
    confirmed = make_event("duplicate_confirmed", 20, {"of": "C0"})
    state = fold([filed, marked, confirmed])
    assert (state.duplicate_of, state.flags) == ("C0", ())
    state = fold([filed, marked, confirmed, make_event("duplicate_split", 30, {"of": "C0"})])
    assert (state.duplicate_of, state.flags) == (None, ())
    assert [h["new"] for h in history_of(state, "duplicate.C0")] == [
        "pending", "confirmed", "split"]


def test_confirmed_duplicate_is_closed_and_a_split_gives_its_status_back(
        filed: Any, make_event: EventMaker) -> None:
    routed = make_event("routed", 5, {"to": "mediation"})
    confirmed = make_event("duplicate_confirmed", 20, {"of": "C0"})
    state = fold([filed, routed, confirmed])
    assert (state.status, state.duplicate_of) == ("closed", "C0")
    assert dict(state.duplicate_links) == {"C0": "confirmed"}
    assert history_of(state, "status")[-1]["reason"] == "confirmed as a duplicate of C0"
    split = make_event("duplicate_split", 30, {"of": "C0"})
    state = fold([filed, routed, confirmed, split])
    assert (state.status, state.route, state.duplicate_of) == ("in_mediation", "mediation", None)
    assert dict(state.duplicate_links) == {"C0": "split"}
    # A staff decision after the confirmation is not undone by a later split.
    settled = make_event("status_changed", 25, {"status": "settled"})
    assert fold([filed, routed, confirmed, settled, split]).status == "settled"


def test_a_finished_case_confirmed_as_duplicate_keeps_its_status(
        filed: Any, make_event: EventMaker) -> None:
    events = [filed, make_event("status_changed", 5, {"status": "settled"}),
              make_event("duplicate_confirmed", 20, {"of": "C0"}),
              make_event("duplicate_split", 30, {"of": "C0"})]
    assert fold(events[:3]).status == "settled"
    assert fold(events).status == "settled"


def test_the_original_side_of_a_confirmed_pair_stays_open(filed: Any,
                                                         make_event: EventMaker) -> None:
    state = fold([filed, make_event("marked_duplicate", 10, {"of": "C2", "reason": "same"},
                                    author="system:dedupe")])
    assert (state.flags, dict(state.duplicate_links)) == (("duplicate_pending:C2",),
                                                          {"C2": "pending"})
    state = fold([filed, make_event("marked_duplicate", 10, {"of": "C2", "reason": "same"},
                                    author="system:dedupe"),
                  make_event("duplicate_confirmed", 20, {"of": "C2", "role": "original"})])
    assert (state.status, state.duplicate_of, state.flags) == ("received", None, ())
    assert dict(state.duplicate_links) == {"C2": "original"}


def test_a_snapshot_without_duplicate_links_reads_back(filed: Any) -> None:
    wire = fold([filed]).to_wire()
    del wire["duplicate_links"]  # stored before the field existed
    assert CaseState.from_wire(wire) == fold([filed])


def test_two_confirmed_duplicates_are_ambiguous(filed: Any, make_event: EventMaker) -> None:
    state = fold([filed, make_event("duplicate_confirmed", 20, {"of": "C9"}),
                  make_event("duplicate_confirmed", 10, {"of": "C0"})])
    assert state.duplicate_of == "C9"
    assert state.flags == ("duplicate_ambiguous",)


def test_a_second_different_filing_is_kept_in_history_and_flagged(
        filed: Any, make_event: EventMaker, filed_data: dict[str, Any]) -> None:
    other = make_event("filed", 5, {**filed_data, "station": "S002"}, author="device:d2")
    state = fold([other, filed])
    assert state.station == "S001"
    assert state.flags == ("filed_conflict",)
    assert history_of(state, "filed")[0]["new"]["station"] == "S002"


def test_event_id_naming_two_different_events_is_refused(make_event: EventMaker) -> None:
    a = make_event("note_added", 1, {"text": "a"}, event_id="E1")
    b = make_event("note_added", 1, {"text": "b"}, event_id="E1")
    with pytest.raises(EventConflict, match="E1"):
        fold([a, b])


def test_events_of_two_cases_are_refused(make_event: EventMaker) -> None:
    with pytest.raises(EventConflict, match="several cases"):
        fold([make_event("note_added", 1, {"text": "a"}),
              make_event("note_added", 2, {"text": "b"}, case_id="C2")])


def test_no_events_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        fold([])


def test_state_round_trips_through_wire_and_is_immutable(filed: Any,
                                                         make_event: EventMaker) -> None:
    state = fold([filed, make_event("note_added", 1, {"text": "a"}),
                  make_event("outcome_recorded", 2, {"field": "award_fen", "value": 1})])
    assert CaseState.from_wire(state.to_wire()) == state
    with pytest.raises(TypeError):
        state.record["matter_type"] = "other"  # type: ignore[index]
    with pytest.raises(TypeError):
        state.outcomes["award_fen"]["value"] = 2  # type: ignore[index]


@pytest.mark.parametrize(("kind", "data"), [
    ("routed", {"to": "court"}),
    ("status_changed", {"status": "in_mediation"}),
    ("status_changed", {"status": "settled"}),
    ("outcome_recorded", {"field": "settled_fen", "value": 100}),
])
@pytest.mark.parametrize("filed_wall", [0, 500])  # 500: a kiosk clock running ahead
def test_a_job_seeker_registration_is_not_a_dispute(
        make_event: EventMaker, filed_data: dict[str, Any], kind: str, data: dict[str, Any],
        filed_wall: int) -> None:
    registration = {**filed_data, "kind": "jobseeker"}
    event = make_event(kind, 10, data)
    state = fold([make_event("filed", filed_wall, registration, author="device:d1",
                             node="d1"), event])
    assert (state.status, state.route, dict(state.outcomes)) == ("received", None, {})
    refused = [h for h in state.history if h["event_id"] == event.event_id]
    assert [(h["result"], h["reason"]) for h in refused] == \
        [("refused", "a job-seeker registration is not a dispute")]


def test_a_job_seeker_registration_may_close(make_event: EventMaker,
                                             filed_data: dict[str, Any]) -> None:
    registration = make_event("filed", 0, {**filed_data, "kind": "jobseeker"},
                              author="device:d1", node="d1")
    state = fold([registration, make_event("status_changed", 10, {"status": "withdrawn"})])
    assert state.status == "withdrawn"


@pytest.mark.parametrize("completed_wall", [10, -10])  # staff's stamp after or before filing
def test_a_placeholder_employer_is_flagged_until_staff_complete_it(
        make_event: EventMaker, filed_data: dict[str, Any], completed_wall: int) -> None:
    record = {**filed_data["record"], "employer": {"name": "××"}}
    filed = make_event("filed", 0, {**filed_data, "record": record}, author="device:d1",
                       node="d1")
    assert "employer_unknown" in fold([filed]).flags
    done = fold([filed, make_event("employer_completed", completed_wall,
                                   {"name": "某某建筑劳务有限公司"})])
    assert "employer_unknown" not in done.flags
    assert done.contact["employer.name"] == "某某建筑劳务有限公司"
    assert done.status == "received"


def test_a_named_employer_is_not_flagged(filed: Any) -> None:
    assert "employer_unknown" not in fold([filed]).flags

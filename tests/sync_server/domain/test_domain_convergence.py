"""Convergence (issue 4 evidence): the same set of events folds to the same state, always.

Hypothesis builds one case's events as several kiosks and several staff would make them:
filings (sometimes a second, conflicting one), concurrent routes and status changes stamped in
the same millisecond on different nodes, contact updates, outcomes that agree or disagree,
notes, duplicate links and reopenings. Each example is then delivered in a random order with
random repeats; the fold must give an equal CaseState and byte-identical canonical JSON.
``YIZHAN_FOLD_EXAMPLES`` sets the number of examples (default 300).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.canonical import canonical_bytes
from sync_server.domain import ROUTES, STATUSES, Event, fold
from sync_server.domain.fold import _APPLY, _Fold
from tests.sync_server.domain.domain_helpers import complaint_record, stamp

EXAMPLES = int(os.environ.get("YIZHAN_FOLD_EXAMPLES", "300"))
NODES = ("kiosk1", "kiosk2", "kiosk3", "srvA", "srvB")
AUTHORS = ("device:kiosk1", "device:kiosk2", "staff:li", "staff:wang", "system:dedupe")


def filed_data(station: str, phone: str) -> dict[str, Any]:
    return {"kind": "complaint", "record": complaint_record(phone=phone), "receipt_code": "R1",
            "station": station, "filed_at": "2026-11-21T10:00:00.000Z", "ticket": None}


event_data = st.one_of(
    st.tuples(st.just("routed"), st.builds(lambda to: {"to": to}, st.sampled_from(ROUTES))),
    st.tuples(st.just("status_changed"),
              st.builds(lambda s: {"status": s}, st.sampled_from(STATUSES))),
    st.tuples(st.just("note_added"), st.builds(lambda t: {"text": t}, st.sampled_from(
        ("已联系用人单位", "工人补交了考勤表", "called the employer")))),
    st.tuples(st.just("outcome_recorded"), st.builds(
        lambda f, v: {"field": f, "value": v},
        st.sampled_from(("settled_fen", "award_fen")), st.sampled_from((0, 500_000, 800_000))),
    ),
    st.tuples(st.just("contact_updated"), st.builds(lambda p: {"phone": p}, st.sampled_from(
        ("13900139000", "13700137000", "010-6512 3456")))),
    st.tuples(st.just("marked_duplicate"), st.builds(
        lambda of: {"of": of, "reason": "same claimant and employer"},
        st.sampled_from(("C0", "C9")))),
    st.tuples(st.sampled_from(("duplicate_confirmed", "duplicate_split")),
              st.builds(lambda of: {"of": of}, st.sampled_from(("C0", "C9")))),
    st.tuples(st.just("duplicate_confirmed"),
              st.builds(lambda of: {"of": of, "role": "original"},
                        st.sampled_from(("C0", "C9")))),
    st.tuples(st.just("reopened"), st.builds(lambda r: {"reason": r},
                                             st.sampled_from(("not paid", "new evidence")))),
)


@st.composite
def case_events(draw: st.DrawFn) -> list[Event]:
    """A case's events from several devices and staff, with clashing stamps."""
    events = [Event("filed:C1", "C1", "filed", stamp(draw(st.integers(0, 30)), "kiosk1"),
                    "device:kiosk1", filed_data("S001", "13800138000"))]
    if draw(st.booleans()):  # the same case filed again elsewhere, with other content
        events.append(Event("filed:C1:again", "C1", "filed",
                            stamp(draw(st.integers(0, 30)), "kiosk2"), "device:kiosk2",
                            filed_data("S002", "13600136000")))
    for i in range(draw(st.integers(1, 25))):
        kind, data = draw(event_data)
        # A small wall range and counter make many events share a millisecond.
        hlc = stamp(draw(st.integers(0, 40)), draw(st.sampled_from(NODES)),
                    draw(st.integers(0, 2)))
        events.append(Event(f"e{i:03d}", "C1", kind, hlc, draw(st.sampled_from(AUTHORS)), data))
    return events


@settings(max_examples=EXAMPLES, deadline=None)
@given(events=case_events(), data=st.data())
def test_any_order_and_any_repeats_fold_to_the_identical_state(events: list[Event],
                                                               data: st.DataObject) -> None:
    expected = fold(events)
    delivered = data.draw(st.permutations(events), label="delivery order")
    repeats = data.draw(st.lists(st.sampled_from(events), max_size=len(events)),
                        label="repeated deliveries")
    at = data.draw(st.integers(0, len(delivered)), label="where repeats arrive")
    again = fold([*delivered[:at], *repeats, *delivered[at:]])
    assert again == expected
    assert canonical_bytes(again.to_wire()) == canonical_bytes(expected.to_wire())
    # Delivery as separately re-parsed wire copies (a store round trip) changes nothing.
    assert fold(Event.from_wire(e.to_wire()) for e in reversed(delivered)) == expected


def _apply_in_delivery_order(events: list[Event]) -> dict[str, Any]:
    """The fold without its sort: what a naive merge in arrival order would compute."""
    f = _Fold("C1")
    for event in events:
        _APPLY[event.kind](f, event)
    return {"status": f.status, "route": f.route, "contact": dict(f.contact)}


def test_the_sort_is_what_makes_delivery_order_irrelevant() -> None:
    # The protection matters: applied in arrival order, these events disagree by order.
    filed = Event("filed:C1", "C1", "filed", stamp(0, "kiosk1"), "device:kiosk1",
                  filed_data("S001", "13800138000"))
    close = Event("e1", "C1", "status_changed", stamp(20, "srvA"), "staff:li",
                  {"status": "closed"})
    reopen = Event("e2", "C1", "reopened", stamp(30, "srvB"), "staff:wang", {"reason": "r"})
    phone_a = Event("e3", "C1", "contact_updated", stamp(25, "srvA"), "staff:li",
                    {"phone": "13900139000"})
    phone_b = Event("e4", "C1", "contact_updated", stamp(25, "srvB"), "staff:wang",
                    {"phone": "13700137000"})
    one = [filed, close, reopen, phone_a, phone_b]
    other = [phone_b, reopen, filed, phone_a, close]
    assert _apply_in_delivery_order(one) != _apply_in_delivery_order(other)
    assert fold(one) == fold(other)
    assert (fold(one).status, fold(one).contact["phone"]) == ("received", "+8613700137000")



FOLD_FROM_STDIN = """
import json, sys
from shared.canonical import canonical_bytes
from sync_server.domain import Event, fold
events = [Event.from_wire(w) for w in json.load(sys.stdin)]
sys.stdout.buffer.write(canonical_bytes(fold(events).to_wire()))
"""


@pytest.mark.parametrize("hash_seed", ["1", "2"])
def test_other_processes_with_other_hash_seeds_fold_the_same_bytes(hash_seed: str) -> None:
    # Several server processes fold the same case; set iteration order must not leak in.
    events = [
        Event("filed:C1", "C1", "filed", stamp(0, "kiosk1"), "device:kiosk1",
              filed_data("S001", "13800138000")),
        Event("e1", "C1", "marked_duplicate", stamp(5, "srvA"), "system:dedupe",
              {"of": "C9", "reason": "r"}),
        Event("e2", "C1", "marked_duplicate", stamp(5, "srvB"), "system:dedupe",
              {"of": "C0", "reason": "r"}),
        Event("e3", "C1", "duplicate_confirmed", stamp(6, "srvA"), "staff:li", {"of": "C0"}),
        Event("e4", "C1", "duplicate_confirmed", stamp(6, "srvB"), "staff:li", {"of": "C9"}),
        Event("e5", "C1", "outcome_recorded", stamp(7, "srvA"), "staff:li",
              {"field": "settled_fen", "value": 800_000}),
        Event("e6", "C1", "outcome_recorded", stamp(7, "srvB"), "staff:wang",
              {"field": "settled_fen", "value": 500_000}),
        Event("e7", "C1", "outcome_recorded", stamp(8, "srvB"), "staff:wang",
              {"field": "award_fen", "value": 500_000}),
    ]
    wire = json.dumps([e.to_wire() for e in reversed(events)]).encode()
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    out = subprocess.run([sys.executable, "-c", FOLD_FROM_STDIN], input=wire, env=env,
                         capture_output=True, check=True, timeout=60).stdout
    assert out == canonical_bytes(fold(events).to_wire())

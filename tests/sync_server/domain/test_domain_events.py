"""Event validation: every kind's data, the envelope fields, wire round trips, immutability."""

from __future__ import annotations

from typing import Any

import pytest

from shared.intake import IntakePayload
from sync_server.domain import Event, EventInvalid, filed_event
from tests.sync_server.domain.domain_helpers import complaint_record, stamp

HLC = stamp(0, "srv")


def make(kind_: str, data: Any, **overrides: Any) -> Event:
    fields = {"event_id": "E1", "case_id": "C1", "kind": kind_, "hlc": HLC,
              "author": "staff:li", "data": data}
    fields.update(overrides)
    return Event(**fields)


@pytest.mark.parametrize(("kind", "data"), [
    ("routed", {"to": "legal_aid"}),
    ("status_changed", {"status": "withdrawn"}),
    ("note_added", {"text": "已电话联系"}),
    ("outcome_recorded", {"field": "award_fen", "value": 0}),
    ("contact_updated", {"phone": "+8613800138000"}),  # E.164, as stored
    ("marked_duplicate", {"of": "C0", "reason": "same claimant"}),
    ("duplicate_confirmed", {"of": "C0"}),
    ("duplicate_confirmed", {"of": "C0", "role": "original"}),
    ("duplicate_split", {"of": "C0"}),
    ("reopened", {"reason": "new evidence"}),
])
def test_valid_events_of_every_kind(kind: str, data: dict[str, Any]) -> None:
    event = make(kind, data)
    assert event.to_wire()["data"] == data
    assert Event.from_wire(event.to_wire()) == event


@pytest.mark.parametrize(("kind", "data", "field", "code"), [
    # unknown route
    ("routed", {"to": "police"}, "data.to", "choice"),
    # a status INTERFACES.md does not have
    ("status_changed", {"status": "lost"}, "data.status", "choice"),
    # blank note
    ("note_added", {"text": "   "}, "data.text", "not_text"),
    # a float amount: money is integer fen
    ("outcome_recorded", {"field": "settled_fen", "value": 12.5}, "data.value", "not_integer"),
    # a bool is not an amount
    ("outcome_recorded", {"field": "settled_fen", "value": True}, "data.value", "not_integer"),
    # negative amount
    ("outcome_recorded", {"field": "award_fen", "value": -1}, "data.value", "out_of_range"),
    # an outcome field that does not exist
    ("outcome_recorded", {"field": "claimed_fen", "value": 1}, "data.field", "choice"),
    # not a phone number
    ("contact_updated", {"phone": "12345"}, "data.phone", "phone_format"),
    # a reason is required when marking
    ("marked_duplicate", {"of": "C0"}, "data.reason", "required"),
    # a role that is neither side of a pair
    ("duplicate_confirmed", {"of": "C0", "role": "both"}, "data.role", "choice"),
    # a case cannot duplicate itself
    ("duplicate_confirmed", {"of": "C1"}, "data.of", "self_reference"),
    # typo in a field name is refused, not ignored
    ("reopened", {"reason": "x", "reson": "x"}, "data.reson", "unknown_field"),
    # data must be an object
    ("note_added", ["text"], "data", "not_object"),
])
def test_invalid_data_names_the_field(kind: str, data: Any, field: str, code: str) -> None:
    with pytest.raises(EventInvalid) as err:
        make(kind, data)
    assert (err.value.field, err.value.code) == (field, code)
    assert field in str(err.value)


@pytest.mark.parametrize(("overrides", "field"), [
    ({"kind": "merged"}, "kind"),                      # unknown kind
    ({"hlc": "yesterday"}, "hlc"),                     # not an HLC
    ({"hlc": "0001763719200000.000000."}, "hlc"),      # HLC without node
    ({"author": "li"}, "author"),                      # author without a prefix
    ({"author": "staff:"}, "author"),                  # prefix without a name
    ({"event_id": ""}, "event_id"),                    # empty id
    ({"case_id": " C1"}, "case_id"),                   # padded id
    ({"case_id": "C" * 129}, "case_id"),               # overlong id
])
def test_invalid_envelope_fields_are_named(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(EventInvalid) as err:
        make("note_added", {"text": "x"}, **overrides)
    assert err.value.field == field


def test_filed_data_is_checked(filed_data: dict[str, Any]) -> None:
    for key, bad, field in [("kind", "visitor", "data.kind"),
                            ("record", "{}", "data.record"),
                            ("filed_at", "2026-11-21 10:00", "data.filed_at"),
                            ("notes", "one note", "data.notes")]:
        with pytest.raises(EventInvalid) as err:
            make("filed", {**filed_data, key: bad})
        assert err.value.field == field
    missing = {k: v for k, v in filed_data.items() if k != "receipt_code"}
    with pytest.raises(EventInvalid, match=r"data\.receipt_code"):
        make("filed", missing)


def test_phone_is_normalised_when_the_event_is_made() -> None:
    assert make("contact_updated", {"phone": "+86 139-0013-9000"}).data["phone"] == "+8613900139000"


def test_event_data_is_a_frozen_copy(filed_data: dict[str, Any]) -> None:
    event = make("filed", filed_data)
    filed_data["record"]["claimant"]["name"] = "改了"
    assert event.data["record"]["claimant"]["name"] == "张三"
    with pytest.raises(TypeError):
        event.data["record"]["claimant"]["name"] = "改了"  # type: ignore[index]
    assert hash(event) == hash(make("filed", event.to_wire()["data"]))


def test_from_wire_names_missing_and_unknown_fields() -> None:
    wire = make("note_added", {"text": "x"}).to_wire()
    with pytest.raises(EventInvalid, match="hlc"):
        Event.from_wire({k: v for k, v in wire.items() if k != "hlc"})
    with pytest.raises(EventInvalid, match="extra"):
        Event.from_wire({**wire, "extra": 1})


def test_filed_event_from_an_intake_payload_is_idempotent() -> None:
    payload = IntakePayload.from_wire({
        "kind": "complaint", "record": complaint_record(),
        "receipt": {"code": "ABCDEFGHJKM", "pin_verifier": "00" * 16},
        "filed_at": "2026-11-21T10:00:00.000Z", "station": "S001", "ticket": "A023",
        "notes": ["area code note"]})
    one = filed_event("C1", payload, hlc=HLC, author="device:d1")
    two = filed_event("C1", payload, hlc=HLC, author="device:d1")
    assert one == two
    assert one.event_id == "filed:C1"
    assert one.data["notes"] == ("area code note",)
    assert "pin_verifier" not in one.to_wire()["data"]

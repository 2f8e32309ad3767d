"""The ``visit`` payload (shared/visit.py): round trip, every bad field named, and the v1
intake reader refusing it (so a county without visit support quarantines, never files)."""

from __future__ import annotations

import pytest

from shared._errors import RecordInvalid
from shared.intake import IntakePayload
from shared.visit import VisitPayload

GOOD = VisitPayload(station="S001", ticket="A023", service_date="2026-11-21",
                    taken_at="2026-11-21T02:00:00.000Z", matter_type="wage_arrears",
                    linked_receipt=None)


def test_round_trip_holds_no_personal_data() -> None:
    wire = GOOD.to_wire()
    assert VisitPayload.from_wire(wire) == GOOD
    assert set(wire) == {"kind", "station", "ticket", "service_date", "taken_at",
                         "matter_type", "linked_receipt", "person_key"}


@pytest.mark.parametrize(("change", "field"), [
    ({"name": "张三"}, "payload.name"),
    ({"ticket": "23"}, "payload.ticket"),
    ({"service_date": "21/11/2026"}, "payload.service_date"),
    ({"taken_at": "yesterday"}, "payload.taken_at"),
    ({"matter_type": "anything"}, "payload.matter_type"),
    ({"linked_receipt": "nope"}, "payload.linked_receipt"),
    ({"person_key": "11010519491231002X"}, "payload.person_key"),
    ({"kind": "complaint"}, "payload.kind"),
])
def test_bad_fields_are_named(change: dict[str, object], field: str) -> None:
    with pytest.raises(RecordInvalid) as info:
        VisitPayload.from_wire({**GOOD.to_wire(), **change})
    assert info.value.errors[0].field == field


def test_the_v1_intake_reader_refuses_a_visit() -> None:
    with pytest.raises(RecordInvalid):
        IntakePayload.from_wire(GOOD.to_wire())

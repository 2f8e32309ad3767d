"""The intake payload's own fields are bounded like the record's: what the county stores of
them fits its columns (docs/security.md "Poison records")."""

from __future__ import annotations

from typing import Any

import pytest

from shared import RecordInvalid
from shared.intake import IntakePayload

RECORD = {"matter_type": "wage_arrears",
          "claimant": {"name": "张三", "id_number": "11010519491231002X",
                       "phone": "13800138000"},
          "employer": {"name": "某某劳务有限公司"}, "description": "拖欠工资",
          "preferred_handling": "mediation", "consent": True}
PAYLOAD: dict[str, Any] = {
    "kind": "complaint", "record": RECORD,
    "receipt": {"code": "7M3QX9TR2W9", "pin_verifier": "0" * 64},
    "filed_at": "2026-11-21T02:00:00.000Z", "station": "S001", "ticket": "A023",
    "notes": ["for staff"]}


def test_a_payload_within_bounds_is_accepted() -> None:
    assert IntakePayload.from_wire(PAYLOAD).to_wire()["receipt"] == PAYLOAD["receipt"]


# (field named in the error, code, the payload's change)
CASES = [
    ("payload.pin_verifier", "too_long",
     {"receipt": {"code": "7M3QX9TR2W9", "pin_verifier": "0" * 129}}),  # String(128)
    ("payload.receipt_code", "too_long",
     {"receipt": {"code": "7" * 17, "pin_verifier": "0" * 64}}),  # cases: String(16)
    ("payload.station", "too_long", {"station": "S" * 65}),
    ("payload.filed_at", "too_long", {"filed_at": "2026-11-21T02:00:00." + "0" * 60 + "Z"}),
    ("payload.filed_at", "not_time", {"filed_at": "yesterday"}),
    ("payload.filed_at", "not_time", {"filed_at": "2026-11-21T02:00:00"}),  # no zone
    ("payload.filed_at", "not_time", {"filed_at": "9999-12-31T23:00:00-05:00"}),  # year 10000
    ("payload.ticket", "too_long", {"ticket": "A" * 17}),
    ("payload.notes", "too_many", {"notes": ["n"] * 21}),
    ("payload.notes", "too_long", {"notes": ["n" * 1001]}),
]


@pytest.mark.parametrize(("field", "code", "change"), CASES,
                         ids=[f"{f}-{c}" for f, c, _ in CASES])
def test_payload_fields_past_their_bounds_are_refused_by_name(field: str, code: str,
                                                              change: dict[str, Any]) -> None:
    with pytest.raises(RecordInvalid) as caught:
        IntakePayload.from_wire({**PAYLOAD, **change})
    [error] = caught.value.errors
    assert (error.field, error.code) == (field, code)

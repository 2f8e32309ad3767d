"""The job posting record (shared.postings): the shape of issue 16 and its field errors."""

from __future__ import annotations

from typing import Any

import pytest
from stdnum.cn import uscc

from shared._errors import RecordInvalid
from shared.postings import parse_posting


def wrong_check_digit(code: str) -> str:
    """``code`` with its last character changed, so its checksum can no longer hold."""
    return code[:-1] + ("1" if code[-1] == "0" else "0")


def valid_uscc(n: int = 1) -> str:
    first17 = f"91350100M{n:08d}"
    return first17 + uscc.calc_check_digit(first17 + "0")


def posting(**over: Any) -> dict[str, Any]:
    return {"employer": {"name": "某某建筑劳务有限公司", "uscc": valid_uscc()},
            "title": "水电工", "job_type": "装修", "skills": ["电工"], "area": "曾都区",
            "pay_fen": 25000, "pay_period": "day", "start": "2026-12-01", "end": None,
            "headcount": 3, "employment": "gig", **over}


def test_valid_posting_normalised() -> None:
    p = parse_posting(posting(pay_period=" DAY ", start="２０２６-１２-０１"))
    assert p.pay_period == "day"
    assert p.to_wire()["start"] == "2026-12-01"


@pytest.mark.parametrize(("over", "field", "code"), [
    ({"employer": {"name": "某某公司"}}, "employer.uscc", "uscc_required"),
    ({"employer": {"name": "某某公司", "uscc": wrong_check_digit(valid_uscc())}},  # checksum
     "employer.uscc", "uscc_checksum"),
    ({"pay_fen": 250.5}, "pay_fen", "not_integer"),          # money is integer fen
    ({"pay_fen": "25000"}, "pay_fen", "not_integer"),
    ({"pay_fen": 0}, "pay_fen", "too_small"),
    ({"headcount": 0}, "headcount", "too_small"),
    ({"pay_period": "week"}, "pay_period", "choice"),
    ({"employment": "temp"}, "employment", "choice"),
    ({"start": "2026-02-30"}, "start", "not_date"),
    ({"end": "2026-11-01"}, "end", "end_before_start"),
    ({"title": ""}, "title", "too_short"),
    ({"salary": 1}, "salary", "unknown_field"),
])
def test_bad_field_is_named(over: dict[str, Any], field: str, code: str) -> None:
    with pytest.raises(RecordInvalid) as caught:
        parse_posting(posting(**over))
    assert [(e.field, e.code) for e in caught.value.errors] == [(field, code)]
    assert caught.value.errors[0].zh
    assert caught.value.errors[0].en

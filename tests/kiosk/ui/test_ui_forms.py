"""Window-free: typed yuan to integer fen, records from wizard values, error placement."""

from __future__ import annotations

import pytest

from kiosk.ui.forms import (
    build_complaint,
    build_jobseeker,
    field_matches,
    format_fen,
    parse_count,
    parse_yuan,
)
from shared._errors import RecordInvalid
from shared.records import parse_complaint, parse_jobseeker


@pytest.mark.parametrize(
    ("typed", "fen"),
    [
        ("12500.50", 1_250_050),  # the brief's example
        ("12500.5", 1_250_050),  # one decimal means tenths
        ("12500", 1_250_000),
        ("12500.", 1_250_000),  # a trailing point from the keypad
        ("0.01", 1),
        ("12,500.50", 1_250_050),  # grouping commas
        ("１２５００．５０", 1_250_050),  # full-width digits and point from an IME
        ("￥300", 30_000),
        ("300元", 30_000),
        (" 7 ", 700),
        ("", None),
        ("   ", None),
        ("0.29", 29),  # float(0.29) * 100 == 28.999999999999996: no floats here
        ("999999999999.99", 99_999_999_999_999),
    ],
)
def test_parse_yuan(typed, fen):
    assert parse_yuan(typed) == fen


@pytest.mark.parametrize(
    "typed",
    [
        "100.505",  # third decimal
        "1e5",  # float syntax
        "-5",  # negative
        "12.5.0",  # two points
        "abc",
        ".5",  # no whole part
        "1234567890123",  # more than 12 digits of yuan
    ],
)
def test_parse_yuan_refuses(typed):
    with pytest.raises(RecordInvalid) as info:
        parse_yuan(typed)
    [err] = info.value.errors
    assert err.field == "amount_claimed_fen"
    assert "两位小数" in err.zh


def test_format_fen():
    assert format_fen(1_250_050) == "12,500.50"
    assert format_fen(1) == "0.01"


def test_parse_count():
    assert parse_count("12") == 12
    assert parse_count("") is None
    with pytest.raises(RecordInvalid):
        parse_count("1.5")


VALUES = {
    "claimant.name": " 张三 ", "claimant.id_number": "11010519491231002X",
    "claimant.phone": "13800138000", "claimant.conceal_identity": False,
    "employer.name": "某某建筑劳务有限公司", "employer.uscc": "", "employer.address": "  ",
    "amount_claimed_fen": "", "period.start": "", "period.end": "",
    "coworkers_affected": "", "description": "欠薪", "preferred_handling": "",
    "consent": True, "matter_type": "other",
}


def test_blank_optionals_are_left_out_and_the_record_validates():
    record = build_complaint(VALUES)
    assert record["employer"] == {"name": "某某建筑劳务有限公司"}
    for key in ("amount_claimed_fen", "period", "coworkers_affected"):
        assert key not in record
    assert record["preferred_handling"] == "unsure"
    assert parse_complaint(record).claimant.name == "张三"


def test_amount_and_count_errors_come_together():
    with pytest.raises(RecordInvalid) as info:
        build_complaint({**VALUES, "amount_claimed_fen": "1.234", "coworkers_affected": "x"})
    assert [e.field for e in info.value.errors] == ["amount_claimed_fen", "coworkers_affected"]


def test_jobseeker_chips_and_free_text_merge_without_duplicates():
    record = build_jobseeker({
        "name": "李四", "id_number": "11010519491231002X", "phone": "13800138000",
        "skills": ["电工", "焊工"], "skills_text": "焊工，水管工、 油漆工\n",
        "wanted_jobs": ["装修"], "wanted_jobs_text": "", "availability": "weekdays",
        "area": "曾都区", "employment": "gig",
    })
    assert record["skills"] == ["电工", "焊工", "水管工", "油漆工"]
    assert parse_jobseeker(record).wanted_jobs == ["装修"]


@pytest.mark.parametrize(
    ("input_path", "error_path", "matches"),
    [
        ("claimant.id_number", "claimant.id_number", True),
        ("skills", "skills.3", True),  # an error on one list item lands on the list
        ("period.start", "period", True),  # a group error lands on its first input
        ("claimant.name", "claimant.name_x", False),  # no prefix confusion
        ("employer.name", "claimant.name", False),
    ],
)
def test_field_matches(input_path, error_path, matches):
    assert field_matches(input_path, error_path) is matches

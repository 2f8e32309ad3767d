"""Whole intake records: normalisation, and one bilingual message per bad field naming it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from stdnum.cn import ric

from shared import RecordInvalid, parse_complaint, parse_jobseeker, parse_record
from shared.canonical import canonical_bytes
from shared.messages import FIELD_LABELS, MESSAGES
from shared.records import MAX_DESCRIPTION


def make_id(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


CLAIMANT_ID = make_id("11010519491231002")
SEEKER_ID = make_id("42130219850615123")

COMPLAINT: dict[str, Any] = {
    "matter_type": "wage_arrears",
    "claimant": {"name": "张三", "id_number": CLAIMANT_ID, "phone": "13800138000",
                 "conceal_identity": False},
    "employer": {"name": "某某建筑劳务有限公司", "uscc": "91350100M000100Y43", "address": "随州市"},
    "amount_claimed_fen": 1250000,
    "period": {"start": "2026-03-01", "end": "2026-08-31"},
    "coworkers_affected": 12,
    "description": "工地老板拖欠六个月工资。",
    "preferred_handling": "mediation",
    "consent": True,
}

JOBSEEKER: dict[str, Any] = {
    "name": "李四", "id_number": SEEKER_ID, "phone": "13800138000",
    "skills": ["电工", "焊工"], "wanted_jobs": ["装修"], "availability": "weekdays",
    "area": "曾都区", "employment": "gig",
}


def errors_of(parse: Callable[[Any], Any], data: Any) -> dict[str, Any]:
    with pytest.raises(RecordInvalid) as err:
        parse(data)
    return {e.field: e for e in err.value.errors}


def changed(base: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(base)
    *parents, last = path.split(".")
    node = data
    for p in parents:
        node = node[p]
    node[last] = value
    return data


def _e164(record: dict, holder: str | None = None) -> dict:
    """``record`` as normalised: the phone in E.164 (issue 11), everything else as sent."""
    out = copy.deepcopy(record)
    where = out[holder] if holder else out
    where["phone"] = "+86" + where["phone"]
    return out


def test_interfaces_example_round_trips() -> None:
    record = parse_complaint(COMPLAINT, today=date(2026, 11, 21))
    assert record.to_wire() == _e164(COMPLAINT, "claimant")
    assert parse_jobseeker(JOBSEEKER).to_wire() == _e164(JOBSEEKER)


def test_to_wire_keeps_only_the_keys_sent() -> None:
    minimal = {k: v for k, v in COMPLAINT.items()
               if k not in ("amount_claimed_fen", "period", "coworkers_affected")}
    minimal["employer"] = {"name": "某某公司"}
    assert parse_complaint(minimal).to_wire() == _e164(minimal, "claimant")


def test_normalisation_of_what_people_type() -> None:
    data = copy.deepcopy(COMPLAINT)
    data["matter_type"] = " WAGE_ARREARS "
    data["claimant"]["name"] = " 阿卜杜・热合曼 "          # katakana middle dot
    data["claimant"]["id_number"] = CLAIMANT_ID.lower().replace("1", "１")
    data["claimant"]["phone"] = "+86 138-0013-8000"
    data["employer"]["name"] = "某某\u3000建筑\u200b劳务"
    data["employer"]["uscc"] = "91350100m000100y43"
    data["employer"]["address"] = "   "                     # blank = not given
    data["description"] = "第一行  \r\n\r\n\r\n\r\n  第二行\t\t说明"
    record = parse_complaint(data).to_wire()
    assert record["matter_type"] == "wage_arrears"
    assert record["claimant"]["name"] == "阿卜杜·热合曼"
    assert record["claimant"]["id_number"] == CLAIMANT_ID
    assert record["claimant"]["phone"] == "+8613800138000"
    assert record["employer"]["name"] == "某某 建筑劳务"
    assert record["employer"]["uscc"] == "91350100M000100Y43"
    assert record["employer"]["address"] is None
    assert record["description"] == "第一行\n\n第二行 说明"
    canonical_bytes(record)  # a normalised record always has a canonical encoding


# One case per field: (path, bad value, expected code). Every message must name its field.
FIELD_CASES = [
    ("matter_type", "salary", "choice"),
    ("claimant.name", "张三😀", "name_chars"),
    ("claimant.id_number", "110105491231002", "id_first_generation"),
    ("claimant.phone", "12345", "phone_format"),
    ("claimant.conceal_identity", "yes", "not_boolean"),
    ("employer.name", "某", "too_short"),
    ("employer.name", "㍿" * 50, "too_long_folded"),  # NFKC: 株式会社 × 50, 200 characters
    ("employer.name", "ß" * 100, "too_long_folded"),  # case folding: ss × 100
    ("employer.uscc", "91350100M000100Y44", "uscc_checksum"),
    ("employer.address", "路" * 201, "too_long"),
    ("amount_claimed_fen", 12.5, "not_integer"),
    ("period.start", "2026-02-30", "not_date"),
    ("period.end", "next week", "not_date"),
    ("coworkers_affected", -1, "too_small"),
    ("description", "x" * (MAX_DESCRIPTION + 1), "too_long"),
    ("preferred_handling", "fight", "choice"),
    ("consent", False, "consent_required"),
]


@pytest.mark.parametrize(("path", "value", "code"), FIELD_CASES,
                         ids=[c[0] for c in FIELD_CASES])
def test_each_complaint_field_message_names_the_field(path: str, value: Any, code: str) -> None:
    errors = errors_of(parse_complaint, changed(COMPLAINT, path, value))
    assert list(errors) == [path]
    err = errors[path]
    assert err.code == code
    zh_label, en_label = FIELD_LABELS[path]
    zh_msg, en_msg = MESSAGES[code]
    assert err.zh.startswith(zh_label + "：")
    assert err.en.startswith(en_label + ": ")
    assert zh_msg.split("{")[0] in err.zh
    assert en_msg.split("{")[0] in err.en


def test_an_employer_name_folding_to_the_limit_is_accepted() -> None:
    """The bound is on the folded form the county keys employers by (100, so the key fits
    128): exactly 100 after folding is fine."""
    for name in ("㍿" * 25, "ß" * 50, "某" * 100):
        record = parse_complaint(changed(COMPLAINT, "employer.name", name))
        assert record.employer.name == name


JOBSEEKER_CASES = [
    ("name", "", "too_short"),
    ("id_number", CLAIMANT_ID[:-1] + ("0" if CLAIMANT_ID[-1] != "0" else "1"), "id_checksum"),
    ("phone", 13800138000, "not_text"),
    ("skills", "电工", "not_list"),
    ("wanted_jobs", ["装"] * 21, "too_many"),
    ("availability", "", "too_short"),
    ("area", None, "not_text"),
    ("employment", "temp", "choice"),
]


@pytest.mark.parametrize(("path", "value", "code"), JOBSEEKER_CASES,
                         ids=[c[0] for c in JOBSEEKER_CASES])
def test_each_jobseeker_field_message_names_the_field(path: str, value: Any, code: str) -> None:
    errors = errors_of(parse_jobseeker, changed(JOBSEEKER, path, value))
    assert list(errors) == [path]
    zh_label, en_label = FIELD_LABELS[path]
    assert errors[path].code == code
    assert errors[path].zh.startswith(zh_label)
    assert errors[path].en.startswith(en_label)


def test_every_field_label_has_both_languages() -> None:
    for key, (zh, en) in FIELD_LABELS.items():
        assert zh, key
        assert en, key
        assert zh != en, key
    for code, (zh, en) in MESSAGES.items():
        assert zh, code
        assert en, code


def test_hundred_kilobyte_description_is_refused_as_too_long() -> None:
    errors = errors_of(parse_complaint, changed(COMPLAINT, "description", "欠薪" * 51_200))
    assert errors["description"].code == "too_long"
    assert "4000" in errors["description"].zh
    assert "4000" in errors["description"].en


def test_description_at_the_limit_is_accepted() -> None:
    record = parse_complaint(changed(COMPLAINT, "description", "薪" * MAX_DESCRIPTION))
    assert len(record.description) == MAX_DESCRIPTION


def test_control_characters_are_refused_but_newlines_kept() -> None:
    errors = errors_of(parse_complaint, changed(COMPLAINT, "description", "a\x00b"))
    assert errors["description"].code == "control_chars"
    assert parse_complaint(changed(COMPLAINT, "description", "a\nb")).description == "a\nb"


def test_unknown_keys_are_refused_at_every_level() -> None:
    data = changed(COMPLAINT, "claimant.birthday", "1949-12-31")
    data["urgent"] = True
    errors = errors_of(parse_complaint, data)
    assert set(errors) == {"urgent", "claimant.birthday"}
    assert all(e.code == "unknown_field" for e in errors.values())
    assert "urgent" in errors["urgent"].zh
    assert "urgent" in errors["urgent"].en


@pytest.mark.parametrize(("path", "field"), [
    ("date", "date"),                       # spelled like pydantic's internal branch names
    ("str", "str"),
    ("period.date", "period.date"),
    ("claimant.none", "claimant.none"),
    ("employer.function-after", "employer.function-after"),
])
def test_unknown_keys_are_named_even_when_spelled_like_pydantic_internals(
        path: str, field: str) -> None:
    errors = errors_of(parse_complaint, changed(COMPLAINT, path, "x"))
    assert list(errors) == [field]
    assert errors[field].code == "unknown_field"
    assert field in errors[field].en
    assert field in errors[field].zh


def test_missing_required_fields_are_all_listed() -> None:
    errors = errors_of(parse_complaint, {"matter_type": "other"})
    assert set(errors) == {"claimant", "employer", "description", "preferred_handling",
                           "consent"}
    assert all(e.code == "required" for e in errors.values())
    assert errors["claimant"].zh == "申请人：必须填写"


@pytest.mark.parametrize(("path", "value", "field", "code"), [
    ("claimant", [], "claimant", "not_object"),                 # object expected
    ("claimant", "张三", "claimant", "not_object"),
    ("period", {"start": 20260301, "end": "2026-03-02"}, "period.start", "not_date"),
    ("period", {"start": "2026-03-02"}, "period.end", "required"),
    ("period", {"start": "2026-03-02", "end": "2026-03-01"}, "period", "period_order"),
    ("employer", {"name": ["某某公司"]}, "employer.name", "not_text"),
    ("amount_claimed_fen", True, "amount_claimed_fen", "not_integer"),   # bool is not an int
    ("amount_claimed_fen", "1250000", "amount_claimed_fen", "not_integer"),
    ("amount_claimed_fen", 10**12, "amount_claimed_fen", "too_large"),
])
def test_nested_type_errors(path: str, value: Any, field: str, code: str) -> None:
    errors = errors_of(parse_complaint, changed(COMPLAINT, path, value))
    assert field in errors
    assert errors[field].code == code


def test_list_item_errors_carry_the_index_and_the_list_label() -> None:
    errors = errors_of(parse_jobseeker, changed(JOBSEEKER, "skills", ["电工", 7, "x" * 31]))
    assert errors["skills.1"].code == "not_text"
    assert errors["skills.2"].code == "too_long"
    assert errors["skills.1"].zh.startswith("技能：")


def test_optional_fields_may_be_null_or_blank() -> None:
    for value in (None, "", "  "):
        data = changed(COMPLAINT, "employer.address", value)
        data["employer"]["uscc"] = value
        employer = parse_complaint(data).to_wire()["employer"]
        assert employer["address"] is None
        assert employer["uscc"] is None


def test_future_period_refused_only_when_today_is_given() -> None:
    data = changed(COMPLAINT, "period", {"start": "2027-01-01", "end": "2027-02-01"})
    assert parse_complaint(data).period is not None
    errors = errors_of(lambda d: parse_complaint(d, today=date(2026, 11, 21)), data)
    assert errors["period"].code == "future_date"


def test_not_an_object_and_unknown_kind() -> None:
    err = errors_of(parse_complaint, ["not", "an", "object"])["record"]
    assert err.code == "not_object"
    assert err.zh.startswith("记录")
    assert err.en.startswith("Record")
    err = errors_of(lambda d: parse_record("payslip", d), COMPLAINT)["kind"]
    assert err.code == "choice"
    assert err.en.startswith("Kind of record")


def test_a_batch_reports_each_bad_record_and_keeps_the_good_ones() -> None:
    batch = [
        COMPLAINT,
        changed(COMPLAINT, "claimant.phone", "000"),
        changed(COMPLAINT, "consent", False),
        changed(COMPLAINT, "claimant.name", "王五"),
        "not a record",
    ]
    good, bad = [], {}
    for i, data in enumerate(batch):
        try:
            good.append(parse_record("complaint", data))
        except RecordInvalid as exc:
            bad[i] = [e.field for e in exc.errors]
    assert [r.claimant.name for r in good] == ["张三", "王五"]
    assert bad == {1: ["claimant.phone"], 2: ["consent"], 4: ["record"]}


def test_errors_serialise_for_the_wire() -> None:
    with pytest.raises(RecordInvalid) as err:
        parse_complaint(changed(COMPLAINT, "claimant.phone", "000"))
    assert err.value.to_wire() == [{
        "field": "claimant.phone", "code": "phone_format",
        "zh": "联系电话：应为11位手机号、带区号的固定电话，或港澳台及境外号码（加国家或地区代码）",
        "en": "Phone: must be an 11-digit mobile, a landline with area code, or a number "
              "outside the mainland with its country code"}]
    assert "claimant.phone" in str(err.value)


def test_intake_payload_survives_sealing(sealer: Any, county_keys: Any) -> None:
    from shared import IntakePayload, open_, pin_verifier

    payload = IntakePayload("complaint", parse_complaint(COMPLAINT), "7M3QX9TR2W9",
                            pin_verifier("7M3QX9TR2W9", "204917"), "2026-11-21T02:00:00.000Z",
                            "S001", "A023", ("area code note",))
    opened = open_(sealer.next(payload.to_wire()), county_keys.private_keys)
    assert IntakePayload.from_wire(opened) == payload


@pytest.mark.parametrize(("mutate", "field"), [
    (lambda p: p.pop("receipt"), "payload.receipt"),
    (lambda p: p.update(receipt="7M3QX9TR2W9"), "payload"),
    (lambda p: p.update(station=7), "payload.station"),
    (lambda p: p["record"].update(consent=False), "consent"),
])
def test_intake_payload_from_wire_names_the_bad_part(mutate: Callable[[dict[str, Any]], Any],
                                                     field: str) -> None:
    from shared import IntakePayload, pin_verifier

    wire = IntakePayload("complaint", parse_complaint(COMPLAINT), "7M3QX9TR2W9",
                         pin_verifier("7M3QX9TR2W9", "1"), "2026-11-21T02:00:00.000Z",
                         "S001").to_wire()
    mutate(wire)
    with pytest.raises(RecordInvalid) as err:
        IntakePayload.from_wire(wire)
    assert err.value.errors[0].field == field

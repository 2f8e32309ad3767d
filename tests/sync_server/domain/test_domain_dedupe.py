"""Dedupe keys: one person across stations, one employer across spellings, likely duplicates."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from sync_server.domain import (
    ComplaintSummary,
    IdentifierRefused,
    employer_key,
    likely_duplicate,
    normalise_employer_name,
    person_key,
)
from tests.sync_server.domain.domain_helpers import ID_A, ID_B, USCC_A


def to_full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


@pytest.mark.parametrize("typed", [
    ID_A,                                           # as on the card
    to_full_width(ID_A),                            # full-width digits from a phone IME
    f" {ID_A[:6]} {ID_A[6:14]} {ID_A[14:]} ",       # spaced in groups
    f"{ID_A[:6]}\u3000{ID_A[6:]}",                  # ideographic space
    ID_A.lower(),                                   # lower-case check character x
    f"{ID_A[:9]}\u200b{ID_A[9:]}",                  # zero-width space pasted in
])
def test_spellings_of_one_id_number_give_one_person_key(typed: str,
                                                        county_secret: bytes) -> None:
    assert ID_A.endswith("X")  # so the lower-case case means something
    assert person_key(typed, county_secret) == person_key(ID_A, county_secret)


def test_person_key_is_keyed_hex_and_never_contains_the_number(county_secret: bytes) -> None:
    key = person_key(ID_A, county_secret)
    assert len(key) == 64
    assert int(key, 16) >= 0
    assert ID_A not in key
    assert ID_A[:17] not in key
    assert person_key(ID_A, bytes(32)) != key      # another county's secret, another key
    assert person_key(ID_B, county_secret) != key  # another person, another key


@pytest.mark.parametrize(("typed", "code"), [
    (ID_A[:17] + ("0" if ID_A[17] != "0" else "1"), "id_checksum"),  # wrong check character
    (ID_A[:15], "id_first_generation"),                               # old 15-digit number
    ("", "id_length"),                                                # nothing typed
])
def test_refusal_names_the_field_but_never_echoes_the_number(typed: str, code: str,
                                                             county_secret: bytes) -> None:
    with pytest.raises(IdentifierRefused) as err:
        person_key(typed, county_secret)
    assert (err.value.field, err.value.code) == ("id_number", code)
    if typed:
        assert typed not in str(err.value)
        assert typed[:10] not in repr(err.value.args)


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(IdentifierRefused, match="secret"):
        person_key(ID_A, b"short")


def test_uscc_wins_over_the_name() -> None:
    assert employer_key(USCC_A, "随便写的名字") == f"uscc:{USCC_A}"
    assert employer_key(f" {USCC_A.lower()} ", "x") == f"uscc:{USCC_A}"
    assert employer_key("", "某某建筑劳务有限公司") == "name:某某建筑劳务"
    assert employer_key(None, "某某建筑劳务有限公司") == "name:某某建筑劳务"


def test_an_invalid_uscc_is_refused_not_silently_replaced() -> None:
    with pytest.raises(IdentifierRefused) as err:
        employer_key(USCC_A[:17] + ("0" if USCC_A[17] != "0" else "1"), "某某建筑劳务有限公司")
    assert err.value.field == "employer.uscc"


@pytest.mark.parametrize(("a", "b"), [
    # legal forms, longest first
    ("某某建筑劳务有限公司", "某某建筑劳务股份有限公司"),
    ("某某建筑劳务有限公司", "某某建筑劳务有限责任公司"),
    ("某某建筑劳务有限公司", "某某建筑劳务公司"),
    # spaces, full-width and punctuation typed at a kiosk
    ("某某建筑劳务有限公司", " 某某 建筑劳务　有限公司。"),
    ("某某·建筑劳务有限公司", "某某建筑劳务有限公司"),
    ("ＡＢＣ　Ｔｒａｄｉｎｇ Co., Ltd.", "abc trading limited"),
    ("ABC Trading Company Limited", "ABC TRADING LTD."),
    # a branch named with or without its parent's legal form
    ("某某有限公司成都分公司", "某某公司成都分公司"),
    ("某某股份有限公司成都分公司", "某某有限公司 成都 分公司"),
])
def test_spellings_of_one_employer_give_one_key(a: str, b: str) -> None:
    assert employer_key(None, a) == employer_key(None, b)


@pytest.mark.parametrize(("a", "b"), [
    # a different industry word is a different firm
    ("某某建筑劳务有限公司", "某某建筑有限公司"),
    # a branch is not its parent
    ("某某有限公司成都分公司", "某某有限公司"),
    # two branches are two employers
    ("某某有限公司成都分公司", "某某有限公司绵阳分公司"),
    # the region in brackets distinguishes firms
    ("某某建筑（成都）有限公司", "某某建筑（绵阳）有限公司"),
    # a group and its company are not merged
    ("某某集团有限公司", "某某有限公司"),
    # a one-character trade name keeps its legal form rather than shrink to one character
    ("甲公司", "甲有限公司"),
    # "zinc" is not "z" + "inc"
    ("Pacific Zinc", "Pacific Z"),
    # English forms are whole words: "Tesco Ltd" is not "Tes Co., Ltd."
    ("Tesco Ltd", "Tes Co., Ltd."),
])
def test_different_employers_do_not_collide(a: str, b: str) -> None:
    assert employer_key(None, a) != employer_key(None, b)


@pytest.mark.parametrize(("name", "normal"), [
    ("有限公司", "有限公司"),       # a bare legal form is kept whole, not cut to "有限"
    ("分公司", "分公司"),
    ("某某成都分公司", "某某成都分公司"),  # no parent form to split at: kept as written
    ("某某集团有限公司", "某某集团"),
])
def test_normalised_names_at_the_edges(name: str, normal: str) -> None:
    assert normalise_employer_name(name) == normal


@pytest.mark.parametrize("name", ["", "  ", "。", "某"])
def test_names_with_nothing_comparable_are_refused(name: str) -> None:
    with pytest.raises(IdentifierRefused) as err:
        employer_key(None, name)
    assert err.value.field == "employer.name"


T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def summary(case_id: str, person: str = "p1", employer: str = "name:某某",
            days: float = 0) -> ComplaintSummary:
    return ComplaintSummary(case_id, person, employer, T0 + timedelta(days=days), None)


@pytest.mark.parametrize(("b", "expected"), [
    (summary("C2", days=30), True),                            # exactly on the window edge
    (summary("C2", days=-30), True),                           # either order
    (summary("C2", days=30 + 1 / 86_400_000), False),          # one millisecond past it
    (summary("C2", person="p2", days=1), False),               # another claimant
    (summary("C2", employer="name:别家", days=1), False),      # another employer
    (summary("C1", days=1), False),                            # the same case is no duplicate
])
def test_likely_duplicate_window_and_keys(b: ComplaintSummary, expected: bool) -> None:
    assert likely_duplicate(summary("C1"), b) is expected
    assert likely_duplicate(b, summary("C1")) is expected


def test_likely_duplicate_window_is_configurable() -> None:
    assert likely_duplicate(summary("C1"), summary("C2", days=5), window_days=7)
    assert not likely_duplicate(summary("C1"), summary("C2", days=8), window_days=7)


def test_summaries_carry_no_raw_number(county_secret: bytes) -> None:
    s = ComplaintSummary("C1", person_key(ID_A, county_secret),
                         employer_key(USCC_A, "某某"), T0, 3)
    assert ID_A not in json.dumps(s.__dict__, default=str)


def test_keys_of_already_normalised_identifiers_are_the_same_keys() -> None:
    # The server computes keys from a validated record without checking the numbers again.
    from shared.identity import check_id_number, check_uscc
    from sync_server.domain.dedupe import employer_key, person_key
    secret = b"k" * 32
    number = check_id_number("11010519491231002x").number
    assert person_key(number, secret, normalised=True) == \
        person_key("１１０１０５１９４９１２３１００２X", secret)
    code = check_uscc("91350100m000100y43")
    assert employer_key(code, "甲公司", normalised=True) == employer_key(" 91350100M000100Y43 ",
                                                                       "乙公司")
    assert employer_key(None, "甲有限公司", normalised=True) == employer_key(None, "甲有限公司")

"""Resident ID numbers, USCCs and phone numbers as people really type them.

Valid numbers are built here by computing their check characters with python-stdnum's
``calc_check_digit`` (never by copying what the code under test returns), plus the known
cases from python-stdnum's own doctests (tests/test_cn_ric.doctest, test_cn_uscc.doctest).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from stdnum.cn import ric, uscc

from shared.identity import IdentifierInvalid, check_id_number, check_phone, check_uscc


def make_id(area: str, born: str, seq: str) -> str:
    """An 18-character ID number with a correct check digit."""
    body = area + born + seq
    assert len(body) == 17
    return body + ric.calc_check_digit(body + "0")


def make_id_with_x(area: str, born: str) -> str:
    """An ID number whose check character is X (searching the sequence numbers)."""
    for n in range(1000):
        number = make_id(area, born, f"{n:03d}")
        if number.endswith("X"):
            return number
    raise AssertionError("no sequence number gives X")  # pragma: no cover


def make_uscc(first17: str) -> str:
    assert len(first17) == 17
    return first17 + uscc.calc_check_digit(first17 + "0")


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def code_of(text: str, today: date | None = None) -> str:
    with pytest.raises(IdentifierInvalid) as err:
        check_id_number(text, today)
    return err.value.code


# --- resident ID numbers ----------------------------------------------------------------------

# python-stdnum's own valid cases.
@pytest.mark.parametrize(("typed", "expected"), [
    ("360426199101010071", "360426199101010071"),
    ("44011320141005001x", "44011320141005001X"),   # lower-case x
    ("412723199010050012", "412723199010050012"),
    ("110102199101010078", "110102199101010078"),
    ("120110198012010073", "120110198012010073"),   # 东郊区, before 1991
    ("120110199212010072", "120110199212010072"),   # 东丽区, after 1991
])
def test_stdnum_known_valid_ids(typed: str, expected: str) -> None:
    result = check_id_number(typed)
    assert result.number == expected
    assert result.notes == ()


# python-stdnum refuses these for its area table only; a genuine card must never be turned away.
@pytest.mark.parametrize("number", [
    "990426199112010074",   # area code unknown to the table
    "110111198012010078",   # county not yet registered in the birth year
    "110201199312010077",   # county already deregistered in the birth year
])
def test_area_codes_unknown_to_stdnum_are_accepted_with_a_note(number: str) -> None:
    assert not ric.is_valid(number)
    result = check_id_number(number)
    assert result.number == number
    assert len(result.notes) == 1
    assert number[:6] in result.notes[0]


@pytest.mark.parametrize(("typed", "code"), [
    ("T60426199101010078", "id_format"),       # stdnum: letter in the body
    ("360426199113010079", "id_birth_date"),   # stdnum: month 13
    ("36042619910102009X", "id_checksum"),     # stdnum: wrong check character
])
def test_stdnum_known_invalid_ids(typed: str, code: str) -> None:
    assert code_of(typed) == code


@pytest.mark.parametrize(("area", "born"), [
    ("110105", "19350407"),   # 北京 朝阳, 1930s
    ("310104", "19420815"),   # 上海 徐汇, 1940s
    ("440305", "19581130"),   # 深圳 南山, 1950s
    ("510107", "19630228"),   # 成都 武侯, 1960s
    ("421303", "19720101"),   # 随州 曾都, 1970s
    ("650102", "19800229"),   # 乌鲁木齐 天山, leap day 1980
    ("540102", "19891231"),   # 拉萨 城关, 1980s
    ("230102", "19960615"),   # 哈尔滨 道里, 1990s
    ("460105", "20000229"),   # 海口 秀英, leap day 2000 (divisible by 400)
    ("620102", "20080808"),   # 兰州 城关, 2000s
    ("810000", "19850701"),   # Hong Kong residents' residence permit
    ("820000", "19991220"),   # Macao residents' residence permit
    ("830000", "19750315"),   # Taiwan residents' residence permit
])
@pytest.mark.parametrize("seq", ["001", "512", "998"])
def test_valid_ids_from_many_places_and_decades(area: str, born: str, seq: str) -> None:
    number = make_id(area, born, seq)
    result = check_id_number(number, today=date(2026, 11, 21))
    assert result.number == number
    assert result.birth_date == date(int(born[:4]), int(born[4:6]), int(born[6:]))


@pytest.mark.parametrize("area", ["810000", "820000", "830000"])
def test_residence_permits_with_x_check_digit(area: str) -> None:
    number = make_id_with_x(area, "19900101")
    assert check_id_number(number.lower()).number == number


def test_x_check_digit_typed_every_way() -> None:
    number = make_id_with_x("421302", "19850615")
    for typed in (number, number.lower(), fullwidth(number), fullwidth(number.lower())):
        assert check_id_number(typed).number == number


@pytest.mark.parametrize("decorate", [
    lambda n: fullwidth(n),                                       # 全角 digits
    lambda n: f"  {n}\t",                                          # surrounding whitespace
    lambda n: f"{n[:6]} {n[6:14]} {n[14:]}",                       # grouped with spaces
    lambda n: f"{n[:6]}\u3000{n[6:14]}\u3000{n[14:]}",             # ideographic spaces
    lambda n: f"{n[:6]}-{n[6:14]}-{n[14:]}",                       # hyphens
    lambda n: "\u200b".join(n),                                    # zero-width spaces
    lambda n: "\ufeff" + n + "\u200d",                             # BOM and zero-width joiner
    lambda n: fullwidth(n[:9]) + "\u00a0" + n[9:],                 # mixed widths, NBSP
])
def test_typing_noise_is_normalised(decorate: Callable[[str], str]) -> None:
    number = make_id("420102", "19770312", "043")
    assert check_id_number(decorate(number)).number == number


@pytest.mark.parametrize(("typed", "code"), [
    (make_id("420102", "19770312", "043") + "😀", "id_length"),        # emoji appended
    ("😀" + make_id("420102", "19770312", "043")[1:], "id_format"),    # emoji for a digit
    (make_id("420102", "19770312", "043")[:17], "id_length"),          # 17 characters
    (make_id("420102", "19770312", "043") + "1", "id_length"),         # 19 characters
    ("", "id_length"),
    ("４２０１０２１９７７０３１２０４３", "id_length"),                   # full-width, 17
    ("0" + make_id("420102", "19770312", "043")[1:], "id_format"),     # no province 0x
    ("42010219770312043Y", "id_format"),                               # Y is no check char
    ("4201021977031204" + "\u0663" + "1", "id_format"),                # Arabic-Indic digit
])
def test_malformed_ids_are_refused(typed: str, code: str) -> None:
    assert code_of(typed) == code


def test_every_wrong_check_digit_is_refused() -> None:
    number = make_id("440305", "19881111", "234")
    for wrong in "0123456789X":
        if wrong != number[-1]:
            assert code_of(number[:-1] + wrong) == "id_checksum"


def test_fifteen_digit_numbers_get_their_own_message() -> None:
    assert code_of("110105491231002") == "id_first_generation"
    assert code_of("１１０１０５４９１２３１００２") == "id_first_generation"   # full-width


@pytest.mark.parametrize(("born", "code"), [
    ("20230230", "id_birth_date"),   # 30 February
    ("19990229", "id_birth_date"),   # 29 February in a common year
    ("19000229", "id_birth_date"),   # 1900 is not a leap year (divisible by 100)
    ("19851301", "id_birth_date"),   # month 13
    ("19850400", "id_birth_date"),   # day 0
    ("19850431", "id_birth_date"),   # 31 April
    ("18890101", "id_birth_date"),   # before anyone alive
])
def test_impossible_birth_dates(born: str, code: str) -> None:
    assert code_of(make_id("110105", born, "011")) == code


def test_future_birth_dates_refused_relative_to_today() -> None:
    today = date(2026, 11, 21)
    assert code_of(make_id("110105", "20261122", "011"), today) == "id_future_birth"
    assert check_id_number(make_id("110105", "20261121", "011"), today).birth_date == today
    # Without a "today" the caller has opted out of the future-date check.
    assert check_id_number(make_id("110105", "20261122", "011")).birth_date.year == 2026


# --- USCCs ---------------------------------------------------------------------------------------

# python-stdnum's own valid cases (a sample of its list found online), letters included.
@pytest.mark.parametrize("code", [
    "121200004013590816",
    "91110000600037341L",
    "91152201078371135X",
    "9115220107837757XE",
    "91310115MA1K3BTP2B",
    "91340600MA2PBM9HXD",
    "91620105L015101280",
    "92340603MA2UK2ECXU",
    "92340621MA2UK3PJXE",
])
def test_stdnum_known_valid_usccs(code: str) -> None:
    assert check_uscc(code) == code
    assert check_uscc(code.lower()) == code
    assert check_uscc(fullwidth(code)) == code
    assert check_uscc(f" {code[:2]} {code[2:8]} {code[8:]} ") == code


STDNUM_USCCS = [line for line in (Path(__file__).parent / "stdnum_uscc_valid.txt")
                .read_text(encoding="ascii").split("\n") if line and not line.startswith("#")]


def test_all_of_stdnums_usccs_found_online_are_accepted() -> None:
    """The whole list from python-stdnum's doctest, and a wrong check character in each."""
    assert len(STDNUM_USCCS) == 383
    for code in STDNUM_USCCS:
        assert uscc.is_valid(code), code   # the file holds what stdnum holds
        assert check_uscc(code) == code
        for wrong in "0123456789ABCDEFGHJKLMNPQRTUWXY":
            if wrong != code[-1]:
                with pytest.raises(IdentifierInvalid):
                    check_uscc(code[:-1] + wrong)


@pytest.mark.parametrize(("typed", "code"), [
    ("12345", "uscc_length"),                 # stdnum: too short
    ("9111000060003IOZSV", "uscc_format"),    # stdnum: I O Z S V are not in the alphabet
    ("91110000600037341N", "uscc_checksum"),  # stdnum: wrong check character
    ("91A10000600037341L", "uscc_format"),    # letter in the area code
    ("91110000600037341L0", "uscc_length"),
    ("91110000600037341😀", "uscc_format"),
])
def test_invalid_usccs(typed: str, code: str) -> None:
    with pytest.raises(IdentifierInvalid) as err:
        check_uscc(typed)
    assert err.value.code == code


# Registering authorities with letters: A (中央军委改革和编制办公室), N (农业农村), Y (其他).
# stdnum.cn.uscc.validate refuses them all although they are genuine.
@pytest.mark.parametrize("first17", [
    "A1110000600037341",
    "N2420102MA4KW0012",
    "N3421303MA49BC778",
    "Y1110105MA01ABCDE",
    "51110000500000470",   # 5 = civil affairs (社会组织), digits only
])
def test_letter_authorities_accepted(first17: str) -> None:
    code = make_uscc(first17)
    if not first17[:2].isdigit():
        assert not uscc.is_valid(code)
    assert check_uscc(code.lower()) == code


def test_every_wrong_uscc_check_character_is_refused() -> None:
    code = make_uscc("N2420102MA4KW0012")
    for wrong in "0123456789ABCDEFGHJKLMNPQRTUWXY":
        if wrong != code[-1]:
            with pytest.raises(IdentifierInvalid):
                check_uscc(code[:-1] + wrong)


# --- phone numbers --------------------------------------------------------------------------

# Stored in E.164 (issue 11: every usual spelling, and numbers beyond the mainland).
@pytest.mark.parametrize(("typed", "expected"), [
    ("13800138000", "+8613800138000"),
    ("+86 138 0013 8000", "+8613800138000"),
    ("0086-138-0013-8000", "+8613800138000"),
    ("86 138 0013 8000", "+8613800138000"),          # country code without the plus
    ("１３８００１３８０００", "+8613800138000"),
    ("19912345678", "+8619912345678"),                # a newer mobile block
    ("(0722) 3312345", "+867223312345"),              # 随州 landline
    ("010-12345678", "+861012345678"),
    ("+86 10 12345678", "+861012345678"),
    ("010-12345678 转 123", "+861012345678;ext=123"),  # an office extension
    ("0722-3312345 分机88", "+867223312345;ext=88"),
    ("+852 9123 4567", "+85291234567"),               # Hong Kong
    ("00853 6612 3456", "+85366123456"),              # Macao, dialled from the mainland
    ("+886 912 345 678", "+886912345678"),            # Taiwan
    ("+1 415 555 2671", "+14155552671"),              # abroad
    ("+44 20 7946 0958", "+442079460958"),
])
def test_phones_accepted(typed: str, expected: str) -> None:
    assert check_phone(typed) == expected


@pytest.mark.parametrize("typed", ["12800138000", "1380013800", "138001380000", "110", "",
                                   "1380013800O", "abc", "0722-345678", "+999 1234567",
                                   "1" * 60])
def test_phones_refused(typed: str) -> None:
    with pytest.raises(IdentifierInvalid) as err:
        check_phone(typed)
    assert err.value.code == "phone_format"

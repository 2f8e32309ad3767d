"""Checks for the identifiers on an intake form: resident ID numbers, USCCs, phone numbers.

Phone numbers: libphonenumber's rules (``phonenumbers``, the lite build without geocoding
data) with the mainland as the default region; stored in E.164.

Each ``check_*`` takes what a person typed and returns the normalised value, or raises
``IdentifierInvalid`` with a stable ``code`` for the messages table.

Resident ID numbers (GB 11643): 18 characters, 17 digits and a mod 11-2 check character
(0-9 or X), with a real birth date. ``stdnum.cn.ric`` computes the check digit; its table of
area codes by birth year is *not* used to refuse anyone, because genuine cards carry codes
that the table lacks (codes are assigned at registration, districts are created and renamed,
and residence permits for Hong Kong, Macao and Taiwan residents use 81/82/83). An unknown area
code becomes a note for staff instead.

USCCs (GB 32100): 18 characters from ``0-9A-HJ-NP-RTUW-Y``; position 1 is the registering
authority, 2 the entity type, 3-8 the area code, 9-17 the organisation code, 18 the mod-31
check character computed by ``stdnum.cn.uscc``. ``stdnum.cn.uscc.validate`` insists on digits
in positions 1-2, which refuses genuine codes of authorities ``A``, ``N`` and ``Y``, so the
format is checked here and only the checksum delegated.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import phonenumbers
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from shared._errors import YizhanError
from shared.textnorm import identifier

EARLIEST_BIRTH_YEAR = 1890


class IdentifierInvalid(YizhanError, ValueError):
    """An identifier failed its check; ``code`` keys the bilingual message. A ValueError too,
    for callers that treat it as bad input."""

    code = "identifier_invalid"
    http_status = 422

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


@dataclass(frozen=True)
class IdNumber:
    """A checked resident ID number and any notes for staff."""

    number: str
    birth_date: date
    notes: tuple[str, ...] = field(default=())


def check_id_number(text: str, today: date | None = None) -> IdNumber:
    """Check a resident ID number. Returns it normalised (18 chars, upper-case X).

    Raises IdentifierInvalid with code ``id_first_generation`` (15 digits), ``id_length``,
    ``id_format``, ``id_checksum``, ``id_birth_date`` or ``id_future_birth``.
    """
    number = identifier(text)
    if len(number) == 15 and number.isascii() and number.isdigit():
        raise IdentifierInvalid("id_first_generation")
    if len(number) != 18:
        raise IdentifierInvalid("id_length")
    body, check = number[:17], number[17]
    if not (body.isascii() and body.isdigit()) or check not in "0123456789X" or body[0] == "0":
        raise IdentifierInvalid("id_format")
    if ric.calc_check_digit(number) != check:
        raise IdentifierInvalid("id_checksum")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdentifierInvalid("id_birth_date") from None
    if born.year < EARLIEST_BIRTH_YEAR:
        raise IdentifierInvalid("id_birth_date")
    if today is not None and born > today:
        raise IdentifierInvalid("id_future_birth")
    notes: tuple[str, ...] = ()
    if not _area_known(number[:6], born.year):
        notes = (f"area code {number[:6]} not in the reference table for {born.year}",)
    return IdNumber(number, born, notes)


@lru_cache(maxsize=65536)
def _area_known(area: str, year: int) -> bool:
    """Whether python-stdnum's county table knows ``area`` for births in ``year``.

    Cached: the table lookup costs ~30 us and a county has few distinct (area, year) pairs,
    while the server checks every record's ID number twice (validation and dedupe)."""
    try:
        ric.get_birth_place(f"{area}{year:04d}0101000")
    except (StdnumError, KeyError, ValueError):
        return False
    return True


_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_RE = re.compile(rf"[{_USCC_ALPHABET}]{{2}}[0-9]{{6}}[{_USCC_ALPHABET}]{{10}}")


def check_uscc(text: str) -> str:
    """Check a unified social credit code. Returns it normalised (upper case, no spaces).

    Raises IdentifierInvalid with code ``uscc_length``, ``uscc_format`` or ``uscc_checksum``.
    """
    code = identifier(text)
    if len(code) != 18:
        raise IdentifierInvalid("uscc_length")
    if not _USCC_RE.fullmatch(code):
        raise IdentifierInvalid("uscc_format")
    if uscc.calc_check_digit(code) != code[17]:
        raise IdentifierInvalid("uscc_checksum")
    return code


# Mainland numbers as the national significant number (no trunk 0): an 11-digit mobile, or
# an area code (10 and 2X: then 8 digits; 3XX-9XX: then 7 or 8) and the local number.
# Checked beside libphonenumber's metadata so that a newly opened number block is not
# refused before the metadata knows it.
_CN_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_CN_LANDLINE = re.compile(r"(?:10|2[0-9])[0-9]{8}|[3-9][0-9]{2}[0-9]{7,8}")
_EXTENSION = re.compile(r"(转|分机|ext\.?|x)\s*(?=[0-9０-９]+\s*$)", re.IGNORECASE)
MAX_PHONE_TEXT = 40


def check_phone(text: str) -> str:
    """Check a phone number and return it in E.164 (``+8613800138000``), with an extension
    as ``;ext=123`` (RFC 3966) when one was given.

    Mainland mobiles and landlines in every usual spelling (``13800138000``, ``+86 138-0013-
    8000``, ``0086…``, ``86 138…``, ``(0722)3456789``, ``010-12345678 转 123``), and Hong Kong,
    Macao, Taiwan and international numbers with their country code (``+852 9123 4567``,
    ``00886 912 345 678``), parsed by libphonenumber (``phonenumbers``). Raises
    IdentifierInvalid with code ``phone_format``.
    """
    if len(text) > MAX_PHONE_TEXT:
        raise IdentifierInvalid("phone_format")
    spelled = _EXTENSION.sub(" ext ", unicodedata.normalize("NFKC", text))
    digits = identifier(spelled).replace("(", "").replace(")", "")
    if re.fullmatch(r"86(1[3-9][0-9]{9})", digits):  # "86 138…": the country code without +
        spelled = "+" + digits
    try:
        number = phonenumbers.parse(spelled, "CN")
    except phonenumbers.NumberParseException:
        raise IdentifierInvalid("phone_format") from None
    national = str(number.national_number)
    if number.country_code == 86:
        ok = phonenumbers.is_valid_number(number) or bool(
            _CN_MOBILE.fullmatch(national) or _CN_LANDLINE.fullmatch(national))
    else:
        ok = phonenumbers.is_valid_number(number) or (
            phonenumbers.is_possible_number(number)
            and phonenumbers.region_code_for_number(number) not in (None, "ZZ", "001"))
    if not ok:
        raise IdentifierInvalid("phone_format")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return f"{e164};ext={number.extension}" if number.extension else e164

"""Checks for the identifiers on an intake form: resident ID numbers, USCCs, phone numbers.

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
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from shared.textnorm import identifier

EARLIEST_BIRTH_YEAR = 1890


class IdentifierInvalid(ValueError):
    """An identifier failed its check; ``code`` keys the bilingual message."""

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


_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"0[1-9][0-9]{8,10}")


def check_phone(text: str) -> str:
    """Check a mainland phone number: an 11-digit mobile or a landline with area code.

    Accepts a +86/0086 prefix, spaces, hyphens and brackets. Returns digits only.
    Raises IdentifierInvalid with code ``phone_format``.
    """
    number = identifier(text).replace("(", "").replace(")", "")
    if number.startswith("+86"):
        number = number[3:]
    elif number.startswith("0086"):
        number = number[4:]
    if not number.isascii() or not (_MOBILE.fullmatch(number) or _LANDLINE.fullmatch(number)):
        raise IdentifierInvalid("phone_format")
    return number

"""The intake records both ends agree on: Complaint, JobSeekerRegistration, QueueTicket.

The JSON shape is the public contract in INTERFACES.md. ``parse_complaint`` and
``parse_jobseeker`` take what a person or another channel sent, normalise it (full-width
characters, stray whitespace, ID check character case) and validate every field, raising
``RecordInvalid`` with one bilingual ``FieldError`` per bad field. ``to_wire()`` returns the
normalised record with the keys that were submitted (no invented defaults), ready for
canonical encoding.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from shared._errors import FieldError, RecordInvalid
from shared.identity import IdentifierInvalid, check_id_number, check_phone, check_uscc
from shared.messages import field_error
from shared.textnorm import category, has_control, identifier, multi_line, single_line

MATTER_TYPES = ("wage_arrears", "labor_contract", "social_insurance", "work_injury",
                "dismissal", "working_hours", "other")
HANDLING = ("mediation", "inspection", "arbitration", "legal_aid", "unsure")
EMPLOYMENT = ("gig", "long_term")
KINDS = ("complaint", "jobseeker")

# Checks against "today" (a birth date or a wage period in the future) must never refuse what
# a wrong kiosk clock would: a flat clock battery reads 2000, and a worker born in 2003 is
# still real. This release cannot run before it was made, so its date is a floor for today;
# a day or two of slack covers time zones and a clock a little behind. The county checks
# again with its own clock.
RELEASE_DATE = date(2026, 11, 1)
TODAY_SLACK = timedelta(days=2)

MAX_DESCRIPTION = 4000
# An employer name, and what it becomes under NFKC and case folding (the county compares
# names in that form: "㍿" is four characters there, "ﷺ" eighteen, "ß" two), is at most this
# long, so the county's employer key ("name:" + the folded name) fits its 128-character column.
MAX_EMPLOYER_NAME = 100
MAX_AMOUNT_FEN = 100_000_000_000  # ¥1 billion: far above any individual claim
MAX_COWORKERS = 100_000

# Written as the middle dot between the parts of a name (阿卜杜拉·买买提): every look-alike,
# including the full-width full stop people type for it, becomes U+00B7.
_MIDDLE_DOTS = re.compile("[\u2022\u2027\u2219\u22c5\u30fb\uff65\u00b7\uff0e]")
# Besides letters, marks and letter-numbers (〇): separators names carry on ID cards and
# residence permits — space, full stop, hyphen, apostrophes (O'Brien, O’Brien), the Tibetan
# syllable marks (tsheg) and the Mongolian vowel separator.
_NAME_PUNCTUATION = frozenset("\u00b7 .-'\u2019\u02bc\u0f0b\u0f0c\u180e")


def plausible_today(clock_today: date) -> date:
    """The latest date a check may take as "today" when a device's clock says
    ``clock_today``: never before this release, plus ``TODAY_SLACK``."""
    return max(clock_today, RELEASE_DATE) + TODAY_SLACK


def _custom(code: str) -> PydanticCustomError:
    return PydanticCustomError(code, code)


def _text(value: Any, *, multiline: bool = False) -> Any:
    if not isinstance(value, str):
        return value  # let the type check name it
    # Normalise first: zero-width characters from input methods are dropped, not refused.
    value = multi_line(value) if multiline else single_line(value)
    if has_control(value):
        raise _custom("control_chars")
    return value


def _optional_text(value: Any) -> Any:
    value = _text(value)
    return None if value == "" else value


def _person_name(value: Any) -> Any:
    value = _text(value)
    if isinstance(value, str):
        value = _MIDDLE_DOTS.sub("\u00b7", value)
        for ch in value:
            if not (category(ch).startswith(("L", "M", "Nl")) or ch in _NAME_PUNCTUATION):
                raise _custom("name_chars")
    return value


def _id_number(value: Any, info: ValidationInfo) -> Any:
    if not isinstance(value, str):
        return value
    today = (info.context or {}).get("today")
    try:
        return check_id_number(value, today).number
    except IdentifierInvalid as exc:
        raise _custom(exc.code) from None


def _phone(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return check_phone(value)
    except IdentifierInvalid as exc:
        raise _custom(exc.code) from None


def _employer_name(value: Any) -> Any:
    value = _text(value)
    if isinstance(value, str) and len(value) <= MAX_EMPLOYER_NAME \
            and len(unicodedata.normalize("NFKC", value).casefold()) > MAX_EMPLOYER_NAME:
        raise PydanticCustomError("too_long_folded", "too_long_folded",
                                  {"max_length": MAX_EMPLOYER_NAME})
    return value


def _uscc(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if identifier(value) == "":
        return None
    try:
        return check_uscc(value)
    except IdentifierInvalid as exc:
        raise _custom(exc.code) from None


def _choice(value: Any) -> Any:
    return identifier(value).lower() if isinstance(value, str) else value


def _iso_date(value: Any) -> Any:
    if isinstance(value, str):
        text = identifier(value)
        if not re.fullmatch(r"\d{4}-?\d{2}-?\d{2}", text):
            raise _custom("not_date")
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise _custom("not_date") from None
    if isinstance(value, date):
        return value
    raise _custom("not_date")


Text = Annotated[str, BeforeValidator(_text)]
Name = Annotated[str, BeforeValidator(_person_name), Field(min_length=1, max_length=50)]
IdNumber = Annotated[str, BeforeValidator(_id_number)]
Phone = Annotated[str, BeforeValidator(_phone)]
IsoDate = Annotated[date, BeforeValidator(_iso_date)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    def to_wire(self) -> dict[str, Any]:
        """The normalised record as JSON-ready values, with only the keys that were sent."""
        return self.model_dump(mode="json", exclude_unset=True)


class Claimant(_Record):
    name: Name
    id_number: IdNumber
    phone: Phone
    conceal_identity: StrictBool = False


class Employer(_Record):
    name: Annotated[str, BeforeValidator(_employer_name),
                    Field(min_length=2, max_length=MAX_EMPLOYER_NAME)]
    uscc: Annotated[str | None, BeforeValidator(_uscc)] = None
    # The length bound sits on the str branch: "" and None both mean "not given".
    address: Annotated[Annotated[str, Field(max_length=200)] | None,
                       BeforeValidator(_optional_text)] = None


class Period(_Record):
    start: IsoDate
    end: IsoDate

    @model_validator(mode="after")
    def _ordered(self, info: ValidationInfo) -> Period:
        if self.start > self.end:
            raise _custom("period_order")
        today = (info.context or {}).get("today")
        if today is not None and self.start > today:
            raise _custom("future_date")
        return self


class Complaint(_Record):
    """One complaint filed on the single intake form (一表受理)."""

    matter_type: Annotated[Literal[MATTER_TYPES], BeforeValidator(_choice)]  # type: ignore[valid-type]
    claimant: Claimant
    employer: Employer
    amount_claimed_fen: Annotated[StrictInt | None, Field(ge=0, le=MAX_AMOUNT_FEN)] = None
    period: Period | None = None
    coworkers_affected: Annotated[StrictInt | None, Field(ge=0, le=MAX_COWORKERS)] = None
    description: Annotated[str, BeforeValidator(lambda v: _text(v, multiline=True)),
                           Field(min_length=1, max_length=MAX_DESCRIPTION)]
    preferred_handling: Annotated[Literal[HANDLING], BeforeValidator(_choice)]  # type: ignore[valid-type]
    consent: StrictBool

    @field_validator("consent")
    @classmethod
    def _consented(cls, value: bool) -> bool:
        if value is not True:
            raise _custom("consent_required")
        return value


ShortText = Annotated[Text, Field(min_length=1, max_length=30)]


class JobSeekerRegistration(_Record):
    """A job-seeker registration (求职登记)."""

    name: Name
    id_number: IdNumber
    phone: Phone
    skills: Annotated[list[ShortText], Field(max_length=20)] = []
    wanted_jobs: Annotated[list[ShortText], Field(max_length=20)] = []
    availability: Annotated[Text, Field(min_length=1, max_length=50)]
    area: Annotated[Text, Field(min_length=1, max_length=50)]
    employment: Annotated[Literal[EMPLOYMENT], BeforeValidator(_choice)]  # type: ignore[valid-type]


class QueueTicket(_Record):
    """A queue number (取号) for one station and service day, e.g. ``A023``."""

    station: Annotated[str, Field(min_length=1, max_length=64)]
    service_date: IsoDate
    prefix: Annotated[str, Field(pattern=r"^[A-Z]$")] = "A"
    number: Annotated[StrictInt, Field(ge=1, le=999)]
    issued_at: str
    receipt_code: str | None = None

    @property
    def display(self) -> str:
        return f"{self.prefix}{self.number:03d}"


_PYDANTIC_CODES = {
    "missing": "required",
    "extra_forbidden": "unknown_field",
    "string_type": "not_text",
    "int_type": "not_integer",
    "int_from_float": "not_integer",
    "int_parsing": "not_integer",
    "bool_type": "not_boolean",
    "list_type": "not_list",
    "model_type": "not_object",
    "model_attributes_type": "not_object",
    "dict_type": "not_object",
    "date_type": "not_date",
    "literal_error": "choice",
    "string_too_short": "too_short",
    "string_too_long": "too_long",
    "too_long": "too_many",
    "greater_than_equal": "too_small",
    "less_than_equal": "too_large",
    "string_pattern_mismatch": "not_text",
}


def _field_errors(exc: ValidationError) -> list[FieldError]:
    out: list[FieldError] = []
    seen: set[str] = set()
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        # An unknown key ends its loc as the sender spelled it ('date', 'str', ...): keep it.
        key = loc[-1:] if err["type"] == "extra_forbidden" else []
        # Drop pydantic's internal validator and type-branch names (e.g. 'constrained-int').
        loc = [p for p in loc[:len(loc) - len(key)] if not p.startswith("function-")
               and p not in ("int", "str", "none", "constrained-int", "constrained-str",
                             "date")] + key
        field = ".".join(loc) or "record"
        if field in seen:
            continue  # one message per field: the first says enough
        seen.add(field)
        etype = err["type"]
        code = _PYDANTIC_CODES.get(etype, etype)
        if code == "too_many" and not isinstance(err.get("input"), list):
            code = "too_long"
        ctx = err.get("ctx") or {}
        params: dict[str, object] = {}
        if code in ("too_long", "too_many", "too_long_folded"):
            params["max"] = ctx.get("max_length", "")
        elif code == "too_small":
            params["min"] = ctx.get("ge", "")
        elif code == "too_large":
            params["max"] = ctx.get("le", "")
        out.append(field_error(field, code, **params))
    return out


def _parse(model: type[_Record], data: object, today: date | None) -> Any:
    if not isinstance(data, dict):
        raise RecordInvalid([field_error("record", "not_object")])
    try:
        return model.model_validate(data, context={"today": today})
    except ValidationError as exc:
        raise RecordInvalid(_field_errors(exc)) from None


def parse_complaint(data: object, today: date | None = None) -> Complaint:
    """Validate and normalise complaint JSON. Raises RecordInvalid listing every bad field."""
    result: Complaint = _parse(Complaint, data, today)
    return result


def parse_jobseeker(data: object, today: date | None = None) -> JobSeekerRegistration:
    """Validate and normalise job-seeker JSON. Raises RecordInvalid listing every bad field."""
    result: JobSeekerRegistration = _parse(JobSeekerRegistration, data, today)
    return result


def parse_record(kind: str, data: object,
                 today: date | None = None) -> Complaint | JobSeekerRegistration:
    """Validate a record of ``kind`` (``complaint`` or ``jobseeker``)."""
    if kind == "complaint":
        return parse_complaint(data, today)
    if kind == "jobseeker":
        return parse_jobseeker(data, today)
    raise RecordInvalid([field_error("kind", "choice")])

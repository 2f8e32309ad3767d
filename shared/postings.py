"""A job posting (招聘岗位) as both ends agree on it: county data, no personal data.

The JSON shape (issue 16, INTERFACES)::

    {"employer": {"name": "…", "uscc": "…"}, "title": "…", "job_type": "…",
     "skills": ["电工", …], "area": "曾都区", "pay_fen": 25000, "pay_period": "day"|"month",
     "start": "2026-12-01", "end": "2026-12-31" | null, "headcount": 3,
     "employment": "gig"|"long_term", "contact": "站点 王老师 0722-…" (optional)}

``parse_posting`` normalises and validates it the way ``shared.records`` does intake records
(full-width forms, whitespace, the USCC's check character by python-stdnum), raising
``RecordInvalid`` with one bilingual ``FieldError`` per bad field. The employer's USCC is
required here: a posting is published under the county's name, so its employer must be
identifiable. Money is integer fen.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, StrictInt, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from shared._errors import RecordInvalid
from shared.messages import field_error
from shared.records import (
    EMPLOYMENT,
    IsoDate,
    ShortText,
    Text,
    _choice,
    _employer_name,
    _field_errors,
    _optional_text,
    _Record,
    _uscc,
)

PAY_PERIODS = ("day", "month")
MAX_PAY_FEN = 100_000_000  # ¥1,000,000 a day or month: far above any real wage
MAX_HEADCOUNT = 10_000
POSTING_KEYS = ("employer", "title", "job_type", "skills", "area", "pay_fen", "pay_period",
                "start", "end", "headcount", "employment", "contact")


class PostingEmployer(_Record):
    name: Annotated[str, BeforeValidator(_employer_name), Field(min_length=2, max_length=100)]
    uscc: Annotated[str | None, BeforeValidator(_uscc)] = None

    @model_validator(mode="after")
    def _identified(self) -> PostingEmployer:
        if not self.uscc:
            raise PydanticCustomError("uscc_required", "uscc_required")
        return self


class JobPosting(_Record):
    """One job posting entered by station or county staff."""

    employer: PostingEmployer
    title: Annotated[Text, Field(min_length=1, max_length=60)]
    job_type: ShortText
    skills: Annotated[list[ShortText], Field(max_length=20)] = Field(default_factory=list)
    area: Annotated[Text, Field(min_length=1, max_length=50)]
    pay_fen: Annotated[StrictInt, Field(ge=1, le=MAX_PAY_FEN)]
    pay_period: Annotated[Literal[PAY_PERIODS], BeforeValidator(_choice)]  # type: ignore[valid-type]
    start: IsoDate
    end: IsoDate | None = None
    headcount: Annotated[StrictInt, Field(ge=1, le=MAX_HEADCOUNT)]
    employment: Annotated[Literal[EMPLOYMENT], BeforeValidator(_choice)]  # type: ignore[valid-type]
    contact: Annotated[Annotated[str, Field(max_length=100)] | None,
                       BeforeValidator(_optional_text)] = None

    @model_validator(mode="after")
    def _ordered(self) -> JobPosting:
        if self.end is not None and self.end < self.start:
            raise PydanticCustomError("end_before_start", "end_before_start")
        return self

    def open_on(self, today: date) -> bool:
        """True while the posting's period has not ended on ``today``."""
        return self.end is None or self.end >= today


def parse_posting(data: object) -> JobPosting:
    """Validate and normalise posting JSON. Raises RecordInvalid naming every bad field
    (``employer.uscc`` with ``uscc_required`` when the USCC is missing; ``end`` with
    ``end_before_start``)."""
    if not isinstance(data, dict):
        raise RecordInvalid([field_error("record", "not_object")])
    try:
        return JobPosting.model_validate(data)
    except ValidationError as exc:
        errors = _field_errors(exc)
        # a model-level check is reported on the model's path: name the field it is about
        fixed = []
        for e in errors:
            if e.code == "uscc_required":
                e = field_error("employer.uscc", "uscc_required")
            elif e.code == "end_before_start":
                e = field_error("end", "end_before_start")
            fixed.append(e)
        raise RecordInvalid(fixed) from None


def posting_to_wire(posting: JobPosting) -> dict[str, Any]:
    """The posting as JSON values, every key present (``end`` and ``contact`` may be null)."""
    out: dict[str, Any] = posting.model_dump(mode="json")
    return out

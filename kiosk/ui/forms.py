"""From what a worker typed on the wizards to intake records, and from errors to screen places.

No Kivy here: the screens hand in plain strings and flags, this module returns the record
dict (INTERFACES.md shape) or the :class:`~shared.FieldError` list to show, so it is tested
without a window.

* Money is typed in yuan and stored in integer fen, parsed as text, never through float:
  ``"12500.50"`` -> ``1250050``; ``"12,500"`` -> ``1250000``; a third decimal is refused.
* Blank optional fields are left out of the record, not sent as ``""``.
* :func:`field_matches` decides which on-screen field shows a server-side error whose
  dotted path may be deeper (``skills.3``) or shallower (``period``) than the input.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from shared._errors import FieldError, RecordInvalid

__all__ = [
    "EMPLOYMENT",
    "HANDLING",
    "MATTER_TYPES",
    "build_complaint",
    "build_jobseeker",
    "field_matches",
    "format_fen",
    "parse_count",
    "parse_yuan",
]

MATTER_TYPES = ("wage_arrears", "labor_contract", "social_insurance", "work_injury",
                "dismissal", "working_hours", "other")
HANDLING = ("mediation", "inspection", "arbitration", "legal_aid", "unsure")
EMPLOYMENT = ("gig", "long_term")

_YUAN = re.compile(r"^(\d{1,12})(?:\.(\d{0,2}))?$")
_COUNT = re.compile(r"^\d{1,6}$")
_GROUPING = re.compile(r"[,，\s']")


def _clean_number(text: str) -> str:
    # NFKC turns full-width digits and the full-width point (from a Chinese IME) into ASCII.
    text = unicodedata.normalize("NFKC", text).strip()
    text = text.removeprefix("¥").removeprefix("￥").removesuffix("元").strip()
    return _GROUPING.sub("", text).replace("。", ".")


def parse_yuan(text: str, field: str = "amount_claimed_fen") -> int | None:
    """Return the amount typed in yuan as integer fen, or None when blank.

    Raises RecordInvalid (one FieldError for ``field``) when it is not a plain amount with
    at most two decimals.
    """
    cleaned = _clean_number(text)
    if not cleaned:
        return None
    match = _YUAN.match(cleaned)
    if match is None:
        raise RecordInvalid([FieldError(
            field, "not_amount", "诉求金额：请填写金额（元），最多两位小数，如 12500.50",
            "Amount claimed: type an amount in yuan with at most two decimals, e.g. 12500.50")])
    whole, cents = match.group(1), (match.group(2) or "")
    return int(whole) * 100 + int(cents.ljust(2, "0"))


def format_fen(fen: int) -> str:
    """``1250050`` -> ``"12,500.50"`` (for the review page and the printed receipt)."""
    return f"{fen // 100:,}.{fen % 100:02d}"


def parse_count(text: str, field: str = "coworkers_affected") -> int | None:
    """Return a whole number typed by the worker, or None when blank. Raises RecordInvalid."""
    cleaned = _clean_number(text)
    if not cleaned:
        return None
    if not _COUNT.match(cleaned):
        raise RecordInvalid([FieldError(
            field, "not_integer", "涉及工友人数：请填写整数",
            "Co-workers affected: type a whole number")])
    return int(cleaned)


def _text(value: str) -> str:
    return value.strip()


def _optional(out: dict[str, Any], key: str, value: str) -> None:
    if value.strip():
        out[key] = value.strip()


def build_complaint(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return the complaint record from the wizard's ``values``.

    ``values`` keys are the dotted field paths of INTERFACES.md (``claimant.name``, ...,
    ``period.start``) holding the typed strings (``amount_claimed_fen`` holds the yuan as
    typed), booleans for ``claimant.conceal_identity`` and ``consent``. Raises RecordInvalid
    listing the fields that cannot even be turned into a record (the amount, the count);
    everything else is left for the services' validation.
    """
    errors: list[FieldError] = []
    amount = count = None
    try:
        amount = parse_yuan(str(values.get("amount_claimed_fen", "")))
    except RecordInvalid as exc:
        errors += exc.errors
    try:
        count = parse_count(str(values.get("coworkers_affected", "")))
    except RecordInvalid as exc:
        errors += exc.errors
    if errors:
        raise RecordInvalid(errors)
    record: dict[str, Any] = {
        "matter_type": values.get("matter_type", ""),
        "claimant": {
            "name": _text(values.get("claimant.name", "")),
            "id_number": _text(values.get("claimant.id_number", "")),
            "phone": _text(values.get("claimant.phone", "")),
            "conceal_identity": bool(values.get("claimant.conceal_identity", False)),
        },
        "employer": {"name": _text(values.get("employer.name", ""))},
        "description": _text(values.get("description", "")),
        "preferred_handling": values.get("preferred_handling") or "unsure",
        "consent": bool(values.get("consent", False)),
    }
    _optional(record["employer"], "uscc", values.get("employer.uscc", ""))
    _optional(record["employer"], "address", values.get("employer.address", ""))
    if amount is not None:
        record["amount_claimed_fen"] = amount
    start, end = _text(values.get("period.start", "")), _text(values.get("period.end", ""))
    if start or end:
        record["period"] = {"start": start, "end": end}
    if count is not None:
        record["coworkers_affected"] = count
    return record


def _items(chosen: Sequence[str], free_text: str) -> list[str]:
    """Chosen chips then free-text entries (split on commas, 、 or new lines), deduplicated."""
    extra = [p.strip() for p in re.split(r"[,，、;；\n]", free_text) if p.strip()]
    out: list[str] = []
    for item in (*chosen, *extra):
        if item not in out:
            out.append(item)
    return out


def build_jobseeker(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return the job-seeker record from the wizard's ``values``.

    Keys: ``name``, ``id_number``, ``phone``, ``skills`` / ``wanted_jobs`` (chosen chip
    labels), ``skills_text`` / ``wanted_jobs_text`` (free text), ``availability``, ``area``,
    ``employment``. Never raises: validation is the services' job.
    """
    return {
        "name": _text(values.get("name", "")),
        "id_number": _text(values.get("id_number", "")),
        "phone": _text(values.get("phone", "")),
        "skills": _items(values.get("skills", ()), values.get("skills_text", "")),
        "wanted_jobs": _items(values.get("wanted_jobs", ()), values.get("wanted_jobs_text", "")),
        "availability": _text(values.get("availability", "")),
        "area": _text(values.get("area", "")),
        "employment": values.get("employment", ""),
    }


def field_matches(input_path: str, error_path: str) -> bool:
    """True when an error at ``error_path`` belongs beside the input for ``input_path``.

    Same path, an error deeper inside the input (``skills.3`` for ``skills``) or about a
    group the input starts (``period`` for ``period.start``; the caller asks inputs in
    screen order, so the group's error lands on its first input).
    """
    return (error_path == input_path or error_path.startswith(input_path + ".")
            or input_path.startswith(error_path + "."))

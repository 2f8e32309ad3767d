"""One-time notification checklists (一次性告知清单): the built-in set and its shape.

The county server publishes a set in station configuration; the kiosk shows the newest it
received, else the built-in ``default.json``. Both validate with ``check_checklists``::

    {"version": int, "matters": {MATTER: SHEET}}
    SHEET = {"title": T, "documents": [T], "where": [T], "next_steps": [T],
             "time_limits": [T + {"basis_zh", "basis_en"}]}
    T     = {"zh": str, "en": str}
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from shared._errors import YizhanError

SECTIONS = ("documents", "where", "next_steps", "time_limits")
LANGS = ("zh", "en")


class ChecklistInvalid(YizhanError):
    """A checklist set is malformed; the message names the part at fault."""

    code = "checklist_invalid"
    http_status = 422


def default_checklists() -> dict[str, Any]:
    """The built-in checklist set (a fresh copy)."""
    text = resources.files("shared.checklists").joinpath("default.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def check_checklists(data: object) -> dict[str, Any]:
    """Validate a checklist set; returns it. Raises ChecklistInvalid naming the bad part."""
    if not isinstance(data, dict) or not isinstance(data.get("matters"), dict) \
            or not data["matters"]:
        raise ChecklistInvalid("checklists: 'matters' must be a non-empty object")
    for name, sheet in data["matters"].items():
        where = f"checklists.matters.{name}"
        if not isinstance(sheet, dict):
            raise ChecklistInvalid(f"{where}: must be an object")
        _check_text(sheet.get("title"), f"{where}.title")
        for section in SECTIONS:
            items = sheet.get(section)
            if not isinstance(items, list):
                raise ChecklistInvalid(f"{where}.{section}: must be a list")
            for i, item in enumerate(items):
                _check_text(item, f"{where}.{section}[{i}]")
    return data


def _check_text(item: object, where: str) -> None:
    if not isinstance(item, dict) or not all(isinstance(item.get(k), str) and item[k]
                                             for k in LANGS):
        raise ChecklistInvalid(f"{where}: must have non-empty 'zh' and 'en' text")

"""The county's own one-time notification checklists (一次性告知清单), edited per matter
type in zh-CN and English, versioned in the store (every version kept), and pushed to every
kiosk: saving a version puts the station configuration carrying it on the changes feed in
the same transaction, so kiosks print it after their next sync.

The statutory time limits (``time_limits``) are kept from the version before: the form
edits the title, documents, where to go and next steps.
"""

from __future__ import annotations

import copy
from typing import Any

from shared.checklists import ChecklistInvalid, check_checklists, default_checklists
from shared.records import MATTER_TYPES
from sync_server.domain.roles import may
from sync_server.errors import ConfigError
from sync_server.services import audit
from sync_server.services.accounts import StaffUser
from sync_server.services.alertwork import local
from sync_server.services.casework import NotPermitted
from sync_server.services.stationconfig import station_config
from sync_server.services.wiring import Services
from sync_server.store import checklists as q
from sync_server.store import feed

EDITABLE = ("documents", "where", "next_steps")
MAX_ITEMS, MAX_TEXT = 30, 500


class ChecklistRefused(ConfigError):
    """An edited checklist is refused; the message names the field (zh-CN and English)."""

    code = "checklist_refused"


def in_force(svc: Services) -> dict[str, Any]:
    """The checklist set kiosks are sent: the county's newest version, else the built-in."""
    with svc.engine.connect() as conn:
        return q.in_force(conn) or default_checklists()


def history(svc: Services) -> list[dict[str, Any]]:
    with svc.engine.connect() as conn:
        rows = q.history(conn)
    return [{**r, "created_at": local(r["created_at_ms"])} for r in rows]


def _lines(fields: dict[str, str], name: str) -> list[str]:
    lines = [ln.strip() for ln in fields.get(name, "").splitlines() if ln.strip()]
    if len(lines) > MAX_ITEMS:
        raise ChecklistRefused(f"{name}: 最多 {MAX_ITEMS} 项 / at most {MAX_ITEMS} items")
    for ln in lines:
        if len(ln) > MAX_TEXT:
            raise ChecklistRefused(f"{name}: 每项最多 {MAX_TEXT} 字 / at most {MAX_TEXT} "
                                   "characters an item")
    return lines


def sheet_from_form(old: dict[str, Any], fields: dict[str, str]) -> dict[str, Any]:
    """A matter's sheet from the form fields ``title_zh``, ``title_en``, ``SECTION_zh`` and
    ``SECTION_en`` (one item a line; the two languages line up). Raises ChecklistRefused."""
    sheet = copy.deepcopy(old)
    title = {lang: fields.get(f"title_{lang}", "").strip() for lang in ("zh", "en")}
    for lang, text in title.items():
        if not text or len(text) > 100:
            raise ChecklistRefused(f"title_{lang}: 标题必填，最多100字 / a title is required "
                                   "(at most 100 characters)")
    sheet["title"] = title
    for section in EDITABLE:
        zh, en = _lines(fields, f"{section}_zh"), _lines(fields, f"{section}_en")
        if len(zh) != len(en):
            raise ChecklistRefused(f"{section}_en: 中文 {len(zh)} 项、英文 {len(en)} 项，须逐行"
                                   f"对应 / {len(zh)} Chinese lines but {len(en)} English "
                                   "lines: each item needs both")
        if section == "documents" and not zh:
            raise ChecklistRefused("documents_zh: 至少一项材料 / at least one document")
        sheet[section] = [{"zh": a, "en": b} for a, b in zip(zh, en, strict=True)]
    return sheet


def save(svc: Services, user: StaffUser, matter_type: str, fields: dict[str, str], *,
         address: str | None = None) -> int:
    """Save a new version with ``matter_type``'s sheet from the form and publish it to every
    station. Returns the new version number. Raises NotPermitted, ChecklistRefused."""
    if not may(user.roles, "checklist.edit"):
        raise NotPermitted(f"user {user.username!r} may not edit checklists (director) / "
                           "无权修改告知清单")
    if matter_type not in MATTER_TYPES:
        raise ChecklistRefused(f"matter_type {matter_type!r}: unknown ({', '.join(MATTER_TYPES)})")
    now = int(svc.clock.now().timestamp() * 1000)
    with svc.engine.begin() as conn:
        current = q.in_force(conn) or default_checklists()
        doc = copy.deepcopy(current)
        old = doc["matters"].get(matter_type) or {
            "title": {"zh": matter_type, "en": matter_type}, "documents": [], "where": [],
            "next_steps": [], "time_limits": []}
        doc["matters"][matter_type] = sheet_from_form(old, fields)
        doc["version"] = int(current.get("version", 1)) + 1
        try:
            check_checklists(doc)
        except ChecklistInvalid as exc:
            raise ChecklistRefused(str(exc)) from None
        q.add(conn, doc, now, user.username)
        config = station_config(None, svc.keys.public(), checklists=doc)
        feed.append(conn, [(feed.EVERY_STATION, {"type": "config", "config": config})], now)
        audit.append(conn, now, user.username, "checklist.edit", None,
                     f"{matter_type}: version {doc['version']}", address)
    return int(doc["version"])

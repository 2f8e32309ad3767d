"""What a worker is told about a case beyond its status: which body handles it, the next
statutory deadline, and whether materials are missing (需补正) — in plain zh-CN and English,
never names, employer, amounts, the description or any text staff typed.

The status answer (``POST /v1/status``) carries these as optional keys ``handled_by``,
``next_deadline`` and ``needs_materials`` (docs/protocol.md, "Status answer"). A station's
feed entry carries the same keys and, because a kiosk keeps only the next-step text, the words
folded into ``next_step_zh``/``next_step_en`` (``feed_words``): an older kiosk shows them as
it shows any next step, with no change.

The missing items staff record (``materials_requested {"items"}``) are free text and may hold
personal data, so they never leave the county: the worker is told a fixed phrase with how
many items were listed (the count of the list's parts), what to bring and where to go.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sync_server.domain.casework import NEEDS_MATERIALS

if TYPE_CHECKING:
    from sync_server.domain.deadlines import Clock
    from sync_server.domain.fold import CaseState

HANDLERS: dict[str, tuple[str, str]] = {
    "mediation": ("劳动争议调解组织", "Labour dispute mediation body"),
    "inspection": ("劳动保障监察机构", "Labour inspection office"),
    "arbitration": ("劳动人事争议仲裁委员会", "Labour dispute arbitration commission"),
    "legal_aid": ("法律援助中心", "Legal aid centre"),
    "court": ("人民法院", "People's court"),
}
# the statuses in which the case's route names the body handling it
HANDLING = frozenset({"in_mediation", "in_inspection", "in_arbitration", "with_legal_aid",
                      "in_court"})
CENTRE = ("县劳动维权服务中心", "County labour rights service centre")
_SPLIT = re.compile(r"[、，,；;\n]+")


def handled_by(state: CaseState) -> dict[str, str]:
    """``{"route", "zh", "en"}``: the body handling the case now (the county centre until it
    is routed, and after it is finished)."""
    if state.status in HANDLING and state.route in HANDLERS:
        zh, en = HANDLERS[state.route]
        return {"route": state.route, "zh": zh, "en": en}
    return {"route": "centre", "zh": CENTRE[0], "en": CENTRE[1]}


def item_count(items: str) -> int:
    """How many items a staff list names (parts between 、，,；; or line breaks), at least 1."""
    return max(1, len([p for p in _SPLIT.split(items) if p.strip()]))


def needs_materials(state: CaseState) -> dict[str, Any] | None:
    """``{"count", "zh", "en"}`` while materials are awaited, else None. Fixed words only."""
    if NEEDS_MATERIALS not in state.flags:
        return None
    materials = state.work.get("materials") or {}
    n = item_count(str(materials.get("items") or ""))
    return {"count": n,
            "zh": f"还需要补充 {n} 项材料（工作人员告知您的清单）。请带上这些材料、身份证和本回执，"
                  "到任一服务站点或县劳动维权服务中心提交；材料齐全前办理期限暂停计算。",
            "en": f"{n} more document{'s' if n > 1 else ''} needed (the list staff gave "
                  "you). Bring them with your ID card and this receipt to any service station "
                  "or the county labour rights service centre; the legal time limit is paused "
                  "until they are complete."}


def short_basis(source: str) -> str:
    """The law and article of a rule's source, without the explanation in brackets."""
    return re.split(r"[（(]", source, maxsplit=1)[0].strip().rstrip("；;,")


def deadline(clock: Clock | None) -> dict[str, str] | None:
    """The next running statutory clock as the worker sees it: ``{"due" (YYYY-MM-DD, China
    date), "clock", "what_zh", "what_en", "basis_zh", "basis_en"}``, or None (no clock runs,
    or the clock is paused awaiting materials)."""
    if clock is None or clock.due is None or clock.stopped is not None:
        return None
    rule = clock.rule
    return {"due": clock.due.isoformat(), "clock": rule.name, "what_zh": rule.title_zh,
            "what_en": rule.title_en, "basis_zh": short_basis(rule.source_zh),
            "basis_en": short_basis(rule.source_en)}


def extras(state: CaseState, clock: Clock | None) -> dict[str, Any]:
    """The optional keys of a status answer or feed entry for ``state`` whose next running
    clock is ``clock``: ``handled_by`` always, ``next_deadline`` and ``needs_materials``
    only when there is one."""
    out: dict[str, Any] = {"handled_by": handled_by(state)}
    due = deadline(clock)
    if due is not None:
        out["next_deadline"] = due
    materials = needs_materials(state)
    if materials is not None:
        out["needs_materials"] = materials
    return out


def feed_words(entry: dict[str, Any]) -> dict[str, Any]:
    """``entry`` (a status entry with ``extras``) with the needs-materials words and the
    deadline folded into its next-step text, for kiosks, which keep only that text."""
    zh, en = str(entry["next_step_zh"]), str(entry["next_step_en"])
    materials = entry.get("needs_materials")
    if materials:
        zh, en = f"{materials['zh']} {zh}", f"{materials['en']} {en}"
    due = entry.get("next_deadline")
    if due:
        zh += f" 下一个法定期限：{due['what_zh']}，{due['due']} 前（{due['basis_zh']}）。"
        en += (f" Next legal deadline: {due['what_en']}, by {due['due']} "
               f"({due['basis_en']}).")
    return {**entry, "next_step_zh": zh, "next_step_en": en}

"""Staff roles of the county console and who may do what (CONSOLE.md "Who works at the
county centre"): the role table, the action table, and the predicates every layer asks.

Access is decided here, on the server, for every request; the console only hides links
that these predicates would refuse anyway. Pure rules: no store, no clock.

* ``ROLES`` — role id → (zh-CN, English) label. A user may hold several.
* ``ACTIONS`` — action id → the roles that may perform it (``may``).
* ``sees_personal_data`` — whether a user's roles may read a claimant's identity.
* ``in_scope`` — station scoping: a station user sees only that station's cases.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Role:
    """One role: its stable id and its labels."""

    id: str
    zh: str
    en: str


ROLES: MappingProxyType[str, Role] = MappingProxyType({r.id: r for r in (
    Role("intake", "窗口受理员", "intake clerk"),
    Role("triage", "分流员", "triage officer"),
    Role("mediator", "调解员", "mediator"),
    Role("inspector", "劳动监察员", "labour inspector"),
    Role("arbitration", "仲裁立案员", "arbitration clerk"),
    Role("legal_aid", "法律援助", "legal aid"),
    Role("director", "中心主任", "centre director"),
    Role("statistician", "统计员", "statistician"),
    Role("station_admin", "站点管理员", "station/device admin"),
    Role("admin", "系统管理员", "system admin"),
    Role("auditor", "审计员", "auditor"),
)})

ROLE_IDS = frozenset(ROLES)

_CASEWORKERS = frozenset({"intake", "triage", "mediator", "inspector", "arbitration",
                          "legal_aid", "director"})
_TRIAGE = frozenset({"triage", "director"})

# action id -> roles that may perform it. Case actions are here so the console and the CLI
# ask one table; whether a case's *state* allows the action is the case services' business.
ACTIONS: MappingProxyType[str, frozenset[str]] = MappingProxyType({
    # reading cases
    "case.view": _CASEWORKERS,
    "case.list": _CASEWORKERS,
    "identity.open": _CASEWORKERS,          # the sealed identity panel (audited as a view)
    # intake
    "case.accept": frozenset({"intake", "triage", "director"}),
    "case.needs_materials": frozenset({"intake", "triage", "director"}),
    "case.note": _CASEWORKERS,
    # triage
    "case.route": _TRIAGE,
    "case.track": _TRIAGE,                  # 繁简分流 simple/complex, 速裁 fast track
    "case.assign": _TRIAGE,
    "case.duplicate": _TRIAGE,
    "case.resolve_conflict": _TRIAGE,
    # working a routed case
    "case.outcome": frozenset({"mediator", "inspector", "arbitration", "legal_aid",
                               "director"}),
    "case.close": frozenset({"mediator", "inspector", "arbitration", "legal_aid", "triage",
                             "director"}),
    "case.withdraw": frozenset({"intake", "triage", "director"}),
    "case.reopen": frozenset({"director"}),
    # director only
    "case.reassign": frozenset({"director"}),
    "case.grade": frozenset({"director"}),
    "deadline.extend_approve": frozenset({"director"}),
    "calendar.edit": frozenset({"director"}),
    "checklist.edit": frozenset({"director"}),  # the county's 一次性告知 lists
    # reports: aggregates only, no personal data
    "report.view": frozenset({"statistician", "director"}),
    # early warning (预警) and the employer page (用人单位画像)
    "alert.view": _CASEWORKERS | {"statistician"},
    "alert.work": _TRIAGE,                  # 认领/研判/处置/销号, escalate to inspection
    "employer.view": _CASEWORKERS,
    # stations and devices
    "device.manage": frozenset({"station_admin"}),
    "quarantine.manage": frozenset({"station_admin", "director"}),
    # the system
    "user.manage": frozenset({"admin"}),
    "audit.view": frozenset({"auditor"}),
})

# Roles that may read a claimant's identity (name, ID number, phone). ``admin``,
# ``statistician``, ``station_admin`` and ``auditor`` never do: the auditor sees who looked,
# not what they saw.
_PERSONAL_DATA = _CASEWORKERS


def unknown_roles(roles: Iterable[str]) -> list[str]:
    """The entries of ``roles`` that are not role ids, in the order given."""
    return [r for r in roles if r not in ROLE_IDS]


def may(roles: Iterable[str], action: str) -> bool:
    """True when a user holding ``roles`` may perform ``action``.

    Raises KeyError for an action id this table does not know (a bug, not a refusal).
    """
    return not ACTIONS[action].isdisjoint(roles)


def sees_personal_data(roles: Iterable[str]) -> bool:
    """True when a user holding ``roles`` may read a claimant's identity."""
    return not _PERSONAL_DATA.isdisjoint(roles)


def only_assigned(roles: Iterable[str]) -> bool:
    """True when the user sees only cases assigned to them (a mediator with no wider role)."""
    held = frozenset(roles)
    return "mediator" in held and held.isdisjoint(_CASEWORKERS - {"mediator"})


def in_scope(user_station: str | None, case_station: str) -> bool:
    """True when a user of ``user_station`` (None: the county) may see a case filed at
    ``case_station``."""
    return user_station is None or user_station == case_station


def label(role: str, lang: str = "zh") -> str:
    """The role's label in ``lang`` ("zh" or "en"); the id itself when unknown."""
    found = ROLES.get(role)
    if found is None:
        return role
    return found.en if lang == "en" else found.zh

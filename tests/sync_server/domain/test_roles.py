"""The role table and its predicates (sync_server/domain/roles.py)."""

from __future__ import annotations

import pytest

from sync_server.domain import roles

ISSUE_13_ROLES = {"intake", "triage", "mediator", "inspector", "arbitration", "legal_aid",
                  "director", "statistician", "station_admin", "admin", "auditor"}


def test_role_ids_are_exactly_the_interface() -> None:
    assert roles.ROLE_IDS == ISSUE_13_ROLES
    assert roles.unknown_roles(["triage", "boss", "admin"]) == ["boss"]


@pytest.mark.parametrize(("held", "action", "allowed"), [
    ({"admin"}, "user.manage", True),
    ({"admin"}, "case.view", False),             # admin: no case content by default
    ({"auditor"}, "audit.view", True),
    ({"director"}, "audit.view", False),         # only the auditor reads the audit log
    ({"intake"}, "case.accept", True),
    ({"intake"}, "case.route", False),           # routing is triage's
    ({"triage"}, "case.assign", True),
    ({"mediator"}, "case.outcome", True),
    ({"mediator"}, "case.assign", False),
    ({"director"}, "deadline.extend_approve", True),
    ({"triage"}, "deadline.extend_approve", False),
    ({"statistician"}, "report.view", True),
    ({"statistician"}, "case.view", False),
    ({"station_admin"}, "device.manage", True),
    ({"intake", "auditor"}, "audit.view", True),  # roles add up
])
def test_may(held: set[str], action: str, allowed: bool) -> None:
    assert roles.may(held, action) is allowed


def test_unknown_action_is_a_bug_not_a_refusal() -> None:
    with pytest.raises(KeyError):
        roles.may({"director"}, "case.teleport")


@pytest.mark.parametrize(("held", "sees"), [
    ({"intake"}, True), ({"mediator"}, True), ({"director"}, True),
    ({"admin"}, False), ({"statistician"}, False), ({"auditor"}, False),
    ({"station_admin"}, False),
])
def test_sees_personal_data(held: set[str], sees: bool) -> None:
    assert roles.sees_personal_data(held) is sees


def test_scoping() -> None:
    assert roles.in_scope(None, "S001")          # a county user sees every station
    assert roles.in_scope("S001", "S001")
    assert not roles.in_scope("S001", "S002")
    assert roles.only_assigned({"mediator"})
    assert not roles.only_assigned({"mediator", "triage"})
    assert roles.label("mediator") == "调解员"
    assert roles.label("mediator", "en") == "mediator"

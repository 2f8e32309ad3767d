"""The worker's next step for every status, and the state machine's moves."""

from __future__ import annotations

import pytest

from sync_server.domain import ROUTES, STATUSES, UnknownStatus, may_move, next_step


@pytest.mark.parametrize("status", STATUSES)
def test_every_status_has_short_wording_in_both_languages(status: str) -> None:
    zh, en = next_step(status, None)
    assert zh
    assert en
    assert len(zh) <= 60
    assert len(en) <= 160
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)
    assert en.isascii()


def test_each_status_says_something_different() -> None:
    assert len({next_step(s, None) for s in STATUSES}) == len(STATUSES)


def test_handling_wording_names_the_handling_body() -> None:
    assert "调解" in next_step("in_mediation", "mediation")[0]
    assert "监察" in next_step("in_inspection", "inspection")[0]
    assert "仲裁" in next_step("in_arbitration", "arbitration")[0]
    assert "法律援助" in next_step("with_legal_aid", "legal_aid")[0]
    assert "法院" in next_step("in_court", "court")[0]


def test_a_reopened_case_says_so() -> None:
    assert "重新" in next_step("received", "mediation")[0]
    assert "Reopened" in next_step("received", "mediation")[1]


@pytest.mark.parametrize(("status", "route"), [("lost", None), ("received", "police")])
def test_unknown_status_or_route_is_refused(status: str, route: str | None) -> None:
    with pytest.raises(UnknownStatus):
        next_step(status, route)


@pytest.mark.parametrize(("old", "new", "allowed"), [
    ("provisional", "received", True),         # the county stored it
    ("received", "in_mediation", True),        # forward
    ("in_mediation", "in_arbitration", True),  # between handling stages
    ("in_court", "in_mediation", True),        # ... in either direction
    ("in_mediation", "settled", True),         # finished
    ("settled", "closed", True),               # between finished stages
    ("in_mediation", "in_mediation", False),   # no change
    ("in_mediation", "received", False),       # backward
    ("closed", "in_mediation", False),         # a finished case needs a reopen
    ("received", "provisional", False),        # never back to provisional
])
def test_state_machine_moves(old: str, new: str, allowed: bool) -> None:
    assert may_move(old, new) is allowed


def test_routes_all_have_a_status() -> None:
    for route in ROUTES:
        next_step("received", route)


def test_a_closed_duplicate_points_the_worker_to_the_other_receipt() -> None:
    zh, en = next_step("closed", None, duplicate_of="C0")
    assert zh != next_step("closed", None)[0]
    assert "另一件" in zh
    assert "C0" not in zh + en  # the other case is not named
    assert next_step("in_mediation", "mediation", "C0") == next_step("in_mediation", "mediation")


@pytest.mark.parametrize("status", STATUSES)
def test_a_registration_never_reads_as_a_dispute(status: str) -> None:
    # issue 16: whatever status a registration's feed entry carries, the text speaks of
    # jobs, never of mediation or court
    zh, en = next_step(status, None, kind="jobseeker")
    assert not any(w in zh for w in ("法院", "调解", "仲裁", "监察"))
    assert "court" not in en.lower()
    assert zh
    assert en

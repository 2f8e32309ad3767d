"""Likely duplicates: both cases show the link, staff see pending pairs side by side (never an
ID number), confirm closes the duplicate and tells its station, split gives the status back.
Runs on SQLite and PostgreSQL; the CLI test on SQLite."""

from __future__ import annotations

import json

import httpx
import pytest

from shared.clock import ManualClock
from sync_server.config.settings import Settings
from sync_server.errors import ActionRefused, NotFound
from sync_server.services.staff import StaffDesk
from tests.sync_server.conftest import new_token
from tests.sync_server.server_kit import TestKiosk, add_staff, complaint, person, server_cli


def _statuses(kiosk: TestKiosk, client: httpx.Client, cursor: str = "") -> tuple[list, str]:
    answer = kiosk.changes(client, cursor).json()
    return [c for c in answer["changes"] if c["type"] == "status"], answer["cursor"]


@pytest.fixture
def pair(client: httpx.Client, staff: StaffDesk, kiosk: TestKiosk,
         manual_clock: ManualClock) -> tuple[TestKiosk, str, str]:
    """The same claimant against the same employer: at S001, then a day later at S002.
    Returns (the S002 kiosk, earlier code, later code)."""
    first = kiosk.file(record=complaint(1))
    assert kiosk.push(client, [first]).status_code == 201
    manual_clock.advance(86_400)
    other = TestKiosk(manual_clock, station="S002")
    other.enroll(client, new_token(staff, "S002"))
    again = other.file(record=complaint(1, amount_claimed_fen=990_000))
    assert other.push(client, [again]).status_code == 201
    return other, kiosk.receipts[first.header.id][0], other.receipts[again.header.id][0]


def test_both_cases_show_the_link_and_the_pair_is_listed_side_by_side(
        staff: StaffDesk, pair: tuple[TestKiosk, str, str]) -> None:
    _, early, late = pair
    cases = {c["receipt_code"]: c for c in staff.export()}
    e, later = cases[early], cases[late]
    assert later["flags"] == [f"duplicate_pending:{e['case_id']}"]
    assert e["flags"] == [f"duplicate_pending:{later['case_id']}"]  # the earlier one too
    assert e["duplicate_links"] == {later["case_id"]: "pending"}
    [listed] = staff.duplicates()
    assert (listed["earlier"]["receipt_code"], listed["later"]["receipt_code"]) == (early, late)
    assert (listed["earlier"]["station"], listed["later"]["station"]) == ("S001", "S002")
    assert listed["later"]["amount_claimed_fen"] == 990_000
    assert listed["later"]["matter_type"] == "wage_arrears"
    assert listed["earlier"]["employer"]["name"] == complaint(1)["employer"]["name"]
    assert person(1) not in json.dumps(listed)  # never the ID number


def test_confirm_closes_the_duplicate_on_its_station_feed_and_split_reverts_it(
        client: httpx.Client, staff: StaffDesk, kiosk: TestKiosk,
        pair: tuple[TestKiosk, str, str]) -> None:
    other, early, late = pair
    before, cursor = _statuses(other, client)
    assert [(c["receipt_code"], c["status"]) for c in before] == [(late, "received")]
    _, s1_cursor = _statuses(kiosk, client)
    mine, theirs = staff.duplicate(late, early, "confirm", "wang")
    assert (mine.status, mine.duplicate_of) == ("closed", theirs.case_id)
    assert (theirs.status, theirs.flags) == ("received", ())
    assert dict(theirs.duplicate_links) == {mine.case_id: "original"}
    assert staff.duplicates() == []
    closed, cursor = _statuses(other, client, cursor)
    assert [(c["receipt_code"], c["status"]) for c in closed] == [(late, "closed")]
    assert "另一件" in closed[0]["next_step_zh"]
    assert _statuses(kiosk, client, s1_cursor)[0] == []  # the earlier case did not move
    # The reverse is refused while confirmed; so is a case with itself.
    with pytest.raises(ActionRefused, match="split them first"):
        staff.duplicate(early, late, "confirm", "wang")
    with pytest.raises(ActionRefused, match="itself"):
        staff.duplicate(late, late.lower(), "confirm", "wang")
    mine, theirs = staff.duplicate(late, early, "split", "wang")
    assert (mine.status, mine.duplicate_of, theirs.status) == ("received", None, "received")
    reverted, cursor = _statuses(other, client, cursor)
    assert [(c["receipt_code"], c["status"]) for c in reverted] == [(late, "received")]
    assert _statuses(other, client, cursor)[0] == []
    assert staff.duplicates() == []  # decided: split
    [case] = [c for c in staff.export() if c["receipt_code"] == late]
    assert [h["new"] for h in case["history"] if h["field"] == "status"] == \
        ["received", "closed", "received"]


def test_split_of_unlinked_cases_and_unknown_codes_are_refused(
        client: httpx.Client, staff: StaffDesk, kiosk: TestKiosk) -> None:
    a, b = kiosk.file(record=complaint(1)), kiosk.file(record=complaint(2))
    kiosk.push(client, [a, b])
    code_a, code_b = kiosk.receipts[a.header.id][0], kiosk.receipts[b.header.id][0]
    with pytest.raises(ActionRefused, match="not linked"):
        staff.duplicate(code_a, code_b, "split", "wang")
    with pytest.raises(NotFound, match="ABCD-EFGH-JKM"):
        staff.duplicate(code_a, "ABCD-EFGH-JKM", "confirm", "wang")
    # Staff may confirm a pair the detector did not link (e.g. the employer named twice
    # differently); then it can be split again.
    mine, _ = staff.duplicate(code_b, code_a, "confirm", "wang")
    assert mine.status == "closed"
    assert staff.duplicate(code_b, code_a, "split", "wang")[0].status == "received"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_cli_duplicates_and_case_duplicate(server_settings: Settings,
                                           pair: tuple[TestKiosk, str, str]) -> None:
    _, early, late = pair
    where = ["--data", str(server_settings.data_dir), "--db", server_settings.db_url]
    wang = add_staff(server_settings.data_dir, db=server_settings.db_url)
    text = server_cli("duplicates", *where).stdout
    assert all(word in text for word in (early, late, "earlier"))
    assert person(1) not in text
    [listed] = json.loads(server_cli("duplicates", "--json", *where).stdout)
    assert listed["later"]["receipt_code"] == late
    done = json.loads(server_cli("case", "duplicate", late, "--confirm-of", early, "--json",
                                 *where, *wang).stdout)
    assert (done["case"]["status"], done["other"]["status"]) == ("closed", "received")
    assert json.loads(server_cli("duplicates", "--json", *where).stdout) == []
    refused = server_cli("case", "duplicate", early, "--confirm-of", late, *where, *wang,
                         check=False)
    assert refused.returncode == 1
    assert "split them first" in refused.stderr

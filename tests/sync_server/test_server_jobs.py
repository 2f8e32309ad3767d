"""Jobs at the county (issue 16), in-process over SQLite and PostgreSQL: flags from the
rights side, holding and publishing, the feed entries kiosks get, one job seeker across
stations, placements linked to a later complaint, indicators."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from shared.clock import ManualClock
from shared.postings import parse_posting
from sync_server.config.settings import Settings
from sync_server.errors import ActionRefused
from sync_server.services.jobs import JobBoard
from sync_server.services.staff import StaffDesk
from sync_server.services.wiring import Services
from tests.sync_server.conftest import new_token
from tests.sync_server.server_kit import TestKiosk, complaint, employer_uscc, jobseeker


@pytest.fixture
def board(server_settings: Settings, manual_clock: ManualClock,
          staff: StaffDesk) -> Iterator[JobBoard]:
    svc = Services.open(server_settings, manual_clock)
    try:
        yield JobBoard(svc)
    finally:
        svc.close()


def posting(employer: int = 0, **over: Any) -> Any:
    return parse_posting({
        "employer": {"name": f"某某建筑劳务有限公司{employer}", "uscc": employer_uscc(employer)},
        "title": "水电工", "job_type": "装修", "skills": ["水电工"], "area": "曾都区",
        "pay_fen": 25000, "pay_period": "day", "start": "2026-12-01", "end": None,
        "headcount": 2, "employment": "gig", **over})


def _config_changes(kiosk: TestKiosk, client: httpx.Client, key: str) -> list[Any]:
    changes = kiosk.changes(client, limit=1000).json()["changes"]
    return [c["config"][key] for c in changes
            if c.get("type") == "config" and key in c.get("config", {})]


def test_open_wage_complaint_holds_a_posting_until_published(
        board: JobBoard, kiosk: TestKiosk, client: httpx.Client) -> None:
    assert kiosk.push(client, [kiosk.file("complaint", complaint(1, employer=3))]
                      ).status_code == 201
    held = board.add(posting(3), by="wang")
    clean = board.add(posting(4), by="wang")
    assert (held["state"], held["flags"]) == ("held", ["open_wage_complaints"])
    assert (clean["state"], clean["flags"]) == ("open", [])
    # kiosks are told of the open posting only
    published = _config_changes(kiosk, client, "jobs")[-1]["postings"]
    assert [p["posting_id"] for p in published] == [clean["posting_id"]]
    board.publish(held["posting_id"])
    published = _config_changes(kiosk, client, "jobs")[-1]["postings"]
    flagged = next(p for p in published if p["posting_id"] == held["posting_id"])
    assert flagged["flags"] == ["open_wage_complaints"]
    with pytest.raises(ActionRefused):
        board.publish(held["posting_id"])   # not held any more
    board.close(clean["posting_id"])
    published = _config_changes(kiosk, client, "jobs")[-1]["postings"]
    assert [p["posting_id"] for p in published] == [held["posting_id"]]


def test_settled_complaint_flags_nothing(board: JobBoard, kiosk: TestKiosk,
                                         client: httpx.Client, staff: StaffDesk) -> None:
    env = kiosk.file("complaint", complaint(1, employer=5))
    kiosk.push(client, [env])
    staff.act(kiosk.receipts[env.header.id][0], "status_changed", {"status": "settled"}, "w")
    assert board.add(posting(5), by="wang")["flags"] == []


def test_publish_anyway_and_a_later_complaint_flags_an_open_posting(
        board: JobBoard, kiosk: TestKiosk, client: httpx.Client) -> None:
    kiosk.push(client, [kiosk.file("complaint", complaint(1, employer=6))])
    done = board.add(posting(6), by="wang", publish_anyway=True)
    assert (done["state"], done["flags"]) == ("open", ["open_wage_complaints"])
    other = board.add(posting(7), by="wang")
    assert other["flags"] == []
    # a complaint arrives against employer 7 (by name, no USCC): its posting is flagged
    by_name = complaint(2)
    by_name["employer"] = {"name": "某某建筑劳务有限公司7"}
    kiosk.push(client, [kiosk.file("complaint", by_name)])
    listed = {p["posting_id"]: p for p in board.postings()}
    assert listed[other["posting_id"]]["flags"] == ["open_wage_complaints"]
    assert listed[other["posting_id"]]["warning"][0].startswith("提醒")
    latest = _config_changes(kiosk, client, "jobs")[-1]["postings"]
    assert next(p for p in latest if p["posting_id"] == other["posting_id"])["flags"]


def test_one_job_seeker_across_stations_and_the_placement_dispute_link(
        board: JobBoard, kiosk: TestKiosk, client: httpx.Client, staff: StaffDesk,
        manual_clock: ManualClock) -> None:
    elsewhere = TestKiosk(manual_clock, station="S002")
    elsewhere.enroll(client, new_token(staff, "S002"))
    pid = board.add(posting(8), by="wang")["posting_id"]
    first = kiosk.file("jobseeker", jobseeker(30))
    again = elsewhere.file("jobseeker", {**jobseeker(30), "area": "随县"})
    kiosk.push(client, [first])
    elsewhere.push(client, [again])
    rows = board.matches(pid)
    assert len(rows) == 1
    assert rows[0]["stations"] == ["S001", "S002"]
    assert sorted(rows[0]["receipt_codes"]) == sorted(
        [kiosk.receipts[first.header.id][0], elsewhere.receipts[again.header.id][0]])
    assert rows[0]["reasons"][:2] == ["skill:电工", "job_type"]
    # each station is told its receipts' matches
    assert pid in [m["posting_id"] for t in _config_changes(elsewhere, client, "job_matches")
                   for m in t.get(elsewhere.receipts[again.header.id][0], [])]

    code = kiosk.receipts[first.header.id][0]
    board.place(pid, code, "hired", by="wang")
    with pytest.raises(ActionRefused):
        board.place(pid, code, "promoted", by="wang")
    grievance = kiosk.file("complaint", complaint(30, employer=8))
    kiosk.push(client, [grievance])
    placed = board.placements(pid)
    assert placed[0]["disputed_case_id"] == grievance.header.id
    assert "person_key" not in placed[0]
    stats = board.indicators(datetime(2020, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
    s001 = next(r for r in stats if r["station"] == "S001")
    assert (s001["registrations"], s001["placements"], s001["placements_disputed"]) \
        == (1, 1, 1)


def test_closing_a_registration_drops_its_matches_and_settling_clears_a_flag(
        board: JobBoard, kiosk: TestKiosk, client: httpx.Client, staff: StaffDesk) -> None:
    grievance = kiosk.file("complaint", complaint(40, employer=9))
    kiosk.push(client, [grievance])
    flagged = board.add(posting(9), by="wang", publish_anyway=True)
    assert flagged["flags"] == ["open_wage_complaints"]
    pid = board.add(posting(10), by="wang")["posting_id"]
    reg = kiosk.file("jobseeker", jobseeker(41))
    kiosk.push(client, [reg])
    assert len(board.matches(pid)) == 1
    staff.act(kiosk.receipts[reg.header.id][0], "status_changed", {"status": "closed"}, "w")
    assert board.matches(pid) == []
    # the only wage complaint against employer 9 settled: its posting is no longer flagged
    staff.act(kiosk.receipts[grievance.header.id][0], "status_changed",
              {"status": "settled"}, "w")
    listed = {p["posting_id"]: p for p in board.postings()}
    assert listed[flagged["posting_id"]]["flags"] == []
    latest = _config_changes(kiosk, client, "jobs")[-1]["postings"]
    assert next(p for p in latest if p["posting_id"] == flagged["posting_id"])["flags"] == []

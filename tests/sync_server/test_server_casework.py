"""Case work through the real ``yizhan-server case`` CLI, as named console users, on SQLite
and PostgreSQL (issue 13): triage, route with 繁简分流, assign, the mediator's own list,
agreement and payment apart, 需补正 pausing clocks, conflicting values kept side by side and
resolved, extensions requested and approved by the director, refusals by role and station
(audited), the sealed identity (opened with a reason, audited), workqueue counts equal to
their lists, the calendar edited by the director moving a due date, and the export for an
employer honouring conceal_identity.

Cases are filed by a scripted kiosk over a real uvicorn (``kiosk``/``client`` fixtures); the
CLI runs as separate processes on the same store with the system clock, so due dates are
checked against the stored calendar as of the real today.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from shared.clock import SystemClock
from sync_server.config.settings import Settings
from sync_server.domain.deadlines import today_in_china
from sync_server.domain.disclosure import SEALED
from sync_server.services import accounts, audit, workcalendar
from sync_server.services.wiring import Services
from tests.sync_server.conftest import new_token
from tests.sync_server.server_kit import TestKiosk, complaint

PASSWORD = "Tiger-Lantern-Orbit-1957"  # noqa: S105  a test fixture, not a secret
USERS = {  # username -> (roles, station)
    "tri": (["triage"], None),
    "med": (["mediator"], None),
    "med2": (["mediator"], None),
    "arb": (["arbitration"], None),
    "zhu": (["director"], None),
    "clerk": (["intake"], None),
    "s2": (["intake", "triage"], "S002"),
}


def run(settings: Settings, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["yizhan-server", *args, "--data", str(settings.data_dir), "--db",
                           settings.db_url], capture_output=True, text=True, timeout=120,
                          check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"yizhan-server {' '.join(args)} failed: {done.stderr}")
    return done


def js(settings: Settings, *args: str) -> Any:
    return json.loads(run(settings, *args, "--json").stdout)


def queue(settings: Settings, name: str, user: str) -> list[str]:
    rows = js(settings, "case", "list", "--queue", name, "--as", user)
    return [r["receipt_code"] for r in rows]


@pytest.fixture
def svc(server_settings: Settings) -> Iterator[Services]:
    s = Services.open(server_settings, SystemClock())
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def users(svc: Services) -> dict[str, accounts.StaffUser]:
    return {name: accounts.add_user(svc, name, roles, station, PASSWORD)
            for name, (roles, station) in USERS.items()}


@pytest.fixture
def filed(client: httpx.Client, staff: Any, kiosk: TestKiosk, manual_clock: Any,
          users: dict[str, accounts.StaffUser]) -> dict[str, str]:
    """Three complaints at S001 (one concealing the claimant from the employer), one at
    S002; receipt codes by name."""
    envs = [kiosk.file("complaint", complaint(1)), kiosk.file("complaint", complaint(2)),
            kiosk.file("complaint", complaint(3, claimant={
                "name": "王五", "id_number": complaint(3)["claimant"]["id_number"],
                "phone": "13700137000", "conceal_identity": True}))]
    assert kiosk.push(client, envs).status_code == 201
    other = TestKiosk(manual_clock, station="S002")
    other.enroll(client, new_token(staff, "S002"))
    env2 = other.file("complaint", complaint(4))
    assert other.push(client, [env2]).status_code == 201
    codes = [kiosk.receipts[e.header.id][0] for e in envs]
    return {"a": codes[0], "b": codes[1], "hidden": codes[2],
            "s2": other.receipts[env2.header.id][0]}


SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def test_triage_route_assign_agree_pay_round_trip(server_settings: Settings,
                                                  filed: dict[str, str],
                                                  users: dict[str, accounts.StaffUser],
                                                  svc: Services) -> None:
    s, a = server_settings, filed["a"]
    assert set(queue(s, "triage", "tri")) == set(filed.values())
    assert queue(s, "triage", "s2") == [filed["s2"]]  # a station user: their station only

    routed = js(s, "case", "route", a, "--to", "mediation", "--track", "simple", "--as", "tri")
    assert (routed["status"], routed["route"], routed["track"]) == \
        ("in_mediation", "mediation", "simple")
    assert a not in queue(s, "triage", "tri")
    assigned = js(s, "case", "assign", a, "--to", "med", "--as", "tri")
    assert assigned["assignee"] == "med"
    # the mediator's lists hold only the case assigned to them
    assert queue(s, "mine", "med") == [a]
    assert queue(s, "all", "med") == [a]
    assert queue(s, "all", "med2") == []

    agreed = js(s, "case", "outcome", a, "--agreed-fen", "800000", "--on", "2026-11-28",
                "--as", "med")
    assert (agreed["status"], agreed["agreed_fen"]) == ("settled", 800000)
    assert queue(s, "agreed_unpaid", "zhu") == [a]
    paid = js(s, "case", "outcome", a, "--paid-fen", "300000", "--on", "2026-11-29",
              "--as", "med")
    assert paid["paid_fen"] == 300000
    assert queue(s, "agreed_unpaid", "zhu") == [a]  # agreed 8000 yuan, 3000 paid so far
    js(s, "case", "outcome", a, "--paid-fen", "500000", "--as", "med")
    assert queue(s, "agreed_unpaid", "zhu") == []

    shown = js(s, "case", "show", a, "--as", "med")
    work = shown["work"]
    assert (work["agreement"]["fen"], work["paid_fen"], len(work["payments"])) == \
        (800000, 800000, 2)
    staff_events = [e for e in shown["events"] if e["kind"] != "filed"]
    assert {e["author"] for e in staff_events} == {users["tri"].author, users["med"].author}
    assert {e["author_name"] for e in staff_events} == {"tri", "med"}
    for e in shown["events"]:
        assert e["device_time"]
        assert e["server_time"]
    mediation = next(c for c in shown["clocks"] if c["clock"] == "mediation")
    assert mediation["source_zh"].startswith("劳动争议调解仲裁法 第14条")
    assert mediation["stopped_on"] is not None  # the agreement stopped it

    actions = [e.action for e in audit.entries(svc, case_code=a)]
    for done in ("case.route", "case.assign", "case.agreement", "case.payment", "case.view"):
        assert done in actions


def test_refusals_say_why_and_are_audited(server_settings: Settings, filed: dict[str, str],
                                          svc: Services) -> None:
    s, a, b = server_settings, filed["a"], filed["b"]
    js(s, "case", "route", a, "--to", "mediation", "--as", "tri")
    js(s, "case", "assign", a, "--to", "med", "--as", "tri")
    cases = [
        # a mediator routes: not their role
        (("case", "route", b, "--to", "court", "--as", "med"), "无权执行此操作"),
        # a mediator works a case not assigned to them
        (("case", "outcome", b, "--agreed-fen", "1", "--as", "med"), "未分派给您"),
        # a station user opens another station's case
        (("case", "show", a, "--as", "s2"), "不属于您所在的站点"),
        # triage reassigns: director only
        (("case", "assign", a, "--to", "med2", "--as", "tri"), "改派须由中心主任进行"),
        # reopening an unfinished case: the fold refuses it
        (("case", "reopen", a, "--reason", "复查", "--as", "zhu"), "尚未办结"),
        # no such user: free text is no longer an author
        (("case", "note", a, "--text", "x", "--as", "县长"), "no such console user"),
    ]
    for args, why in cases:
        done = run(s, *args, check=False)
        assert done.returncode == 1, args
        assert why in done.stderr, (args, done.stderr)
        assert done.stdout == ""
    refused = [e.action for e in audit.entries(svc) if e.action.endswith(".refused")]
    assert {"case.route.refused", "case.agreement.refused", "case.assign.refused",
            "case.reopen.refused", "case.view.refused"} <= set(refused)
    # the director may reassign
    assert js(s, "case", "assign", a, "--to", "med2", "--as", "zhu")["assignee"] == "med2"


@SQLITE_ONLY
def test_identity_is_sealed_until_opened_with_a_reason(server_settings: Settings,
                                                       filed: dict[str, str],
                                                       svc: Services) -> None:
    s, a = server_settings, filed["a"]
    sealed = run(s, "case", "show", a, "--as", "tri", "--json").stdout
    assert "张三" not in sealed
    assert "13800138000" not in sealed
    assert json.loads(sealed)["record"]["claimant"]["name"] == SEALED
    no_reason = run(s, "case", "show", a, "--identity", "--as", "tri", check=False)
    assert no_reason.returncode != 0
    assert "--reason" in no_reason.stderr
    opened = js(s, "case", "show", a, "--identity", "--reason", "回电核实工资数额", "--as", "tri")
    assert opened["record"]["claimant"]["name"] == "张三"
    views = [e for e in audit.entries(svc, user="tri") if e.action == "case.identity_view"]
    assert len(views) == 1
    assert views[0].case_code == a
    assert "回电核实工资数额" in views[0].detail
    # a print for the employer honours conceal_identity; the other claimant is named
    hidden = run(s, "case", "show", filed["hidden"], "--audience", "employer", "--as", "tri",
                 "--json").stdout
    assert "王五" not in hidden
    assert json.loads(hidden)["conceal_identity"] is True
    named = js(s, "case", "show", a, "--audience", "employer", "--as", "tri")
    assert named["record"]["claimant"]["name"] == "张三"


@SQLITE_ONLY
def test_export_for_an_employer_omits_concealed_identities(server_settings: Settings,
                                                           filed: dict[str, str]) -> None:
    s = server_settings
    county = run(s, "export").stdout
    assert "王五" in county
    assert "张三" in county
    employer = run(s, "export", "--audience", "employer").stdout
    assert "王五" not in employer
    assert "13700137000" not in employer
    assert "张三" in employer  # did not ask to be concealed
    rows = {json.loads(line)["receipt_code"]: json.loads(line)
            for line in employer.splitlines()}
    assert rows[filed["hidden"]]["record"]["claimant"]["id_number"] == SEALED


@SQLITE_ONLY
def test_needs_materials_pauses_the_clock_and_moves_queues(server_settings: Settings,
                                                           filed: dict[str, str]) -> None:
    s, b = server_settings, filed["b"]
    js(s, "case", "needs-materials", b, "--items", "劳动合同复印件", "--as", "clerk")
    assert queue(s, "materials", "clerk") == [b]
    assert b not in queue(s, "triage", "tri")
    intake = next(c for c in js(s, "case", "show", b, "--as", "clerk")["clocks"]
                  if c["clock"] == "intake")
    assert intake["state"] == "paused"
    assert intake["due_on"] is None
    refused = run(s, "case", "accept", b, "--as", "clerk", check=False)
    assert refused.returncode == 1
    assert "材料尚未补正齐全" in refused.stderr
    js(s, "case", "needs-materials", b, "--received", "--as", "clerk")
    assert queue(s, "materials", "clerk") == []
    assert b in queue(s, "triage", "tri")
    accepted = js(s, "case", "accept", b, "--as", "clerk")
    assert accepted["status"] == "received"
    js(s, "case", "note", b, "--text", "申请人补交了劳动合同", "--as", "clerk")
    notes = js(s, "case", "show", b, "--as", "clerk")["notes"]
    assert [(n["text"], n["author_name"]) for n in notes] == [("申请人补交了劳动合同", "clerk")]


@SQLITE_ONLY
def test_conflicting_awards_are_kept_then_one_is_kept(server_settings: Settings,
                                                      filed: dict[str, str]) -> None:
    s, b = server_settings, filed["b"]
    js(s, "case", "route", b, "--to", "arbitration", "--as", "tri")
    js(s, "case", "outcome", b, "--award-fen", "100000", "--as", "arb")
    js(s, "case", "outcome", b, "--award-fen", "120000", "--as", "arb")
    assert queue(s, "conflicts", "tri") == [b]
    shown = js(s, "case", "show", b, "--as", "tri")
    conflict = shown["conflicts"][0]
    assert conflict["field"] == "award_fen"
    assert [v["value"] for v in conflict["values"]] == [100000, 120000]
    keep = conflict["values"][1]["event_id"]
    js(s, "case", "resolve", b, "--field", "award_fen", "--keep", keep, "--as", "tri")
    assert queue(s, "conflicts", "tri") == []
    outcome = js(s, "case", "show", b, "--as", "tri")["outcomes"]["award_fen"]
    assert (outcome["value"], outcome["conflict"], outcome["kept"]) == (120000, False, 120000)


@SQLITE_ONLY
def test_extension_requested_then_approved_by_the_director(server_settings: Settings,
                                                           filed: dict[str, str]) -> None:
    s, b = server_settings, filed["b"]
    js(s, "case", "route", b, "--to", "arbitration", "--as", "tri")
    js(s, "case", "accept", b, "--as", "tri")

    def award() -> dict[str, Any]:
        shown = js(s, "case", "show", b, "--as", "zhu")
        return next(c for c in shown["clocks"] if c["clock"] == "arbitration_award")

    before = award()
    assert before["days"] == 45
    assert before["approver"] == "director"
    js(s, "case", "extend", b, "--clock", "arbitration_award", "--days", "15", "--reason",
       "案情复杂，需调取证据", "--as", "arb")
    assert queue(s, "extensions", "zhu") == [b]
    request = award()["pending_extensions"][0]["request"]
    refused = run(s, "case", "decide-extension", b, "--request", request, "--approve",
                  "--as", "tri", check=False)
    assert refused.returncode == 1
    assert "extend_approve" in refused.stderr  # the director approves (art. 43: the chair)
    js(s, "case", "decide-extension", b, "--request", request, "--approve", "--as", "zhu")
    after = award()
    assert after["extension_days"] == 15
    assert date.fromisoformat(after["due_on"]) > date.fromisoformat(before["due_on"])
    assert queue(s, "extensions", "zhu") == []


@SQLITE_ONLY
def test_every_queue_count_equals_its_list(server_settings: Settings,
                                           filed: dict[str, str]) -> None:
    s = server_settings
    js(s, "case", "route", filed["a"], "--to", "mediation", "--as", "tri")
    js(s, "case", "assign", filed["a"], "--to", "med", "--as", "tri")
    js(s, "case", "needs-materials", filed["b"], "--items", "工资条", "--as", "clerk")
    for user in ("zhu", "med", "s2"):
        counts = js(s, "case", "queues", "--as", user)
        for name, n in counts.items():
            rows = js(s, "case", "list", "--queue", name, "--as", user)
            assert len(rows) == n, (user, name)
    assert js(s, "case", "queues", "--as", "zhu")["materials"] == 1
    # filed 2026-11-21 (the kiosk's clock): the intake review of the untouched cases is due
    # long before the real today, so they are overdue
    today = today_in_china(datetime.now(UTC))
    if today > date(2026, 11, 26):
        assert filed["hidden"] in queue(s, "overdue", "zhu")


@SQLITE_ONLY
def test_director_edits_the_calendar_and_due_dates_follow(server_settings: Settings,
                                                          filed: dict[str, str],
                                                          svc: Services) -> None:
    s, a = server_settings, filed["a"]
    js(s, "case", "route", a, "--to", "mediation", "--as", "tri")

    def due() -> str:
        shown = js(s, "case", "show", a, "--as", "zhu")
        return str(next(c["due_on"] for c in shown["clocks"] if c["clock"] == "mediation"))

    first = due()
    with svc.engine.connect() as conn:
        calendar = workcalendar.load(conn, 0)
    assert calendar.is_workday(date.fromisoformat(first))
    refused = run(s, "calendar", "set", first, "holiday", "--as", "tri", check=False)
    assert refused.returncode == 1
    assert "须为中心主任" in refused.stderr
    run(s, "calendar", "set", first, "holiday", "--as", "zhu")
    moved = due()
    assert moved > first
    assert queue(s, "all", "zhu")  # the projections were made again without error
    held = js(s, "calendar", "show", "--from", first, "--to", first)
    assert held == [{"day": first, "kind": "holiday", "name": None, "source": "staff"}]

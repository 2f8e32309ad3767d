"""Jobs (issue 16) through real processes: ``yizhan-server serve`` and ``job`` commands, and
``yizhan-kiosk`` processes that sync with it.

* postings made at the county reach a kiosk that was offline when they were made, and stay
  listed there with the server gone;
* a registration filed at the kiosk gets the expected matches on its receipt and status;
* the same person registered at two stations is one job seeker in ``job matches``;
* a posting by an employer with open wage complaints and a collective alert is held, then
  published anyway with the warning the kiosk shows;
* a placement ("hired") followed by that person's complaint against the employer is linked.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stdnum.cn import uscc

from tests.kiosk.kiosk_kit import complaint, jobseeker
from tests.sync.conftest import kiosk_cli
from tests.sync_server.server_kit import ServerProcess, server_cli


def _uscc(n: int) -> str:
    first17 = f"91421300M{n:08d}"
    return first17 + uscc.calc_check_digit(first17 + "0")


def posting(n: int, **over: Any) -> dict[str, Any]:
    return {"employer": {"name": f"随州市第{n}建筑有限公司", "uscc": _uscc(n)},
            "title": f"岗位{n}", "job_type": "装修", "skills": ["电工"], "area": "曾都区",
            "pay_fen": 25000, "pay_period": "day", "start": "2026-12-01", "end": None,
            "headcount": 2, "employment": "gig", **over}


def job_add(county: Path, postings: list[dict[str, Any]], *extra: str,
            check: bool = True) -> list[dict[str, Any]]:
    lines = "\n".join(json.dumps(p, ensure_ascii=False) for p in postings)
    done = subprocess.run([sys.executable, "-m", "sync_server.cli", "job", "add", "--json", "-",
                           "--data", str(county), *extra], input=lines, text=True,
                          capture_output=True, check=False, timeout=120)
    if check:
        assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def submit(data: Path, kind: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = kiosk_cli(data, "submit", kind, "--json", "-", input_text=json.dumps(records))
    return [json.loads(line) for line in out.stdout.splitlines()]


def kiosk_jobs(data: Path) -> list[dict[str, Any]]:
    return list(json.loads(kiosk_cli(data, "jobs", "--json").stdout))


def test_postings_reach_an_offline_then_online_kiosk_and_registrations_match(
        make_kiosk: Callable[[str], Path], county: Path, server: ServerProcess) -> None:
    kiosk = make_kiosk("S001")
    assert kiosk_jobs(kiosk) == []
    # made at the county while the kiosk is not syncing
    added = job_add(county, [
        posting(1, title="水电安装", skills=["水电工"], area="曾都区"),       # best for them
        posting(2, title="家政保洁", job_type="保洁", skills=["家政"], area="曾都区"),
        posting(3, title="电工学徒", skills=["电工", "焊工"], area="随县"),   # a neighbour
    ])
    assert [a["state"] for a in added] == ["open"] * 3
    assert all(a["flags"] == [] for a in added)
    assert kiosk_jobs(kiosk) == []          # not synced yet: nothing known
    kiosk_cli(kiosk, "sync")
    server.stop()                            # offline from here on
    held = kiosk_jobs(kiosk)
    assert {p["posting_id"] for p in held} == {a["posting_id"] for a in added}
    assert [p["area"] for p in held] == sorted(p["area"] for p in held)  # listed by area
    human = kiosk_cli(kiosk, "jobs").stdout
    assert "水电安装" in human
    assert "250元/天" in human

    # a registration filed offline: its receipt lists the best current matches
    receipt = submit(kiosk, "jobseeker", [jobseeker(1)])[0]   # 电工, wants 装修, 曾都区
    matched = [m["posting_id"] for m in receipt["matches"]]
    assert matched == [added[0]["posting_id"], added[2]["posting_id"]]   # 保洁 is no match
    assert receipt["matches"][0]["title"] == "水电安装"
    status = json.loads(kiosk_cli(kiosk, "status", receipt["receipt_code"], "--pin",
                                  receipt["pin"], "--json").stdout)
    assert [m["posting_id"] for m in status["matches"]] == matched
    # a complaint's status has no job matches
    c = submit(kiosk, "complaint", [complaint(2)])[0]
    assert "matches" not in c
    plain = json.loads(kiosk_cli(kiosk, "status", c["receipt_code"], "--pin", c["pin"],
                                 "--json").stdout)
    assert "matches" not in plain


def test_one_person_at_two_stations_is_one_job_seeker(
        make_kiosk: Callable[[str], Path], county: Path, server: ServerProcess) -> None:
    a, b = make_kiosk("S001"), make_kiosk("S002")
    pid = job_add(county, [posting(1)])[0]["posting_id"]
    first = submit(a, "jobseeker", [jobseeker(5)])[0]
    second = submit(b, "jobseeker", [{**jobseeker(5), "area": "随县", "skills": ["焊工"]}])[0]
    other = submit(b, "jobseeker", [jobseeker(6)])[0]
    for k in (a, b):
        kiosk_cli(k, "sync")
    rows = json.loads(server_cli("job", "matches", pid, "--data", str(county),
                                 "--json").stdout)
    assert len(rows) == 2                    # person 5 once, person 6 once
    five = next(r for r in rows if first["receipt_code"] in r["receipt_codes"])
    assert sorted(five["receipt_codes"]) == sorted([first["receipt_code"],
                                                    second["receipt_code"]])
    assert five["stations"] == ["S001", "S002"]
    assert "skill:电工" in five["reasons"]
    assert "same_area" in five["reasons"]
    assert any("技能相符" in t for t in five["reasons_text"])
    assert any(other["receipt_code"] in r["receipt_codes"] for r in rows)
    # a new posting after registering: the county's match reaches the station's status
    later = job_add(county, [posting(9, title="焊工急招", job_type="焊接", skills=["电焊工"],
                                     area="随县")])[0]["posting_id"]
    kiosk_cli(b, "sync")
    status = json.loads(kiosk_cli(b, "status", second["receipt_code"], "--pin", second["pin"],
                                  "--json").stdout)
    assert later in [m["posting_id"] for m in status["matches"]]


def test_flagged_employer_held_then_published_with_a_warning_and_placement_disputed(
        make_kiosk: Callable[[str], Path], county: Path, server: ServerProcess) -> None:
    kiosk = make_kiosk("S001")
    # five workers complain of unpaid wages against one employer: a collective alert
    submit(kiosk, "complaint", [complaint(i) for i in range(10, 15)])
    kiosk_cli(kiosk, "sync")
    assert json.loads(server_cli("alerts", "--data", str(county), "--json").stdout)
    flagged = posting(7, employer={"name": "某某建筑劳务有限公司", "uscc": _uscc(7)})
    done = job_add(county, [flagged, posting(8)])
    assert done[0]["state"] == "held"
    assert done[0]["flags"] == ["collective_alert", "open_wage_complaints"]
    assert done[1]["state"] == "open"
    kiosk_cli(kiosk, "sync")
    assert [p["posting_id"] for p in kiosk_jobs(kiosk)] == [done[1]["posting_id"]]

    server_cli("job", "publish", done[0]["posting_id"], "--data", str(county))
    kiosk_cli(kiosk, "sync")
    shown = {p["posting_id"]: p for p in kiosk_jobs(kiosk)}
    assert shown[done[0]["posting_id"]]["warning"][0].startswith("提醒")
    assert "Warning" in shown[done[0]["posting_id"]]["warning"][1]
    assert shown[done[1]["posting_id"]]["warning"] is None
    assert "⚠" in kiosk_cli(kiosk, "jobs").stdout

    # hired through the station, then a complaint against that employer: linked
    reg = submit(kiosk, "jobseeker", [jobseeker(20)])[0]
    kiosk_cli(kiosk, "sync")
    server_cli("job", "place", done[0]["posting_id"], reg["receipt_code"], "--outcome",
               "referred", "--data", str(county))
    server_cli("job", "place", done[0]["posting_id"], reg["receipt_code"], "--outcome",
               "hired", "--data", str(county))
    before = json.loads(server_cli("job", "placements", "--data", str(county),
                                   "--json").stdout)
    assert [p["disputed_case_id"] for p in before] == [None]
    grievance = submit(kiosk, "complaint", [complaint(20)])[0]   # same person, same employer
    kiosk_cli(kiosk, "sync")
    after = json.loads(server_cli("job", "placements", "--data", str(county),
                                  "--json").stdout)
    cases = [json.loads(line) for line in server_cli("export", "--data", str(county))
             .stdout.splitlines()]
    case_id = next(c["case_id"] for c in cases if c["receipt_code"] == grievance["receipt_code"])
    assert after[0]["disputed_case_id"] == case_id
    assert [h["outcome"] for h in after[0]["history"]] == ["referred", "hired"]
    stats = json.loads(server_cli("job", "indicators", "--since", "2020-01-01", "--until",
                                  "2100-01-01", "--data", str(county), "--json").stdout)
    s001 = next(r for r in stats if r["station"] == "S001")
    assert (s001["registrations"], s001["referrals"], s001["placements"],
            s001["placements_disputed"]) == (1, 1, 1, 1)
    county_row = next(r for r in stats if r["station"] == "county")
    assert county_row["postings"] == 2


def test_bad_postings_are_named_and_do_not_stop_the_good(county: Path) -> None:
    out = job_add(county, [posting(1), posting(2, pay_fen=12.5, headcount=0),
                           posting(3, employer={"name": "无代码公司"})], check=False)
    assert "posting_id" in out[0]
    assert [e["field"] for e in out[1]["errors"]] == ["pay_fen", "headcount"]
    assert [(e["field"], e["code"]) for e in out[2]["errors"]] == [("employer.uscc",
                                                                    "uscc_required")]
    listed = json.loads(server_cli("job", "list", "--data", str(county), "--json").stdout)
    assert [p["posting_id"] for p in listed] == [out[0]["posting_id"]]

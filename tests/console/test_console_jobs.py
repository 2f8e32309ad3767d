"""Job postings on the console, in the browser (issue 16): a real kiosk process files
complaints against an employer (a collective alert) and a job-seeker registration; a triage
officer enters a posting from that employer on the console: a bad field is refused naming
it, the posting is held with its flags shown before publishing; "publish anyway"; the
kiosk's registration is among its matches; "hired" is recorded; the same person's later
complaint against that employer shows as the placement → complaint link, and in the
indicators. A station user sees only their station's job seekers and may not place others'.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.console.conftest import Console, user_cli
from tests.console.test_console_alerts import SCREENS
from tests.sync.conftest import kiosk_cli, new_token
from tests.sync_server.server_kit import complaint, employer_uscc, jobseeker

EMPLOYER = "某某建筑劳务有限公司0"  # the employer of server_kit.complaint(n)


def _kiosk(console: Console, tmp: Path, station: str) -> Path:
    data = tmp / f"kiosk-{station}"
    kiosk_cli(data, "init", "--station", station)
    kiosk_cli(data, "enroll", "--server", console.server.url,
              f"--token={new_token(console.server.data, station)}")
    return data


def _submit(kiosk: Path, kind: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = kiosk_cli(kiosk, "submit", kind, "--json", "-", input_text=json.dumps(records))
    kiosk_cli(kiosk, "sync")
    return [json.loads(line) for line in out.stdout.splitlines()]


def _fill(page: Page, **values: str) -> None:
    for name, value in values.items():
        page.fill(f"#posting-form input[name={name}]", value)


def test_flagged_posting_published_anyway_matched_hired_then_disputed(
        console: Console, tmp_path: Path) -> None:
    kiosk = _kiosk(console, tmp_path, "S001")
    _submit(kiosk, "complaint", [complaint(i) for i in range(10, 15)])  # collective alert
    [reg] = _submit(kiosk, "jobseeker", [jobseeker(20)])
    console.add_user("wang", "triage")
    console.add_user("li", "intake", station="S001")
    console.add_user("zhou", "intake", station="S002")

    page = console.login("wang")
    page.click("nav a[href='/console/jobs']")
    page.click("#new-posting")
    _fill(page, employer_name=EMPLOYER, employer_uscc=employer_uscc(0), title="水电安装",
          job_type="装修", skills="电工、焊工", area="曾都区", pay_fen="250元",
          start="2026-12-01", headcount="2")
    page.click("#save-posting")
    page.wait_for_load_state()
    # refused, naming the field, and nothing typed is lost
    expect(page.locator("#field-errors li[data-field=pay_fen]")).to_contain_text("pay_fen")
    expect(page.locator("#posting-form input[name=title]")).to_have_value("水电安装")
    page.screenshot(path=str(SCREENS / "console-jobs-new-error.png"), full_page=True)
    _fill(page, pay_fen="25000")
    page.click("#save-posting")
    page.wait_for_load_state()

    # flagged BEFORE publishing: held, both flags shown, the warning job seekers would see
    expect(page.locator("#posting-state")).to_have_text("待审核")
    expect(page.locator("#flags li[data-flag=collective_alert]")).to_be_visible()
    expect(page.locator("#flags li[data-flag=open_wage_complaints]")).to_be_visible()
    page.screenshot(path=str(SCREENS / "console-jobs-flagged.png"), full_page=True)
    kiosk_cli(kiosk, "sync")
    assert json.loads(kiosk_cli(kiosk, "jobs", "--json").stdout) == []  # not on the kiosk
    page.click("#publish-anyway button")
    page.wait_for_load_state()
    expect(page.locator("#posting-state")).to_have_text("已发布")
    posting_id = page.url.split("/console/jobs/")[1].split("?")[0]
    kiosk_cli(kiosk, "sync")
    [shown] = json.loads(kiosk_cli(kiosk, "jobs", "--json").stdout)
    assert shown["posting_id"] == posting_id
    assert shown["warning"][0].startswith("提醒")
    # kiosk staff mode: per posting, this station's matching job seekers (receipt codes)
    [staff] = json.loads(kiosk_cli(kiosk, "jobs", "--staff", "--json").stdout)
    assert staff["posting_id"] == posting_id
    assert staff["receipt_codes"] == [reg["receipt_code"]]

    # the kiosk's registration is a match, with its score and reasons; record hired
    row = page.locator(f"#matches tr[data-code='{reg['receipt_code']}']")
    expect(row).to_contain_text("电工")
    row.locator("button.place-referred").click()
    page.wait_for_load_state()
    page.locator(f"#matches tr[data-code='{reg['receipt_code']}'] button.place-hired").click()
    page.wait_for_load_state()
    placed = page.locator(f"#placements tr[data-code='{reg['receipt_code']}']")
    expect(placed).to_have_attribute("data-outcome", "hired")
    expect(placed.locator("a.disputed")).to_have_count(0)

    # the station users: S001 sees the match, S002 sees none and may not place it
    other = console.login("zhou")
    other.goto(f"{console.server.url}/console/jobs/{posting_id}")
    expect(other.locator("#matches tr[data-code]")).to_have_count(0)
    csrf = other.locator("#close-posting input[name=csrf_token]").get_attribute("value")
    refused = other.request.post(
        f"{console.server.url}/console/jobs/{posting_id}/place",
        form={"csrf_token": csrf or "", "code": reg["receipt_code"], "outcome": "not_hired"},
        headers={"Origin": console.server.url}, max_redirects=0)
    assert refused.status == 303
    assert "error=" in refused.headers["location"]
    own = console.login("li")
    own.goto(f"{console.server.url}/console/jobs/{posting_id}")
    expect(own.locator(f"#matches tr[data-code='{reg['receipt_code']}']")).to_be_visible()

    # the same person later complains against that employer: placement → complaint link
    [grievance] = _submit(kiosk, "complaint", [complaint(20)])
    page.reload()
    link = page.locator(f"#placements tr[data-code='{reg['receipt_code']}'] a.disputed")
    expect(link).to_have_attribute("href", f"/console/cases/{grievance['receipt_code']}")
    page.screenshot(path=str(SCREENS / "console-jobs-posting.png"), full_page=True)

    page.goto(console.server.url + "/console/jobs?state=open")
    expect(page.locator(f"#postings tr[data-posting='{posting_id}']")).to_be_visible()
    page.screenshot(path=str(SCREENS / "console-jobs-list.png"), full_page=True)
    page.goto(console.server.url + "/console/jobs/indicators?since=2020-01-01&until=2100-01-01")
    s001 = page.locator("#indicators tr[data-station=S001]")
    expect(s001.locator(".placements")).to_have_text("1")
    expect(s001.locator(".disputed")).to_have_text("1")
    page.screenshot(path=str(SCREENS / "console-jobs-indicators.png"), full_page=True)
    log = json.loads(user_cli(console.server.data, "audit", "--user", "wang", "--json").stdout)
    assert {"job.post", "job.open", "job.place"} <= {e["action"] for e in log}

"""Early warning in the browser: a real ``yizhan-server serve`` process receives complaints
from two stations (signed pushes), the alert appears on the home page of every user and on
``/console/alerts`` with its SVG chart; a triage officer claims, assesses, handles and
closes it with buttons (each a CSRF-protected POST), the audit log holds each step; a forged
POST is refused. A station that never synced is flagged on the home page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
from playwright.sync_api import expect

from shared.clock import SystemClock
from tests.console.conftest import Console, user_cli
from tests.sync_server.server_kit import TestKiosk, complaint

SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"


def _kiosk(console: Console, station: str) -> TestKiosk:
    done = user_cli(console.server.data, "enroll-token", "--station", station, "--json")
    assert done.returncode == 0, done.stderr
    kiosk = TestKiosk(SystemClock(), station=station)
    with httpx.Client(base_url=console.server.url, timeout=30) as http:
        kiosk.enroll(http, json.loads(done.stdout)["token"])
    return kiosk


def _file(console: Console, kiosk: TestKiosk, people: range, conceal: int = -1) -> None:
    def record(n: int) -> dict[str, object]:
        r = complaint(n)
        if n == conceal:  # 不向用人单位透露
            r["claimant"] = {**r["claimant"], "name": "王隐名", "conceal_identity": True}
        return r

    with httpx.Client(base_url=console.server.url, timeout=30) as http:
        r = kiosk.push(http, [kiosk.file(record=record(n)) for n in people])
        assert r.status_code == 201, r.text


def test_claim_assess_handle_and_close_an_alert(console: Console) -> None:
    a, b = _kiosk(console, "S001"), _kiosk(console, "S002")
    _kiosk(console, "S009")  # enrolled, never synced since: flagged as silent
    _file(console, a, range(3))
    _file(console, b, range(3, 6), conceal=5)
    console.add_user("wang", "triage")
    console.add_user("zhao", "station_admin")

    other = console.login("zhao")  # every user sees new alerts on the home page
    expect(other.locator("#new-alert-count")).to_have_text("1")
    expect(other.locator("#silent-stations tr[data-station=S009]")).to_be_visible()
    assert other.locator("#new-alerts").count() == 0  # may not view them: count only

    page = console.login("wang")
    expect(page.locator("#new-alerts li")).to_have_count(1)
    page.screenshot(path=str(SCREENS / "console-home-alerts.png"), full_page=True)
    page.click("#new-alerts a")
    section = page.locator("section.alert").first
    expect(section).to_have_attribute("data-state", "open")
    expect(section.locator(".claimants")).to_have_text("6")
    assert page.locator("#alerts-chart rect.filings[data-value='6']").count() == 1
    assert page.locator("#alerts-chart rect.alerts[data-value='1']").count() == 1
    page.screenshot(path=str(SCREENS / "console-alerts.png"), full_page=True)

    # the employer page (用人单位画像): every case, stations, amounts, the alert's state
    page.click("section.alert h2 a")
    expect(page.locator("#case-count")).to_have_text("6")
    expect(page.locator("#stations")).to_have_text("S001、S002")
    expect(page.locator("#claimed")).to_have_text("¥75,000.15")  # Σ 1,250,000 + n fen
    expect(page.locator("#alert-state")).to_contain_text("苗头·待认领")
    assert "张三" not in page.content()  # the staff view shows no claimant
    page.click("#for-employer")
    page.wait_for_load_state()
    expect(page.locator("td.claimant", has_text="张三")).to_have_count(5)
    assert "王隐名" not in page.content()  # the concealing claimant is withheld
    page.screenshot(path=str(SCREENS / "console-employer.png"), full_page=True)
    page.go_back()
    page.go_back()

    # out of order is impossible from the page: only the next step's button is shown
    for state, note in (("claimed", ""), ("assessed", "同一工地欠薪"), ("handled", "约谈企业")):
        section.locator("form.step input[name=note]").fill(note)
        section.locator("form.step button").click()
        page.wait_for_load_state()
        expect(page.locator("section.alert").first).to_have_attribute("data-state", state)
        section = page.locator("section.alert").first
    section.locator("form.step button").click()  # close without an outcome: refused
    page.wait_for_load_state()
    expect(page.locator("#error")).to_contain_text("outcome")
    section = page.locator("section.alert").first
    expect(section).to_have_attribute("data-state", "handled")
    section.locator("form.step input[name=note]").fill("企业已补发工资")
    section.locator("form.step button").click()
    page.wait_for_load_state()
    section = page.locator("section.alert").first
    expect(section).to_have_attribute("data-state", "closed")
    expect(section.locator(".outcome")).to_have_text("企业已补发工资")
    assert section.locator("form").count() == 0

    # a POST without the session's CSRF token changes nothing
    aid = re.sub(r"\D", "", section.get_attribute("id") or "")
    forged = page.request.post(console.server.url + f"/console/alerts/{aid}/escalate",
                               form={"csrf_token": "forged"})
    assert forged.status == 403

    log = user_cli(console.server.data, "audit", "--user", "wang", "--json")
    actions = [e["action"] for e in json.loads(log.stdout)]
    assert sorted(x for x in actions if x.startswith("alert.")) == \
        ["alert.ack", "alert.assess", "alert.close", "alert.handle"]
    assert "alert.escalate" not in actions
    assert "employer.view" in actions  # the employer-audience view showed names

# ruff: noqa: F811  (fixtures imported from the sync-server and console conftests)
"""The report pages in a real browser against the dataset known by construction
(tests/sync_server/reports_data.py), served by a real ``yizhan-server serve`` process on
SQLite: the page's figures equal the CLI's and the construction, every
figure's link lists exactly that many cases; a statistician sees no personal data and no
small cells; the director approves the subsidy on its page.

The report queries on PostgreSQL are checked where they live, at the service level
(tests/sync_server/test_reports.py runs the same dataset on SQLite and PostgreSQL against
the CLI and the construction); a browser adds nothing PostgreSQL-specific, so this runs on
SQLite only."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from shared.clock import ManualClock
from sync_server.config.settings import Settings
from sync_server.services.staff import StaffDesk
from sync_server.services.wiring import Services
from tests.console.conftest import browser  # noqa: F401  the fixture
from tests.sync_server import reports_data as rd
from tests.sync_server.conftest import client, server_settings, staff  # noqa: F401
from tests.sync_server.server_kit import ServerProcess

SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"
QUERY = "start=2026-11-01&end=2026-11-30"


def cli(settings: Settings, *args: str) -> list[dict[str, Any]]:
    done = subprocess.run(["yizhan-server", *args, "--data", str(settings.data_dir), "--db",
                           settings.db_url, "--format", "json"], capture_output=True,
                          text=True, timeout=120, check=True)
    return [json.loads(line) for line in done.stdout.splitlines()]


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """SQLite only (see the module's docstring)."""
    return f"sqlite:///{tmp_path / 'server.db'}"


@pytest.fixture
def served(manual_clock: ManualClock, server_settings: Settings, staff: StaffDesk,
           client: httpx.Client) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    manual_clock.set(rd.START)
    svc = Services.open(server_settings, manual_clock)
    try:
        codes = rd.build(svc, manual_clock, client, staff)
    finally:
        svc.close()
    with ServerProcess(server_settings.data_dir, server_settings.db_url) as server:
        yield server, codes


def login(browser: Browser, server: ServerProcess, username: str) -> Page:
    page = browser.new_context(viewport={"width": 1366, "height": 768},
                               locale="zh-CN").new_page()
    page.goto(server.url + "/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", rd.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def cell(page: Page, group: str, key: str) -> str:
    return page.locator(f"#kpi tr[data-group='{group}'] td[data-key={key}]").inner_text()


def test_report_page_agrees_with_cli_and_construction(
        served: tuple[ServerProcess, dict[str, str]], server_settings: Settings,
        browser: Browser) -> None:
    server, codes = served
    page = login(browser, server, "zhu")
    page.goto(f"{server.url}/console/reports?{QUERY}&by=station")
    expect(page.locator("#as-of time")).not_to_be_empty()
    expect(page.locator("#formula")).to_contain_text("调解成功 ÷ 接收调解")
    by_cli = {g["group"]: g for g in cli(server_settings, "report", "kpi", "--from",
                                         "2026-11-01", "--to", "2026-11-30", "--by",
                                         "station")}
    for station, want in rd.EXPECTED_BY_STATION.items():
        for key in ("visits", "cases_accepted", "mediation_received", "mediation_settled"):
            assert int(cell(page, station, key)) == want[key] == by_cli[station][key]
        shown = cell(page, station, "amount_recovered_fen")
        assert shown == f"¥{want['amount_recovered_fen'] / 100:,.2f}"
        assert cell(page, station, "settlement_rate") == f"{want['settlement_rate']:.1%}"
    page.screenshot(path=str(SCREENS / "console-report.png"), full_page=True)
    # every figure's link lists exactly that many cases
    links = page.locator("#kpi a.figure")
    hrefs = [(links.nth(i).get_attribute("href"), links.nth(i).inner_text())
             for i in range(links.count())]
    assert len(hrefs) == 3 * 4
    for href, figure in hrefs:
        page.goto(server.url + str(href))
        count = int(page.locator("#case-count").inner_text())
        if figure.startswith("¥"):
            assert count == page.locator("#report-cases tbody tr").count()
        else:
            assert count == int(figure) == page.locator("#report-cases tbody tr").count()
    page.goto(f"{server.url}/console/reports?{QUERY}")
    assert int(cell(page, "all", "cases_accepted")) == rd.EXPECTED["cases_accepted"]
    page.click("#kpi a.figure[data-measure=mediation_settled]")
    shown = {r.inner_text() for r in page.locator("#report-cases tbody td:first-child a")
             .all()}
    assert shown == {codes[c] for c in rd.SETTLED}

    # the subsidy: draft, approved by the director on the page
    page.goto(f"{server.url}/console/reports/subsidy?{QUERY}")
    expect(page.locator("#approval .draft")).to_be_visible()
    for mediator, (_, fen) in rd.EXPECTED_SUBSIDY.items():
        expect(page.locator(f"#subsidy tr[data-mediator={mediator}] td[data-key=amount_fen]")
               ).to_have_text(f"¥{fen / 100:,.2f}")
    page.click("#approve-form button")
    page.wait_for_load_state()
    expect(page.locator("#approval")).to_contain_text("zhu")


def test_statistician_sees_no_personal_data_and_no_small_cells(
        served: tuple[ServerProcess, dict[str, str]], browser: Browser) -> None:
    server, codes = served
    page = login(browser, server, "stat")
    page.goto(f"{server.url}/console/reports?{QUERY}&by=station")
    expect(page.locator("#min-cell-note")).to_be_visible()
    assert cell(page, "S001", "cases_accepted") == "5"
    for station, key in (("S001", "mediation_settled"), ("S002", "cases_accepted"),
                         ("S003", "visits"), ("S003", "amount_recovered_fen")):
        assert cell(page, station, key) == "—"
    html = page.content()
    assert not [c for c in codes.values() if c in html]
    page.click("#kpi tr[data-group=S001] a.figure[data-measure=cases_accepted]")
    expect(page.locator("#case-count")).to_have_text("5")
    html = page.content()
    assert not [c for c in codes.values() if c in html]
    assert "张三" not in html
    small = page.goto(f"{server.url}/console/reports/cases?measure=cases_accepted&{QUERY}"
                      "&by=station&group=S002")  # 2 cases: under the minimum
    assert small is not None
    assert small.status == 403

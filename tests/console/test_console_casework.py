"""The caseworkers' workbench in Debian's chromium against a real ``yizhan-server serve``,
with cases filed and synced by real kiosk processes (issue 13, "Done when"):

log in -> find the kiosk's case in 待分流 -> open it -> route it to mediation as simple ->
assign it to a mediator -> the mediator sees only it, records an agreement and a payment ->
the kiosk's next sync shows the worker the new status. Also: a station user gets 403 for
another station's case, a POST with a missing or forged CSRF token is refused, and the
identity panel opened by a user appears on the auditor's log page.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from tests.console.conftest import Console
from tests.kiosk.kiosk_kit import complaint
from tests.sync.conftest import kiosk_cli, new_token


def _kiosk(tmp_path: Path, console: Console, station: str) -> Path:
    data = tmp_path / f"kiosk-{station}"
    kiosk_cli(data, "init", "--station", station)
    kiosk_cli(data, "enroll", "--server", console.server.url,
              f"--token={new_token(console.server.data, station)}")
    return data


def _file(kiosk: Path, *records: dict[str, Any]) -> list[dict[str, Any]]:
    out = kiosk_cli(kiosk, "submit", "complaint", "--json", "-",
                    input_text=json.dumps(list(records)))
    kiosk_cli(kiosk, "sync")
    return [json.loads(line) for line in out.stdout.splitlines()]


def _status(kiosk: Path, code: str, pin: str) -> str:
    out = kiosk_cli(kiosk, "status", code, "--pin", pin, "--json").stdout
    return str(json.loads(out)["status"])


def _submit(page: Page, action: str, **fields: str) -> None:
    form = page.locator(f"form[data-action={action}]")
    for name, value in fields.items():
        field = form.locator(f"[name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        elif value == "on" and field.get_attribute("type") == "checkbox":
            field.check()
        else:
            field.fill(value)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def _post(page: Page, url: str, body: dict[str, str]) -> int:
    """POST a form from inside the page (same origin, so only the token decides)."""
    return int(page.evaluate(
        """async ([url, body]) => (await fetch(url, {method: "POST", redirect: "manual",
              body: new URLSearchParams(body)})).status""", [url, body]))


def test_kiosk_case_worked_in_the_browser_reaches_the_worker(
        tmp_path: Path, console: Console) -> None:
    screens = Path(os.environ.get("YIZHAN_SCREENS_DIR") or tmp_path)
    kiosk = _kiosk(tmp_path, console, "S001")
    mine, other = _file(kiosk, complaint(1), complaint(2))
    code, pin = mine["receipt_code"], mine["pin"]
    assert _status(kiosk, code, pin) == "received"
    for name, roles, station in (("li.triage", "triage", None), ("zhou.med", "mediator", None),
                                 ("qian.s2", "intake", "S002"), ("sun.audit", "auditor", None)):
        console.add_user(name, roles, station)

    # triage: the home count links to exactly its list, which holds the kiosk's cases
    tri = console.login("li.triage")
    row = tri.locator("#queues tr[data-queue=triage]")
    assert row.locator("td.num a").text_content() == "2"
    tri.screenshot(path=str(screens / "console-workbench.png"))
    with tri.expect_navigation():
        row.locator("td.num a").click()
    listed = tri.locator("#cases tr[data-code]").evaluate_all(
        "rows => rows.map(r => r.dataset.code)")
    assert sorted(listed) == sorted([code, other["receipt_code"]])
    assert tri.text_content("#total") == "共 2 件"
    tri.screenshot(path=str(screens / "console-queue.png"))
    tri.fill("#search input[name=q]", code)  # search by receipt code
    with tri.expect_navigation():
        tri.click("#search button[type=submit]")
    assert tri.locator("#cases tr[data-code]").count() == 1
    with tri.expect_navigation():
        tri.click(f"#cases a:text('{code}')")
    assert tri.text_content("#receipt-code") == code
    assert tri.locator("#identity-sealed").is_visible()
    assert "mediation" not in (tri.get_attribute("#route", "data-route") or "")
    tri.screenshot(path=str(screens / "console-case.png"), full_page=True)

    # route to mediation as simple, then assign to the mediator
    _submit(tri, "route", to="mediation", track="simple")
    assert tri.get_attribute("#status", "data-status") == "in_mediation"
    assert tri.get_attribute("#track", "data-track") == "simple"
    _submit(tri, "assign", username="zhou.med")
    assert tri.text_content("#assignee") == "zhou.med"
    # the identity panel, opened with a reason, is audited as a view
    tri.fill("#open-identity input[name=reason]", "电话联系当事人确认调解时间")
    with tri.expect_navigation():
        tri.click("#open-identity button")
    assert tri.text_content("#claimant-name") == complaint(1)["claimant"]["name"]

    # the mediator sees only the case assigned to them, and records agreement and payment
    med = console.login("zhou.med")
    assert med.locator("#queues tr[data-queue=mine] td.num").text_content() == "1"
    med.goto(console.url + "queues/all")
    assert med.locator("#cases tr[data-code]").evaluate_all(
        "rows => rows.map(r => r.dataset.code)") == [code]
    refused = med.goto(console.url + f"cases/{other['receipt_code']}")
    assert refused is not None
    assert refused.status == 403
    med.goto(console.url + f"cases/{code}")
    _submit(med, "agreement", yuan="12500", on="2026-11-25")
    assert med.get_attribute("#status", "data-status") == "settled"
    assert med.text_content("#agreed") == "¥12,500.00 (2026-11-25)"
    _submit(med, "payment", yuan="12500.00", on="2026-11-28")
    assert med.locator("dd.paid").all_text_contents() == ["¥12,500.00 (2026-11-28)"]
    authors = set(med.locator("#history tr[data-kind=routed] td.author, "
                              "#history tr[data-kind=payment_recorded] td.author")
                  .all_text_contents())
    assert authors == {"li.triage", "zhou.med"}

    # the kiosk's next sync shows the worker the new status
    kiosk_cli(kiosk, "sync")
    assert _status(kiosk, code, pin) == "settled"
    assert _status(kiosk, other["receipt_code"], other["pin"]) == "received"

    # CSRF: a POST without the token, or with a forged one, is refused and changes nothing
    note = console.url + f"cases/{code}/act/note"
    assert _post(med, note, {"text": "无令牌"}) == 403
    assert _post(med, note, {"text": "伪造令牌", "csrf_token": "forged" * 8}) == 403
    token = str(med.get_attribute("form[data-action=note] input[name=csrf_token]", "value"))
    assert _post(med, note, {"text": "有令牌", "csrf_token": token}) in (200, 0, 303)
    med.goto(console.url + f"cases/{code}")
    assert [t.split(" —")[0] for t in med.locator("#notes li").all_text_contents()] == ["有令牌"]

    # a station user gets 403 for another station's case page
    s2 = console.login("qian.s2")
    answer = s2.goto(console.url + f"cases/{code}")
    assert answer is not None
    assert answer.status == 403
    assert s2.text_content("#forbidden") == "无权访问"

    # the auditor sees the identity view, by whom, on which case
    aud = console.login("sun.audit")
    aud.goto(console.url + f"audit?case={code}")
    rows = aud.locator("#audit tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.cells].map(c => c.textContent))")
    assert any(r[1] == "li.triage" and r[2] == "case.identity_view" and r[3] == code
               and "电话联系" in r[4] for r in rows)

"""Console: staff reissue a receipt's PIN at a station (issue 15). The slip shows the new PIN
once; the old PIN stops working at once; the reissue is in the audit log; only roles that may
(intake, triage, director) see the page."""

from __future__ import annotations

import json
import re
import subprocess

import httpx

from shared.clock import SystemClock
from tests.console.conftest import Console
from tests.sync_server.server_kit import TestKiosk, server_cli


def _filed(console: Console) -> tuple[str, str]:
    token = json.loads(server_cli("enroll-token", "--station", "S001", "--data",
                                  str(console.server.data), "--json").stdout)["token"]
    with httpx.Client(base_url=console.server.url, timeout=30) as http:
        kiosk = TestKiosk(SystemClock())
        kiosk.enroll(http, token)
        env = kiosk.file()
        assert kiosk.push(http, [env]).status_code == 201
    return kiosk.receipts[env.header.id]


def _status(console: Console, code: str, pin: str) -> int:
    return httpx.post(console.server.url + "/v1/status",
                      json={"code": code, "pin": pin}).status_code


def test_intake_clerk_reissues_a_pin_from_the_console(console: Console) -> None:
    code, pin = _filed(console)
    console.add_user("zhao", "intake", station="S002")  # any station may reissue
    page = console.login("zhao")
    page.click("text=补发查询密码")
    page.fill("input[name=code]", "abcd-efgh-jkm")  # a typo: said, nothing changed
    page.click("#reissue button[type=submit]")
    assert "check character" in page.inner_text("[role=alert]")
    page.fill("input[name=code]", f"{code[:4]}-{code[4:8]}-{code[8:]}".lower())
    page.click("#reissue button[type=submit]")
    page.wait_for_selector("#slip")
    new_pin = page.inner_text("#slip-pin").strip()
    assert re.fullmatch(r"\d{6}", new_pin)
    assert page.inner_text("#slip-code") == f"{code[:4]}-{code[4:8]}-{code[8:]}"
    assert _status(console, code, pin) == 404
    assert _status(console, code, new_pin) == 200
    audit = subprocess.run(["yizhan-server", "audit", "--case", code, "--json", "--data",
                            str(console.server.data)], capture_output=True, text=True,
                           timeout=120, check=True)
    [entry] = [e for e in json.loads(audit.stdout) if e["action"] == "receipt.reissue_pin"]
    assert entry["actor"] == "zhao"
    assert new_pin not in audit.stdout
    page.context.close()


def test_roles_without_it_do_not_get_the_page(console: Console) -> None:
    console.add_user("qian", "statistician")
    page = console.login("qian")
    assert page.locator("text=补发查询密码").count() == 0
    answer = page.goto(console.server.url + "/console/receipts/reissue")
    assert answer is not None
    assert answer.status == 403
    page.context.close()

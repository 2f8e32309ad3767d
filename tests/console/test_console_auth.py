"""The console's doors, driven through Debian's chromium against a real server process:
login, lockout, CSRF (token and Origin), logout, the auditor's log, the admin's users."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page

from sync_server.services.sessions import LOCK_AFTER
from tests.console.conftest import PASSWORD, Console, user_cli
from tests.sync_server.server_kit import ServerProcess


def _session_cookie(page: Page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "yz_session")


def _csrf(page: Page) -> str:
    return str(page.get_attribute("form[action='/console/logout'] input[name=csrf_token]",
                                  "value"))


def test_login_shows_home_with_my_roles(console: Console, tmp_path: Path) -> None:
    console.add_user("li.triage", "triage,mediator")
    page = console.page()
    page.goto(console.url)  # not logged in: sent to the login page, and back after it
    assert "/console/login" in page.url
    screens = Path(os.environ.get("YIZHAN_SCREENS_DIR") or tmp_path)
    page.screenshot(path=str(screens / "console-login.png"))
    console.try_login(page, "li.triage")
    assert page.url == console.url
    assert page.text_content("#whoami") == "li.triage"
    assert page.locator("#roles .tag").all_text_contents() == ["调解员", "分流员"]
    cookie = next(c for c in page.context.cookies() if c["name"] == "yz_session")
    assert cookie["httpOnly"]
    assert cookie["sameSite"] == "Lax"
    assert cookie["path"] == "/console"
    page.screenshot(path=str(screens / "console-home.png"))
    page.click("text=English")
    assert page.text_content("h1") == "Home"


def test_locked_out_user_stays_out_even_with_the_right_password(console: Console) -> None:
    console.add_user("wang.intake", "intake")
    page = console.page()
    for _ in range(LOCK_AFTER):
        console.try_login(page, "wang.intake", "not the password at all")
        assert page.text_content("#login-error") == "用户名或密码错误。"
    console.try_login(page, "wang.intake", PASSWORD)
    assert "/console/login" in page.url
    assert "登录失败次数过多" in str(page.text_content("#login-error"))
    assert not [c for c in page.context.cookies() if c["name"] == "yz_session"]
    # the lockout lives in the store: a fresh browser at another serve process agrees
    with ServerProcess(console.server.data) as second:
        other = console.page()
        other.goto(second.url + "/console/login")
        other.fill("input[name=username]", "wang.intake")
        other.fill("input[name=password]", PASSWORD)
        with other.expect_response("**/console/login") as answer:
            other.click("button[type=submit]")
        assert answer.value.status == 429
        assert "登录失败次数过多" in str(other.text_content("#login-error"))


@pytest.mark.parametrize("token", [
    "forged-" + "x" * 36,  # a token of the right shape, not this session's
    None,                  # no token at all
])
def test_post_without_the_session_csrf_token_is_refused(console: Console,
                                                        token: str | None) -> None:
    console.add_user("zhao.admin", "admin")
    page = console.login("zhao.admin")
    # the real page's logout form, its token replaced or removed, submitted by the browser
    page.evaluate("""(token) => {
        const input = document.querySelector("form[action='/console/logout'] "
                                             + "input[name=csrf_token]");
        if (token === null) { input.remove(); } else { input.value = token; }
    }""", token)
    with page.expect_response("**/console/logout") as answer:
        page.click("#logout")
    assert answer.value.status == 403
    assert json.loads(page.text_content("body") or "{}")["code"] == "csrf_failed"
    page.goto(console.url)  # the session was not ended by the refused request
    assert page.url == console.url


def test_cross_site_origin_is_refused(console: Console) -> None:
    console.add_user("sun.admin", "admin")
    page = console.login("sun.admin")
    cookie, token = _session_cookie(page), _csrf(page)
    # a page on another site posts the console's form (even knowing the token)
    evil = "http://evil.example/"
    page.route(evil, lambda route: route.fulfill(content_type="text/html", body=f"""
        <form method="post" action="{console.url}logout">
        <input name="csrf_token" value="{token}"></form>
        <script>document.forms[0].submit()</script>"""))
    with page.expect_response("**/console/logout") as answer:
        page.goto(evil)
    assert answer.value.status == 403
    # the same request with the session cookie too, as a non-Lax browser would send it
    with httpx.Client(base_url=console.server.url, cookies={"yz_session": cookie}) as http:
        for headers in ({"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
            refused = http.post("/console/logout", data={"csrf_token": token},
                                headers=headers)
            assert refused.status_code == 403
            assert refused.json()["code"] == "csrf_failed"
        same = http.post("/console/logout", data={"csrf_token": token},
                         headers={"Origin": console.server.url,
                                  "Sec-Fetch-Site": "same-origin"})
        assert same.status_code == 303  # the check refuses other sites, not ours


def test_logout_ends_the_session(console: Console) -> None:
    console.add_user("qian.mediator", "mediator")
    page = console.login("qian.mediator")
    old = _session_cookie(page)
    page.click("#logout")
    assert "/console/login" in page.url
    replay = console.page()  # the old cookie, presented again, is refused
    replay.context.add_cookies([{"name": "yz_session", "value": old,
                                 "url": console.server.url + "/console/"}])
    replay.goto(console.url)
    assert "/console/login" in replay.url


def test_auditor_sees_the_audit_log_and_others_do_not(console: Console) -> None:
    console.add_user("zhou.auditor", "auditor")
    console.add_user("wu.triage", "triage")
    triage = console.login("wu.triage")
    answer = triage.goto(console.url + "audit")
    assert answer is not None
    assert answer.status == 403
    auditor = console.login("zhou.auditor")
    auditor.click("text=审计日志")
    rows = auditor.locator("#audit tbody tr").all_text_contents()
    assert any("wu.triage" in r and "login" in r and "127.0.0.1" in r for r in rows)
    assert any("user.add" in r and "zhou.auditor" in r for r in rows)
    auditor.fill("input[name=user]", "wu.triage")
    auditor.click("text=筛选")
    rows = auditor.locator("#audit tbody tr").all_text_contents()
    assert rows
    assert all("wu.triage" in r for r in rows)


def test_admin_adds_a_user_the_cli_sees_and_disables(console: Console) -> None:
    console.add_user("feng.admin", "admin")
    admin = console.login("feng.admin")
    admin.goto(console.url + "admin/users")
    admin.fill("#add-user input[name=username]", "chen.station")
    admin.fill("#add-user input[name=roles]", "intake")
    admin.fill("#add-user input[name=station]", "S002")
    admin.fill("#add-user input[name=password]", PASSWORD)
    admin.click("#add-user button")
    assert admin.locator("tr[data-user='chen.station']").count() == 1
    listed = json.loads(user_cli(console.server.data, "user", "list", "--json").stdout)
    assert {"username": "chen.station", "roles": ["intake"], "station": "S002",
            "disabled": False} in [{k: u[k] for k in ("username", "roles", "station",
                                                      "disabled")} for u in listed]
    clerk = console.login("chen.station")
    assert clerk.text_content("#station") == "S002"
    assert clerk.goto(console.url + "admin/users").status == 403  # type: ignore[union-attr]
    done = user_cli(console.server.data, "user", "disable", "chen.station")
    assert done.returncode == 0, done.stderr
    clerk.goto(console.url)  # disabled: the open session ends at once
    assert "/console/login" in clerk.url
    admin.reload()
    assert "已停用" in str(admin.text_content("tr[data-user='chen.station']"))

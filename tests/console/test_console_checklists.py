"""Checklists in the browser and at a real kiosk: the director edits the wage-arrears
checklist in the console (zh-CN and English), a new version is stored; a kiosk process
enrolled before the edit prints the old list, syncs once, and then prints the new one with
``yizhan-kiosk checklist``; mismatched language lines are refused naming the field."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import expect

from tests.console.conftest import Console, user_cli
from tests.console.test_console_alerts import SCREENS
from tests.sync.conftest import kiosk_cli

NEW_DOC_ZH = "本人居民身份证（原件）及复印件一份"
NEW_DOC_EN = "Your resident ID card (original) and one photocopy"


def test_a_checklist_edited_in_the_console_is_printed_by_a_kiosk(console: Console,
                                                                 tmp_path: Path) -> None:
    kiosk = tmp_path / "kiosk"
    kiosk_cli(kiosk, "init", "--station", "S001")
    token = json.loads(user_cli(console.server.data, "enroll-token", "--station", "S001",
                                "--json").stdout)["token"]
    kiosk_cli(kiosk, "enroll", "--server", console.server.url, f"--token={token}")
    before = kiosk_cli(kiosk, "checklist", "wage_arrears").stdout
    assert NEW_DOC_ZH not in before

    console.add_user("zhou", "director")
    page = console.login("zhou")
    page.click("nav a[href='/console/checklists']")
    form = page.locator("#checklist-form")
    docs_zh = form.locator("textarea[name=documents_zh]")
    docs_en = form.locator("textarea[name=documents_en]")
    docs_zh.fill(NEW_DOC_ZH + "\n" + docs_zh.input_value())
    form.locator("button[type=submit]").click()  # the English lines no longer line up
    page.wait_for_load_state()
    expect(page.locator("#error")).to_contain_text("documents_en")
    form = page.locator("#checklist-form")
    form.locator("textarea[name=documents_zh]").fill(
        NEW_DOC_ZH + "\n" + form.locator("textarea[name=documents_zh]").input_value())
    form.locator("textarea[name=documents_en]").fill(
        NEW_DOC_EN + "\n" + docs_en.input_value())
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("#notice")).to_be_visible()
    expect(page.locator("#checklist-versions tbody tr")).to_have_count(1)
    page.screenshot(path=str(SCREENS / "console-checklists.png"), full_page=True)

    still = kiosk_cli(kiosk, "checklist", "wage_arrears").stdout
    assert NEW_DOC_ZH not in still  # not before the kiosk syncs
    kiosk_cli(kiosk, "sync")
    printed = kiosk_cli(kiosk, "checklist", "wage_arrears").stdout
    assert NEW_DOC_ZH in printed
    english = kiosk_cli(kiosk, "checklist", "wage_arrears", "--lang", "en").stdout
    assert NEW_DOC_EN in english
    log = json.loads(user_cli(console.server.data, "audit", "--user", "zhou",
                              "--json").stdout)
    assert any(e["action"] == "checklist.edit" for e in log)

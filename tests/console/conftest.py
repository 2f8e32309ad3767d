"""Fixtures for the console's browser tests: a real ``yizhan-server serve`` process, users
made with the real ``yizhan-server user add``, and Playwright driving Debian's chromium.

* ``browser`` — headless chromium (``/usr/bin/chromium``, scripts/setup.sh installs it);
  missing: the test FAILS when CI=true, is skipped with the reason otherwise.
* ``console`` — a ``Console``: the server process over a fresh county (SQLite), with
  ``add_user`` (through the CLI) and ``login`` (a new browser context, logged in).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.sync_server.server_kit import ServerProcess

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PASSWORD = "grey heron over the paddy"  # noqa: S105 - test accounts


# module scope, not session: Playwright's sync API keeps an event loop of its own while
# open, which must not outlive these tests into other modules on the same worker
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} missing (scripts/setup.sh installs Debian's chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " and CI=true: browser tests must run in CI")
        pytest.skip(reason)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def user_cli(data: Path, *args: str, password: str | None = None) -> \
        subprocess.CompletedProcess[str]:
    """``yizhan-server ARGS --data DATA`` with ``password`` on standard input."""
    return subprocess.run(["yizhan-server", *args, "--data", str(data)],
                          input=(password + "\n") if password is not None else None,
                          capture_output=True, text=True, timeout=120, check=False)


@dataclass
class Console:
    """The console of one running server."""

    server: ServerProcess
    browser: Browser

    @property
    def url(self) -> str:
        return self.server.url + "/console/"

    def add_user(self, username: str, roles: str, station: str | None = None) -> None:
        args = ["user", "add", username, "--role", roles, "--password-stdin"]
        if station:
            args += ["--station", station]
        done = user_cli(self.server.data, *args, password=PASSWORD)
        assert done.returncode == 0, done.stderr

    def page(self) -> Page:
        """A fresh browser context (no cookies) and page, 1366×768."""
        context = self.browser.new_context(viewport={"width": 1366, "height": 768},
                                           locale="zh-CN")
        return context.new_page()

    def try_login(self, page: Page, username: str, password: str = PASSWORD) -> None:
        page.goto(self.server.url + "/console/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()

    def login(self, username: str) -> Page:
        """A new page, logged in as ``username`` (on the home page)."""
        page = self.page()
        self.try_login(page, username)
        assert page.url == self.url, page.content()
        return page


@pytest.fixture
def console(county: Path, browser: Browser) -> Iterator[Console]:
    with ServerProcess(county) as server:
        yield Console(server, browser)

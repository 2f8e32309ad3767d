"""Fixtures for the console's browser tests: a real ``yizhan-server serve`` process, users
made with the real ``yizhan-server user add``, and Playwright driving Debian's chromium.

* ``browser`` — headless chromium (``/usr/bin/chromium``, scripts/setup.sh installs it);
  missing: the test FAILS when CI=true, is skipped with the reason otherwise.
* ``console`` — a ``Console``: the server process over a fresh county (SQLite), with
  ``add_user`` (through the CLI) and ``login`` (a new browser context, logged in).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser_kit import launch
from tests.sync_server.server_kit import ServerProcess

PASSWORD = "grey heron over the paddy"  # noqa: S105 - test accounts


# module scope, not session: see tests/browser_kit.py
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launch() as b:
        yield b


def user_cli(data: Path, *args: str, password: str | None = None,
             db_url: str | None = None) -> subprocess.CompletedProcess[str]:
    """``yizhan-server ARGS --data DATA [--db URL]`` with ``password`` on standard input."""
    db = ["--db", db_url] if db_url else []
    return subprocess.run(["yizhan-server", *args, "--data", str(data), *db],
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
        done = user_cli(self.server.data, *args, password=PASSWORD,
                        db_url=self.server.db_url)
        assert done.returncode == 0, done.stderr

    def page(self) -> Page:
        """A fresh browser context (no cookies) and page, 1366×768."""
        context = self.browser.new_context(viewport={"width": 1366, "height": 768},
                                           locale="zh-CN")
        return context.new_page()

    def try_login(self, page: Page, username: str, password: str = PASSWORD,
                  server: ServerProcess | None = None) -> None:
        page.goto((server or self.server).url + "/console/login")
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

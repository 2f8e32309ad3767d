"""Debian's chromium driven by Playwright, as every browser test launches it.

``launch()`` fails under ``CI=true`` when chromium is missing (browser tests must run in CI)
and skips otherwise. Module-scope fixtures use it: Playwright's sync API keeps an event loop
of its own while open, which must not outlive those tests into other modules on a worker.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@contextmanager
def launch() -> Iterator[Browser]:
    """A headless chromium, closed on exit."""
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

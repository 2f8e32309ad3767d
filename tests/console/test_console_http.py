"""The console over plain HTTP against a real uvicorn (in a thread, sharing a ManualClock):
cookie attributes behind a TLS proxy, the htmx CSRF header, idle expiry, security headers,
and that every message id a template uses has its zh-CN translation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared.clock import ManualClock
from sync_server.api import create_app
from sync_server.config import keystore
from sync_server.config.settings import Settings
from sync_server.console import i18n
from sync_server.console.render import TEMPLATES
from sync_server.services import accounts, sessions
from sync_server.services.wiring import Services
from tests.console.conftest import PASSWORD
from tests.sync_server.server_kit import ServerThread


@pytest.fixture
def base_url(tmp_path: Path, manual_clock: ManualClock) -> Iterator[str]:
    data = tmp_path / "server"
    data.mkdir()
    keystore.create(data, "曾都区", None)
    settings = Settings(data_dir=data, trusted_proxies=("127.0.0.1",))
    svc = Services.open(settings, manual_clock)
    try:
        accounts.add_user(svc, "he.triage", ["triage"], None, PASSWORD)
    finally:
        svc.close()
    with ServerThread(create_app(settings, manual_clock)) as url:
        yield url


def _login(http: httpx.Client, headers: dict[str, str] | None = None) -> httpx.Response:
    form = http.get("/console/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    return http.post("/console/login", headers=headers, data={
        "csrf_token": token.group(1), "username": "he.triage", "password": PASSWORD})


def _csrf(page: str) -> str:
    found = re.search(r'"X-CSRF-Token": "([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_session_cookie_is_secure_behind_a_tls_proxy(base_url: str) -> None:
    with httpx.Client(base_url=base_url) as http:
        plain = _login(http)
        assert "secure" not in plain.headers["set-cookie"].lower()
    with httpx.Client(base_url=base_url) as http:
        proxied = _login(http, {"X-Forwarded-Proto": "https"})
    cookie = proxied.headers["set-cookie"]
    assert cookie.startswith("yz_session=")
    for attribute in ("HttpOnly", "Secure", "SameSite=lax", "Path=/console"):
        assert attribute.lower() in cookie.lower(), attribute


def test_htmx_header_token_is_accepted_and_pages_carry_security_headers(
        base_url: str) -> None:
    with httpx.Client(base_url=base_url) as http:
        assert _login(http).status_code == 303
        home = http.get("/console/")
        assert home.status_code == 200
        assert home.headers["cache-control"] == "no-store"
        assert "frame-ancestors 'none'" in home.headers["content-security-policy"]
        token = _csrf(home.text)
        wrong = http.post("/console/logout", headers={"X-CSRF-Token": token[::-1],
                                                      "HX-Request": "true"})
        assert wrong.status_code == 403
        assert wrong.json()["code"] == "csrf_failed"
        right = http.post("/console/logout", headers={"X-CSRF-Token": token,
                                                      "HX-Request": "true"})
        assert right.status_code == 303
        assert http.get("/console/").status_code == 303  # back to the login page


def test_idle_session_expires(base_url: str, manual_clock: ManualClock) -> None:
    with httpx.Client(base_url=base_url) as http:
        _login(http)
        assert http.get("/console/").status_code == 200
        manual_clock.advance(sessions.IDLE_S + 1)
        gone = http.get("/console/")
        assert gone.status_code == 303
        assert gone.headers["location"] == "/console/login?next=/console/"
        htmx = http.get("/console/", headers={"HX-Request": "true"})
        assert htmx.status_code == 401
        assert htmx.headers["hx-redirect"].startswith("/console/login")


def test_login_redirects_only_into_the_console(base_url: str) -> None:
    with httpx.Client(base_url=base_url) as http:
        form = http.get("/console/login?next=//evil.example/")
        assert 'name="next" value="/console/"' in form.text


def test_every_template_message_has_a_zh_translation() -> None:
    used: set[str] = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r'_\("([^"]+)"\)', template.read_text("utf-8")))
    pages = (TEMPLATES.parent / "pages.py").read_text("utf-8")
    used |= set(re.findall(r'_login_page\(request, "([^"]+)"', pages))
    assert used
    assert sorted(used - set(i18n.ZH)) == []

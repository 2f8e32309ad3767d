"""Guessing receipt PINs at ``POST /v1/status`` as an attacker would: many wrong PINs for one
receipt (from one or several addresses, through several server processes), bursts across a
minute boundary, and a forged X-Forwarded-For."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from shared.clock import ManualClock, SystemClock
from shared.receipt import format_code, new_code
from sync_server.app import create_app
from sync_server.config import keystore
from sync_server.config.settings import Settings
from tests.sync_server.conftest import postgres_or_skip
from tests.sync_server.server_kit import (
    ServerProcess,
    ServerThread,
    TestKiosk,
    drop_pg_schema,
    server_cli,
)

LIMIT = 5  # Settings.status_wrong_pins_per_receipt


@pytest.fixture
def server_settings(tmp_path: Path, db_url: str) -> Settings:
    """As conftest's, with the per-address limit out of the way of the per-receipt one."""
    data = tmp_path / "server"
    data.mkdir()
    keystore.create(data, "随州市曾都区", None)
    return Settings(data_dir=data, db_url=db_url, status_rate_per_minute=1000)


def _wrong(pin: str) -> str:
    return "000000" if pin != "000000" else "111111"


def _filed(client: httpx.Client, kiosk: TestKiosk) -> tuple[str, str]:
    env = kiosk.file()
    assert kiosk.push(client, [env]).status_code == 201
    return kiosk.receipts[env.header.id]


def test_wrong_pins_for_one_receipt_back_off_then_recover(
        client: httpx.Client, kiosk: TestKiosk, manual_clock: ManualClock) -> None:
    code, pin = _filed(client, kiosk)
    for _ in range(LIMIT):
        assert client.post("/v1/status", json={"code": code, "pin": _wrong(pin)}
                           ).status_code == 404
    # The attacker's next guess is refused unheard -- even the right PIN would be.
    held = client.post("/v1/status", json={"code": format_code(code), "pin": pin})
    assert held.status_code == 429
    assert held.json()["code"] == "rate_limited"
    assert 0 < int(held.headers["retry-after"]) <= 900
    # A code that does not exist backs off the same way: a 429 tells nothing.
    ghost = new_code()
    answers = [client.post("/v1/status", json={"code": ghost, "pin": pin}).status_code
               for _ in range(LIMIT + 1)]
    assert answers == [404] * LIMIT + [429]
    # The window slides: once the wrong PINs are 15 minutes old, the worker gets in.
    manual_clock.advance(seconds=15 * 60 + 1)
    ok = client.post("/v1/status", json={"code": code, "pin": pin})
    assert ok.status_code == 200, ok.text
    assert ok.json()["status"] == "received"


def test_per_address_limit_is_a_sliding_window(
        tmp_path: Path, server_settings: Settings, manual_clock: ManualClock) -> None:
    """10 lookups just before a minute boundary and 10 just after is a burst of 20 in a
    second: the second batch is refused (a fixed window would let it through)."""
    settings = Settings(data_dir=server_settings.data_dir, db_url=server_settings.db_url)
    start = manual_clock.now().replace(second=59, microsecond=500_000)
    manual_clock.set(start)
    with ServerThread(create_app(settings, manual_clock)) as url, \
            httpx.Client(base_url=url, timeout=30) as http:
        first = [http.post("/v1/status", json={"code": new_code(), "pin": "123456"}
                           ).status_code for _ in range(10)]
        manual_clock.set(start + timedelta(seconds=1))  # the next minute has begun
        after = http.post("/v1/status", json={"code": new_code(), "pin": "123456"})
        manual_clock.set(start + timedelta(seconds=61))  # a minute after the burst
        later = http.post("/v1/status", json={"code": new_code(), "pin": "123456"})
    assert first == [404] * 10
    assert after.status_code == 429
    assert later.status_code == 404


@pytest.mark.parametrize(("trusted", "fresh_allowance"), [
    ((), False),                 # default: the header is the client's word, ignored
    (("10.9.9.9",), False),      # a proxy is configured, but the request did not come from it
    (("127.0.0.0/8",), True),    # the request came through a configured proxy: honoured
])
def test_x_forwarded_for_counts_only_from_a_trusted_proxy(
        server_settings: Settings, manual_clock: ManualClock, trusted: tuple[str, ...],
        fresh_allowance: bool) -> None:
    settings = Settings(data_dir=server_settings.data_dir, db_url=server_settings.db_url,
                        trusted_proxies=trusted)
    with ServerThread(create_app(settings, manual_clock)) as url, \
            httpx.Client(base_url=url, timeout=30) as http:
        def lookup(forwarded: str) -> int:
            return http.post("/v1/status", json={"code": new_code(), "pin": "123456"},
                             headers={"X-Forwarded-For": forwarded}).status_code

        spent = [lookup("203.0.113.7") for _ in range(10)]
        spoofed = lookup("198.51.100.1")           # "I am someone else now"
        chained = lookup("198.51.100.2, 203.0.113.7")  # client-written hop before the real one
    assert spent == [404] * 10
    assert spoofed == (404 if fresh_allowance else 429)
    # Through a trusted proxy the right-most untrusted hop is the client: still 203.0.113.7.
    assert chained == 429


@pytest.mark.postgres
def test_the_receipt_limit_holds_across_two_serve_processes_on_postgresql(
        tmp_path: Path) -> None:
    url, schema = postgres_or_skip()
    try:
        data = tmp_path / "county"
        server_cli("init", "--county", "X", "--no-passphrase", "--data", str(data), "--db",
                   url)
        token = json.loads(server_cli("enroll-token", "--station", "S001", "--data",
                                      str(data), "--db", url, "--json").stdout)["token"]
        with ServerProcess(data, url) as one, ServerProcess(data, url) as two, \
                httpx.Client(base_url=one.url, timeout=30) as a, \
                httpx.Client(base_url=two.url, timeout=30) as b:
            kiosk = TestKiosk(SystemClock())
            kiosk.enroll(a, token)
            code, pin = _filed(a, kiosk)
            wrong = [(a, b)[i % 2].post("/v1/status", json={"code": code, "pin": _wrong(pin)}
                                        ).status_code for i in range(LIMIT)]
            held = [c.post("/v1/status", json={"code": code, "pin": pin}).status_code
                    for c in (a, b)]
        assert wrong == [404] * LIMIT
        assert held == [429, 429]
    finally:
        drop_pg_schema(schema)


def test_an_attacker_cannot_outguess_the_window(
        client: httpx.Client, kiosk: TestKiosk, manual_clock: ManualClock) -> None:
    """50 guesses at one receipt, one a minute: at most 5 per sliding 15 minutes are even
    compared, so at most 5 x ceil(50 / 15) = 20 of them."""
    code, pin = _filed(client, kiosk)
    compared = 0
    for _ in range(50):
        guess = f"{secrets.randbelow(10**6):06d}"
        r = client.post("/v1/status", json={"code": code, "pin": _wrong(pin) if guess == pin
                                            else guess})
        compared += r.status_code == 404
        manual_clock.advance(seconds=60)
    assert compared <= 20


@pytest.mark.parametrize(("args", "fresh_allowance"), [
    ((), False),                                  # default: no proxy is trusted
    (("--trusted-proxy", "127.0.0.1"), True),     # the operator names the proxy
])
def test_serve_ignores_a_spoofed_forwarded_for_unless_told(
        county: Path, args: tuple[str, ...], fresh_allowance: bool) -> None:
    """The real ``serve``: neither uvicorn's own proxy-header handling nor ours believes a
    loopback client's X-Forwarded-For unless --trusted-proxy says so."""
    with ServerProcess(county, args=args) as server, \
            httpx.Client(base_url=server.url, timeout=30) as http:
        def lookup(forwarded: str) -> int:
            return http.post("/v1/status", json={"code": new_code(), "pin": "123456"},
                             headers={"X-Forwarded-For": forwarded}).status_code

        spent = [lookup("203.0.113.7") for _ in range(10)]
        spoofed = lookup("198.51.100.1")
    assert spent == [404] * 10
    assert spoofed == (404 if fresh_allowance else 429)

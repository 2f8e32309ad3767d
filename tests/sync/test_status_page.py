"""The worker's status page in a real browser (Playwright + Debian chromium, phone viewport)
against real ``serve`` processes on PostgreSQL and a real kiosk whose printed receipt QR is
decoded with zxing-cpp (issue 15).

What the worker does: scan the receipt QR with the phone camera (the link opens the page),
see that the receipt is genuine, type the PIN, read the status staff set. What an attacker
does: change a character of the QR (shown as not genuine before any request carries the
code), guess PINs through two server processes (the 11th wrong PIN finds the receipt locked).
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import chinese_calendar
import httpx
import pytest
import zxingcpp
from PIL import Image

from tests.browser_kit import launch
from tests.kiosk.kiosk_kit import complaint
from tests.sync.conftest import enrolled_kiosk, kiosk_cli
from tests.sync_server.conftest import postgres_or_skip
from tests.sync_server.server_kit import ServerProcess, drop_pg_schema, server_cli

PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True, "locale": "zh-CN",
         "user_agent": "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like "
                       "Gecko) Version/4.0 Chrome/86.0.4240.99 XWEB/4365 MMWEBSDK/20221012 "
                       "Mobile Safari/537.36 MMWEBID/1234 MicroMessenger/8.0.30 WeChat/arm64"}
SCREEN = Path(__file__).resolve().parents[2] / "docs" / "screens" / "status-page.png"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launch() as b:  # tests/browser_kit.py
        yield b


class Recorder:
    """Every request the page makes (URL, method, body), for the privacy checks."""

    def __init__(self, page: Any) -> None:
        self.requests: list[tuple[str, str, str]] = []
        page.on("request", lambda r: self.requests.append((r.method, r.url,
                                                           r.post_data or "")))

    def urls(self) -> list[str]:
        return [u for _, u, _ in self.requests]

    def lookups(self) -> list[str]:
        return [b for m, u, b in self.requests if m == "POST" and u.endswith("/v1/status")]


@pytest.fixture
def county_pg(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    url, schema = postgres_or_skip()
    data = tmp_path / "county"
    server_cli("init", "--county", "曾都区", "--no-passphrase", "--data", str(data), "--db", url)
    try:
        yield data, url
    finally:
        drop_pg_schema(schema)


def _filed_receipt(tmp_path: Path, county: Path, db: str, server: ServerProcess,
                   station: str = "S001") -> tuple[Path, dict[str, Any], str]:
    """A real kiosk enrolled with ``server``: file a complaint, print its QR PNG, decode it
    with zxing-cpp, sync. Returns (kiosk folder, receipt, text decoded from the QR)."""
    kiosk = enrolled_kiosk(tmp_path / f"kiosk-{station}", station, server)
    png = tmp_path / f"receipt-{station}.png"
    out = kiosk_cli(kiosk, "submit", "complaint", "--json", "-", "--qr-png", str(png),
                    input_text=json.dumps(complaint(1), ensure_ascii=False))
    receipt = json.loads(out.stdout)
    [decoded] = zxingcpp.read_barcodes(Image.open(png), formats=zxingcpp.BarcodeFormat.QRCode)
    summary = json.loads(kiosk_cli(kiosk, "sync", "--json").stdout)
    assert summary["accepted"] == 1
    return kiosk, receipt, decoded.text


def _wrong(pin: str) -> str:
    return "000000" if pin != "000000" else "111111"


def _type_pin(page: Any, pin: str) -> None:
    page.fill("#pin_input", pin)
    page.click("#pin_submit")


def test_worker_checks_the_case_from_a_phone_and_guessing_locks_the_receipt(
        tmp_path: Path, county_pg: tuple[Path, str], browser: Any) -> None:
    county, db = county_pg
    # info-level logs (not the kit's warning level), so the log check below has lines to read
    args = ("--trusted-proxy", "127.0.0.1", "--log-level", "info")
    one, two = ServerProcess(county, db, args=args), ServerProcess(county, db, args=args)
    server_cli("settings", "set", "public_url", one.url, "--data", str(county), "--db", db)
    # the per-receipt sliding window out of the way of the lifetime cap under test
    server_cli("settings", "set", "pin_window_limit", "100", "--data", str(county), "--db", db)
    with one, two:
        kiosk, receipt, link = _filed_receipt(tmp_path, county, db, one)
        code, pin = receipt["receipt_code"], receipt["pin"]
        assert link == receipt["qr_payload"]
        assert link.startswith(one.url + "/r#YZR2.")
        subprocess.run(["yizhan-server", "user", "add", "li", "--role", "triage",
                        "--password-stdin", "--data", str(county), "--db", db],
                       input="correct horse battery staple 7\n", text=True, check=True,
                       capture_output=True, timeout=120)
        server_cli("case", "status", code, "in_mediation", "--as", "li", "--data", str(county),
                   "--db", db)

        context = browser.new_context(**PHONE)
        page = context.new_page()
        seen = Recorder(page)
        page.goto(link)
        page.wait_for_selector("#receipt:not([hidden])")
        assert page.inner_text("#r_code") == f"{code[:4]}-{code[4:8]}-{code[8:]}"
        assert page.inner_text("#r_station") == "S001"
        assert "年" in page.inner_text("#r_filed")

        # a wrong PIN says so (and counts: the 10th wrong one below locks the receipt)
        _type_pin(page, _wrong(pin))
        page.wait_for_selector("#message:not([hidden])")
        assert "不正确" in page.inner_text("#message_text")

        # the right PIN shows the status staff set, in plain words, and who handles it
        _type_pin(page, pin)
        page.wait_for_selector("#result:not([hidden])")
        assert page.inner_text("#s_status") == "调解中"
        assert page.inner_text("#s_body") == "劳动争议调解组织"
        page.click("#lang")
        assert page.inner_text("#s_status") == "In mediation"
        assert page.inner_text("#s_body") == "Labour dispute mediation body"
        page.click("#lang")
        SCREEN.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREEN), full_page=True)

        # 9 more wrong PINs through BOTH serve processes (10 in all), each from another
        # address behind the trusted proxy, so the per-address limit is not what stops them
        for i in range(9):
            target = (one, two)[i % 2]
            answer = httpx.post(target.url + "/v1/status",
                                json={"code": code, "pin": _wrong(pin)},
                                headers={"X-Forwarded-For": f"10.0.0.{i + 1}"})
            assert answer.status_code == 404, answer.text
        # the 11th try -- even with the right PIN, on either process -- finds it locked
        for target in (two, one):
            locked = httpx.post(target.url + "/v1/status", json={"code": code, "pin": pin},
                                headers={"X-Forwarded-For": "10.0.1.1"})
            assert locked.status_code == 423
            assert locked.json()["code"] == "receipt_locked"
        page = context.new_page()
        seen_again = Recorder(page)
        page.goto(link)
        page.wait_for_selector("#pin_form:not([hidden])")
        _type_pin(page, pin)
        page.wait_for_selector("#message:not([hidden])")
        assert "锁定" in page.inner_text("#message_text")
        seen.requests += seen_again.requests

        # the kiosk that filed it learns of the lock at its next sync: locked there too
        kiosk_cli(kiosk, "sync", "--json")
        at_kiosk = kiosk_cli(kiosk, "status", code, "--pin", pin, "--json", check=False)
        assert json.loads(at_kiosk.stdout)["code"] == "receipt_locked"

        # staff reissue at a station: new PIN on the slip, the old one stops working
        subprocess.run(["yizhan-server", "user", "add", "wang", "--role", "intake",
                        "--password-stdin", "--data", str(county), "--db", db],
                       input="correct horse battery staple 42\n", text=True, check=True,
                       capture_output=True, timeout=120)
        slip = server_cli("case", "reissue-pin", code, "--as", "wang", "--data", str(county),
                          "--db", db, "--json")
        new_pin = json.loads(slip.stdout)["pin"]
        text_slip = server_cli("case", "reissue-pin", code, "--as", "wang", "--data",
                               str(county), "--db", db).stdout
        newest = re.search(r"New PIN:\s+(\d{6})", text_slip)
        assert newest
        assert newest.group(1) != new_pin
        new_pin = newest.group(1)
        assert httpx.post(two.url + "/v1/status", json={"code": code, "pin": pin}
                          ).status_code == 404
        ok = httpx.post(two.url + "/v1/status", json={"code": code, "pin": new_pin})
        assert ok.status_code == 200
        assert ok.json()["status"] == "in_mediation"
        # ...and the kiosk that filed it takes the new PIN after its next sync
        kiosk_cli(kiosk, "sync", "--json")
        local = kiosk_cli(kiosk, "status", code, "--pin", new_pin, "--json")
        assert json.loads(local.stdout)["status"] == "in_mediation"
        assert kiosk_cli(kiosk, "status", code, "--pin", pin, check=False).returncode == 1
        context.close()

        # privacy: every request went to the page's own origin; no URL and no server log
        # line carries the receipt's signed payload, its code or a PIN; PINs only in bodies
        origin = one.url
        assert seen.urls()
        assert all(u.startswith(origin + "/") for u in seen.urls()), seen.urls()
        fragment = link.split("#", 1)[1]
        secrets_ = [fragment, *fragment.split(".")[1:], code, pin, _wrong(pin), new_pin]
        logs = one.output() + two.output()
        assert "Application startup complete" in logs
        for secret in secrets_:
            for url in seen.urls():
                assert secret not in url
            assert secret not in logs
        assert all(urlsplit(u).query == "" for u in seen.urls())
        assert len(seen.lookups()) == 3  # wrong, right, locked: nothing else sent the PIN


def test_a_qr_with_one_character_changed_is_not_genuine_before_any_lookup(
        tmp_path: Path, county: Path, browser: Any) -> None:
    server = ServerProcess(county)
    server_cli("settings", "set", "public_url", server.url, "--data", str(county))
    with server:
        _, receipt, link = _filed_receipt(tmp_path, county, "", server)
        base, fragment = link.split("#", 1)
        prefix, claims, signature = fragment.split(".")
        # one character of the claims (the station or time) and one of the signature
        swap = {"A": "B", "B": "A"}
        i = next(i for i, c in enumerate(claims[40:], 40) if c in swap)
        forged_claims = claims[:i] + swap[claims[i]] + claims[i + 1:]
        j = next(j for j, c in enumerate(signature[:-2]) if c in "ABCDEFGH")
        forged_sig = signature[:j] + chr(ord(signature[j]) + 1) + signature[j + 1:]
        context = browser.new_context(**PHONE)
        for forged in (f"{prefix}.{forged_claims}.{signature}",
                       f"{prefix}.{claims}.{forged_sig}"):
            page = context.new_page()
            seen = Recorder(page)
            page.goto(f"{base}#{forged}")
            page.wait_for_selector("#forged:not([hidden])")
            assert "不是真实的回执" in page.inner_text("#forged")
            assert page.is_hidden("#pin_form")
            assert seen.lookups() == []  # no request carried the code
            for _, url, body in seen.requests:
                assert receipt["receipt_code"] not in url + body
                assert url.startswith(server.url + "/")
            page.close()
        # the genuine link, for contrast, verifies (a v1 payload too: old receipts work)
        for genuine in (link, f"{base}#YZR1.{claims}.{signature}"):
            page = context.new_page()
            page.goto(genuine)
            page.wait_for_selector("#receipt:not([hidden])")
            assert page.is_hidden("#forged")
            page.close()
        context.close()


def test_damaged_qr_type_the_code(tmp_path: Path, county: Path, browser: Any) -> None:
    """``/r/``: the code typed from the paper receipt (a typo in it is caught by its check
    character before any lookup), then the PIN."""
    with ServerProcess(county) as server:
        _, receipt, _ = _filed_receipt(tmp_path, county, "", server)
        code, pin = receipt["receipt_code"], receipt["pin"]
        context = browser.new_context(**PHONE)
        page = context.new_page()
        seen = Recorder(page)
        page.goto(server.url + "/r/")
        page.wait_for_selector("#enter_code:not([hidden])")
        typo = code[:3] + ("X" if code[3] != "X" else "Y") + code[4:]
        page.fill("#code_input", typo)
        _type_pin(page, pin)
        page.wait_for_selector("#code_error:not([hidden])")
        assert seen.lookups() == []
        page.fill("#code_input", f"{code[:4]}-{code[4:8]}-{code[8:]}".lower())
        _type_pin(page, pin)
        page.wait_for_selector("#result:not([hidden])")
        assert page.inner_text("#s_status") == "县级中心已收到"
        [body] = seen.lookups()
        assert json.loads(body) == {"code": code, "pin": pin}
        context.close()


def test_status_page_headers(county: Path) -> None:
    with ServerProcess(county) as server:
        for path in ("/r", "/r/", "/r/keys", "/r/assets/status.js", "/r/assets/nacl.min.js"):
            answer = httpx.get(server.url + path)
            assert answer.status_code == 200, path
            assert answer.headers["referrer-policy"] == "no-referrer"
            assert answer.headers["cache-control"] == "no-store"
            csp = answer.headers["content-security-policy"]
            assert "default-src 'self'" in csp
            assert "connect-src 'self'" in csp
            assert "unsafe-inline" not in csp
        page = httpx.get(server.url + "/r").text
        assert "<script>" not in page
        assert "style=" not in page
        assert re.findall(r'(?:src|href)="([^"]+)"', page) == [
            "/r/assets/status.css", "/r/assets/nacl.min.js", "/r/assets/status.js"]
        assert httpx.get(server.url + "/r/assets/secret.py").status_code == 404


# SQLite only: on PostgreSQL the status page is driven above (two serve processes sharing the
# PIN lockout), and routing, needs-materials and the deadlines are checked on both stores at
# the service level (tests/sync_server/test_server_casework.py); the browser adds nothing
# PostgreSQL-specific here.
@pytest.fixture(params=["sqlite"])
def store_of(request: pytest.FixtureRequest, county: Path) -> Iterator[str]:
    """The county's store: "" (its folder's SQLite file) or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield ""
        return
    url, schema = postgres_or_skip()
    try:
        yield url
    finally:
        drop_pg_schema(schema)


def _china_due(days: int) -> str:
    """Today's China date + ``days`` calendar days, moved to the next working day (the
    State Council calendar of the chinese-calendar package, else Monday to Friday): an
    expectation computed apart from the server's deadline engine."""
    day = datetime.now(timezone(timedelta(hours=8))).date() + timedelta(days=days)
    while True:
        try:
            if chinese_calendar.is_workday(day):
                return day.isoformat()
        except NotImplementedError:  # a year the package does not cover yet
            if day.weekday() < 5:
                return day.isoformat()
        day += timedelta(days=1)


ITEMS = "劳动合同复印件、张三的工资条、身份证复印件"  # free text staff type: 3 items, a name


def test_deadline_body_and_needs_materials_reach_the_phone_and_the_kiosk(
        tmp_path: Path, county: Path, store_of: str, browser: Any) -> None:
    """A real kiosk files; county staff route the case to mediation and ask for materials
    (需补正) through the CLI; the page (chromium, phone size) shows the real server's answer:
    who handles it, the next statutory deadline and what to bring where; the kiosk that
    filed it shows the same after a sync. The staff's item list never leaves the county."""
    db = store_of
    where = ["--data", str(county), *(["--db", db] if db else [])]
    with ServerProcess(county, db or None, args=("--log-level", "info")) as server:
        kiosk, receipt, _ = _filed_receipt(tmp_path, county, db, server)
        code, pin = receipt["receipt_code"], receipt["pin"]
        subprocess.run(["yizhan-server", "user", "add", "li", "--role", "triage",
                        "--password-stdin", *where], input="correct horse battery staple 7\n",
                       text=True, check=True, capture_output=True, timeout=120)
        server_cli("case", "route", code, "--to", "mediation", "--as", "li", *where)
        due = _china_due(15)  # 调解仲裁法 art. 14: 15 days from the mediation body's receipt

        def ask() -> dict[str, Any]:
            answer = httpx.post(server.url + "/v1/status", json={"code": code, "pin": pin})
            assert answer.status_code == 200, answer.text
            assert ITEMS not in answer.text
            assert "张三" not in answer.text
            return dict(answer.json())

        routed = ask()
        assert routed["status"] == "in_mediation"
        assert routed["handled_by"] == {"route": "mediation", "zh": "劳动争议调解组织",
                                        "en": "Labour dispute mediation body"}
        assert routed["next_deadline"] == {
            "due": due, "clock": "mediation", "what_zh": "调解期限", "what_en": "mediation",
            "basis_zh": "劳动争议调解仲裁法 第14条",
            "basis_en": "Labour Dispute Mediation and Arbitration Law, art. 14"}
        assert "needs_materials" not in routed

        context = browser.new_context(**PHONE)
        page = context.new_page()
        seen = Recorder(page)
        page.goto(server.url + "/r/")
        page.fill("#code_input", code)
        _type_pin(page, pin)
        page.wait_for_selector("#result:not([hidden])")
        assert page.inner_text("#s_status") == "调解中"
        assert page.inner_text("#s_body") == "劳动争议调解组织"
        assert page.inner_text("#s_deadline") == f"调解期限：{due} 前（劳动争议调解仲裁法 第14条）"
        assert page.is_hidden("#s_materials")
        page.click("#lang")
        assert page.inner_text("#s_deadline") == (
            f"mediation: by {due} (Labour Dispute Mediation and Arbitration Law, art. 14)")
        # the kiosk that filed it hears of the deadline with the status, at its next sync
        kiosk_cli(kiosk, "sync", "--json")
        local = json.loads(kiosk_cli(kiosk, "status", code, "--pin", pin, "--json").stdout)
        assert local["status"] == "in_mediation"
        assert f"调解期限，{due} 前" in local["next_step"]

        # 需补正: the status stays, the worker is told what to bring and where; the clock
        # pauses, so no deadline is promised meanwhile
        server_cli("case", "needs-materials", code, "--items", ITEMS, "--as", "li", *where)
        waiting = ask()
        assert waiting["status"] == "in_mediation"
        assert waiting["needs_materials"]["count"] == 3
        assert "任一服务站点或县劳动维权服务中心" in waiting["needs_materials"]["zh"]
        assert "next_deadline" not in waiting
        page.goto(server.url + "/r/")
        page.fill("#code_input", code)
        _type_pin(page, pin)
        page.wait_for_selector("#result:not([hidden])")
        shown = page.inner_text("#s_materials")
        assert shown.startswith("还需要补充材料：还需要补充 3 项材料")
        assert "身份证和本回执" in shown
        assert "县劳动维权服务中心" in shown
        assert page.is_hidden("#s_deadline")
        page.click("#lang")
        assert "3 more documents needed" in page.inner_text("#s_materials")
        assert "any service station" in page.inner_text("#s_materials")
        SCREEN.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREEN.with_name("status-page-materials.png")),
                        full_page=True)
        page_text = page.content()
        assert ITEMS not in page_text
        assert "张三" not in page_text
        kiosk_cli(kiosk, "sync", "--json")
        for lang, words in (("zh", "还需要补充 3 项材料"), ("en", "3 more documents needed")):
            out = kiosk_cli(kiosk, "status", code, "--pin", pin, "--lang", lang, "--json")
            local = json.loads(out.stdout)
            assert local["status"] == "in_mediation"
            assert words in local["next_step"]
            assert "张三" not in out.stdout

        # materials received: the words go, the clock runs again (here: on the same day)
        server_cli("case", "needs-materials", code, "--received", "--as", "li", *where)
        done = ask()
        assert "needs_materials" not in done
        assert done["next_deadline"]["clock"] == "mediation"
        kiosk_cli(kiosk, "sync", "--json")
        local = json.loads(kiosk_cli(kiosk, "status", code, "--pin", pin, "--json").stdout)
        assert "补充" not in local["next_step"]
        assert "调解期限" in local["next_step"]
        context.close()

        # privacy: only the page's own origin, no code or PIN in a URL or a log line, and
        # the item list (free text a name may be in) nowhere outside the county's store
        assert all(u.startswith(server.url + "/") for u in seen.urls()), seen.urls()
        logs = server.output()
        for secret in (code, pin, ITEMS, "张三"):
            assert all(secret not in u for u in seen.urls())
            assert secret not in logs
        assert len(seen.lookups()) == 2

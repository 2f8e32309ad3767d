"""Stations and devices in the browser: a station admin issues an enrollment token, its QR
shows on screen and decodes (zxing-cpp) to the token, which then enrolls a device at the
real server; the device's last sync shows after it pushes; revoking it with the button is
audited; a station that never synced is flagged."""

from __future__ import annotations

import io
import json

import httpx
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from shared.clock import SystemClock
from tests.console.conftest import Console, user_cli
from tests.console.test_console_alerts import SCREENS
from tests.sync_server.server_kit import TestKiosk, complaint


def test_issue_a_token_see_its_qr_enroll_and_revoke(console: Console) -> None:
    console.add_user("zhao", "station_admin")
    console.add_user("wang", "triage")
    page = console.login("zhao")
    page.click("nav a[href='/console/stations']")
    page.fill("#issue-token input[name=station]", "S003")
    page.click("#issue-token button")
    page.wait_for_load_state()
    qr = page.locator("#token-qr")
    expect(qr).to_be_visible()
    page.screenshot(path=str(SCREENS / "console-stations-token.png"), full_page=True)
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())),
                                     formats=zxingcpp.BarcodeFormat.QRCode)
    wire = json.loads(found.text)
    assert wire["station"] == "S003"
    assert wire["token"] == page.locator("#token-text").inner_text()
    assert wire["server"] == console.server.url

    kiosk = TestKiosk(SystemClock(), station="S003")
    with httpx.Client(base_url=console.server.url, timeout=30) as http:
        kiosk.enroll(http, wire["token"])  # the token on screen enrolls a real device
        assert kiosk.push(http, [kiosk.file(record=complaint(1))]).status_code == 201
    silent = TestKiosk(SystemClock(), station="S004")
    token = json.loads(user_cli(console.server.data, "enroll-token", "--station", "S004",
                                "--json").stdout)["token"]
    with httpx.Client(base_url=console.server.url, timeout=30) as http:
        silent.enroll(http, token)

    page.goto(console.server.url + "/console/stations")
    row = page.locator(f"#devices tr[data-device='{kiosk.device_id}']")
    expect(row.locator(".last-sync")).to_contain_text("20")  # a China-time date, not "never"
    expect(page.locator(f"#devices tr[data-device='{silent.device_id}'] .last-sync")) \
        .to_have_text("从未")
    expect(page.locator("#silent-stations li[data-station=S004]")).to_be_visible()
    assert page.locator("#silent-stations li[data-station=S003]").count() == 0
    page.screenshot(path=str(SCREENS / "console-stations.png"), full_page=True)
    devices = user_cli(console.server.data, "devices")
    assert "last sync never" in devices.stdout
    assert "last sync 20" in devices.stdout

    row.locator("button.revoke").click()
    page.wait_for_load_state()
    expect(page.locator("#notice")).to_be_visible()
    expect(page.locator(f"#devices tr[data-device='{kiosk.device_id}']")).to_contain_text(
        "已吊销")
    log = json.loads(user_cli(console.server.data, "audit", "--user", "zhao",
                              "--json").stdout)
    assert {"enroll_token.issue", "device.revoke"} <= {e["action"] for e in log}
    assert not any(wire["token"] in (e["detail"] or "") for e in log)  # never the secret

    other = console.login("wang")  # a triage officer may not see the stations page
    assert other.request.get(console.server.url + "/console/stations").status == 403

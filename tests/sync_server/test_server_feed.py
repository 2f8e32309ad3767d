"""The changes feed and the public status lookup. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx

from shared.clock import ManualClock
from shared.receipt import format_code
from sync_server.services.staff import StaffDesk
from tests.sync_server.conftest import new_token
from tests.sync_server.server_kit import TestKiosk


def test_staff_status_change_reaches_the_station_feed(client: httpx.Client, staff: StaffDesk,
                                                      kiosk: TestKiosk,
                                                      manual_clock: ManualClock) -> None:
    env = kiosk.file()
    kiosk.push(client, [env])
    code, _ = kiosk.receipts[env.header.id]
    first = kiosk.changes(client).json()
    statuses = [c for c in first["changes"] if c["type"] == "status"]
    assert [(c["receipt_code"], c["status"]) for c in statuses] == [(code, "received")]
    assert set(statuses[0]) == {"type", "receipt_code", "status", "next_step_zh",
                                "next_step_en", "as_of"}  # no personal data
    assert any(c["type"] == "config" for c in first["changes"])
    staff.act(format_code(code).lower(), "routed", {"to": "mediation"}, "wang")
    nxt = kiosk.changes(client, first["cursor"]).json()
    assert [(c["receipt_code"], c["status"]) for c in nxt["changes"]] == \
        [(code, "in_mediation")]
    assert kiosk.changes(client, nxt["cursor"]).json()["changes"] == []
    # Another station sees none of it.
    other = TestKiosk(manual_clock, station="S002")
    other.enroll(client, new_token(staff, "S002"))
    assert [c for c in other.changes(client).json()["changes"] if c["type"] == "status"] == []


def test_feed_pages_with_cursor_and_more(client: httpx.Client, staff: StaffDesk,
                                         kiosk: TestKiosk) -> None:
    kiosk.push(client, [kiosk.file() for _ in range(5)])
    seen, cursor, pages = [], "", 0
    while True:
        page = kiosk.changes(client, cursor, limit=2).json()
        seen += page["changes"]
        cursor, pages = page["cursor"], pages + 1
        if not page["more"]:
            break
    assert len([c for c in seen if c["type"] == "status"]) == 5
    assert pages >= 3
    r = kiosk.changes(client, "abc")
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_cursor"


def test_status_lookup_right_pin_wrong_pin_unknown_code_and_rate_limit(
        client: httpx.Client, staff: StaffDesk, kiosk: TestKiosk) -> None:
    env = kiosk.file()
    kiosk.push(client, [env])
    code, pin = kiosk.receipts[env.header.id]
    ok = client.post("/v1/status", json={"code": format_code(code), "pin": pin})
    assert ok.status_code == 200
    assert ok.json()["status"] == "received"
    assert set(ok.json()) == {"receipt_code", "status", "as_of", "next_step_zh",
                              "next_step_en", "handled_by", "next_deadline"}
    assert ok.json()["handled_by"]["route"] == "centre"  # not routed yet
    assert set(ok.json()["next_deadline"]) == {"due", "clock", "what_zh", "what_en",
                                               "basis_zh", "basis_en"}
    assert ok.json()["next_deadline"]["clock"] == "intake"  # 受理审查, 5 days from filing
    wrong = client.post("/v1/status", json={"code": code, "pin": "000000" if pin != "000000"
                                            else "111111"})
    unknown = client.post("/v1/status", json={"code": "0000000000" + "0", "pin": pin})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()
    codes = [client.post("/v1/status", json={"code": code, "pin": pin}).status_code
             for _ in range(10)]
    assert codes[-1] == 429  # 10 per minute per client address

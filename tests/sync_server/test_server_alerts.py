"""Collective-dispute alerts follow their group as it grows: more claimants update the one
alert (visible in ``yizhan-server alerts``), a late filing that starts the group earlier
moves its window, and filings that bridge two groups leave one alert. SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

import httpx

from shared.clock import ManualClock
from sync_server.config.settings import Settings
from sync_server.services.staff import StaffDesk
from tests.sync_server.server_kit import TestKiosk, complaint, server_cli


def _push(client: httpx.Client, kiosk: TestKiosk, people: range, employer: int = 0) -> list[str]:
    envs = [kiosk.file(record=complaint(n, employer=employer)) for n in people]
    r = kiosk.push(client, envs)
    assert r.status_code == 201, r.text
    return [e.header.id for e in envs]


def test_a_growing_group_updates_its_one_alert(client: httpx.Client, staff: StaffDesk,
                                               kiosk: TestKiosk, server_settings: Settings,
                                               manual_clock: ManualClock) -> None:
    first = _push(client, kiosk, range(5))
    [alert] = staff.alerts()
    assert (alert["claimants"], alert["case_ids"], alert["updated_at"]) == \
        (5, sorted(first), None)
    manual_clock.advance(hours=3)
    more = _push(client, kiosk, range(5, 7))
    [alert] = staff.alerts()
    assert (alert["claimants"], alert["case_ids"]) == (7, sorted(first + more))
    assert alert["updated_at"] == "2026-11-21T05:00:00.000Z"
    shown = server_cli("alerts", "--data", str(server_settings.data_dir), "--db",
                       server_settings.database_url).stdout
    # zh-CN, China local time (UTC+8): 02:00Z is 10:00, the growth at 05:00Z is 13:00
    assert "7 名投诉人，7 件，自 2026-11-21 10:00 起" in shown
    assert "最近增长 2026-11-21 13:00" in shown
    # A repeat filing by a claimant already counted adds a case but no claimant.
    again = _push(client, kiosk, range(6, 7))
    [alert] = staff.alerts()
    assert (alert["claimants"], len(alert["case_ids"])) == (7, 8)
    assert set(again) <= set(alert["case_ids"])


def test_a_late_earlier_filing_moves_the_window_and_bridging_filings_merge_alerts(
        client: httpx.Client, staff: StaffDesk, kiosk: TestKiosk,
        manual_clock: ManualClock) -> None:
    day0 = manual_clock.now()
    early = _push(client, kiosk, range(5))
    manual_clock.advance(days=40)
    late = _push(client, kiosk, range(5, 10))
    assert [a["claimants"] for a in staff.alerts()] == [5, 5]  # 40 days apart: two groups

    # A kiosk that was offline files at day 20; its records arrive now. Its complaints
    # bridge the two groups (each 30-day window now shares complaints with the next).
    offline = TestKiosk(ManualClock(day0 + timedelta(days=20)))
    offline.key, offline.device_id = kiosk.key, kiosk.device_id
    offline.recipients, offline.seq, offline.prev = kiosk.recipients, kiosk.seq, kiosk.prev
    envs = [offline.file(record=complaint(n)) for n in range(10, 15)]
    offline.clock = manual_clock  # requests are signed at the server's present
    assert offline.push(client, envs).status_code == 201
    [alert] = staff.alerts()
    assert alert["claimants"] == 15
    assert alert["case_ids"] == sorted(early + late + [e.header.id for e in envs])
    assert alert["window_start"] == "2026-11-21T02:00:00.000Z"

    # One filed before the group's start, arriving last, moves the window earlier.
    before = TestKiosk(ManualClock(day0 - timedelta(days=2)))
    before.key, before.device_id = kiosk.key, kiosk.device_id
    before.recipients, before.seq, before.prev = kiosk.recipients, offline.seq, offline.prev
    env = before.file(record=complaint(99))
    before.clock = manual_clock
    assert before.push(client, [env]).status_code == 201
    [alert] = staff.alerts()
    assert (alert["claimants"], alert["window_start"]) == (16, "2026-11-19T02:00:00.000Z")

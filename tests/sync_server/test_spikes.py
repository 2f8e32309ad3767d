"""Spike alerts (激增预警): pure rule at its edges, and through real filings: a station that
usually files 1 complaint a week files 12 in a day and gets one spike alert (not one per
listing), which the lifecycle works like any other; SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from shared.clock import ManualClock
from sync_server.config.settings import Settings
from sync_server.domain.spikes import Filing, spikes
from sync_server.services import alertwork
from sync_server.services.wiring import Services
from tests.sync_server.server_kit import TestKiosk, complaint

NOW = datetime(2026, 11, 21, 2, tzinfo=UTC)


def _f(n: int, days_ago: float, station: str = "S001", matter: str = "wage_arrears") -> Filing:
    return Filing(f"c{n}", station, matter, NOW - timedelta(days=days_ago))


def test_spike_rule_at_its_thresholds() -> None:
    base = [_f(100 + i, 8 + 7 * (i % 4)) for i in range(8)]  # 2 a week for 4 weeks
    assert spikes(base + [_f(i, 1) for i in range(9)], NOW) == []  # 9 < min 10
    found = spikes(base + [_f(i, 1) for i in range(10)], NOW, min_count=10, factor=3)
    assert [(s.key, s.current, s.baseline) for s in found] == [
        ("spike:matter:wage_arrears", 10, 2.0), ("spike:station:S001", 10, 2.0)]
    busy = [_f(200 + i, 8 + 7 * (i % 4)) for i in range(16)]  # 4 a week: 10 < 3 × 4
    assert spikes(busy + [_f(i, 1) for i in range(10)], NOW) == []
    assert spikes([_f(i, 1) for i in range(10)] + [_f(99, -1)], NOW)[0].current == 10


def test_a_station_spike_is_raised_once(client: httpx.Client, kiosk: TestKiosk,
                                        server_settings: Settings,
                                        manual_clock: ManualClock) -> None:
    envs = [kiosk.file(record=complaint(n, employer=n)) for n in range(12)]  # 12 employers
    assert kiosk.push(client, envs).status_code == 201
    svc = Services.open(server_settings, manual_clock)
    try:
        rows = alertwork.listing(svc)
        assert sorted(a["employer_key"] for a in rows) == ["spike:matter:wage_arrears",
                                                           "spike:station:S001"]
        assert {a["level_zh"] for a in rows} == {"激增"}
        assert {a["claimants"] for a in rows} == {12}
        assert alertwork.listing(svc) == rows  # listing again raises nothing new
    finally:
        svc.close()

"""A station is flagged once its devices have not synced for ``silent_station_days``
(default 3): last sync is the device's last signed request, kept in the store; SQLite and
PostgreSQL."""

from __future__ import annotations

import httpx

from shared.clock import ManualClock
from sync_server.config.settings import Settings
from sync_server.services import alertwork
from sync_server.services.wiring import Services
from tests.sync_server.server_kit import TestKiosk


def test_a_station_silent_for_three_days_is_flagged(client: httpx.Client, kiosk: TestKiosk,
                                                    server_settings: Settings,
                                                    manual_clock: ManualClock) -> None:
    assert kiosk.changes(client).status_code == 200  # a sync: the device is seen now
    svc = Services.open(server_settings, manual_clock)
    try:
        assert alertwork.silent_stations(svc) == []
        manual_clock.advance(days=2, hours=23)
        assert alertwork.silent_stations(svc) == []
        manual_clock.advance(hours=1)
        [flag] = alertwork.silent_stations(svc)
        assert (flag["station"], flag["days"], flag["last_seen"]) == \
            ("S001", 3, "2026-11-21 10:00")
        assert kiosk.changes(client).status_code == 200  # it syncs again: no longer silent
        assert alertwork.silent_stations(svc) == []
        listed = svc.devices.listing()
        assert listed[0]["last_seen"] == "2026-11-24T02:00:00.000Z"
    finally:
        svc.close()

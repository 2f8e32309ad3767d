"""Visits (接待群众): one per person per station per China-local day, over real filings
pushed to the server, SQLite and PostgreSQL; grouped by station, matter type and month."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from shared.clock import ManualClock
from sync_server.config.settings import Settings
from sync_server.errors import ConfigError
from sync_server.services.staff import StaffDesk
from sync_server.services.visits import visits
from sync_server.services.wiring import Services
from tests.sync_server.conftest import new_token
from tests.sync_server.server_kit import TestKiosk, complaint, jobseeker


def test_visits_count_people_per_station_per_day(client: httpx.Client, staff: StaffDesk,
                                                  kiosk: TestKiosk, server_settings: Settings,
                                                  manual_clock: ManualClock) -> None:
    other = TestKiosk(manual_clock, station="S002")
    other.enroll(client, new_token(staff, "S002"))
    # 2026-11-21 10:00 China: person 1 twice at S001 (one visit), once at S002 (another),
    # person 2 at S001, person 3 registers as a job-seeker at S001
    envs = [kiosk.file(record=complaint(1)), kiosk.file(record=complaint(1, employer=2)),
            kiosk.file(record=complaint(2, matter_type="dismissal")),
            kiosk.file("jobseeker", jobseeker(3))]
    assert kiosk.push(client, envs).status_code == 201
    assert other.push(client, [other.file(record=complaint(1))]).status_code == 201
    manual_clock.advance(hours=14)  # 2026-11-22 00:00 China: a new day, a new visit
    assert kiosk.push(client, [kiosk.file(record=complaint(1))]).status_code == 201

    svc = Services.open(server_settings, manual_clock)
    day1, day2 = date(2026, 11, 21), date(2026, 11, 22)
    assert visits(svc, day1, day2) == [{"group": "all", "visits": 5}]
    assert visits(svc, day1, day1) == [{"group": "all", "visits": 4}]
    assert visits(svc, day2, day2, station="S002") == [{"group": "all", "visits": 0}]
    assert visits(svc, day1, day2, by="station") == [{"group": "S001", "visits": 4},
                                                      {"group": "S002", "visits": 1}]
    assert visits(svc, day1, day2, by="matter_type") == [
        {"group": "dismissal", "visits": 1}, {"group": "jobseeker", "visits": 1},
        {"group": "wage_arrears", "visits": 3}]
    assert visits(svc, day1, day2, by="month") == [{"group": "2026-11", "visits": 5}]
    with pytest.raises(ConfigError, match="before"):
        visits(svc, day2, day1)
    svc.close()

"""A serving app sets its start-up objects aside from the garbage collector's passes
(``startup_objects_set_aside``) and gives them back when it stops."""

from __future__ import annotations

import gc

import httpx

from shared.clock import ManualClock
from sync_server.app import create_app
from sync_server.config.settings import Settings
from sync_server.services.staff import StaffDesk
from tests.sync_server.conftest import new_token
from tests.sync_server.server_kit import ServerThread, TestKiosk


def test_startup_objects_are_set_aside_while_serving_and_given_back(
        server_settings: Settings, manual_clock: ManualClock, staff: StaffDesk) -> None:
    assert gc.get_freeze_count() == 0
    with ServerThread(create_app(server_settings, manual_clock)) as base_url, \
            httpx.Client(base_url=base_url, timeout=30) as client:
        # modules, SQLAlchemy, pydantic and the app: tens of thousands of objects
        assert gc.get_freeze_count() > 20_000
        kiosk = TestKiosk(manual_clock)
        kiosk.enroll(client, new_token(staff))
        assert kiosk.push(client, [kiosk.file()]).status_code == 201
        gc.collect()  # a full pass while serving works as before
    assert gc.get_freeze_count() == 0

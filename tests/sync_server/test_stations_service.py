"""The stations page's services over real pushes (SQLite and PostgreSQL): devices with
their gap and records waiting; the quarantine inbox by station, release and reject by a
station admin, audited; another station's admin may not decide; the token's QR carries
no personal data and decodes to the token."""

from __future__ import annotations

import base64
import io
import json

import httpx
import pytest
import zxingcpp
from PIL import Image

from shared.clock import ManualClock
from sync_server.config.settings import Settings
from sync_server.errors import ConfigError
from sync_server.services import accounts, audit, stations
from sync_server.services.casework import NotPermitted
from sync_server.services.staff import StaffDesk
from sync_server.services.wiring import Services
from tests.sync_server.server_kit import TestKiosk, complaint

PASSWORD = "Tiger-Lantern-Orbit-1957"  # noqa: S105  a test fixture, not a secret


def test_quarantine_by_station_release_reject_audited(
        client: httpx.Client, staff: StaffDesk, kiosk: TestKiosk, server_settings: Settings,
        manual_clock: ManualClock) -> None:
    envs = [kiosk.file(record=complaint(n)) for n in range(4)]
    assert kiosk.push(client, [envs[0]]).status_code == 201
    kiosk.push(client, [envs[2], envs[3]])  # seq 2 lost on the way: 3 and 4 are held
    svc = Services.open(server_settings, manual_clock)
    try:
        admin = accounts.add_user(svc, "zhao", ["station_admin"], "S001", PASSWORD)
        other = accounts.add_user(svc, "qian", ["station_admin"], "S002", PASSWORD)
        [dev] = stations.devices(svc, admin)
        assert (dev["gaps"], dev["waiting"]) == ([{"from_seq": 2, "to_seq": 2}], 2)
        assert stations.devices(svc, other) == []  # another station's device is not listed
        stations.revoke(svc, admin, kiosk.device_id, address="::1")
        by_station = stations.quarantine(svc, admin)
        assert list(by_station) == ["S001"]
        codes = {r["receipt_code"] for r in by_station["S001"]}
        assert codes == {kiosk.receipts[e.header.id][0] for e in envs[2:]}
        assert stations.quarantine(svc, other) == {}
        with pytest.raises(NotPermitted):
            stations.decide(svc, other, envs[2].header.id, "release", "")
        with pytest.raises(ConfigError, match="reason"):
            stations.decide(svc, admin, envs[3].header.id, "reject", " ")
        assert stations.decide(svc, admin, envs[2].header.id, "release", "") == "merged"
        assert stations.decide(svc, admin, envs[3].header.id, "reject",
                               "测试记录") == "rejected"
        actions = [e.action for e in audit.entries(svc, user="zhao")]
        assert {"device.revoke", "quarantine.release", "quarantine.reject"} <= set(actions)

        issued = stations.issue_token(svc, admin, "S001", 24, "http://127.0.0.1:8000")
        png = base64.b64decode(issued.qr_data_uri.split(",", 1)[1])
        [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)),
                                         formats=zxingcpp.BarcodeFormat.QRCode)
        assert json.loads(found.text)["token"] == issued.token
        with pytest.raises(NotPermitted):
            stations.issue_token(svc, admin, "S002", 24, None)  # not their station
        with pytest.raises(ConfigError, match="ttl_hours"):
            stations.issue_token(svc, admin, "S001", 0, None)
    finally:
        svc.close()

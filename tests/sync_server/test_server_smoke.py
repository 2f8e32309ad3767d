"""The shortest path through the server: enroll, push one complaint, see it everywhere."""

from __future__ import annotations

import httpx

from shared.ack import verify_ack
from shared.keys import ed25519_public_from_b64
from sync_server.services.staff import StaffDesk
from tests.sync_server.server_kit import TestKiosk


def test_push_one_complaint_is_acked_merged_and_exported(client: httpx.Client, staff: StaffDesk,
                                                         kiosk: TestKiosk) -> None:
    env = kiosk.file()
    r = kiosk.push(client, [env])
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["results"] == [{"index": 0, "id": env.header.id, "status": "accepted"}]
    county = client.get("/v1/health").json()["county"]
    assert county == "随州市曾都区"
    server_key = ed25519_public_from_b64(kiosk.county["server_key"])
    ack = verify_ack(body["ack"], server_key, kiosk.device_id)
    assert ack.stored == ((env.header.id, env.hash),)
    assert body["chain"] == {"seq": 1, "hash": env.hash}
    cases = list(staff.export())
    assert len(cases) == 1
    assert cases[0]["status"] == "received"

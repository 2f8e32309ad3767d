"""Refused requests: every one answers a JSON problem body with a stable code, and what was
already stored stays stored. Enrollment tokens. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import json

import httpx
import pytest

from shared.auth import sign_request
from shared.clock import ManualClock
from sync_server.services.staff import StaffDesk
from tests.sync_server.conftest import new_token
from tests.sync_server.server_kit import TestKiosk


def _problem(r: httpx.Response, status: int, code: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["code"] == code
    assert set(body) >= {"type", "title", "status", "code", "detail"}
    return body


def test_auth_failures_have_their_codes(client: httpx.Client, kiosk: TestKiosk,
                                        manual_clock: ManualClock) -> None:
    body = json.dumps({"envelopes": []}).encode()
    # No headers at all.
    _problem(client.post("/v1/push", content=body), 401, "auth_missing")
    # Signed over other bytes than were sent.
    headers = kiosk.signed("POST", "/v1/push", b'{"envelopes":[1]}')
    _problem(client.post("/v1/push", content=body, headers=headers), 401, "auth_signature")
    # Signed ten minutes ago.
    stale = sign_request("POST", "/v1/push", body, kiosk.device_id, kiosk.key,
                         ManualClock(manual_clock.now().replace(minute=50, hour=1)))
    _problem(client.post("/v1/push", content=body, headers=stale), 401, "auth_stale")
    # The same signed request twice.
    headers = kiosk.signed("POST", "/v1/push", body)
    assert client.post("/v1/push", content=body, headers=headers).status_code == 201
    _problem(client.post("/v1/push", content=body, headers=headers), 401, "auth_replay")
    # A device nobody enrolled.
    stranger = TestKiosk(manual_clock)
    _problem(client.post("/v1/push", content=body,
                         headers=stranger.signed("POST", "/v1/push", body)),
             401, "device_unknown")


def test_revoked_device_is_refused_and_stations_are_told(
        client: httpx.Client, staff: StaffDesk, kiosk: TestKiosk,
        manual_clock: ManualClock) -> None:
    other = TestKiosk(manual_clock, station="S002")
    other.enroll(client, new_token(staff, "S002"))
    staff.revoke(kiosk.device_id)
    _problem(kiosk.push(client, [kiosk.file()]), 403, "device_revoked")
    changes = other.changes(client).json()["changes"]
    assert {"type": "revocation", "device_id": kiosk.device_id} in changes


@pytest.mark.parametrize(("body", "encoding", "status", "code"), [
    (b"{not json", None, 400, "malformed_json"),                 # broken JSON
    (b'{"envelopes": "x"}', None, 422, "invalid_body"),         # wrong shape
    (b"\x1f\x8b\x08garbage", "gzip", 400, "bad_encoding"),      # not gzip after all
    (gzip.compress(b"[" * 10 + b"0" * (9 << 20)), "gzip", 413, "body_too_large"),  # bomb
    (b"x", "br", 415, "bad_encoding"),                          # unsupported encoding
])
def test_bad_bodies(client: httpx.Client, kiosk: TestKiosk, body: bytes, encoding: str | None,
                    status: int, code: str) -> None:
    headers = kiosk.signed("POST", "/v1/push", body)
    if encoding:
        headers["Content-Encoding"] = encoding
    _problem(client.post("/v1/push", content=body, headers=headers), status, code)


def test_oversized_body_is_refused_while_reading(client: httpx.Client,
                                                 kiosk: TestKiosk) -> None:
    big = b"0" * (9 << 20)
    headers = kiosk.signed("POST", "/v1/push", big)
    _problem(client.post("/v1/push", content=big, headers=headers), 413, "body_too_large")

    def chunks():  # no Content-Length: the limit applies as bytes arrive
        for _ in range(10):
            yield b"0" * (1 << 20)
    r = client.post("/v1/push", content=chunks(), headers=headers)
    _problem(r, 413, "body_too_large")


def test_enrollment_tokens_are_single_use_expiring_and_station_bound(
        client: httpx.Client, staff: StaffDesk, manual_clock: ManualClock) -> None:
    token = new_token(staff, "S009", ttl_hours=1)
    k = TestKiosk(manual_clock, station="S001")
    _problem(client.post("/v1/enroll", json={"token": token,
                                             "device_public_key": k.public_key,
                                             "station": "S001"}), 409, "station_mismatch")
    k.station = "S009"
    answer = k.enroll(client, token)
    assert answer["station"] == "S009"
    assert answer["device_id"] == k.device_id
    assert answer["config"]["checklists"]["matters"]["wage_arrears"]["documents"]
    # A retry by the same device (the answer was lost) gets the same answer again.
    assert k.enroll(client, token)["device_id"] == k.device_id
    _problem(client.post("/v1/enroll", json={"token": token, "device_public_key":
                                             TestKiosk(manual_clock).public_key}),
             401, "token_used")
    late = new_token(staff, "S009", ttl_hours=1)
    manual_clock.advance(hours=2)
    _problem(client.post("/v1/enroll", json={"token": late, "device_public_key":
                                             TestKiosk(manual_clock).public_key}),
             401, "token_expired")
    _problem(client.post("/v1/enroll", json={"token": "nope", "device_public_key":
                                             k.public_key}), 401, "token_unknown")
    _problem(client.post("/v1/enroll", json={"token": late, "device_public_key": "AAAA"}),
             422, "invalid_body")


def test_unknown_route_and_method(client: httpx.Client) -> None:
    _problem(client.get("/v1/nothing"), 404, "not_found")
    _problem(client.get("/v1/push"), 405, "method_not_allowed")

"""Protocol edge cases at the one seam the style guide allows a stand-in for: the HTTP
transport (httpx.MockTransport). The kiosk store behind the client is real. Each case checks
what a station relies on: nothing is forgotten unless a valid, server-signed acknowledgement
names it, and the failure is classified by whose fault it is."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.root import KioskServices, ServicesPort
from kiosk.services import init_kiosk
from kiosk.sync.client import BatchSizer, SyncClient
from kiosk.sync.errors import PermanentError, TransientError
from shared.ack import sign_ack
from shared.clock import ManualClock, format_utc
from shared.envelope import Envelope
from shared.feed import sign_page
from shared.keys import Keyring
from tests.kiosk.kiosk_kit import PASSPHRASE, complaint, county_public

Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture
def server_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def services(tmp_path: Path, manual_clock: ManualClock, county_keys: Keyring,
             server_key: Ed25519PrivateKey) -> Iterator[KioskServices]:
    data = tmp_path / "kiosk"
    init_kiosk(data, "S001", PASSPHRASE.encode(), manual_clock,
               county_public(county_keys, server_key))
    with KioskServices.open(data, manual_clock) as svc:
        for i in range(3):
            svc.submit_complaint(complaint(i))
        yield svc


def client(services: KioskServices, handler: Handler) -> SyncClient:
    return SyncClient(ServicesPort(services), base_url="http://county.test",
                      device_id=services.device_id, device_key=services.device_signing_key(),
                      clock=services.clock,
                      transport=httpx.MockTransport(handler),
                      sizer=BatchSizer(initial=10, maximum=10))


def pushed_envelopes(request: httpx.Request) -> list[Envelope]:
    body = json.loads(gzip.decompress(request.content))
    return [Envelope.from_bytes(base64.urlsafe_b64decode(e + "=" * (-len(e) % 4)))
            for e in body["envelopes"]]


def honest_answer(request: httpx.Request, key: Ed25519PrivateKey, device: str,
                  status: int = 201, **extra: Any) -> httpx.Response:
    envs = pushed_envelopes(request)
    ack = sign_ack(device, [(e.header.id, e.hash) for e in envs],
                   format_utc(ManualClock().now()), key)
    body = {"results": [{"index": i, "id": e.header.id, "status": "accepted"}
                        for i, e in enumerate(envs)], "ack": ack, "gaps": [], **extra}
    return httpx.Response(status, json=body)


def counts(services: KioskServices) -> tuple[int, int, int, int]:
    c = services.outbox.counts()
    return c["pending"], c["sent"], c["acknowledged"], c["quarantined"]


def test_honest_server_acknowledges_everything(services: KioskServices,
                                               server_key: Ed25519PrivateKey) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/push":
            assert request.headers["content-encoding"] == "gzip"
            assert request.headers["x-yizhan-device"] == services.device_id
            return honest_answer(request, server_key, services.device_id)
        return httpx.Response(200, json=sign_page(services.device_id, "", [], "7", False, [],
                                                  server_key))
    summary = client(services, handler).sync()
    assert (summary.pushed, summary.accepted, summary.acknowledged) == (3, 3, 3)
    assert counts(services) == (0, 0, 3, 0)
    assert services.status.get_cursor() == "7"


@pytest.mark.parametrize(("name", "respond"), [
    # a captive portal's login page, with a 200
    ("captive portal", lambda r: httpx.Response(
        200, html="<html><body>请登录 WiFi / please log in</body></html>")),
    # a proxy that answers 200 with JSON that is not ours
    ("foreign 200 JSON", lambda r: httpx.Response(200, json={"ok": True})),
    # a truncated JSON body
    ("truncated", lambda r: httpx.Response(
        201, content=b'{"results": [', headers={"content-type": "application/json"})),
    # the server is down behind a gateway
    ("502", lambda r: httpx.Response(502, text="Bad Gateway")),
    # the network itself fails
    ("connect error", "raise"),
])
def test_anything_but_a_valid_answer_forgets_nothing(services: KioskServices, name: str,
                                                      respond: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if respond == "raise":
            raise httpx.ConnectError("no route to host", request=request)
        result: httpx.Response = respond(request)
        return result
    with pytest.raises((TransientError, PermanentError)) as failure:
        client(services, handler).push()
    pending, sent, acknowledged, quarantined = counts(services)
    assert acknowledged == quarantined == 0
    assert pending + sent == 3
    assert isinstance(failure.value, TransientError), f"{name} is the outside world's fault"


def test_an_ack_signed_by_another_key_is_refused(services: KioskServices) -> None:
    impostor = Ed25519PrivateKey.generate()
    with pytest.raises(PermanentError, match="acknowledgement"):
        client(services, lambda r: honest_answer(r, impostor, services.device_id)).push()
    assert counts(services)[2] == 0


def test_an_ack_for_another_device_is_refused(services: KioskServices,
                                              server_key: Ed25519PrivateKey) -> None:
    with pytest.raises(PermanentError):
        client(services, lambda r: honest_answer(r, server_key, "d0000000000000000")).push()
    assert counts(services)[2] == 0


def test_only_records_the_ack_names_are_forgotten(services: KioskServices,
                                                  server_key: Ed25519PrivateKey) -> None:
    calls: list[int] = []

    def partial(request: httpx.Request) -> httpx.Response:
        envs = pushed_envelopes(request)
        calls.append(len(envs))
        named = [(envs[0].header.id, envs[0].hash),     # right id and hash
                 (envs[1].header.id, "0" * 64)]         # right id, wrong hash
        if len(calls) > 1:
            named = []  # later pushes: the server names nothing, so the client stops
        ack = sign_ack(services.device_id, named, format_utc(ManualClock().now()), server_key)
        return httpx.Response(201, json={"results": [], "ack": ack, "gaps": []})
    client(services, partial).push()
    assert counts(services) == (0, 2, 1, 0)
    assert calls == [3, 2]  # the two unacknowledged records were offered again, then it stopped


def test_quarantine_and_conflict_stay_visible_with_their_reasons(
        services: KioskServices, server_key: Ed25519PrivateKey) -> None:
    def mixed(request: httpx.Request) -> httpx.Response:
        envs = pushed_envelopes(request)
        ack = sign_ack(services.device_id, [(e.header.id, e.hash) for e in envs[:2]],
                       format_utc(ManualClock().now()), server_key)
        results = [{"id": envs[0].header.id, "status": "accepted"},
                   {"id": envs[1].header.id, "status": "quarantined",
                    "reason": "invalid_record: claimant.id_number id_checksum"},
                   {"id": envs[2].header.id, "status": "conflict", "reason": "other bytes"}]
        return httpx.Response(202, json={"results": results, "ack": ack, "gaps": []})
    summary = client(services, mixed).push()
    assert (summary.accepted, summary.quarantined, summary.conflicts) == (1, 1, 1)
    assert counts(services) == (0, 0, 1, 2)
    reasons = sorted(item.reason or "" for item in services.outbox.quarantined())
    assert reasons == ["conflict: other bytes",
                       "quarantined: invalid_record: claimant.id_number id_checksum"]


def test_rate_limit_carries_retry_after(services: KioskServices) -> None:
    def busy(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": "120"},
                              json={"code": "rate_limited", "detail": "slow down"})
    with pytest.raises(TransientError) as failure:
        client(services, busy).push()
    assert failure.value.retry_after == 120.0


@pytest.mark.parametrize(("status", "code", "retried"), [
    (403, "device_revoked", False),   # staff must act: not retried
    (401, "device_unknown", False),
    (413, "body_too_large", False),
    (401, "auth_stale", True),        # the kiosk clock or a slow link: try again
    (401, "auth_replay", True),
])
def test_refusals_are_classified_by_problem_code(services: KioskServices, status: int,
                                                 code: str, retried: bool) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"code": code, "detail": code},
                              headers={"content-type": "application/problem+json"})
    expected = TransientError if retried else PermanentError
    with pytest.raises(expected) as failure:
        client(services, refuse).push()
    if not retried:
        assert failure.value.code == code  # type: ignore[attr-defined]
    assert counts(services)[2] == 0

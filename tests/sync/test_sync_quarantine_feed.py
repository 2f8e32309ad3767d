"""The kiosk's side of a quarantined record, at the HTTP seam (httpx.MockTransport; the kiosk
store is real): the receipt reads ``needs_review`` once the county quarantines it, a signed
``record`` entry moves it out of the quarantined outbox rows, and an entry in a page that
fails verification changes nothing (issue 11, part 4)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.root import KioskServices, ServicesPort
from kiosk.services import init_kiosk
from kiosk.sync.client import BatchSizer, SyncClient
from kiosk.sync.errors import UnverifiedAnswer
from shared.ack import sign_ack
from shared.clock import ManualClock, format_utc
from shared.feed import sign_page
from shared.keys import Keyring
from tests.kiosk.kiosk_kit import PASSPHRASE, complaint, county_public
from tests.sync.test_sync_protocol import pushed_envelopes


@pytest.fixture
def server_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def kiosk(tmp_path: Path, manual_clock: ManualClock, county_keys: Keyring,
          server_key: Ed25519PrivateKey) -> Iterator[tuple[KioskServices, list[dict[str, Any]]]]:
    data = tmp_path / "kiosk"
    init_kiosk(data, "S001", PASSPHRASE.encode(), manual_clock,
               county_public(county_keys, server_key))
    with KioskServices.open(data, manual_clock) as svc:
        yield svc, [svc.submit_complaint(complaint(i)) for i in range(2)]


def _client(svc: KioskServices, handler: Any) -> SyncClient:
    return SyncClient(ServicesPort(svc), base_url="http://county.test",
                      device_id=svc.device_id, device_key=svc.device_signing_key(),
                      clock=svc.clock, transport=httpx.MockTransport(handler),
                      sizer=BatchSizer(initial=10, maximum=10))


def test_quarantine_then_release_reaches_the_receipt_and_the_outbox(
        kiosk: tuple[KioskServices, list[dict[str, Any]]], server_key: Ed25519PrivateKey,
        manual_clock: ManualClock) -> None:
    svc, receipts = kiosk
    held = receipts[0]
    county_time = manual_clock.now()
    pages: list[dict[str, Any]] = []

    def county(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/changes":
            return httpx.Response(200, json=pages.pop(0) if pages else sign_page(
                svc.device_id, request.url.params.get("cursor", ""), [], "0", False, [],
                server_key))
        envs = pushed_envelopes(request)  # the county holds all, quarantines the first
        ack = sign_ack(svc.device_id, [(e.header.id, e.hash) for e in envs],
                       format_utc(county_time), server_key)
        results = [{"index": i, "id": e.header.id,
                    "status": "quarantined" if e.header.id == held["record_id"]
                    else "accepted", **({"reason": "device_revoked: seq 1"}
                                        if e.header.id == held["record_id"] else {})}
                   for i, e in enumerate(envs)]
        return httpx.Response(202, json={"results": results, "ack": ack, "gaps": []})

    _client(svc, county).sync()
    assert svc.outbox.counts()["quarantined"] == 1
    status = svc.lookup_status(held["receipt_code"], held["pin"], "en")
    assert status is not None
    assert status["status"] == "needs_review"
    assert status["next_step"] == ("The county needs to check this record, please ask at "
                                   "the station.")
    assert status["as_of"] == format_utc(county_time)  # the county's time, not the kiosk's

    # A page signed by another key, claiming staff rejected it: nothing changes.
    manual_clock.advance(60)
    later = format_utc(manual_clock.now())
    forged = {"type": "record", "record_id": held["record_id"], "decision": "rejected",
              "status": "closed", "next_step_zh": "", "next_step_en": "", "as_of": later}
    pages.append(sign_page(svc.device_id, "0", [forged], "1", False, [],
                           Ed25519PrivateKey.generate()))
    with pytest.raises(UnverifiedAnswer):
        _client(svc, county).pull()
    assert svc.outbox.counts()["quarantined"] == 1
    assert svc.lookup_status(held["receipt_code"], held["pin"])["status"] == "needs_review"

    # The county's signed page: staff released it (its filing status comes with it).
    released = [{"type": "status", "receipt_code": held["receipt_code"], "status": "received",
                 "next_step_zh": "", "next_step_en": "", "as_of": later},
                {"type": "record", "record_id": held["record_id"], "decision": "released",
                 "as_of": later},
                {"type": "record", "record_id": 7, "decision": "released"}]  # malformed: skipped
    pages.append(sign_page(svc.device_id, "0", released, "2", False, [], server_key))
    _client(svc, county).pull()
    counts = svc.outbox.counts()
    assert (counts["quarantined"], counts["acknowledged"]) == (0, 2)
    assert svc.lookup_status(held["receipt_code"], held["pin"])["status"] == "received"

"""The control for the man-in-the-middle tests: ``yizhan-kiosk`` with the protection removed.

Run as ``python -m tests.sync.unverified_kiosk ARGS`` (same arguments as ``yizhan-kiosk``),
from the repository root. It is the real kiosk, except that it believes the county's answers
the way kiosks did before the feed was signed:

* a changes page is applied without checking its signature, device or starting cursor;
* a ``config`` entry's ``county`` member replaces the county keys and the ack key;
* key statements are taken without checking who signed them;
* acknowledgements and ack bundles are taken without checking their signatures, or whom
  they are addressed to (the outbox's own device check included).

The MITM tests run each attack against this kiosk too and show it succeeds here, so the
same assertions on the real kiosk are what catch it.
"""

from __future__ import annotations

import sys
from typing import Any

import kiosk.sync.bundles as kiosk_bundles
import kiosk.sync.client as client
from kiosk.cli import main
from kiosk.root import ServicesPort
from kiosk.services.outbox import Outbox
from shared.ack import Ack
from shared.bundle import ACK_BUDGET, AckBundle, _load
from shared.feed import Page, Trust


def believe_statements(trust: Trust, statements: object) -> Trust:
    for st in statements if isinstance(statements, list) else []:
        if isinstance(st, dict) and int(st.get("serial", 0)) > trust.serial:
            trust = Trust.from_public(st)
    return trust


def believe_page(answer: Any, trust: Trust, device: str, start: str) -> tuple[Trust, Page]:
    trust = believe_statements(trust, answer.get("keys", []))
    return trust, Page(tuple(answer["changes"]), answer["cursor"], bool(answer.get("more")))


def believe_ack(wire: Any, key: Any, device: str) -> Ack:
    body = wire["body"]
    return Ack(body["device"], tuple((s["id"], s["hash"]) for s in body["stored"]),
               body["issued_at"])


def believe_ack_bundle(data: bytes, trust: Trust, device: str, not_before: str) -> AckBundle:
    body = _load(data, ACK_BUDGET)
    return AckBundle(believe_statements(trust, body.get("keys", [])), body["ack"],
                     tuple(body["changes"]), str(body.get("cursor") or "0"))


def county_from_config(self: ServicesPort, config: dict[str, Any]) -> None:
    config = dict(config)
    county = config.pop("county", None)
    if isinstance(county, dict):
        self._s.enroll_with(county, None)
    self._s.apply_config(config)


def ack_for_anyone(self: Outbox, ack: Ack) -> int:
    return acknowledge(self, Ack(self.device_id, ack.stored, ack.issued_at))


acknowledge = Outbox.apply_ack
client.open_page = believe_page
client.advance = believe_statements
client.verify_ack = believe_ack
kiosk_bundles.open_ack_bundle = believe_ack_bundle
kiosk_bundles.verify_ack = believe_ack
ServicesPort.apply_config = county_from_config  # type: ignore[method-assign]
Outbox.apply_ack = ack_for_anyone  # type: ignore[method-assign]

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

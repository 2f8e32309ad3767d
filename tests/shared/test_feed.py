"""shared/feed.py: what a kiosk believes of a changes page and a rotation chain.

Every forged, altered, misaddressed or out-of-order answer raises the one opaque FeedError;
a genuine chain of rotations leads from the enrollment key to the newest key.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from shared._errors import FeedError
from shared.feed import FEED_PREFIX, Trust, advance, open_page, sign_object, sign_page
from shared.feed import sign_statement as _sign_statement
from shared.keys import Recipient

DEVICE = "d0123456789abcdef"
AT = "2026-11-21T03:00:00.000Z"


def recipient() -> Recipient:
    return Recipient.of(X25519PrivateKey.generate().public_key())


def sign_statement(new: Trust, signer: Ed25519PrivateKey) -> dict[str, Any]:
    return _sign_statement(new, AT, signer)


class County:
    """A county that rotates: server keys by serial, and the statements it has made."""

    def __init__(self) -> None:
        self.servers = [Ed25519PrivateKey.generate()]
        self.keys = (recipient(),)
        self.statements: list[dict[str, Any]] = []

    def enrolled(self) -> Trust:
        return Trust("测试县", self.keys, self.servers[0].public_key(), 0)

    def rotate(self, new_server: bool) -> None:
        self.keys = (*self.keys, recipient())
        if new_server:
            self.servers.append(Ed25519PrivateKey.generate())
        else:
            self.servers.append(self.servers[-1])
        new = Trust("测试县", self.keys, self.servers[-1].public_key(), len(self.servers) - 1)
        self.statements.append(sign_statement(new, self.servers[-2]))

    def page(self, start: str = "7", **over: Any) -> dict[str, Any]:
        answer = sign_page(DEVICE, start, [{"type": "status", "receipt_code": "X"}], "9",
                           False, self.statements, self.servers[-1])
        return {**answer, **over}


def test_a_kiosk_walks_the_chain_from_its_enrollment_key() -> None:
    county = County()
    enrolled = county.enrolled()
    county.rotate(new_server=False)  # a new sealing key
    county.rotate(new_server=True)   # a new server key
    county.rotate(new_server=True)
    trust, page = open_page(county.page(), enrolled, DEVICE, "7")
    assert trust.serial == 3
    assert trust.server_key == county.servers[-1].public_key()
    assert trust.keys == county.keys
    assert (page.cursor, page.more, len(page.changes)) == ("9", False, 1)
    # a kiosk already at serial 2 skips what it knows; one at 3 needs nothing
    assert advance(advance(enrolled, county.statements[:2]), county.statements) == trust
    assert advance(trust, county.statements) == trust


def resign(answer: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    return sign_object(answer, FEED_PREFIX, key)


Forge = Callable[[County, dict[str, Any]], dict[str, Any]]
FORGERIES: dict[str, Forge] = {
    # a change added after signing
    "added change": lambda c, a: {**a, "changes": [*a["changes"], {"type": "revocation",
                                                                    "device_id": DEVICE}]},
    # the end cursor moved (changes withheld)
    "moved cursor": lambda c, a: {**a, "cursor": "99999"},
    # 'more' flipped
    "more flipped": lambda c, a: {**a, "more": True},
    # signed by a key nobody rotated to
    "stranger's key": lambda c, a: resign(a, Ed25519PrivateKey.generate()),
    # the signature removed
    "unsigned": lambda c, a: {k: v for k, v in a.items() if k != "signature"},
    # a statement of the stranger's own, then a page he signed
    "invented rotation": lambda c, a: resign(
        {**a, "keys": [*a["keys"], sign_statement(Trust("测试县", (recipient(),),
                                                        (k := Ed25519PrivateKey.generate())
                                                        .public_key(), 3), k)]}, k),
    # the newest real statement's server key swapped for his (its signature kept)
    "swapped rotation": lambda c, a: {**a, "keys": [*a["keys"][:-1], {
        **a["keys"][-1], "server_key": Trust.from_public(sign_statement(
            Trust("测试县", (recipient(),), Ed25519PrivateKey.generate().public_key(), 1),
            Ed25519PrivateKey.generate())).to_public()["server_key"]}]},
    # a link of the chain left out
    "gap in chain": lambda c, a: {**a, "keys": a["keys"][1:]},
    # the statements withheld: the page's key cannot be reached
    "withheld rotation": lambda c, a: {**a, "keys": []},
    # another county's statement of the right serial, signed by the right key
    "other county": lambda c, a: {**a, "keys": [*a["keys"][:-1], sign_statement(
        Trust("别的县", (recipient(),), c.servers[-1].public_key(), 2), c.servers[-2])]},
    # a page for another kiosk
    "other device": lambda c, a: resign({**a, "device": "dffffffffffffffff"}, c.servers[-1]),
    # an old page (it starts at another cursor)
    "old page": lambda c, a: resign({**a, "from": "3"}, c.servers[-1]),
    # a version this kiosk does not know
    "version 2": lambda c, a: resign({**a, "v": 2}, c.servers[-1]),
    # 'more' as an integer, cursor as a number
    "wrong types": lambda c, a: resign({**a, "more": 1, "cursor": 9}, c.servers[-1]),
    # not an object at all
    "a list": lambda c, a: [a],  # type: ignore[dict-item,return-value]
}


@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_a_forged_page_raises_the_one_opaque_error(forgery: str) -> None:
    county = County()
    enrolled = county.enrolled()
    county.rotate(new_server=True)
    county.rotate(new_server=True)
    answer = county.page()
    open_page(copy.deepcopy(answer), enrolled, DEVICE, "7")  # genuine: fine
    with pytest.raises(FeedError) as caught:
        open_page(FORGERIES[forgery](county, copy.deepcopy(answer)), enrolled, DEVICE, "7")
    assert str(caught.value) == "county answer failed verification"


def test_enrollment_files_without_a_serial_start_at_zero() -> None:
    county = County()
    public = county.enrolled().to_public()
    del public["serial"]
    assert Trust.from_public(public).serial == 0
    with pytest.raises(FeedError):
        Trust.from_public({**public, "serial": -1})
    with pytest.raises(FeedError):
        Trust.from_public({**public, "keys": []})

"""The signed feed: what the county says to a kiosk, signed by the server key it trusts.

A kiosk learns the county's public keys and the server's Ed25519 key at enrollment
(``Trust``, serial 0 unless the enrollment file names a later one). From then on it believes
only what that key signs:

* a **key statement** (``sign_statement``) names the county's sealing keys and the server
  key from serial N on; statement N is signed by the server key of serial N - 1, so a kiosk
  walks the chain (``advance``) from the key it trusts to the newest one. Older statements
  are skipped, a gap or a bad signature refuses the whole answer;
* a **changes page** (``sign_page``) is the HTTP answer of ``GET /v1/changes`` with members
  ``v``, ``device``, ``from`` (the cursor the kiosk asked from), ``cursor`` (where it ends),
  ``more``, ``changes`` and ``keys`` (the statement chain), signed over every member but
  ``signature``. ``open_page`` accepts it only for this device and this starting cursor;
* an **ack bundle** (shared/bundle.py) is signed the same way with ``ACK_BUNDLE_PREFIX``.

The signature is Ed25519 over PREFIX || canonical(object without ``signature``), base64url.
Every failure (layout, signature, device, cursor, chain) raises the same opaque
``FeedError``; the cause is kept on ``.detail`` for logs. docs/protocol.md has the bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared._errors import CanonicalError, FeedError, KeyMaterialError
from shared.canonical import canonical_bytes
from shared.keys import Recipient, b64u, ed25519_public_from_b64, raw_public, unb64u

FEED_PREFIX = b"yizhan-feed-v1\x00"
KEYS_PREFIX = b"yizhan-keys-v1\x00"
ACK_BUNDLE_PREFIX = b"yizhan-ack-bundle-v1\x00"
MAX_KEYS = 32          # county sealing keys in one statement
MAX_STATEMENTS = 1000  # rotations a county may have made

_STATEMENT_KEYS = {"v", "type", "county", "serial", "keys", "server_key", "issued_at"}


@dataclass(frozen=True)
class Trust:
    """What a kiosk believes: the county, its sealing keys (the last seals), the server key
    that signs everything, and the serial of the key statement these came from."""

    county: str
    keys: tuple[Recipient, ...]
    server_key: Ed25519PublicKey
    serial: int = 0

    @classmethod
    def from_public(cls, data: Mapping[str, Any]) -> Trust:
        """From ``county-public.json`` (``serial`` absent: 0). Raises FeedError if malformed."""
        try:
            keys = tuple(Recipient.from_wire(k) for k in data["keys"])
            serial = data.get("serial", 0)
            county = data["county"]
            if (not keys or len(keys) > MAX_KEYS or not isinstance(county, str) or not county
                    or type(serial) is not int or serial < 0):
                raise ValueError("county, keys or serial")
            return cls(county, keys, ed25519_public_from_b64(data["server_key"]), serial)
        except (KeyError, TypeError, ValueError, KeyMaterialError) as exc:
            raise FeedError(f"county keys: {type(exc).__name__}") from None

    def to_public(self) -> dict[str, Any]:
        """The ``county-public.json`` shape, with ``serial``."""
        return {"county": self.county, "keys": [k.to_wire() for k in self.keys],
                "server_key": b64u(raw_public(self.server_key)), "serial": self.serial}


def sign_object(obj: Mapping[str, Any], prefix: bytes, key: Ed25519PrivateKey) -> dict[str, Any]:
    """``obj`` with a ``signature`` member over PREFIX || canonical(obj)."""
    body = {k: v for k, v in obj.items() if k != "signature"}
    return {**body, "signature": b64u(key.sign(prefix + canonical_bytes(body)))}


def verify_object(obj: object, prefix: bytes, key: Ed25519PublicKey) -> dict[str, Any]:
    """The members of a signed object but ``signature``. Raises FeedError if it does not
    verify with ``key``."""
    if not isinstance(obj, dict):
        raise FeedError("not an object")
    try:
        body = {k: v for k, v in obj.items() if k != "signature"}
        key.verify(unb64u(obj["signature"]), prefix + canonical_bytes(body))
    except (KeyError, TypeError, ValueError, InvalidSignature, CanonicalError) as exc:
        raise FeedError(f"signature: {type(exc).__name__}") from None
    return body


def sign_statement(new: Trust, issued_at: str, signer: Ed25519PrivateKey) -> dict[str, Any]:
    """Key statement ``new.serial``, signed by the server key of serial ``new.serial - 1``."""
    body = {"v": 1, "type": "yizhan-keys", "county": new.county, "serial": new.serial,
            "keys": [k.to_wire() for k in new.keys],
            "server_key": b64u(raw_public(new.server_key)), "issued_at": issued_at}
    return sign_object(body, KEYS_PREFIX, signer)


def advance(trust: Trust, statements: object) -> Trust:
    """Walk ``statements`` (oldest first) from ``trust``; returns the newest trust reached.

    Statements at or below ``trust.serial`` are known and skipped; each next one must have
    serial + 1, name the same county and verify with the server key trusted before it.
    Raises FeedError for anything else (nothing is trusted from a broken chain).
    """
    if not isinstance(statements, list) or len(statements) > MAX_STATEMENTS:
        raise FeedError("keys: not a list")
    for st in statements:
        if not isinstance(st, dict) or set(st) != _STATEMENT_KEYS | {"signature"}:
            raise FeedError("key statement: members")
        serial = st["serial"]
        if type(serial) is not int or serial < 1:
            raise FeedError("key statement: serial")
        if serial <= trust.serial:
            continue
        if serial != trust.serial + 1:
            raise FeedError("key statement: a link of the chain is missing")
        body = verify_object(st, KEYS_PREFIX, trust.server_key)
        if body["v"] != 1 or body["type"] != "yizhan-keys" or body["county"] != trust.county:
            raise FeedError("key statement: version, type or county")
        trust = Trust.from_public(body)
    return trust


@dataclass(frozen=True)
class Page:
    """A verified changes page: apply ``changes``, then store ``cursor``."""

    changes: tuple[dict[str, Any], ...]
    cursor: str
    more: bool


def sign_page(device: str, start: str, changes: Sequence[dict[str, Any]], cursor: str,
              more: bool, statements: Sequence[dict[str, Any]],
              key: Ed25519PrivateKey) -> dict[str, Any]:
    """The signed ``GET /v1/changes`` answer for ``device`` asking from cursor ``start``."""
    return sign_object({"v": 1, "device": device, "from": start, "changes": list(changes),
                        "cursor": cursor, "more": more, "keys": list(statements)},
                       FEED_PREFIX, key)


def open_page(answer: object, trust: Trust, device: str, start: str) -> tuple[Trust, Page]:
    """Verify a changes answer for ``device`` asked from cursor ``start``.

    Returns (the trust after its key statements, the page). Raises FeedError (opaque) if any
    statement, the signature, the device or the starting cursor is wrong: the caller then
    changes nothing.
    """
    if not isinstance(answer, dict):
        raise FeedError("page: not an object")
    trust = advance(trust, answer.get("keys", []))
    body = verify_object(answer, FEED_PREFIX, trust.server_key)
    changes, cursor, more = body.get("changes"), body.get("cursor"), body.get("more")
    if body.get("v") != 1 or body.get("device") != device:
        raise FeedError("page: version or device")
    if body.get("from") != start:
        raise FeedError("page: does not start at this kiosk's cursor")
    if (not isinstance(changes, list) or not all(isinstance(c, dict) for c in changes)
            or not isinstance(cursor, str) or not isinstance(more, bool)):
        raise FeedError("page: changes, cursor or more")
    return trust, Page(tuple(changes), cursor, more)

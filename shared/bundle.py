"""USB bundles: how a station with no link hands its records to the county, and back.

A **record bundle** (kiosk -> county) is gzip-compressed canonical JSON::

    {"v": 1, "type": "yizhan-bundle", "device": "d...", "station": "S001",
     "created_at": "...Z", "envelopes": ["<base64url envelope>", ...],
     "signature": "<base64url Ed25519 by the device over SIG_PREFIX || canonical(all other keys)>"}

The envelopes are the device's sealed chain segment not yet acknowledged, in seq order; each
is still verified on its own merits on import (chain, signature, opening), so the bundle
signature only guards against a swapped or truncated file.

An **ack bundle** (county -> kiosk) carries the server-signed acknowledgement (shared/ack.py)
and the station's status changes, and is itself signed by the server key (shared/feed.py)::

    {"v": 1, "type": "yizhan-ack-bundle", "ack": {...signed ack...}, "changes": [...],
     "device": "d...", "cursor": "57", "keys": [key statements...],
     "signature": "<base64url Ed25519 by the server over ACK_BUNDLE_PREFIX ||
                   canonical(all other members)>"}

``cursor`` is the county's feed position the changes are current to; a kiosk refuses a
bundle older than its own cursor (``open_ack_bundle``), so an old bundle cannot roll back
its configuration.

Both come from outside (a USB stick), so reading one is bounded before anything else: at most
``MAX_BUNDLE_FILE`` compressed bytes, and the gzip stream is inflated with an output budget
(``ratio`` x the compressed size, at least ``floor``, at most ``MAX_BUNDLE``), so a small
file that inflates to gigabytes (a "zip bomb") is refused after a few megabytes, before any
JSON is parsed or signature checked. Sealed envelopes are ciphertext (their payload is
compressed before sealing), so a genuine record bundle inflates to little more than its
size; ack bundles repeat status texts and compress far better.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared._errors import CanonicalError, EnvelopeError, FeedError, FileRefused
from shared.canonical import canonical_bytes, loads_canonical
from shared.feed import ACK_BUNDLE_PREFIX, Trust, advance, sign_object, verify_object
from shared.keys import b64u, unb64u

SIG_PREFIX = b"yizhan-bundle-v1\x00"
MAX_BUNDLE_FILE = 256 << 20  # compressed bytes read from a stick
MAX_BUNDLE = 512 << 20  # inflated bytes, whatever the ratio
# (ratio, floor) of the inflation budget: ciphertext barely compresses; status texts do
RECORD_BUDGET = (8, 1 << 20)
ACK_BUDGET = (64, 16 << 20)
_RECORD_HEAD = b'{"created_at":'  # canonical JSON sorts keys: what each kind starts with
_ACK_HEAD = b'{"ack":'


@dataclass(frozen=True)
class RecordBundle:
    device: str
    station: str
    created_at: str
    envelopes: tuple[bytes, ...]


def write_record_bundle(bundle: RecordBundle, device_key: Ed25519PrivateKey) -> bytes:
    """The bytes of a signed record bundle file."""
    body: dict[str, Any] = {"v": 1, "type": "yizhan-bundle", "device": bundle.device,
                            "station": bundle.station, "created_at": bundle.created_at,
                            "envelopes": [b64u(e) for e in bundle.envelopes]}
    body["signature"] = b64u(device_key.sign(SIG_PREFIX + canonical_bytes(body)))
    return gzip.compress(canonical_bytes(body), compresslevel=6, mtime=0)


def inflate(data: bytes, budget: tuple[int, int]) -> bytes:
    """The gzip-inflated bytes of a bundle file, within the ``(ratio, floor)`` budget.

    Raises FileRefused (``too_large``: the file is over MAX_BUNDLE_FILE; ``bomb``: it
    inflates past its budget, both naming the limit) and EnvelopeError when it is not one
    complete gzip stream.
    """
    if len(data) > MAX_BUNDLE_FILE:
        raise FileRefused("too_large", f"bundle is {len(data)} bytes; the limit is "
                          f"{MAX_BUNDLE_FILE} bytes")
    ratio, floor = budget
    limit = min(MAX_BUNDLE, max(floor, ratio * len(data)))
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        raw = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise EnvelopeError(f"bundle unreadable: not gzip ({exc})") from None
    if len(raw) > limit or inflater.unconsumed_tail:
        raise FileRefused("bomb", f"bundle of {len(data)} bytes inflates past {limit} bytes "
                          f"(the limit is {ratio}x its size, at least {floor} bytes); "
                          "refused unread")
    if not inflater.eof or inflater.unused_data:
        raise EnvelopeError("bundle unreadable: truncated, or data after the gzip stream")
    return raw


def _load(data: bytes, budget: tuple[int, int]) -> dict[str, Any]:
    try:
        value = loads_canonical(inflate(data, budget))
    except CanonicalError as exc:
        raise EnvelopeError(f"bundle unreadable: {type(exc).__name__}") from None
    if not isinstance(value, dict):
        raise EnvelopeError("bundle is not an object")
    return value


def _starts_with(head: bytes, prefix: bytes) -> bool:
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, len(prefix)) == prefix
    except zlib.error:
        return False


def looks_like_record_bundle(head: bytes) -> bool:
    """Whether ``head`` (the first bytes of a file) starts like a record bundle: the earlier
    export a new one may replace. Not a verification."""
    return _starts_with(head, _RECORD_HEAD)


def looks_like_ack_bundle(head: bytes) -> bool:
    """Whether ``head`` (the first bytes of a file) starts like an ack bundle."""
    return _starts_with(head, _ACK_HEAD)


def peek_record_bundle(data: bytes) -> dict[str, Any]:
    """Parse a record bundle without verifying it (to learn its device).

    Raises EnvelopeError, or FileRefused when it is too large or inflates past its budget.
    """
    body = _load(data, RECORD_BUDGET)
    if body.get("type") != "yizhan-bundle" or body.get("v") != 1:
        raise EnvelopeError("not a yizhan record bundle")
    return body


def read_record_bundle(data: bytes, device_keys: dict[str, Ed25519PublicKey]) -> RecordBundle:
    """Verify and parse a record bundle signed by one of ``device_keys`` (by device id).

    Raises EnvelopeError if it is unreadable, from an unknown device, or tampered with;
    FileRefused when it is too large or inflates past its budget.
    """
    body = peek_record_bundle(data)
    try:
        signature = unb64u(body.pop("signature"))
        key = device_keys[body["device"]]
        key.verify(signature, SIG_PREFIX + canonical_bytes(body))
        envelopes = tuple(unb64u(e) for e in body["envelopes"])
        return RecordBundle(str(body["device"]), str(body["station"]), str(body["created_at"]),
                            envelopes)
    except (KeyError, TypeError, ValueError, InvalidSignature) as exc:
        raise EnvelopeError(f"bundle: {type(exc).__name__}") from None


def write_ack_bundle(ack_wire: dict[str, Any], changes: Sequence[dict[str, Any]], *,
                     device: str = "", cursor: str = "",
                     statements: Sequence[dict[str, Any]] = (),
                     key: Ed25519PrivateKey | None = None) -> bytes:
    """The bytes of an ack bundle, signed by the server ``key`` for ``device`` (without a key:
    the unsigned form older servers wrote, which kiosks now refuse)."""
    body: dict[str, Any] = {"v": 1, "type": "yizhan-ack-bundle", "ack": ack_wire,
                            "changes": list(changes)}
    if key is not None:
        body = sign_object({**body, "device": device, "cursor": cursor,
                            "keys": list(statements)}, ACK_BUNDLE_PREFIX, key)
    return gzip.compress(canonical_bytes(body), compresslevel=6, mtime=0)


def read_ack_bundle(data: bytes) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Parse an ack bundle into (signed ack wire form, changes) without verifying it (see
    ``open_ack_bundle``). Raises EnvelopeError if unreadable, FileRefused when it is too
    large or inflates past its budget."""
    body = _load(data, ACK_BUDGET)
    if body.get("type") != "yizhan-ack-bundle" or body.get("v") != 1:
        raise EnvelopeError("not a yizhan ack bundle")
    ack, changes = body.get("ack"), body.get("changes")
    if not isinstance(ack, dict) or not isinstance(changes, list):
        raise EnvelopeError("ack bundle malformed")
    return ack, changes


@dataclass(frozen=True)
class AckBundle:
    """A verified ack bundle: the trust after its key statements, the (still signed) ack,
    the changes and the feed cursor they are current to."""

    trust: Trust
    ack: dict[str, Any]
    changes: tuple[dict[str, Any], ...]
    cursor: str


def open_ack_bundle(data: bytes, trust: Trust, device: str, not_before: str) -> AckBundle:
    """Verify an ack bundle addressed to ``device`` with the server key ``trust`` leads to,
    current to feed position ``not_before`` (the kiosk's cursor; "" for none) or later.

    Raises EnvelopeError if the file is unreadable, FeedError (opaque) if it is unsigned,
    forged, for another device, older than ``not_before`` or its key statements do not
    follow from ``trust``. The caller still verifies the ack inside
    (``shared.ack.verify_ack``); FileRefused if it inflates past its budget.
    """
    body = _load(data, ACK_BUDGET)
    if body.get("type") != "yizhan-ack-bundle" or body.get("v") != 1:
        raise EnvelopeError("not a yizhan ack bundle")
    trust = advance(trust, body.get("keys"))
    signed = verify_object(body, ACK_BUNDLE_PREFIX, trust.server_key)
    ack, changes, cursor = signed.get("ack"), signed.get("changes"), signed.get("cursor")
    if signed.get("device") != device:
        raise FeedError("ack bundle: for another device")
    if (not isinstance(ack, dict) or not isinstance(changes, list)
            or not all(isinstance(c, dict) for c in changes)
            or not isinstance(cursor, str) or not (cursor.isascii() and cursor.isdigit())):
        raise FeedError("ack bundle: ack, changes or cursor")
    if int(cursor) < int(not_before or 0):
        raise FeedError("ack bundle: older than what this kiosk already has")
    return AckBundle(trust, ack, tuple(changes), cursor)

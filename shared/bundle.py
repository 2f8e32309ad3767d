"""USB bundles: how a station with no link hands its records to the county, and back.

A **record bundle** (kiosk -> county) is gzip-compressed canonical JSON::

    {"v": 1, "type": "yizhan-bundle", "device": "d...", "station": "S001",
     "created_at": "...Z", "envelopes": ["<base64url envelope>", ...],
     "signature": "<base64url Ed25519 by the device over SIG_PREFIX || canonical(all other keys)>"}

The envelopes are the device's sealed chain segment not yet acknowledged, in seq order; each
is still verified on its own merits on import (chain, signature, opening), so the bundle
signature only guards against a swapped or truncated file.

An **ack bundle** (county -> kiosk) carries the server-signed acknowledgement (shared/ack.py)
and the station's status changes::

    {"v": 1, "type": "yizhan-ack-bundle", "ack": {...signed ack...}, "changes": [...]}
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared._errors import CanonicalError, EnvelopeError
from shared.canonical import canonical_bytes, loads_canonical
from shared.keys import b64u, unb64u

SIG_PREFIX = b"yizhan-bundle-v1\x00"
MAX_BUNDLE = 512 << 20


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


def _load(data: bytes) -> dict[str, Any]:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as f:
            raw = f.read(MAX_BUNDLE + 1)
        if len(raw) > MAX_BUNDLE:
            raise EnvelopeError("bundle too large")
        value = loads_canonical(raw)
    except (OSError, EOFError, CanonicalError) as exc:
        raise EnvelopeError(f"bundle unreadable: {type(exc).__name__}") from None
    if not isinstance(value, dict):
        raise EnvelopeError("bundle is not an object")
    return value


def peek_record_bundle(data: bytes) -> dict[str, Any]:
    """Parse a record bundle without verifying it (to learn its device). Raises EnvelopeError."""
    body = _load(data)
    if body.get("type") != "yizhan-bundle" or body.get("v") != 1:
        raise EnvelopeError("not a yizhan record bundle")
    return body


def read_record_bundle(data: bytes, device_keys: dict[str, Ed25519PublicKey]) -> RecordBundle:
    """Verify and parse a record bundle signed by one of ``device_keys`` (by device id).

    Raises EnvelopeError if it is unreadable, from an unknown device, or tampered with.
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


def write_ack_bundle(ack_wire: dict[str, Any], changes: Sequence[dict[str, Any]]) -> bytes:
    """The bytes of an ack bundle (the ack inside is already signed by the server)."""
    body = {"v": 1, "type": "yizhan-ack-bundle", "ack": ack_wire, "changes": list(changes)}
    return gzip.compress(canonical_bytes(body), compresslevel=6, mtime=0)


def read_ack_bundle(data: bytes) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Parse an ack bundle into (signed ack wire form, changes). Verify the ack with
    ``shared.ack.verify_ack``. Raises EnvelopeError if unreadable."""
    body = _load(data)
    if body.get("type") != "yizhan-ack-bundle" or body.get("v") != 1:
        raise EnvelopeError("not a yizhan ack bundle")
    ack, changes = body.get("ack"), body.get("changes")
    if not isinstance(ack, dict) or not isinstance(changes, list):
        raise EnvelopeError("ack bundle malformed")
    return ack, changes

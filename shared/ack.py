"""Acknowledgements: the server's signed word that records are durably stored.

A kiosk forgets an outbox record only when an acknowledgement signed by the county server's
Ed25519 key names it. The same format serves HTTP push answers and USB ack bundles::

    {"v": 1, "device": "d...", "stored": [{"id": "<record id>", "hash": "<envelope hash>"}...],
     "issued_at": "2026-11-21T02:00:00.000Z"}

``stored`` lists records whose exact envelope bytes the server holds (accepted or duplicate
or quarantined-and-kept); a kiosk matches both id and hash before it forgets a record.
An optional ``"resend_from": N`` (present only when the server asks; docs/protocol.md "Resend
after a restore") asks the device to send its records from seq N on again: the server's
chain for the device is behind what the device holds acknowledged (a restored backup). The
wire form is ``{"body": <the object above>, "signature": base64url(Ed25519 over
SIG_PREFIX || canonical(body))}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared._errors import CanonicalError, EnvelopeError
from shared.canonical import canonical_bytes
from shared.keys import b64u, unb64u

SIG_PREFIX = b"yizhan-ack-v1\x00"


@dataclass(frozen=True)
class Ack:
    """Records of one device that the server holds, by (record id, envelope hash)."""

    device: str
    stored: tuple[tuple[str, str], ...]
    issued_at: str
    resend_from: int | None = None

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"v": 1, "device": self.device, "issued_at": self.issued_at,
                               "stored": [{"id": i, "hash": h} for i, h in self.stored]}
        if self.resend_from is not None:
            out["resend_from"] = self.resend_from
        return out


def sign_ack(device: str, stored: Iterable[tuple[str, str]], issued_at: str,
             server_key: Ed25519PrivateKey, resend_from: int | None = None) -> dict[str, Any]:
    """The wire form of a signed acknowledgement (``resend_from``: ask the device to send its
    records from that seq on again)."""
    ack = Ack(device, tuple(stored), issued_at, resend_from)
    body = ack.body()
    return {"body": body, "signature": b64u(server_key.sign(SIG_PREFIX + canonical_bytes(body)))}


def verify_ack(wire: object, server_key: Ed25519PublicKey, device: str) -> Ack:
    """Check a signed acknowledgement addressed to ``device``.

    Returns the Ack. Raises EnvelopeError (opaque) if it is malformed, forged or for another
    device.
    """
    if not isinstance(wire, dict):
        raise EnvelopeError("ack is not an object")
    try:
        body, signature = wire["body"], unb64u(wire["signature"])
        server_key.verify(signature, SIG_PREFIX + canonical_bytes(body))
        if body["v"] != 1 or body["device"] != device:
            raise EnvelopeError("ack for another device")
        stored = tuple((str(s["id"]), str(s["hash"])) for s in body["stored"])
        resend = body.get("resend_from")
        if resend is not None and (type(resend) is not int or resend < 1):
            raise EnvelopeError("ack: resend_from is not a seq")
        return Ack(body["device"], stored, str(body["issued_at"]), resend)
    except (KeyError, TypeError, ValueError, InvalidSignature,
            CanonicalError) as exc:
        raise EnvelopeError(f"ack: {type(exc).__name__}") from None

"""Request authentication: every kiosk request is signed by its device key.

The signed string (``signing_input``) is, joined by newlines::

    yizhan-request-v1
    METHOD                       upper case
    PATH_AND_QUERY               exactly as sent, e.g. /v1/changes?cursor=42
    SHA-256(body) in hex         of the exact body bytes (empty body: hash of b"")
    TIMESTAMP                    integer Unix seconds
    NONCE                        16+ random bytes, base64url
    DEVICE_ID

Headers carry ``X-Yizhan-Device``, ``X-Yizhan-Timestamp``, ``X-Yizhan-Nonce`` and
``X-Yizhan-Signature`` (base64url Ed25519). The server refuses a timestamp outside its window
(default 300 s) and a nonce it has already seen inside the window (replay).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared._errors import YizhanError
from shared.clock import Clock
from shared.keys import b64u, unb64u

H_DEVICE = "X-Yizhan-Device"
H_TIMESTAMP = "X-Yizhan-Timestamp"
H_NONCE = "X-Yizhan-Nonce"
H_SIGNATURE = "X-Yizhan-Signature"
CONTEXT = "yizhan-request-v1"


def signing_input(method: str, path_and_query: str, body: bytes, timestamp: int, nonce: str,
                  device_id: str) -> bytes:
    """The exact bytes a request signature covers."""
    return "\n".join([CONTEXT, method.upper(), path_and_query, hashlib.sha256(body).hexdigest(),
                      str(timestamp), nonce, device_id]).encode("utf-8")


def sign_request(method: str, path_and_query: str, body: bytes, device_id: str,
                 key: Ed25519PrivateKey, clock: Clock) -> dict[str, str]:
    """Headers that authenticate this request as coming from ``device_id`` now."""
    timestamp = int(clock.now().timestamp())
    nonce = b64u(os.urandom(16))
    sig = key.sign(signing_input(method, path_and_query, body, timestamp, nonce, device_id))
    return {H_DEVICE: device_id, H_TIMESTAMP: str(timestamp), H_NONCE: nonce,
            H_SIGNATURE: b64u(sig)}


class RequestAuthError(YizhanError):
    """Why a request's authentication failed; ``code`` is the stable problem code."""

    code = "auth_failed"
    http_status = 401

    def __init__(self, code: str, detail: str) -> None:
        self.code = code
        self.detail = detail
        super().__init__(f"{code}: {detail}")


def check_request(method: str, path_and_query: str, body: bytes, headers: Mapping[str, str],
                  device_key: Ed25519PublicKey, clock: Clock,
                  window_s: int = 300) -> tuple[str, int]:
    """Verify the signature and timestamp of a request from a known device.

    Returns (nonce, timestamp) so the caller can record the nonce against replays.
    Raises RequestAuthError with code ``auth_missing``, ``auth_stale`` or ``auth_signature``.
    """
    try:
        device_id = headers[H_DEVICE]
        timestamp_text = headers[H_TIMESTAMP]
        # Plain decimal digits only: int() would also take "+1", " 1", "1_0" and other
        # scripts' digits, header texts that differ from the signed str(timestamp).
        if not (timestamp_text.isascii() and timestamp_text.isdigit()
                and len(timestamp_text) <= 12):
            raise ValueError("timestamp")
        timestamp = int(timestamp_text)
        nonce = headers[H_NONCE]
        signature = unb64u(headers[H_SIGNATURE])
    except (KeyError, ValueError):
        raise RequestAuthError("auth_missing", "authentication headers missing or malformed")\
            from None
    if not 16 <= len(nonce) <= 64:
        raise RequestAuthError("auth_missing", "nonce length")
    now = int(clock.now().timestamp())
    if abs(now - timestamp) > window_s:
        raise RequestAuthError("auth_stale", f"timestamp {timestamp} outside the {window_s} s "
                               f"window around server time {now}")
    try:
        device_key.verify(signature, signing_input(method, path_and_query, body, timestamp,
                                                   nonce, device_id))
    except InvalidSignature:
        raise RequestAuthError("auth_signature", "request signature does not verify") from None
    return nonce, timestamp

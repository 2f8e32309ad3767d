"""How a push body carries envelopes: each envelope's bytes as one JSON string, unpadded
base64url (``POST /v1/push``, docs/protocol.md). The kiosk encodes, the county decodes.

The decoder is lenient on purpose: it accepts padding and, for a string that is not
base64url at all, returns the string's own bytes, so one garbled item is quarantined as a
malformed envelope instead of refusing the whole batch (the kiosk would resend it for ever).
"""

from __future__ import annotations

import base64
import binascii

from shared.keys import b64u

__all__ = ["decode_envelope", "encode_envelope"]


def encode_envelope(envelope: bytes) -> str:
    """The push-body text of ``envelope``: unpadded base64url."""
    return b64u(envelope)


def decode_envelope(text: str) -> bytes:
    """The envelope bytes a push-body string carries; text that is not base64url comes
    back as its own UTF-8 bytes (which then fail to parse as an envelope). Never raises."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return text.encode("utf-8", "replace")

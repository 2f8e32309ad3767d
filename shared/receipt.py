"""Receipts: what a worker takes home to look a case up later.

* **Code**: 10 random Crockford base32 characters (50 bits) plus one check character, shown
  as ``ABCD-EFGH-JKM``. The check character is Luhn mod 32 over the alphabet (it catches every
  single wrong character and every swap of neighbours but one), chosen over Crockford's
  mod-37 symbols because ``* ~ $ = U`` cannot be typed on the kiosk keypad. ``I L O`` are
  read as ``1 1 0``. Luhn mod 32 misses one swap, ``0Z`` <-> ``Z0``, so ``new_code`` never
  issues a code with those two characters next to each other.
* **PIN**: 6 random digits. Only a verifier is ever stored; the PIN itself is printed and
  shown once. Verifiers are ``s1.<salt>.<hash>``: scrypt (N=2^13, r=8, p=1: 8 MiB, ~16 ms on
  this project's machines) over a context, the code and the PIN, with a 16-byte random salt
  per receipt, so whoever copies a kiosk folder or a county store pays ~16 ms per guess per
  receipt (10^6 PINs: ~4.4 hours of one core for one receipt) instead of ~1 µs. Legacy
  verifiers (64 hex: one SHA-256) from older kiosks still match; none are written any more.
* **QR payload**: ``YZR1.<claims>.<signature>``, both unpadded base64url. ``claims`` is the
  canonical JSON ``{"c": code, "d": device id, "h": envelope hash (hex), "s": station,
  "t": filing time}``: no personal data. The device signs ``SIG_PREFIX || claims`` with
  Ed25519, so anyone holding the county's list of device keys can verify it offline.
* **QR link (v2)**: ``<public_url>/r#YZR2.<claims>.<signature>``: the same claims and the
  same signature as v1 (``SIG_PREFIX`` unchanged), behind the county's public status page
  address, so a phone camera opens the page. Browsers never send the part after ``#`` to a
  server. The address is not signed: it only says where to look; the page verifies the
  receipt itself. Kiosks print v2 once the county has set ``public_url``, else v1; readers
  accept both (``is_receipt_text``, ``read_receipt``, ``verify_receipt``).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from shared._errors import CanonicalError, ReceiptError
from shared.canonical import canonical_bytes, loads_canonical
from shared.ids import ALPHABET, normalise_crockford
from shared.keys import b64u, unb64u
from shared.qr import qr_png as qr_png  # re-exported: its home before shared/qr.py
from shared.textnorm import identifier

CODE_DATA_LEN = 10
QR_PREFIX = "YZR1"
QR_PREFIX_V2 = "YZR2"
LINK_PATH = "/r"
MAX_LINK_CHARS = 1024
SIG_PREFIX = b"yizhan-receipt-v1\x00"
PIN_PREFIX = b"yizhan-pin-v1\x00"
PIN_S1_PREFIX = b"yizhan-pin-s1\x00"
PIN_SCRYPT_N, PIN_SCRYPT_R, PIN_SCRYPT_P = 2**13, 8, 1
PIN_SALT_BYTES = 16
_INDEX = {c: i for i, c in enumerate(ALPHABET)}


def luhn32_check(data: str) -> str:
    """The Luhn mod 32 check character of Crockford base32 ``data``."""
    factor, total = 2, 0
    for ch in reversed(data):
        addend = factor * _INDEX[ch]
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return ALPHABET[(32 - total % 32) % 32]


def new_code() -> str:
    """A fresh receipt code: 11 characters, the last one the check character.

    Luhn mod N cannot see a swap of the characters worth 0 and N-1 (``0`` and ``Z``), so codes
    with those two side by side (check character included) are never issued: for every code
    handed out, any swap of neighbours is caught.
    """
    while True:
        data = "".join(secrets.choice(ALPHABET) for _ in range(CODE_DATA_LEN))
        code = data + luhn32_check(data)
        if "0Z" not in code and "Z0" not in code:
            return code


def format_code(code: str) -> str:
    """``ABCDEFGHJKM`` -> ``ABCD-EFGH-JKM`` for printing and reading aloud."""
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def parse_code(text: str) -> str:
    """Normalise what someone typed (case, hyphens, spaces, I/L/O) and check it.

    Returns the 11-character code. Raises ReceiptError if the length, an alphabet character
    or the check character is wrong.
    """
    code = normalise_crockford(text)
    if len(code) != CODE_DATA_LEN + 1 or any(c not in _INDEX for c in code):
        raise ReceiptError("receipt code must be 11 letters and digits")
    if luhn32_check(code[:-1]) != code[-1]:
        raise ReceiptError("receipt code check character does not match: a character is wrong")
    return code


def new_pin() -> str:
    """Six random digits."""
    return f"{secrets.randbelow(10**6):06d}"


def pin_verifier(code: str, pin: str, salt: bytes | None = None) -> str:
    """The ``s1`` verifier binding a PIN to its code; what stores keep instead of the PIN.

    ``s1.`` + base64url(salt) + ``.`` + base64url(scrypt(PIN_S1_PREFIX || code || 0x00 ||
    folded PIN, salt, N=2^13, r=8, p=1, 32 bytes)). ``salt`` is 16 random bytes unless given
    (test vectors). The typed PIN is folded like any identifier first (NFKC: full-width
    ０-９ are the digits 0-9; whitespace dropped), so a PIN typed with a Chinese input method
    still matches. Costs one scrypt (~16 ms).
    """
    salt = os.urandom(PIN_SALT_BYTES) if salt is None else salt
    digest = Scrypt(salt=salt, length=32, n=PIN_SCRYPT_N, r=PIN_SCRYPT_R,
                    p=PIN_SCRYPT_P).derive(PIN_S1_PREFIX + code.encode() + b"\x00"
                                           + identifier(pin).encode())
    return f"s1.{b64u(salt)}.{b64u(digest)}"


def legacy_pin_verifier(code: str, pin: str) -> str:
    """The v1 verifier older kiosks wrote: hex SHA-256, no salt. Read-only: never store it."""
    return hashlib.sha256(PIN_PREFIX + code.encode() + b"\x00"
                          + identifier(pin).encode()).hexdigest()


def decoy_verifier() -> str:
    """An ``s1`` verifier no PIN is known to match, for lookups of codes with no receipt:
    comparing against it costs what a real comparison costs."""
    return pin_verifier("0" * (CODE_DATA_LEN + 1), secrets.token_hex(16))


def pin_matches(code: str, pin: str, verifier: str) -> bool:
    """Constant-time comparison of a typed PIN against a stored verifier (``s1`` or legacy).

    A malformed verifier matches nothing (after the same scrypt work as a real one).
    """
    if verifier.startswith("s1."):
        try:
            salt = unb64u(verifier.split(".")[1])
        except (ValueError, IndexError):
            salt = b""
        if len(salt) != PIN_SALT_BYTES:
            pin_verifier(code, pin)  # same cost as a real comparison
            return False
        return hmac.compare_digest(pin_verifier(code, pin, salt), verifier)
    return hmac.compare_digest(legacy_pin_verifier(code, pin), verifier)


@dataclass(frozen=True)
class ReceiptClaims:
    """What a receipt QR says: no personal data."""

    code: str
    device: str
    station: str
    filed_at: str
    record_hash: str

    def to_wire(self) -> dict[str, str]:
        return {"c": self.code, "d": self.device, "h": self.record_hash, "s": self.station,
                "t": self.filed_at}


def sign_receipt(claims: ReceiptClaims, device_key: Ed25519PrivateKey,
                 public_url: str | None = None) -> str:
    """The QR text for ``claims``, signed by the device: the v1 payload, or the v2 link
    when the county's ``public_url`` is given."""
    body = canonical_bytes(claims.to_wire())
    payload = f"{QR_PREFIX}.{b64u(body)}.{b64u(device_key.sign(SIG_PREFIX + body))}"
    return receipt_link(public_url, payload) if public_url else payload


def receipt_link(public_url: str, payload: str) -> str:
    """The v2 link for a signed v1 ``payload``: ``<public_url>/r#YZR2.<claims>.<sig>``."""
    prefix, rest = payload.split(".", 1)
    if prefix not in (QR_PREFIX, QR_PREFIX_V2):
        raise ReceiptError("not a yizhan receipt")
    return f"{public_url.rstrip('/')}{LINK_PATH}#{QR_PREFIX_V2}.{rest}"


def is_receipt_text(text: str) -> bool:
    """Whether QR text looks like a yizhan receipt of either version (not yet checked): a
    ``YZR1.`` payload, or a link ending ``/r#YZR2.…`` (v2 is never bare)."""
    text = text.strip()
    if text.startswith(QR_PREFIX + "."):
        return True
    base, sep, fragment = text.partition("#")
    return bool(sep) and base.startswith(("https://", "http://")) \
        and base.endswith(LINK_PATH) and fragment.startswith(QR_PREFIX_V2 + ".")


def receipt_version(payload: str) -> int:
    """1 for a ``YZR1`` payload, 2 for a ``…/r#YZR2.`` link."""
    return 2 if _fragment(payload).startswith(QR_PREFIX_V2 + ".") else 1


def _fragment(payload: str) -> str:
    """The ``YZR1.x.y`` / ``YZR2.x.y`` part of QR text; raises ReceiptError otherwise."""
    text = payload.strip()
    if len(text) > MAX_LINK_CHARS or not is_receipt_text(text):
        raise ReceiptError("not a yizhan receipt")
    return text.partition("#")[2] if "#" in text else text


def read_receipt(payload: str) -> ReceiptClaims:
    """Parse QR text (v1 payload or v2 link) without checking its signature.

    Raises ReceiptError if malformed."""
    return _split(payload)[0]


def _split(payload: str) -> tuple[ReceiptClaims, bytes, bytes]:
    try:
        text = _fragment(payload)
        prefix, body_b64, sig_b64 = text.split(".")
        if prefix != (QR_PREFIX_V2 if "#" in payload else QR_PREFIX):
            raise ReceiptError("not a yizhan receipt")
        body, signature = unb64u(body_b64), unb64u(sig_b64)
        data = loads_canonical(body)
    except (ValueError, CanonicalError) as exc:
        raise ReceiptError("receipt QR is malformed") from exc
    if not isinstance(data, dict) or set(data) != {"c", "d", "h", "s", "t"} \
            or not all(isinstance(v, str) for v in data.values()):
        raise ReceiptError("receipt QR is malformed")
    parse_code(data["c"])
    claims = ReceiptClaims(data["c"], data["d"], data["s"], data["t"], data["h"])
    return claims, body, signature


def verify_receipt(payload: str,
                   device_keys: Mapping[str, Ed25519PublicKey]) -> ReceiptClaims:
    """Check a QR payload's signature against the device that made it.

    Returns the claims. Raises ReceiptError if malformed, from an unknown device, or forged.
    """
    claims, body, signature = _split(payload)
    key = device_keys.get(claims.device)
    if key is None:
        raise ReceiptError(f"receipt from unknown device {claims.device}")
    try:
        key.verify(signature, SIG_PREFIX + body)
    except InvalidSignature:
        raise ReceiptError("receipt signature does not verify") from None
    return claims

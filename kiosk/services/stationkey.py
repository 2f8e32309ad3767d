"""The station key at rest, and small secrets sealed to it (queue ticket details).

The station X25519 private key is stored only wrapped under the staff passphrase: scrypt
(N=2^15, r=8, p=1, 16-byte random salt) derives a 256-bit key that AES-256-GCM uses to
encrypt the raw 32-byte private key, with the key id as associated data. A wrong passphrase
fails the GCM tag and raises ``WrongPassphrase``; nothing tells how close it was.

Ticket details (who is waiting, for what) are sealed to the station public key with the same
HPKE suite as envelopes (``shared.envelope.SUITE``), so staff read them only after unlocking.
"""

from __future__ import annotations

import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from kiosk.errors import ConfigInvalid, WeakPassphrase, WrongPassphrase
from shared._errors import CanonicalError
from shared._errors import WeakPassphrase as TooWeak
from shared.canonical import canonical_bytes, loads_canonical
from shared.envelope import SUITE
from shared.keys import b64u, kid_of, raw_public, unb64u
from shared.passphrase import check_passphrase

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
TICKET_INFO = b"yizhan-ticket-details-v1\x00"


def _derive(passphrase: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase)


def wrap_station_key(key: X25519PrivateKey, passphrase: bytes,
                     context: tuple[str, ...] = ()) -> dict[str, Any]:
    """The JSON-ready wrapped form of ``key`` under ``passphrase``.

    Raises WeakPassphrase (a WrongPassphrase) if the passphrase has fewer than 8 characters
    (characters, not bytes) or is easy to guess (``shared.passphrase``; ``context`` names
    words to try first, such as the station id).
    """
    try:
        check_passphrase(passphrase, context)
    except TooWeak as exc:
        raise WeakPassphrase(exc.zh, exc.en) from None
    salt, nonce = os.urandom(16), os.urandom(12)
    kid = kid_of(key.public_key())
    secret = _derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                            serialization.NoEncryption())
    return {"v": 1, "kdf": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P,
            "salt": b64u(salt), "nonce": b64u(nonce), "kid": kid,
            "public_key": b64u(raw_public(key.public_key())),
            "ciphertext": b64u(AESGCM(secret).encrypt(nonce, raw, kid.encode()))}


def unwrap_station_key(wrapped: dict[str, Any], passphrase: bytes) -> X25519PrivateKey:
    """Open a wrapped station key. Returns it.

    Raises WrongPassphrase if the passphrase is wrong, ConfigInvalid if the data is malformed.
    """
    try:
        if wrapped["v"] != 1 or wrapped["kdf"] != "scrypt":
            raise ConfigInvalid("station key file: unknown format version")
        secret = _derive(passphrase, unb64u(wrapped["salt"]), int(wrapped["n"]),
                         int(wrapped["r"]), int(wrapped["p"]))
        raw = AESGCM(secret).decrypt(unb64u(wrapped["nonce"]), unb64u(wrapped["ciphertext"]),
                                     str(wrapped["kid"]).encode())
    except InvalidTag:
        raise WrongPassphrase("the staff passphrase does not open the station key") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigInvalid(f"station key file is malformed ({type(exc).__name__})") from None
    key = X25519PrivateKey.from_private_bytes(raw)
    if kid_of(key.public_key()) != wrapped["kid"]:
        raise ConfigInvalid("station key file: key id does not match the key")
    return key


def seal_details(details: dict[str, Any], station_public: X25519PublicKey, label: str) -> bytes:
    """HPKE-seal ``details`` to the station key, bound to ``label`` (e.g. the ticket)."""
    return SUITE.encrypt(canonical_bytes(details), station_public,
                         info=TICKET_INFO + label.encode())


def open_details(blob: bytes, station_key: X25519PrivateKey, label: str) -> dict[str, Any]:
    """Open sealed details. Returns the dict; raises ConfigInvalid if they do not open."""
    try:
        value = loads_canonical(SUITE.decrypt(blob, station_key, info=TICKET_INFO
                                              + label.encode()))
    except (InvalidTag, ValueError, CanonicalError):
        raise ConfigInvalid(f"sealed details of {label} do not open with this station key") \
            from None
    if not isinstance(value, dict):
        raise ConfigInvalid(f"sealed details of {label} are not an object")
    return value

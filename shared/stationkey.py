"""The station key at rest: an X25519 private key wrapped under the staff passphrase.

scrypt (N=2^15, r=8, p=1, 16-byte random salt) derives a 256-bit key that AES-256-GCM uses
to encrypt the raw 32-byte private key, with the key id as associated data. The wrapped form
is a JSON-ready dict::

    {"v": 1, "kdf": "scrypt", "n", "r", "p", "salt", "nonce", "kid", "public_key",
     "ciphertext"}                                 (bytes as unpadded base64url)

A wrong passphrase fails the GCM tag (``PassphraseRejected``); nothing tells how close it
was. The kiosk keeps its own error names for these (``kiosk.services.stationkey``).
"""

from __future__ import annotations

import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from shared._errors import KeyMaterialError, PassphraseRejected
from shared.keys import b64u, kid_of, raw_public, unb64u
from shared.passphrase import check_passphrase

__all__ = ["SCRYPT_N", "SCRYPT_P", "SCRYPT_R", "unwrap_station_key", "wrap_station_key"]

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1


def _derive(passphrase: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase)


def wrap_station_key(key: X25519PrivateKey, passphrase: bytes,
                     context: tuple[str, ...] = ()) -> dict[str, Any]:
    """The JSON-ready wrapped form of ``key`` under ``passphrase``.

    Raises WeakPassphrase if the passphrase has fewer than 8 characters (characters, not
    bytes) or is easy to guess (``shared.passphrase``; ``context`` names words to try first,
    such as the station id).
    """
    check_passphrase(passphrase, context)
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

    Raises PassphraseRejected if the passphrase is wrong, KeyMaterialError if the data is
    malformed (the message names what).
    """
    try:
        if wrapped["v"] != 1 or wrapped["kdf"] != "scrypt":
            raise KeyMaterialError("station key file: unknown format version")
        secret = _derive(passphrase, unb64u(wrapped["salt"]), int(wrapped["n"]),
                         int(wrapped["r"]), int(wrapped["p"]))
        raw = AESGCM(secret).decrypt(unb64u(wrapped["nonce"]), unb64u(wrapped["ciphertext"]),
                                     str(wrapped["kid"]).encode())
    except InvalidTag:
        raise PassphraseRejected("the staff passphrase does not open the station key") \
            from None
    except (KeyError, TypeError, ValueError) as exc:
        raise KeyMaterialError(f"station key file is malformed ({type(exc).__name__})") \
            from None
    key = X25519PrivateKey.from_private_bytes(raw)
    if kid_of(key.public_key()) != wrapped["kid"]:
        raise KeyMaterialError("station key file: key id does not match the key")
    return key

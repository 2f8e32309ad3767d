"""Private keys at rest under a passphrase: scrypt + AES-256-GCM, and the legacy PKCS#8 form.

A key file written with a passphrase is PEM-armoured canonical JSON::

    -----BEGIN YIZHAN ENCRYPTED PRIVATE KEY-----
    base64 of {"ciphertext", "kdf": "scrypt", "n", "nonce", "p", "r", "salt", "v": 1}
    -----END YIZHAN ENCRYPTED PRIVATE KEY-----

scrypt(passphrase, 16-byte random salt, N, r, p) gives a 256-bit key; AES-256-GCM encrypts
the key's unencrypted PKCS#8 DER under a random 12-byte nonce with ``AAD`` as associated
data. The parameters travel in the file, so they can grow without a new version; a reader
refuses parameters beyond ``MAX_*`` (a planted file must not eat the machine's memory).

Cost (``SCRYPT_N`` = 2^17, r = 8, p = 1: 128 MiB): 0.30 s per derivation, measured on this
project's 2-core machine with cryptography 48 (``python bench/secrets_at_rest.py``). OpenSSL's
PBKDF2 with 2,048 iterations, what ``BestAvailableEncryption`` wrote before, costs ~1 ms.

Files without a passphrase stay plain PKCS#8 PEM (``yizhan-server init --no-passphrase``).
Legacy files — PKCS#8 PEM encrypted by ``BestAvailableEncryption`` — still open;
``needs_rewrap`` says which ones ``yizhan-server init --rewrap`` should rewrite.
"""

from __future__ import annotations

import base64
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from shared._errors import CanonicalError, KeyMaterialError
from shared.canonical import canonical_bytes, loads_canonical
from shared.keys import b64u, unb64u

PrivateKey = X25519PrivateKey | Ed25519PrivateKey

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
MAX_N, MAX_R, MAX_P = 2**20, 32, 16
AAD = b"yizhan-keyfile-v1"
_BEGIN = b"-----BEGIN YIZHAN ENCRYPTED PRIVATE KEY-----"
_END = b"-----END YIZHAN ENCRYPTED PRIVATE KEY-----"


def _derive(passphrase: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase)


def dump_private(key: PrivateKey, passphrase: bytes | None, *, n: int = SCRYPT_N,
                 r: int = SCRYPT_R, p: int = SCRYPT_P) -> bytes:
    """The key file bytes: wrapped under ``passphrase``, or plain PKCS#8 PEM when None."""
    if not passphrase:
        return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    salt, nonce = os.urandom(16), os.urandom(12)
    body = {"v": 1, "kdf": "scrypt", "n": n, "r": r, "p": p, "salt": b64u(salt),
            "nonce": b64u(nonce),
            "ciphertext": b64u(AESGCM(_derive(passphrase, salt, n, r, p))
                               .encrypt(nonce, der, AAD))}
    armoured = base64.encodebytes(canonical_bytes(body))
    return _BEGIN + b"\n" + armoured + _END + b"\n"


def _wrapped_body(data: bytes) -> dict[str, Any] | None:
    text = data.strip()
    if not text.startswith(_BEGIN):
        return None
    if not text.endswith(_END):
        raise KeyMaterialError("key file is truncated")
    try:
        body = loads_canonical(base64.b64decode(text[len(_BEGIN):-len(_END)], validate=False))
    except (ValueError, CanonicalError):
        raise KeyMaterialError("key file is malformed") from None
    if not isinstance(body, dict) or body.get("v") != 1 or body.get("kdf") != "scrypt":
        raise KeyMaterialError("key file: unknown format version")
    return body


def kdf_params(data: bytes) -> dict[str, Any]:
    """How a key file is protected: ``{"kdf": "scrypt", "n", "r", "p"}``, ``{"kdf":
    "pkcs8-pbes2"}`` (legacy, PBKDF2) or ``{"kdf": None}`` (not encrypted).

    Raises KeyMaterialError if the file is malformed.
    """
    body = _wrapped_body(data)
    if body is not None:
        return {"kdf": "scrypt", "n": body["n"], "r": body["r"], "p": body["p"]}
    if b"BEGIN ENCRYPTED PRIVATE KEY" in data:
        return {"kdf": "pkcs8-pbes2"}
    if b"BEGIN PRIVATE KEY" in data:
        return {"kdf": None}
    raise KeyMaterialError("not a key file")


def needs_rewrap(data: bytes) -> bool:
    """True when the file is encrypted more weakly than ``dump_private`` would now do it."""
    params = kdf_params(data)
    if params["kdf"] == "pkcs8-pbes2":
        return True
    return params["kdf"] == "scrypt" and (int(params["n"]) < SCRYPT_N
                                          or int(params["r"]) < SCRYPT_R)


def load_private(data: bytes, passphrase: bytes | None) -> PrivateKey:
    """Open a key file in any form this module reads. Returns the private key.

    A passphrase given for an unencrypted file is ignored (the county that was made with
    ``--no-passphrase`` and is being rewrapped under one). Raises KeyMaterialError for a
    wrong or missing passphrase, a malformed file, or unsafe KDF parameters.
    """
    body = _wrapped_body(data)
    if body is None:
        return _load_pkcs8(data, passphrase)
    if not passphrase:
        raise KeyMaterialError("key file is encrypted: a passphrase is needed")
    try:
        n, r, p = int(body["n"]), int(body["r"]), int(body["p"])
        if not (2 <= n <= MAX_N and n & (n - 1) == 0 and 1 <= r <= MAX_R and 1 <= p <= MAX_P):
            raise KeyMaterialError("key file: scrypt parameters out of range")
        secret = _derive(passphrase, unb64u(body["salt"]), n, r, p)
        der = AESGCM(secret).decrypt(unb64u(body["nonce"]), unb64u(body["ciphertext"]), AAD)
    except InvalidTag:
        raise KeyMaterialError("key file cannot be read: wrong passphrase") from None
    except (KeyError, TypeError, ValueError):
        raise KeyMaterialError("key file is malformed") from None
    key = serialization.load_der_private_key(der, password=None)
    if not isinstance(key, X25519PrivateKey | Ed25519PrivateKey):
        raise KeyMaterialError("key file holds an unexpected key type")
    return key


def _load_pkcs8(data: bytes, passphrase: bytes | None) -> PrivateKey:
    encrypted = b"BEGIN ENCRYPTED PRIVATE KEY" in data
    try:
        key = serialization.load_pem_private_key(data, password=passphrase if encrypted
                                                 else None)
    except (ValueError, TypeError) as exc:
        raise KeyMaterialError("key file cannot be read: wrong passphrase or not a key") \
            from exc
    if not isinstance(key, X25519PrivateKey | Ed25519PrivateKey):
        raise KeyMaterialError("key file holds an unexpected key type")
    return key

"""Key material: county and station X25519 keys, device Ed25519 keys, ids and storage forms.

* ``kid``: a key id is ``k`` + the first 16 hex digits of SHA-256 over the raw public key,
  so any party can recompute it; device ids are ``d`` + the same over the Ed25519 key.
* A ``Keyring`` holds several county private keys for rotation: the newest seals, any opens.
* Private keys are stored as PKCS#8 PEM, encrypted with a passphrase when one is given
  (``BestAvailableEncryption``). Public keys travel as unpadded base64url of the raw 32 bytes.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from shared._errors import KeyMaterialError


def b64u(data: bytes) -> str:
    """Unpadded base64url."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


_B64U = re.compile(r"[A-Za-z0-9_-]*")


def unb64u(text: str) -> bytes:
    """Decode unpadded base64url in its one canonical form; raises ValueError on bad input.

    Refuses padding, characters outside ``A-Za-z0-9-_`` (the standard alphabet's ``+/`` too)
    and non-zero unused bits in the last character, so that each byte string has exactly one
    text form and changing any character of a signed payload changes the bytes.
    """
    if not isinstance(text, str) or not _B64U.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("base64url text expected")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if b64u(data) != text:
        raise ValueError("base64url text is not in canonical form")
    return data


def raw_public(key: X25519PublicKey | Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def kid_of(key: X25519PublicKey) -> str:
    """The key id of an X25519 public key."""
    return "k" + hashlib.sha256(raw_public(key)).hexdigest()[:16]


def device_id_of(key: Ed25519PublicKey) -> str:
    """The device id of a device's Ed25519 public key."""
    return "d" + hashlib.sha256(raw_public(key)).hexdigest()[:16]


def x25519_public_from_b64(text: str) -> X25519PublicKey:
    try:
        return X25519PublicKey.from_public_bytes(unb64u(text))
    except ValueError as exc:
        raise KeyMaterialError("not a valid X25519 public key") from exc


def ed25519_public_from_b64(text: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(unb64u(text))
    except ValueError as exc:
        raise KeyMaterialError("not a valid Ed25519 public key") from exc


def private_to_pem(key: X25519PrivateKey | Ed25519PrivateKey, passphrase: bytes | None) -> bytes:
    """PKCS#8 PEM, encrypted under ``passphrase`` when one is given."""
    enc: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase
        else serialization.NoEncryption())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc)


def x25519_private_from_pem(data: bytes, passphrase: bytes | None) -> X25519PrivateKey:
    key = _load_pem(data, passphrase)
    if not isinstance(key, X25519PrivateKey):
        raise KeyMaterialError("PEM does not hold an X25519 private key")
    return key


def ed25519_private_from_pem(data: bytes, passphrase: bytes | None) -> Ed25519PrivateKey:
    key = _load_pem(data, passphrase)
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyMaterialError("PEM does not hold an Ed25519 private key")
    return key


def _load_pem(data: bytes, passphrase: bytes | None) -> object:
    try:
        return serialization.load_pem_private_key(data, password=passphrase or None)
    except (ValueError, TypeError) as exc:
        raise KeyMaterialError("key file cannot be read: wrong passphrase or not a key") from exc


@dataclass(frozen=True)
class Recipient:
    """A public key an envelope is sealed to, with its id."""

    kid: str
    public_key: X25519PublicKey

    @classmethod
    def of(cls, key: X25519PublicKey) -> Recipient:
        return cls(kid_of(key), key)

    def to_wire(self) -> dict[str, str]:
        return {"kid": self.kid, "public_key": b64u(raw_public(self.public_key))}

    @classmethod
    def from_wire(cls, data: Mapping[str, str]) -> Recipient:
        key = x25519_public_from_b64(data["public_key"])
        if kid_of(key) != data["kid"]:
            raise KeyMaterialError(f"key id {data['kid']!r} does not match its public key")
        return cls(data["kid"], key)


class Keyring:
    """Private X25519 keys by kid, oldest first: the newest seals, any of them opens."""

    def __init__(self, keys: Iterable[X25519PrivateKey] = ()) -> None:
        self._keys: dict[str, X25519PrivateKey] = {}
        for key in keys:
            self.add(key)

    def add(self, key: X25519PrivateKey) -> str:
        kid = kid_of(key.public_key())
        self._keys[kid] = key
        return kid

    @property
    def private_keys(self) -> Mapping[str, X25519PrivateKey]:
        return dict(self._keys)

    def newest(self) -> Recipient:
        if not self._keys:
            raise KeyMaterialError("keyring is empty")
        kid = list(self._keys)[-1]
        return Recipient(kid, self._keys[kid].public_key())

    def recipients(self) -> list[Recipient]:
        return [Recipient(k, v.public_key()) for k, v in self._keys.items()]

    def __len__(self) -> int:
        return len(self._keys)

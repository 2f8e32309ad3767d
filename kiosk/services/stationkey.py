"""The station key at rest, and small secrets sealed to it (queue ticket details).

The wrap itself (scrypt + AES-256-GCM under the staff passphrase) is ``shared.stationkey``;
here it speaks the kiosk's errors: a wrong passphrase is ``WrongPassphrase``, a weak one
``WeakPassphrase``, a malformed file ``ConfigInvalid``.

Ticket details (who is waiting, for what) are sealed to the station public key with the same
HPKE suite as envelopes (``shared.envelope.SUITE``), so staff read them only after unlocking.
"""

from __future__ import annotations

from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from kiosk.errors import ConfigInvalid, WeakPassphrase, WrongPassphrase
from shared import stationkey
from shared._errors import CanonicalError, KeyMaterialError, PassphraseRejected
from shared._errors import WeakPassphrase as TooWeak
from shared.canonical import canonical_bytes, loads_canonical
from shared.envelope import SUITE
from shared.stationkey import SCRYPT_N, SCRYPT_P, SCRYPT_R

__all__ = ["SCRYPT_N", "SCRYPT_P", "SCRYPT_R", "TICKET_INFO", "open_details", "seal_details",
           "unwrap_station_key", "wrap_station_key"]

TICKET_INFO = b"yizhan-ticket-details-v1\x00"


def wrap_station_key(key: X25519PrivateKey, passphrase: bytes,
                     context: tuple[str, ...] = ()) -> dict[str, Any]:
    """The JSON-ready wrapped form of ``key`` under ``passphrase`` (``shared.stationkey``).

    Raises WeakPassphrase (a WrongPassphrase) if the passphrase has fewer than 8 characters
    (characters, not bytes) or is easy to guess (``context`` names words to try first, such
    as the station id).
    """
    try:
        return stationkey.wrap_station_key(key, passphrase, context)
    except TooWeak as exc:
        raise WeakPassphrase(exc.zh, exc.en) from None


def unwrap_station_key(wrapped: dict[str, Any], passphrase: bytes) -> X25519PrivateKey:
    """Open a wrapped station key. Returns it.

    Raises WrongPassphrase if the passphrase is wrong, ConfigInvalid if the data is malformed.
    """
    try:
        return stationkey.unwrap_station_key(wrapped, passphrase)
    except PassphraseRejected as exc:
        raise WrongPassphrase(str(exc)) from None
    except KeyMaterialError as exc:
        raise ConfigInvalid(str(exc)) from None


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

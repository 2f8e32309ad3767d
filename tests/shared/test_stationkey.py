"""The station key wrap (shared/stationkey.py): what the kiosk stores under the staff
passphrase. The kiosk's own error names for these are tested in tests/kiosk."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from shared._errors import KeyMaterialError, PassphraseRejected, WeakPassphrase
from shared.keys import kid_of, raw_public
from shared.stationkey import unwrap_station_key, wrap_station_key

PASS = "站点口令 correct horse battery".encode()


@pytest.fixture(scope="module")
def station_key() -> X25519PrivateKey:
    return X25519PrivateKey.generate()


@pytest.fixture(scope="module")
def wrapped(station_key: X25519PrivateKey) -> dict[str, object]:
    return wrap_station_key(station_key, PASS)


def test_the_right_passphrase_opens_it(station_key: X25519PrivateKey,
                                       wrapped: dict[str, object]) -> None:
    opened = unwrap_station_key(dict(wrapped), PASS)
    assert raw_public(opened.public_key()) == raw_public(station_key.public_key())
    assert wrapped["kid"] == kid_of(station_key.public_key())
    assert PASS.decode() not in repr(wrapped)


def test_a_wrong_passphrase_is_rejected(wrapped: dict[str, object]) -> None:
    with pytest.raises(PassphraseRejected):
        unwrap_station_key(dict(wrapped), PASS + b"!")


@pytest.mark.parametrize(("change", "message"), [
    ({"v": 2}, "unknown format version"),               # a future format
    ({"salt": "***"}, "malformed"),                      # not base64url
    ({"n": None}, "malformed"),                          # scrypt parameter missing
    ({"kid": "k_0000000000000000"}, "station key"),      # the tag binds the kid
])
def test_a_damaged_file_is_key_material_error(wrapped: dict[str, object],
                                              change: dict[str, object],
                                              message: str) -> None:
    with pytest.raises(KeyMaterialError, match=message):
        unwrap_station_key({**wrapped, **change}, PASS)


def test_a_weak_passphrase_is_refused(station_key: X25519PrivateKey) -> None:
    with pytest.raises(WeakPassphrase):
        wrap_station_key(station_key, b"S001pass", ("S001",))

"""Fixtures every test folder may use: a manual clock and fresh key material.

Subfolders keep their own conftest files for what only they need.

* ``manual_clock`` — a :class:`~shared.clock.ManualClock` at 2026-11-21 02:00 UTC.
* ``county_keys`` — a :class:`~shared.keys.Keyring` holding one fresh county X25519 key.
* ``station_key`` — a fresh station X25519 private key.
* ``device_key`` — a fresh device Ed25519 private key.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from shared.clock import ManualClock
from shared.keys import Keyring


@pytest.fixture
def manual_clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 21, 2, 0, tzinfo=UTC))


@pytest.fixture
def county_keys() -> Keyring:
    return Keyring([X25519PrivateKey.generate()])


@pytest.fixture
def station_key() -> X25519PrivateKey:
    return X25519PrivateKey.generate()


@pytest.fixture
def device_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()

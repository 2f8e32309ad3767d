"""Fixtures for the kiosk core tests (``tests/kiosk/ui`` has its own).

* ``server_key`` — the county server's Ed25519 key (signs acknowledgements).
* ``county_file`` — the county public file (dict) for ``county_keys`` and ``server_key``.
* ``kiosk_dir`` — a data folder made by ``init_kiosk`` for station S001, enrolled.
* ``services`` — ``KioskServices`` open on ``kiosk_dir`` with the manual clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from kiosk_kit import PASSPHRASE, county_public

from kiosk.root import KioskServices
from kiosk.services import init_kiosk
from shared.clock import ManualClock
from shared.keys import Keyring


@pytest.fixture
def server_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def county_file(county_keys: Keyring, server_key: Ed25519PrivateKey) -> dict[str, Any]:
    return county_public(county_keys, server_key)


@pytest.fixture
def kiosk_dir(tmp_path: Path, manual_clock: ManualClock, county_file: dict[str, Any]) -> Path:
    data = tmp_path / "kiosk"
    init_kiosk(data, "S001", PASSPHRASE.encode(), manual_clock, county_file)
    return data


@pytest.fixture
def services(kiosk_dir: Path, manual_clock: ManualClock) -> Iterator[KioskServices]:
    with KioskServices.open(kiosk_dir, manual_clock) as svc:
        yield svc

"""Fixtures for shared/ tests (helpers live in envelope_kit.py).

* ``sealer`` — an ``envelope_kit.Sealer`` bound to ``county_keys``, ``device_key`` and
  ``manual_clock``.
* ``craft`` — ``envelope_kit.craft_envelope``: envelope bytes around any compressed plaintext.
"""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from envelope_kit import Craft, Sealer, craft_envelope

from shared.clock import ManualClock
from shared.keys import Keyring


@pytest.fixture
def sealer(county_keys: Keyring, device_key: Ed25519PrivateKey,
           manual_clock: ManualClock) -> Sealer:
    return Sealer(county_keys, device_key, manual_clock)


@pytest.fixture
def craft() -> Craft:
    return craft_envelope

"""init, device identity, the wrapped station key and enrollment."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from kiosk_kit import PASSPHRASE, complaint

from kiosk.errors import AlreadyInitialised, ConfigInvalid, NotInitialised, WrongPassphrase
from kiosk.root import KioskServices
from kiosk.services import init_kiosk
from kiosk.services.identity import unlock_station_key
from shared.clock import ManualClock
from shared.keys import device_id_of, ed25519_private_from_pem, kid_of


def test_init_makes_private_key_files_0600(kiosk_dir: Path) -> None:
    for name in ("device-key.pem", "station-key.json"):
        assert stat.S_IMODE((kiosk_dir / name).stat().st_mode) == 0o600
    assert stat.S_IMODE(kiosk_dir.stat().st_mode) == 0o700
    key = ed25519_private_from_pem((kiosk_dir / "device-key.pem").read_bytes(), None)
    with KioskServices.open(kiosk_dir) as svc:
        assert svc.device_id == device_id_of(key.public_key())


def test_station_key_is_wrapped_with_scrypt(kiosk_dir: Path) -> None:
    wrapped = json.loads((kiosk_dir / "station-key.json").read_text())
    assert wrapped["kdf"] == "scrypt"
    assert wrapped["n"] >= 2**15
    key = unlock_station_key(kiosk_dir, PASSPHRASE.encode())
    assert kid_of(key.public_key()) == wrapped["kid"]
    with pytest.raises(WrongPassphrase):
        unlock_station_key(kiosk_dir, b"not-the-passphrase")


def test_init_refuses_an_existing_kiosk(kiosk_dir: Path, manual_clock: ManualClock) -> None:
    with pytest.raises(AlreadyInitialised):
        init_kiosk(kiosk_dir, "S001", PASSPHRASE.encode(), manual_clock)


@pytest.mark.parametrize(("station", "passphrase", "error", "message"), [
    ("S 1", PASSPHRASE, ConfigInvalid, "station id"),
    ("S001", "short", WrongPassphrase, "at least"),
])
def test_init_checks_its_input(tmp_path: Path, manual_clock: ManualClock, station: str,
                               passphrase: str, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        init_kiosk(tmp_path / "k", station, passphrase.encode(), manual_clock)
    assert not (tmp_path / "k" / "kiosk.db").exists()


def test_open_without_init_says_so(tmp_path: Path) -> None:
    with pytest.raises(NotInitialised, match="init"):
        KioskServices.open(tmp_path / "nothing")


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda c: c.pop("county"), "'county'"),
    (lambda c: c.update(keys=[]), "'keys'"),
    (lambda c: c["keys"][0].update(kid="k0000000000000000"), r"keys\[0\]"),
    (lambda c: c.update(server_key="not-a-key"), "server_key"),
])
def test_enroll_with_names_what_is_wrong(services: KioskServices, county_file: dict[str, Any],
                                         mutate: Any, message: str) -> None:
    bad = json.loads(json.dumps(county_file))
    mutate(bad)
    with pytest.raises(ConfigInvalid, match=message):
        services.enroll_with(bad, "https://county.example")


def test_enroll_with_stores_keys_and_url(tmp_path: Path, manual_clock: ManualClock,
                                         county_file: dict[str, Any]) -> None:
    init_kiosk(tmp_path / "k", "S001", PASSPHRASE.encode(), manual_clock)
    with KioskServices.open(tmp_path / "k", manual_clock) as svc:
        svc.enroll_with(county_file, "https://county.example")
        assert svc.server_url() == "https://county.example"
        assert svc.submit_complaint(complaint(1))["receipt_code"]


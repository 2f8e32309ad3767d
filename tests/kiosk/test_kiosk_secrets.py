"""A kiosk's secrets against someone at its screen and someone who copied its folder: strong
staff passphrases only, salted slow PIN verifiers, and a per-receipt back-off for lookups."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from kiosk_kit import KIOSK, PASSPHRASE, Folder, complaint, write_json

from kiosk.errors import WeakPassphrase, WrongPassphrase
from kiosk.root import KioskServices
from kiosk.services import init_kiosk
from kiosk.services.status import WRONG_PIN_LIMIT, WRONG_PIN_WINDOW_S
from shared import receipt
from shared.clock import ManualClock
from shared.envelope import open_
from shared.intake import IntakePayload
from shared.keys import Keyring
from shared.receipt import new_code, pin_matches


@pytest.mark.parametrize("weak", [
    "一二",            # 6 bytes, 2 characters: the minimum counts characters
    "123456",          # what the issue found accepted
    "000000",
    "aaaaaa",
    "888888",          # found by a 17-word dictionary in 1 s
    "88888888",        # long enough, one repeated digit
    "24681357",        # two digit sequences
    "S001S001S001",    # the station id, repeated
])
def test_weak_staff_passphrases_are_refused(tmp_path: Path, manual_clock: ManualClock,
                                            weak: str) -> None:
    with pytest.raises(WeakPassphrase) as caught:
        init_kiosk(tmp_path / "k", "S001", weak.encode(), manual_clock)
    assert isinstance(caught.value, WrongPassphrase)  # what callers already catch
    assert "站点口令" in str(caught.value)
    assert "staff passphrase" in str(caught.value)
    assert not (tmp_path / "k" / "kiosk.db").exists()


def test_the_cli_refuses_a_weak_staff_passphrase_in_both_languages(
        tmp_path: Path, county_file: dict[str, Any]) -> None:
    write_json(tmp_path / "county.json", county_file)
    done = subprocess.run([*KIOSK, "--data", str(tmp_path / "k"), "init", "--station", "S001",
                           "--county-public", str(tmp_path / "county.json")],
                          capture_output=True, text=True, encoding="utf-8",
                          env={**os.environ, "YIZHAN_STAFF_PASSPHRASE": "12345678"})
    assert done.returncode == 3
    assert "口令" in done.stderr
    assert "too easy to guess" in done.stderr


def test_a_copied_kiosk_folder_holds_only_salted_slow_verifiers(
        services: KioskServices, kiosk_dir: Path, tmp_path: Path,
        county_keys: Keyring) -> None:
    """What the issue's attacker had: the folder. Each receipt's verifier is scrypt with its
    own salt (the parameters are the cost: 8 MiB and ~16 ms a guess, printed by
    bench/secrets_at_rest.py), in the receipts table and inside the sealed envelope alike."""
    receipts = [services.submit_complaint(complaint(i)) for i in range(3)]
    copy = tmp_path / "copied"
    shutil.copytree(kiosk_dir, copy)
    folder = Folder(copy)
    stored = dict(folder.rows("SELECT code, pin_verifier FROM receipts"))
    salts = set()
    for r in receipts:
        verifier = stored[r["receipt_code"]]
        assert verifier.startswith("s1.")
        assert r["pin"] not in verifier
        salts.add(verifier.split(".")[1])
        assert pin_matches(r["receipt_code"], r["pin"], verifier)
    assert len(salts) == 3
    assert (receipt.PIN_SCRYPT_N, receipt.PIN_SCRYPT_R) == (2**13, 8)
    for env in folder.envelopes():
        payload = IntakePayload.from_wire(open_(env, county_keys.private_keys))
        assert payload.pin_verifier.startswith("s1.")


def test_wrong_pins_at_the_screen_back_off_per_receipt(
        kiosk_dir: Path, manual_clock: ManualClock) -> None:
    with KioskServices.open(kiosk_dir, manual_clock) as services:
        r = services.submit_complaint(complaint(1))
        code, pin = r["receipt_code"], r["pin"]
        wrong = "000000" if pin != "000000" else "111111"
        for _ in range(WRONG_PIN_LIMIT):
            assert services.lookup_status(code, wrong) is None
        # Now even the right PIN gets the wrong-PIN answer: it is not compared at all.
        assert services.lookup_status(code, pin) is None
    # The count is in the store: restarting the kiosk does not reset it.
    with KioskServices.open(kiosk_dir, manual_clock) as services:
        assert services.lookup_status(code, pin) is None
        other = services.submit_complaint(complaint(2))  # other receipts are not held
        assert services.lookup_status(other["receipt_code"], other["pin"]) is not None
        manual_clock.advance(seconds=WRONG_PIN_WINDOW_S + 1)
        found = services.lookup_status(code, pin)
        assert found is not None
        assert found["status"] == "provisional"


def test_the_back_off_says_nothing_about_which_codes_exist(services: KioskServices) -> None:
    """An unknown code backs off after as many wrong PINs as a real one."""
    ghost = new_code()
    # The local cache (another station's code goes to the county: tests/sync/...status_page)
    answers = [services.status.lookup(ghost, "123456") for _ in range(WRONG_PIN_LIMIT + 1)]
    assert answers == [None] * (WRONG_PIN_LIMIT + 1)
    [(count,)] = services.store.db.execute(
        "SELECT count(*) FROM pin_failures WHERE receipt_code = ?", [ghost]).fetchall()
    assert count == WRONG_PIN_LIMIT  # counted like a real receipt; the 6th was not compared


def test_kiosk_cli_files_are_owner_only(tmp_path: Path, county_file: dict[str, Any]) -> None:
    write_json(tmp_path / "county.json", county_file)
    data = tmp_path / "k"
    env = {**os.environ, "YIZHAN_STAFF_PASSPHRASE": PASSPHRASE}
    subprocess.run([*KIOSK, "--data", str(data), "init", "--station", "S001",
                    "--county-public", str(tmp_path / "county.json")], check=True, env=env,
                   capture_output=True)
    subprocess.run([*KIOSK, "--data", str(data), "submit", "complaint", "--json", "-"],
                   input=json.dumps(complaint(1)), text=True, check=True,
                   env=env, capture_output=True)
    modes = {p.name: p.stat().st_mode & 0o777 for p in data.iterdir()}
    assert modes == dict.fromkeys(modes, 0o600)
    assert data.stat().st_mode & 0o777 == 0o700

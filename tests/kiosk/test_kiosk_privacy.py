"""Privacy at rest: no name, ID number or phone in any file of the data folder, WAL included,
in UTF-8, GB18030 or UTF-16; nor in what the CLI prints when it refuses a record."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from kiosk_kit import KIOSK, PASSPHRASE, complaint, jobseeker, person, write_json

from kiosk.root import KioskServices
from kiosk.services import init_kiosk
from shared.clock import ManualClock

ENCODINGS = ("utf-8", "gb18030", "utf-16-le", "utf-16-be")
PEOPLE = 100


def _needles(count: int) -> list[tuple[str, str, bytes]]:
    out = []
    for i in range(count):
        for value in person(i).values():
            out += [(value, enc, value.encode(enc)) for enc in ENCODINGS]
    return out


def _leaks(folder: Path, needles: list[tuple[str, str, bytes]]) -> list[str]:
    found = []
    for root, _, files in os.walk(folder):
        for name in files:
            data = (Path(root) / name).read_bytes()
            found += [f"{value!r} as {enc} in {name}" for value, enc, raw in needles
                      if raw in data]
    return found


def test_no_personal_data_in_any_file_wal_included(tmp_path: Path, manual_clock: ManualClock,
                                                   county_file: dict[str, Any]) -> None:
    data = tmp_path / "kiosk"
    init_kiosk(data, "S001", PASSPHRASE.encode(), manual_clock, county_file)
    needles = _needles(PEOPLE)
    with KioskServices.open(data, manual_clock) as svc:
        for i in range(PEOPLE):
            record = complaint(i) if i % 2 else jobseeker(i)
            receipt = (svc.submit_complaint if i % 2 else svc.submit_jobseeker)(record)
            p = person(i)
            svc.take_ticket(receipt["receipt_code"], {"name": p["name"], "phone": p["phone"]})
            manual_clock.advance(7)
        wal = data / "kiosk.db-wal"
        assert wal.exists()
        assert wal.stat().st_size > 0
        assert _leaks(data, needles) == []
    assert _leaks(data, needles) == []  # and after the checkpoint on close


def test_the_scan_finds_a_leak_when_there_is_one(tmp_path: Path) -> None:
    # The scanner itself works: a name written in GB18030 (or UTF-16) is found.
    name = person(3)["name"]
    (tmp_path / "leak.bin").write_bytes(b"\x00junk" + name.encode("gb18030") + b"junk")
    (tmp_path / "leak16.bin").write_bytes(person(4)["phone"].encode("utf-16-le"))
    found = _leaks(tmp_path, _needles(5))
    assert any("gb18030" in f and name in f for f in found)
    assert any("utf-16-le" in f for f in found)


def test_refused_records_are_not_echoed(tmp_path: Path, county_file: dict[str, Any]) -> None:
    data = tmp_path / "kiosk"
    subprocess.run([*KIOSK, "--data", str(data), "init", "--station", "S001", "--county-public",
                    str(write_json(tmp_path / "county.json", county_file))],
                   env={**os.environ, "YIZHAN_STAFF_PASSPHRASE": PASSPHRASE}, check=True,
                   capture_output=True)
    bad = complaint(5)
    bad["claimant"]["id_number"] = bad["claimant"]["id_number"][:-1] + "0"  # likely wrong
    bad["claimant"]["phone"] = "12" + person(5)["phone"][2:]  # not a mobile number
    out = subprocess.run([*KIOSK, "--data", str(data), "submit", "complaint", "--json", "-"],
                         input=json.dumps(bad, ensure_ascii=False), capture_output=True,
                         text=True, encoding="utf-8")
    assert out.returncode == 1
    assert "claimant.phone" in out.stderr
    for value in (*person(5).values(), bad["claimant"]["id_number"], bad["claimant"]["phone"]):
        assert value not in out.stderr
        assert value not in out.stdout
    assert _leaks(data, _needles(6)) == []

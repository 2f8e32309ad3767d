"""Nobody genuine is turned away (issue 11, item 6): real kiosk processes and a real county.

Names every Chinese ID card or residence permit can carry, phones in every usual spelling
and from beyond the mainland, and a kiosk whose clock reads 2000 (a flat battery): each is
filed at the kiosk, synced, and stored at the county exactly as normalised.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.errors import IntakeInvalid
from kiosk.root import KioskServices
from kiosk.sync.once import sync_once
from shared.clock import ManualClock
from tests.kiosk.kiosk_kit import _WEIGHTS, complaint, jobseeker
from tests.sync.conftest import kiosk_cli
from tests.sync_server.server_kit import ServerProcess, add_staff, server_cli

# (typed, stored) — each a name someone really carries.
NAMES = [
    ("〇", "〇"),                                    # a one-character given name, U+3007
    ("王〇〇", "王〇〇"),
    ("བཀྲ་ཤིས་དོན་གྲུབ", "བཀྲ་ཤིས་དོན་གྲུབ"),            # Tibetan, syllables joined by tsheg
    ("阿卜杜拉．买买提", "阿卜杜拉·买买提"),            # full-width full stop as the middle dot
    ("阿卜杜拉・买买提", "阿卜杜拉·买买提"),            # katakana middle dot
    ("O’Brien", "O’Brien"),                           # curly apostrophe
    ("ᠪᠠᠭᠠᠲᠤᠷ\u180eᠠ", "ᠪᠠᠭᠠᠲᠤᠷ\u180eᠠ"),                # Mongolian with the vowel separator
    ("\U00031350\U00031351", "\U00031350\U00031351"),  # CJK Extension H (Unicode 15)
    ("张\U0002ebf0", "张\U0002ebf0"),                  # CJK Extension I (Unicode 15.1)
]

# (typed, stored in E.164)
PHONES = [
    ("+86 10 12345678", "+861012345678"),
    ("86 13800138000", "+8613800138000"),
    ("010-12345678 转 8021", "+861012345678;ext=8021"),
    ("+852 9123 4567", "+85291234567"),
    ("+853 6612 3456", "+85366123456"),
    ("+886 912 345 678", "+886912345678"),
    ("+44 20 7946 0958", "+442079460958"),
]


def _export(county: Path) -> dict[str, dict]:
    out = server_cli("export", "--format", "jsonl", "--data", str(county)).stdout
    return {c["receipt_code"]: c for c in map(json.loads, out.splitlines())}


def _id_number(birth: str, serial: int) -> str:
    body = f"420303{birth}{serial:03d}"
    total = sum(int(c) * w for c, w in zip(body, _WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def test_every_name_and_phone_is_filed_and_reaches_the_county_unchanged(
        make_kiosk: Callable[[str], Path], county: Path, server: ServerProcess) -> None:
    data = make_kiosk("G001")
    records = []
    for i, (name, _) in enumerate(NAMES):
        rec = complaint(i)
        rec["claimant"]["name"] = name
        records.append(("complaint", rec))
    for i, (phone, _) in enumerate(PHONES):
        rec = jobseeker(50 + i)
        rec["phone"] = phone
        records.append(("jobseeker", rec))
    receipts = []
    for kind in ("complaint", "jobseeker"):  # one submit per kind: a receipt line per record
        batch = [rec for k, rec in records if k == kind]
        out = kiosk_cli(data, "submit", kind, "--json", "-", input_text=json.dumps(batch))
        receipts += [json.loads(line) for line in out.stdout.splitlines()]
    assert len(receipts) == len(records)
    summary = json.loads(kiosk_cli(data, "sync", "--json").stdout)
    assert (summary["acknowledged"], summary["quarantined"]) == (len(records), 0)
    cases = _export(county)
    stored = [cases[r["receipt_code"]]["record"] for r in receipts]
    assert [s["claimant"]["name"] for s in stored[:len(NAMES)]] == [n for _, n in NAMES]
    assert [s["phone"] for s in stored[len(NAMES):]] == [p for _, p in PHONES]


def test_a_kiosk_whose_clock_reads_2000_files_a_worker_born_in_2003(
        make_kiosk: Callable[[str], Path], county: Path, server: ServerProcess) -> None:
    data = make_kiosk("G002")
    rec = complaint(1)
    rec["claimant"]["id_number"] = _id_number("20030415", 12)
    rec["period"] = {"start": "2025-03-01", "end": "2025-09-30"}
    flat_battery = ManualClock(datetime(2000, 1, 1, 8, 0, tzinfo=UTC))
    with KioskServices.open(data, flat_battery) as services:
        receipt = services.submit_complaint(rec)
        # a birth date after even this release's date is still refused
        late = complaint(2)
        late["claimant"]["id_number"] = _id_number("20310101", 13)
        with pytest.raises(IntakeInvalid, match=r"claimant\.id_number"):
            services.submit_complaint(late)
        assert sync_once(services).acknowledged == 1
    case = _export(county)[receipt["receipt_code"]]
    assert case["record"]["claimant"]["id_number"] == rec["claimant"]["id_number"]
    assert case["record"]["period"] == rec["period"]


PLACEHOLDERS = ["××", "？？", "——", "...", "不知道"]


def test_a_worker_who_cannot_name_the_employer_still_has_a_case(
        make_kiosk: Callable[[str], Path], county: Path, server: ServerProcess) -> None:
    """Each placeholder is a case of its own, filed by one kiosk in one submit and sync."""
    data = make_kiosk("G003")
    records = []
    for i, placeholder in enumerate(PLACEHOLDERS):
        rec = complaint(5 + i)  # five different workers
        rec["employer"] = {"name": placeholder}
        records.append(rec)
    out = kiosk_cli(data, "submit", "complaint", "--json", "-", input_text=json.dumps(records))
    receipts = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(receipts) == len(PLACEHOLDERS)
    summary = json.loads(kiosk_cli(data, "sync", "--json").stdout)
    assert (summary["acknowledged"], summary["quarantined"]) == (len(PLACEHOLDERS), 0)
    cases = _export(county)
    staff = add_staff(county)
    for placeholder, receipt in zip(PLACEHOLDERS, receipts, strict=True):
        code, pin = receipt["receipt_code"], receipt["pin"]
        status = json.loads(kiosk_cli(data, "status", code, "--pin", pin, "--json").stdout)
        assert status["status"] == "received", placeholder  # not "provisional" for ever
        expect_unknown = placeholder != "不知道"  # 不知道 is a (strange) name, kept as one
        assert ("employer_unknown" in cases[code]["flags"]) is expect_unknown, placeholder
        # staff complete the employer: the flag goes, the value is kept as a contact field
        done = server_cli("case", "employer", code, "--name", "随州某某建筑劳务有限公司",
                          "--data", str(county), *staff, "--json")
        assert "employer_unknown" not in json.loads(done.stdout)["flags"], placeholder
    after = _export(county)
    for placeholder, receipt in zip(PLACEHOLDERS, receipts, strict=True):
        case = after[receipt["receipt_code"]]
        assert case["record"]["employer"]["name"] == placeholder  # the filing stays as filed
        assert "employer_unknown" not in case["flags"]

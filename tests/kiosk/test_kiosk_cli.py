"""The ``yizhan-kiosk`` command line, run as real subprocesses, and its documentation."""

from __future__ import annotations

import io
import json
import os
import subprocess
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from kiosk_kit import KIOSK, PASSPHRASE, complaint, jobseeker, person, write_json
from PIL import Image

from kiosk.cli import build_parser

DOCS = Path(__file__).parents[2] / "docs" / "kiosk.md"
HELP_COMMANDS = [[], ["init"], ["submit"], ["status"], ["outbox"], ["queue"],
                 ["queue", "take"], ["queue", "list"], ["queue", "call"],
                 ["queue", "served"], ["queue", "no-show"], ["checklist"], ["enroll"],
                 ["sync"], ["export-bundle"], ["import-ack"], ["run"]]


def kiosk(data: Path, *args: str, stdin: str | None = None,
          env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*KIOSK, "--data", str(data), *args], input=stdin,
                          capture_output=True, text=True, encoding="utf-8",
                          env={**os.environ, **(env or {})})


@pytest.fixture
def cli_kiosk(tmp_path: Path, county_file: dict[str, Any]) -> Path:
    data = tmp_path / "kiosk"
    out = kiosk(data, "init", "--station", "S009", "--json", "--county-public",
                str(write_json(tmp_path / "county.json", county_file)),
                env={"YIZHAN_STAFF_PASSPHRASE": PASSPHRASE})
    assert out.returncode == 0, out.stderr
    made = json.loads(out.stdout)
    assert made["station"] == "S009"
    assert made["enrolled"] is True
    assert made["device_id"].startswith("d")
    return data


def test_init_twice_and_without_passphrase(cli_kiosk: Path, tmp_path: Path) -> None:
    again = kiosk(cli_kiosk, "init", "--station", "S009",
                  env={"YIZHAN_STAFF_PASSPHRASE": PASSPHRASE})
    assert again.returncode == 3
    assert "already holds a kiosk" in again.stderr
    env = {k: v for k, v in os.environ.items() if k != "YIZHAN_STAFF_PASSPHRASE"}
    none = subprocess.run([*KIOSK, "--data", str(tmp_path / "k2"), "init", "--station", "S1"],
                          capture_output=True, text=True, env=env)
    assert none.returncode == 2
    assert "YIZHAN_STAFF_PASSPHRASE" in none.stderr
    assert not (tmp_path / "k2").exists()


def test_unenrolled_kiosk_refuses_intake(tmp_path: Path) -> None:
    data = tmp_path / "k"
    assert kiosk(data, "init", "--station", "S1",
                 env={"YIZHAN_STAFF_PASSPHRASE": PASSPHRASE}).returncode == 0
    out = kiosk(data, "submit", "complaint", "--json", "-", stdin=json.dumps(complaint(1)))
    assert out.returncode == 3
    assert "county keys are not known" in out.stderr


def test_submit_one_with_qr_then_status(cli_kiosk: Path, tmp_path: Path) -> None:
    png = tmp_path / "receipt.png"
    out = kiosk(cli_kiosk, "submit", "jobseeker", "--json", "-", "--qr-png", str(png),
                stdin=json.dumps(jobseeker(1), ensure_ascii=False))
    assert out.returncode == 0, out.stderr
    receipt = json.loads(out.stdout)
    [decoded] = zxingcpp.read_barcodes(Image.open(png), formats=zxingcpp.BarcodeFormat.QRCode)
    assert decoded.text == receipt["qr_payload"]

    status = kiosk(cli_kiosk, "status", receipt["receipt_code"], "--pin", receipt["pin"],
                   "--json")
    assert status.returncode == 0
    assert json.loads(status.stdout)["status"] == "provisional"
    # a job-seeker registration's status also lists its job matches (issue 16): none held
    assert set(json.loads(status.stdout)) == {"receipt_code", "status", "as_of", "next_step",
                                              "matches"}
    assert json.loads(status.stdout)["matches"] == []
    wrong = kiosk(cli_kiosk, "status", receipt["receipt_code"], "--pin", "999999" if
                  receipt["pin"] != "999999" else "111111")
    assert wrong.returncode == 1
    assert wrong.stdout == ""
    # A code this kiosk did not file is another station's to answer: offline (this kiosk
    # has no server), it says so instead of "wrong code or PIN" (issue 15).
    unknown = kiosk(cli_kiosk, "status", "0000-0000-000", "--pin", receipt["pin"], "--json")
    assert unknown.returncode == 4
    assert json.loads(unknown.stdout)["code"] == "other_station_offline"
    assert "其他站点" in unknown.stderr
    assert "other stations" in unknown.stderr


def test_submit_many_prints_in_input_order_and_names_bad_fields(cli_kiosk: Path,
                                                                tmp_path: Path) -> None:
    bad = complaint(2)
    bad["claimant"]["phone"] = "123"
    bad["employer"]["name"] = ""
    src = write_json(tmp_path / "forms.json", [complaint(1), bad, complaint(3)])
    out = kiosk(cli_kiosk, "submit", "complaint", "--json", str(src), "--batch", "2")
    assert out.returncode == 1
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    assert "receipt_code" in lines[0]
    assert "receipt_code" in lines[2]
    assert lines[1]["index"] == 1
    assert {e["field"] for e in lines[1]["errors"]} == {"claimant.phone", "employer.name"}
    assert "record 1: claimant.phone" in out.stderr
    assert "record 1: employer.name" in out.stderr
    counts = json.loads(kiosk(cli_kiosk, "outbox", "--json").stdout)
    assert counts["pending"] == 2
    assert counts["acknowledged"] == 0


def test_queue_commands(cli_kiosk: Path, tmp_path: Path) -> None:
    details = write_json(tmp_path / "who.json", {"name": person(1)["name"]})
    take = json.loads(kiosk(cli_kiosk, "queue", "take", "--json", "--details-json",
                            str(details)).stdout)
    assert take["number"] == "A001"
    assert take["ahead"] == 0
    assert json.loads(kiosk(cli_kiosk, "queue", "take", "--json").stdout)["ahead"] == 1
    assert json.loads(kiosk(cli_kiosk, "queue", "call", "--json").stdout)["number"] == "A001"
    assert kiosk(cli_kiosk, "queue", "served", "A001").returncode == 0
    assert kiosk(cli_kiosk, "queue", "no-show", "A002").returncode == 0
    again = kiosk(cli_kiosk, "queue", "served", "A001")
    assert again.returncode == 3
    assert "A001 is served" in again.stderr
    plain = json.loads(kiosk(cli_kiosk, "queue", "list", "--json").stdout)
    assert [(e["number"], e["state"]) for e in plain] == [("A001", "served"),
                                                          ("A002", "no_show")]
    assert "details" not in plain[0]
    secret = tmp_path / "pass"
    secret.write_text(PASSPHRASE + "\n")
    full = json.loads(kiosk(cli_kiosk, "queue", "list", "--details", "--json",
                            "--passphrase-file", str(secret)).stdout)
    assert full[0]["details"] == {"name": person(1)["name"]}
    secret.write_text("wrong-passphrase")
    denied = kiosk(cli_kiosk, "queue", "list", "--details", "--passphrase-file", str(secret))
    assert denied.returncode == 3
    assert "passphrase" in denied.stderr


def test_checklist_command(cli_kiosk: Path) -> None:
    out = kiosk(cli_kiosk, "checklist", "work_injury", "--lang", "en")
    assert out.returncode == 0
    assert "art. 17" in out.stdout
    sheet = json.loads(kiosk(cli_kiosk, "checklist", "wage_arrears", "--json").stdout)
    assert sheet["documents"][0].startswith("本人居民身份证")


@pytest.mark.parametrize("command", HELP_COMMANDS, ids=lambda c: " ".join(c) or "main")
def test_every_command_has_help_and_docs_show_it(command: list[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    buf = io.StringIO()
    with redirect_stdout(buf), pytest.raises(SystemExit) as done:
        build_parser().parse_args([*command, "--help"])
    assert done.value.code == 0
    text = buf.getvalue().strip()
    assert text in DOCS.read_text("utf-8"), (
        "docs/kiosk.md is out of date: run 'python scripts/cli_docs.py kiosk'")

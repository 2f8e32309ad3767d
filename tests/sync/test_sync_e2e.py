"""End to end through real processes: `yizhan-server serve` and `yizhan-kiosk` commands.

init -> enroll with a one-time token -> submit -> sync -> the county's export holds exactly
the submitted records -> a staff status change reaches `yizhan-kiosk status` after the next
sync; and the summary counts what happened.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from shared.records import parse_record
from tests.kiosk.kiosk_kit import complaint, jobseeker
from tests.sync.conftest import kiosk_cli
from tests.sync_server.server_kit import ServerProcess, add_staff, server_cli


def submit(data: Path, kind: str, records: list[dict]) -> list[dict]:
    out = kiosk_cli(data, "submit", kind, "--json", "-", input_text=json.dumps(records))
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_enroll_submit_sync_export_and_status_round_trip(
        make_kiosk: Callable[[str], Path], county: Path, server: ServerProcess) -> None:
    kiosk = make_kiosk("S001", cli=True)  # the real commands, as an installer runs them
    complaints = [complaint(i) for i in range(3)]
    receipts = submit(kiosk, "complaint", complaints)
    receipts += submit(kiosk, "jobseeker", [jobseeker(7)])
    code, pin = receipts[0]["receipt_code"], receipts[0]["pin"]
    before = json.loads(kiosk_cli(kiosk, "status", code, "--pin", pin, "--json").stdout)
    assert before["status"] == "provisional"

    summary = json.loads(kiosk_cli(kiosk, "sync", "--json").stdout)
    assert (summary["pushed"], summary["accepted"], summary["acknowledged"]) == (4, 4, 4)
    assert summary["quarantined"] == summary["conflicts"] == 0
    counts = json.loads(kiosk_cli(kiosk, "outbox", "--json").stdout)
    assert counts["acknowledged"] == 4
    assert counts["pending"] == counts["sent"] == 0

    exported = [json.loads(line) for line in
                server_cli("export", "--format", "jsonl", "--data", str(county)).stdout
                .splitlines()]
    by_code = {c["receipt_code"]: c for c in exported}
    expected = [("complaint", r) for r in complaints] + [("jobseeker", jobseeker(7))]
    for receipt, (kind, record) in zip(receipts, expected, strict=True):
        case = by_code[receipt["receipt_code"]]
        assert case["kind"] == kind
        assert case["station"] == "S001"
        assert case["record"] == parse_record(kind, record).to_wire()

    after_sync = json.loads(kiosk_cli(kiosk, "status", code, "--pin", pin, "--json").stdout)
    assert after_sync["status"] == "received"

    server_cli("case", "status", code, "in_mediation", "--data", str(county),
               *add_staff(county))
    again = json.loads(kiosk_cli(kiosk, "sync", "--json").stdout)
    assert again["pushed"] == 0
    assert again["pulled"] >= 1
    final = json.loads(kiosk_cli(kiosk, "status", code, "--pin", pin, "--json").stdout)
    assert final["status"] == "in_mediation"
    assert final["as_of"] >= after_sync["as_of"]
    wrong = kiosk_cli(kiosk, "status", code, "--pin", "000000", check=False)
    assert wrong.returncode == 1


def test_sync_without_a_server_keeps_everything_and_says_so(
        make_kiosk: Callable[[str], Path], server: ServerProcess) -> None:
    kiosk = make_kiosk("S002")
    submit(kiosk, "complaint", [complaint(1)])
    server.stop()
    failed = kiosk_cli(kiosk, "sync", "--retries", "1", "--backoff-base", "0.01", check=False)
    assert failed.returncode == 4
    assert "nothing was lost" in failed.stderr
    counts = json.loads(kiosk_cli(kiosk, "outbox", "--json").stdout)
    assert counts["pending"] + counts["sent"] == 1


def test_a_bad_enrollment_token_is_refused_clearly(tmp_path: Path, server: ServerProcess) -> None:
    data = tmp_path / "k"
    kiosk_cli(data, "init", "--station", "S001")
    bad = kiosk_cli(data, "enroll", "--server", server.url, "--token", "not-a-token",
                    check=False)
    assert bad.returncode == 3
    assert "token" in bad.stderr
    refused = kiosk_cli(data, "submit", "complaint", "--json", "-",
                        input_text=json.dumps(complaint(1)), check=False)
    assert refused.returncode == 3  # still not enrolled: intake refused, nothing sealed

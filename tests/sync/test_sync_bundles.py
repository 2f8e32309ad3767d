"""USB bundles through real processes: yizhan-kiosk export-bundle -> yizhan-server
import-bundle -> yizhan-kiosk import-ack, for a station whose link is down.

The county server runs here only so the kiosk can enroll once; the bundle path itself uses
no network.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path

from shared.bundle import read_ack_bundle, write_ack_bundle
from tests.kiosk.kiosk_kit import complaint
from tests.sync.conftest import kiosk_cli
from tests.sync_server.server_kit import ServerProcess, add_staff, server_cli


def submit(data: Path, records: list[dict]) -> list[dict]:
    out = kiosk_cli(data, "submit", "complaint", "--json", "-", input_text=json.dumps(records))
    return [json.loads(line) for line in out.stdout.splitlines()]


def outbox(data: Path) -> dict:
    return json.loads(kiosk_cli(data, "outbox", "--json").stdout)


def exported(county: Path) -> list[str]:
    out = server_cli("export", "--format", "jsonl", "--data", str(county)).stdout
    return [json.loads(line)["receipt_code"] for line in out.splitlines()]


def test_bundle_round_trip_double_import_and_status_back(
        make_kiosk: Callable[[str], Path], county: Path, server: ServerProcess,
        tmp_path: Path) -> None:
    kiosk = make_kiosk("S101")
    server.stop()  # the link is down from here on
    receipts = submit(kiosk, [complaint(i) for i in range(5)])
    bundle = tmp_path / "usb" / "s101.yzb"
    bundle.parent.mkdir()
    made = json.loads(kiosk_cli(kiosk, "export-bundle", str(bundle), "--json").stdout)
    assert (made["records"], made["first_seq"], made["last_seq"]) == (5, 1, 5)

    first = json.loads(server_cli("import-bundle", str(bundle), "--data", str(county),
                                  "--json").stdout)
    assert first["accepted"] == 5
    again = json.loads(server_cli("import-bundle", str(bundle), "--data", str(county),
                                  "--json").stdout)
    assert again["accepted"] == 0
    assert again["duplicates"] == 5
    assert sorted(exported(county)) == sorted(r["receipt_code"] for r in receipts)

    code, pin = receipts[0]["receipt_code"], receipts[0]["pin"]
    server_cli("case", "status", code, "in_mediation", "--data", str(county),
               *add_staff(county))
    server_cli("import-bundle", str(bundle), "--data", str(county),
               "--ack-out", str(tmp_path / "usb" / "s101.ack"))
    applied = json.loads(kiosk_cli(kiosk, "import-ack", str(tmp_path / "usb" / "s101.ack"),
                                   "--json").stdout)
    assert applied["acknowledged"] == 5
    counts = outbox(kiosk)
    assert (counts["acknowledged"], counts["pending"], counts["sent"]) == (5, 0, 0)
    status = json.loads(kiosk_cli(kiosk, "status", code, "--pin", pin, "--json").stdout)
    assert status["status"] == "in_mediation"

    # Nothing left to carry: the next bundle is empty, and re-applying the ack is harmless.
    empty = json.loads(kiosk_cli(kiosk, "export-bundle", str(tmp_path / "e.yzb"),
                                 "--json").stdout)
    assert empty["records"] == 0
    kiosk_cli(kiosk, "import-ack", str(tmp_path / "usb" / "s101.ack"))
    assert outbox(kiosk)["acknowledged"] == 5


def test_a_forged_ack_bundle_changes_nothing(
        make_kiosk: Callable[[str], Path], county: Path, server: ServerProcess,
        tmp_path: Path) -> None:
    kiosk = make_kiosk("S102")
    submit(kiosk, [complaint(i) for i in range(3)])
    bundle, ack = tmp_path / "b.yzb", tmp_path / "b.ack"
    kiosk_cli(kiosk, "export-bundle", str(bundle))
    server_cli("import-bundle", str(bundle), "--data", str(county), "--ack-out", str(ack))

    ack_wire, changes = read_ack_bundle(ack.read_bytes())
    ack_wire["body"]["stored"] = ack_wire["body"]["stored"][:1] * 3  # claims altered
    forged = tmp_path / "forged.ack"
    forged.write_bytes(write_ack_bundle(ack_wire, changes))
    refused = kiosk_cli(kiosk, "import-ack", str(forged), check=False)
    assert refused.returncode == 3
    assert outbox(kiosk)["acknowledged"] == 0

    damaged = tmp_path / "damaged.ack"
    damaged.write_bytes(gzip.compress(b"not json"))
    assert kiosk_cli(kiosk, "import-ack", str(damaged), check=False).returncode == 3
    missing = kiosk_cli(kiosk, "import-ack", str(tmp_path / "nope.ack"), check=False)
    assert missing.returncode == 3
    assert "nope.ack" in missing.stderr
    assert outbox(kiosk)["acknowledged"] == 0

    kiosk_cli(kiosk, "import-ack", str(ack))  # the genuine one still works
    assert outbox(kiosk)["acknowledged"] == 3


def test_bundle_and_network_sync_overlapping_store_each_record_once(
        make_kiosk: Callable[[str], Path], county: Path, server: ServerProcess,
        tmp_path: Path) -> None:
    kiosk = make_kiosk("S103")
    receipts = submit(kiosk, [complaint(i) for i in range(4)])
    bundle = tmp_path / "overlap.yzb"
    kiosk_cli(kiosk, "export-bundle", str(bundle))  # carries 1..4
    receipts += submit(kiosk, [complaint(10 + i) for i in range(2)])
    summary = json.loads(kiosk_cli(kiosk, "sync", "--json").stdout)  # pushes 1..6
    assert summary["acknowledged"] == 6
    imported = json.loads(server_cli("import-bundle", str(bundle), "--data", str(county),
                                     "--json").stdout)
    assert imported["duplicates"] == 4
    codes = exported(county)
    assert sorted(codes) == sorted(r["receipt_code"] for r in receipts)
    assert len(codes) == len(set(codes))

"""Protocol v2's deferred merge through real processes (issue 17).

A v2 push is answered once stored and verified; the serve process merges after the pushes go
quiet (``--merge-after``). Here the merge is held off for an hour, the server is SIGKILLed
with every record verified and none filed, and a restarted server files each exactly once.
The filing kiosk reads its receipts as received from the acknowledgement and is not sent
those statuses again; a second kiosk of the same station is.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.kiosk.kiosk_kit import complaint
from tests.sync.conftest import kiosk_cli, new_token
from tests.sync.test_sync_e2e import submit
from tests.sync.test_sync_v2 import exported_codes
from tests.sync_server.server_kit import ServerProcess

RECORDS = 6


def test_a_killed_server_files_every_acknowledged_v2_record_once_after_restart(
        tmp_path: Path, county: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YIZHAN_PROTOCOL", "2")
    filer, sibling = tmp_path / "filer", tmp_path / "sibling"
    with ServerProcess(county, args=("--merge-after", "3600")) as server:
        for data in (filer, sibling):
            kiosk_cli(data, "init", "--station", "S001")
            kiosk_cli(data, "enroll", "--server", server.url,
                      f"--token={new_token(county, 'S001')}")
            kiosk_cli(data, "sync", "--json")  # the county's answers say it takes v2
        receipts = submit(filer, "complaint", [complaint(i) for i in range(RECORDS)])
        summary = json.loads(kiosk_cli(filer, "sync", "--json").stdout)
        assert (summary["pushed"], summary["acknowledged"]) == (RECORDS, RECORDS)
        assert server.verified_waiting() == RECORDS  # answered before any was filed
        assert exported_codes(county) == set()
        server.kill()
    code, pin = receipts[0]["receipt_code"], receipts[0]["pin"]
    status = json.loads(kiosk_cli(filer, "status", code, "--pin", pin, "--json").stdout)
    assert status["status"] == "received"  # from the acknowledgement, with the county down

    with ServerProcess(county) as server:  # start-up merges what the dead process left
        server.wait_merged()
        assert exported_codes(county) == {r["receipt_code"] for r in receipts}
        again = json.loads(kiosk_cli(filer, "sync", "--server", server.url, "--json").stdout)
        assert again["pulled"] == 0  # its acknowledgement already said "received"
        other = json.loads(kiosk_cli(sibling, "sync", "--server", server.url,
                                     "--json").stdout)
        assert other["pulled"] >= RECORDS  # the station's other kiosk learns of them
    counts = json.loads(kiosk_cli(filer, "outbox", "--json").stdout)
    assert (counts["acknowledged"], counts["quarantined"]) == (RECORDS, 0)


def test_the_sync_summary_counts_only_what_the_county_told(
        make_kiosk: Callable[..., Path], server: ServerProcess,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """With the merge running, a v2 sync's pull is not a record-by-record echo of its push."""
    monkeypatch.setenv("YIZHAN_PROTOCOL", "2")
    data = make_kiosk("S002")
    kiosk_cli(data, "sync", "--json")
    submit(data, "complaint", [complaint(100 + i) for i in range(RECORDS)])
    kiosk_cli(data, "sync", "--json")
    server.wait_merged()
    summary = json.loads(kiosk_cli(data, "sync", "--json").stdout)
    assert summary["pulled"] == 0

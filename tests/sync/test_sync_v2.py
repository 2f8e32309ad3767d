"""Protocol v2 through real processes: a v2 kiosk and a v1 kiosk on one v2 server.

The v2 switch is this kiosk's environment (``YIZHAN_PROTOCOL=2``) and the county's
``X-Yizhan-Protocols`` answer header; a kiosk without the switch keeps sealing and pushing v1
(the mixed fleet). Also: what a v2 kiosk's disk holds opens none of its records.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.root import KioskServices
from shared import envelope2 as e2
from shared._errors import EnvelopeError
from tests.kiosk.kiosk_kit import complaint, jobseeker
from tests.sync.conftest import kiosk_cli
from tests.sync.test_sync_e2e import submit
from tests.sync_server.server_kit import ServerProcess, server_cli


@pytest.fixture
def v2_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YIZHAN_PROTOCOL", "2")


def envelopes(kiosk: Path) -> list[bytes]:
    with sqlite3.connect(kiosk / "kiosk.db") as db:
        return [bytes(r[0]) for r in db.execute("SELECT envelope FROM outbox ORDER BY seq")]


def exported_codes(county: Path) -> set[str]:
    out = server_cli("export", "--format", "jsonl", "--data", str(county)).stdout
    return {json.loads(line)["receipt_code"] for line in out.splitlines()}


def test_a_v2_kiosk_and_a_v1_kiosk_sync_with_one_server(
        make_kiosk: Callable[..., Path], county: Path, server: ServerProcess,
        monkeypatch: pytest.MonkeyPatch) -> None:
    old = make_kiosk("S001", "old")  # no switch: v1, as every kiosk in the field today
    new = make_kiosk("S002", "new")
    first = submit(new, "complaint", [complaint(0)])  # before the switch is on: v1
    monkeypatch.setenv("YIZHAN_PROTOCOL", "2")
    kiosk_cli(new, "sync", "--json")  # the county's answers say it takes v2 (enrollment too)
    receipts = first + submit(new, "complaint", [complaint(i) for i in range(1, 6)])
    receipts += submit(new, "jobseeker", [jobseeker(9)])
    monkeypatch.delenv("YIZHAN_PROTOCOL")
    old_receipts = submit(old, "complaint", [complaint(i) for i in range(10, 14)])
    monkeypatch.setenv("YIZHAN_PROTOCOL", "2")

    summary = json.loads(kiosk_cli(new, "sync", "--json").stdout)
    monkeypatch.delenv("YIZHAN_PROTOCOL")
    old_summary = json.loads(kiosk_cli(old, "sync", "--json").stdout)

    kinds = [raw[:4] for raw in envelopes(new)]
    assert kinds == [b"YZE1"] + [e2.RECORD_MAGIC] * 6  # the chain crosses from v1 to v2
    assert {raw[:4] for raw in envelopes(old)} == {b"YZE1"}
    assert (summary["pushed"], summary["acknowledged"]) == (6, 6)
    assert (old_summary["pushed"], old_summary["acknowledged"]) == (4, 4)
    for kiosk in (new, old):
        counts = json.loads(kiosk_cli(kiosk, "outbox", "--json").stdout)
        assert counts["pending"] == counts["sent"] == 0
    server.wait_merged()  # v2 answers once stored and verified; the merge follows
    assert exported_codes(county) == {r["receipt_code"] for r in receipts + old_receipts}
    # the county's "received" status reaches the v2 kiosk too
    code, pin = receipts[3]["receipt_code"], receipts[3]["pin"]
    status = json.loads(kiosk_cli(new, "status", code, "--pin", pin, "--json").stdout)
    assert status["status"] == "received"


def test_a_v2_kiosks_disk_opens_none_of_its_records(
        make_kiosk: Callable[..., Path], server: ServerProcess, v2_switch: None) -> None:
    """The chain key that sealed each record, read from the sealer just before (and the
    record key made from it, which does open that record), is looked for in every byte of
    the kiosk's data folder (database, WAL, everything): none is there. And a later chain
    key opens no earlier record."""
    kiosk = make_kiosk("S003")
    kiosk_cli(kiosk, "sync", "--json")  # the county says it takes v2
    used: list[tuple[int, bytes]] = []  # (record index, the chain key that sealed it)
    with KioskServices.open(kiosk) as services:
        services.submit_complaint(complaint(0))
        for i in range(1, 6):
            sealer = services.intake._sealing._sealer  # the test looks inside
            assert sealer is not None
            ck = sealer.chain_state()
            assert ck is not None
            used.append((i, ck))
            services.submit_complaint(complaint(i))
    records = [e2.Record.from_bytes(raw) for raw in envelopes(kiosk)]
    assert len(records) == 6
    disk = b"".join(p.read_bytes() for p in kiosk.rglob("*") if p.is_file())
    for i, ck in used:
        key = e2.step(ck)[0]
        assert e2.open_with_key(records[i], key)["record"]["claimant"]  # the right keys ...
        assert ck not in disk  # ... and neither the chain key nor the record key is stored
        assert key not in disk
    last = used[-1][1]
    for rec in records[:-1]:  # a chain key held later opens no record sealed before it
        with pytest.raises(EnvelopeError):
            e2.open_with_key(rec, e2.step(last)[0])


def test_a_v2_kiosks_usb_bundle_is_imported_and_acknowledged(
        make_kiosk: Callable[..., Path], county: Path, server: ServerProcess,
        v2_switch: None, tmp_path: Path) -> None:
    """A v2 kiosk whose link is gone carries its records on a USB stick: each v2 record
    travels with its epoch message, so the county opens and files them (a bare v2 record
    would be quarantined as malformed), and the ack bundle frees the outbox."""
    kiosk = make_kiosk("S004")
    kiosk_cli(kiosk, "sync", "--json")  # the county says it takes v2
    receipts = submit(kiosk, "complaint", [complaint(20 + i) for i in range(3)])
    assert {raw[:4] for raw in envelopes(kiosk)} == {e2.RECORD_MAGIC}
    server.stop()  # the link is down from here on
    bundle, ack = tmp_path / "s004.yzb", tmp_path / "s004.ack"
    kiosk_cli(kiosk, "export-bundle", str(bundle))
    done = json.loads(server_cli("import-bundle", str(bundle), "--data", str(county),
                                 "--ack-out", str(ack), "--json").stdout)
    assert (done["accepted"], done["quarantined"]) == (3, 0)
    assert exported_codes(county) == {r["receipt_code"] for r in receipts}
    applied = json.loads(kiosk_cli(kiosk, "import-ack", str(ack), "--json").stdout)
    assert applied["acknowledged"] == 3

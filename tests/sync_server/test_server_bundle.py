"""``yizhan-server import-bundle``: USB record bundles from offline stations, through the real
command line, on SQLite and PostgreSQL.

Round trip (records become cases; the ack bundle's signed ack names every record and its
changes carry each receipt's current status), double import stores nothing twice, tampered
bundles (an envelope byte, the signature, the gzip stream) are refused with nothing stored,
unknown devices are refused and a revoked device's records are stored for review (issue 11
part 2), a bundle and an HTTP push carrying overlapping
records store each record once, and the progress bar only redraws on a terminal.
"""

from __future__ import annotations

import gzip
import json
import os
import pty
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.ack import verify_ack
from shared.bundle import read_ack_bundle
from shared.canonical import canonical_bytes, loads_canonical
from shared.clock import ManualClock
from shared.keys import b64u, ed25519_public_from_b64, unb64u
from shared.records import parse_record
from sync_server.config.settings import Settings
from sync_server.services.staff import StaffDesk
from sync_server.store import cases as cq
from sync_server.store import inbox as iq
from sync_server.store import make_engine
from tests.sync_server.server_kit import TestKiosk, complaint, jobseeker, server_cli


def _import(settings: Settings, path: Path, *extra: str,
            check: bool = True) -> subprocess.CompletedProcess[str]:
    return server_cli("import-bundle", str(path), "--data", str(settings.data_dir), "--db",
                      settings.database_url, *extra, check=check)


def _stored(settings: Settings) -> dict[str, int]:
    """Inbox rows by state, rejected envelopes and cases: everything an import could add."""
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            return {**iq.counts(conn), "cases": cq.count(conn)}
    finally:
        engine.dispose()


def _ack(kiosk: TestKiosk, path: Path) -> tuple[set[tuple[str, str]], list[dict[str, Any]]]:
    wire, changes = read_ack_bundle(path.read_bytes())
    key = ed25519_public_from_b64(kiosk.county["server_key"])
    return set(verify_ack(wire, key, kiosk.device_id).stored), changes


def _statuses(changes: list[dict[str, Any]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for c in changes:
        if c["type"] == "status":
            assert c["receipt_code"] not in out  # one current status per receipt
            out[c["receipt_code"]] = c["status"]
    return out


def test_round_trip_then_double_import_stores_nothing_twice(
        tmp_path: Path, server_settings: Settings, staff: StaffDesk, kiosk: TestKiosk) -> None:
    records = [("complaint", complaint(1)), ("jobseeker", jobseeker(2)),
               ("complaint", complaint(3, employer=4)), ("complaint", complaint(5))]
    envs = [kiosk.file(kind, rec) for kind, rec in records]
    path = tmp_path / "S001-night.yzb"
    path.write_bytes(kiosk.bundle(envs))

    done = _import(server_settings, path, "--json")
    summary = json.loads(done.stdout)
    ack_path = tmp_path / "S001-night.ack.yzb"
    assert summary["ack_path"] == str(ack_path)
    assert (summary["records"], summary["accepted"], summary["duplicates"],
            summary["conflicts"], summary["quarantined"]) == (4, 4, 0, 0, 0)
    assert summary["gaps"] == []
    assert summary["chain"] == {"seq": 4, "hash": envs[-1].hash}
    assert done.stderr.splitlines()[-1].startswith("imported 4 records from device "
                                                   + kiosk.device_id)
    stored, changes = _ack(kiosk, ack_path)
    assert stored == {(e.header.id, e.hash) for e in envs}
    codes = {e.header.id: kiosk.receipts[e.header.id][0] for e in envs}
    assert _statuses(changes) == {code: "received" for code in codes.values()}
    assert any(c["type"] == "config" for c in changes)
    exported = {c["case_id"]: c for c in staff.export()}
    assert {rid: (c["kind"], c["record"]) for rid, c in exported.items()} == \
        {e.header.id: (kind, parse_record(kind, rec).to_wire())
         for e, (kind, rec) in zip(envs, records, strict=True)}
    before = _stored(server_settings)
    assert before == {"merged": 4, "rejected": 0, "cases": 4}

    # Meanwhile staff act on one case; the second import stores nothing and reports it.
    staff.act(codes[envs[0].header.id], "routed", {"to": "mediation"}, "wang")
    ack_path.unlink()
    again = json.loads(_import(server_settings, path, "--json").stdout)
    assert (again["accepted"], again["duplicates"]) == (0, 4)
    assert _stored(server_settings) == before
    stored, changes = _ack(kiosk, ack_path)
    assert stored == {(e.header.id, e.hash) for e in envs}  # duplicates are acked too
    assert _statuses(changes)[codes[envs[0].header.id]] == "in_mediation"


def _rewrite(data: bytes, change: Any) -> bytes:
    body = loads_canonical(gzip.decompress(data))
    change(body)
    return gzip.compress(canonical_bytes(body), mtime=0)


def _flip_envelope_byte(body: dict[str, Any]) -> None:
    raw = bytearray(unb64u(body["envelopes"][1]))
    raw[-100] ^= 1  # inside the ciphertext of the second record
    body["envelopes"][1] = b64u(bytes(raw))


def _flip_signature(body: dict[str, Any]) -> None:
    sig = bytearray(unb64u(body["signature"]))
    sig[5] ^= 0x40
    body["signature"] = b64u(bytes(sig))


def _drop_last_envelope(body: dict[str, Any]) -> None:
    body["envelopes"].pop()  # a truncated segment under the full segment's signature


@pytest.mark.parametrize(("tamper", "says"), [
    (lambda d: _rewrite(d, _flip_envelope_byte), "signature does not verify"),
    (lambda d: _rewrite(d, _flip_signature), "signature does not verify"),
    (lambda d: _rewrite(d, _drop_last_envelope), "signature does not verify"),
    (lambda d: d[: len(d) // 2], "not a readable yizhan record bundle"),  # cut-off file
], ids=["envelope-byte", "signature", "truncated-segment", "truncated-file"])
def test_tampered_bundle_is_refused_and_nothing_is_stored(
        tmp_path: Path, server_settings: Settings, staff: StaffDesk, kiosk: TestKiosk,
        tamper: Any, says: str) -> None:
    envs = [kiosk.file(record=complaint(n)) for n in range(3)]
    genuine = kiosk.bundle(envs)
    path = tmp_path / "b.yzb"
    path.write_bytes(tamper(genuine))
    done = _import(server_settings, path, check=False)
    assert done.returncode == 1
    assert says in done.stderr
    assert done.stdout == ""
    assert _stored(server_settings) == {"rejected": 0, "cases": 0}
    assert not (tmp_path / "b.ack.yzb").exists()
    assert not list(tmp_path.glob("*.part"))
    # The genuine bundle still goes in afterwards (the refusal left no trace to trip on).
    path.write_bytes(genuine)
    assert json.loads(_import(server_settings, path, "--json").stdout)["accepted"] == 3


def test_unknown_devices_are_refused_revoked_ones_kept_for_review(
        tmp_path: Path, server_settings: Settings, staff: StaffDesk, kiosk: TestKiosk,
        manual_clock: ManualClock) -> None:
    stranger = TestKiosk(manual_clock)
    stranger.recipients = kiosk.recipients
    path = tmp_path / "stranger.yzb"
    path.write_bytes(stranger.bundle([stranger.file()]))
    done = _import(server_settings, path, check=False)
    assert done.returncode == 1
    assert f"device {stranger.device_id}: that device is not enrolled here" in done.stderr

    # Issue 11 part 2 changed this contract: a revoked kiosk's bundle was refused whole
    # ("its records are refused"); its records are now stored and quarantined for staff.
    path = tmp_path / "revoked.yzb"
    late = kiosk.file()
    path.write_bytes(kiosk.bundle([late]))
    staff.revoke(kiosk.device_id)
    done = _import(server_settings, path, "--json", check=False)
    assert done.returncode == 0
    assert json.loads(done.stdout)["quarantined"] == 1
    assert _stored(server_settings) == {"quarantined": 1, "rejected": 0, "cases": 0}
    [row] = staff.quarantine()
    assert (row["record_id"], row["station"]) == (late.header.id, "S001")
    assert row["reason"].startswith("device_revoked: seq 1")

    missing = _import(server_settings, tmp_path / "nowhere.yzb", check=False)
    assert missing.returncode == 1
    assert "nowhere.yzb" in missing.stderr


def test_bundle_and_push_with_overlapping_records_store_each_once(
        tmp_path: Path, server_settings: Settings, client: httpx.Client, staff: StaffDesk,
        kiosk: TestKiosk) -> None:
    envs = [kiosk.file(record=complaint(n, employer=n % 2)) for n in range(10)]
    first = kiosk.push(client, envs[:6])  # 0..5 over the network
    assert first.status_code == 201
    path = tmp_path / "b.yzb"
    path.write_bytes(kiosk.bundle(envs[3:]))  # 3..9 on the stick
    out = tmp_path / "elsewhere" / "ack.bin"
    out.parent.mkdir()
    summary = json.loads(_import(server_settings, path, "--ack-out", str(out),
                                 "--json").stdout)
    assert (summary["accepted"], summary["duplicates"]) == (4, 3)
    assert summary["ack_path"] == str(out)
    stored, _ = _ack(kiosk, out)
    assert stored == {(e.header.id, e.hash) for e in envs[3:]}
    late = kiosk.push(client, envs[7:])  # the network catches up after the stick
    assert [r["status"] for r in late.json()["results"]] == ["duplicate"] * 3
    assert _stored(server_settings) == {"merged": 10, "rejected": 0, "cases": 10}
    assert sorted(c["case_id"] for c in staff.export()) == sorted(e.header.id for e in envs)


def test_bundle_with_a_gap_holds_and_names_it(server_settings: Settings, staff: StaffDesk,
                                              kiosk: TestKiosk) -> None:
    e1, _e2, e3 = (kiosk.file() for _ in range(3))
    done = staff.import_bundle(kiosk.bundle([e1, e3]))
    summary = done.summary()
    assert (summary["accepted"], summary["held"]) == (2, 1)
    assert summary["gaps"] == [{"from_seq": 2, "to_seq": 2}]
    assert summary["acknowledged"] == 2
    assert [r["index"] for r in done.result.results] == [0, 1]


def test_progress_bar_redraws_on_a_terminal_only(tmp_path: Path, server_settings: Settings,
                                                 staff: StaffDesk, kiosk: TestKiosk) -> None:
    path = tmp_path / "b.yzb"
    path.write_bytes(kiosk.bundle([kiosk.file(record=complaint(n)) for n in range(3)]))
    piped = _import(server_settings, path)
    assert "\r" not in piped.stderr
    assert len(piped.stderr.splitlines()) == 1  # just the final line
    master, slave = pty.openpty()
    try:
        done = subprocess.run(
            ["yizhan-server", "import-bundle", str(path), "--data",
             str(server_settings.data_dir), "--db", server_settings.database_url],
            stdout=subprocess.PIPE, stderr=slave, timeout=120, check=False)
        os.close(slave)
        slave = -1
        seen = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the terminal's other end is closed and drained
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(master)
        if slave != -1:
            os.close(slave)
    assert done.returncode == 0
    text = seen.decode()
    assert "\rimporting b.yzb [" + "#" * 30 + "] 3/3 100%" in text
    assert "imported 3 records" in text.splitlines()[-1]

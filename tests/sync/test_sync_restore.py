"""After a restore: the county asks kiosks for what it lost, and gets it back exactly once.

Real processes: ``yizhan-server backup`` / ``restore --force`` / ``serve`` (restarted over the
restored store) and ``yizhan-kiosk submit`` / ``sync``. The kiosk keeps the sealed bytes of
acknowledged records for a retention window; the county's signed ack asks for them again
(``resend_from``) when its chain for the device ends before what the kiosk says was
acknowledged.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.sync.test_sync_mitm import kiosk, outbox, submit
from tests.sync_server.server_kit import ServerProcess, server_cli


def county_rows(county: Path, record_id: str) -> int:
    with sqlite3.connect(county / "server.db") as db:
        return int(db.execute("SELECT count(*) FROM inbox WHERE record_id = ?",
                              [record_id]).fetchone()[0])


def devices(county: Path) -> list[dict[str, object]]:
    return list(json.loads(server_cli("devices", "--data", str(county), "--json").stdout))


def status(url: str, receipt: dict[str, str]) -> int:
    return httpx.post(url + "/v1/status", json={"code": receipt["receipt_code"],
                                                "pin": receipt["pin"]}, timeout=30).status_code


def last_record_id(data: Path) -> str:
    with sqlite3.connect(data / "kiosk.db") as db:
        return str(db.execute("SELECT record_id FROM outbox ORDER BY seq DESC LIMIT 1")
                   .fetchone()[0])


@pytest.fixture
def backed_up(make_kiosk: Callable[..., Path], county: Path,
              tmp_path: Path) -> tuple[Path, Path]:
    """(a kiosk whose first record the county acknowledged, a county backup made then)."""
    station = make_kiosk("S001")
    submit(station, 1)
    kiosk(station, "sync")
    archive = tmp_path / "before.tgz"
    server_cli("backup", "--data", str(county), "--out", str(archive))
    return station, archive


def test_a_restored_county_gets_back_what_kiosks_had_acknowledged(
        backed_up: tuple[Path, Path], county: Path, server: ServerProcess) -> None:
    station, archive = backed_up
    lost = submit(station, 1, start=1)[0]  # filed and acknowledged after the backup
    kiosk(station, "sync")
    assert outbox(station)["acknowledged"] == 2
    record = last_record_id(station)
    assert status(server.url, lost) == 200

    server.stop()
    server_cli("restore", str(archive), "--data", str(county), "--force")
    server.start()
    assert county_rows(county, record) == 0  # the county lost it
    assert status(server.url, lost) == 404

    kiosk(station, "sync")  # nothing new to send: the kiosk checks in with its acked head
    assert county_rows(county, record) == 1  # back, exactly once
    assert status(server.url, lost) == 200
    assert outbox(station)["acknowledged"] == 2
    later = submit(station, 1, start=2)[0]
    kiosk(station, "sync")
    assert status(server.url, later) == 200
    [device] = devices(county)
    assert not device.get("gaps")
    assert device.get("held", 0) == 0


def test_a_record_pruned_before_the_county_asked_is_reported_not_skipped(
        backed_up: tuple[Path, Path], county: Path, server: ServerProcess) -> None:
    station, archive = backed_up
    gone, kept = submit(station, 2, start=1)  # seqs 2 and 3, acknowledged after the backup
    kiosk(station, "sync")
    with sqlite3.connect(station / "kiosk.db") as db:  # seq 2 past the retention window
        db.execute("DELETE FROM outbox WHERE seq = 2")

    server.stop()
    server_cli("restore", str(archive), "--data", str(county), "--force")
    server.start()
    kiosk(station, "sync")
    assert status(server.url, kept) == 200  # seq 3 came back and merged over the lost seq
    assert status(server.url, gone) == 404
    [device] = devices(county)
    assert device["lost_after_restore"] == [{"from_seq": 2, "to_seq": 2}]
    assert not device["gaps"]
    assert device["chain_seq"] == 3
    assert outbox(station)["lost_after_restore"] == [{"from_seq": 2, "to_seq": 2}]
    later = submit(station, 1, start=3)[0]
    kiosk(station, "sync")
    assert status(server.url, later) == 200

"""Many kiosks at once: YIZHAN_MANY_KIOSKS (default 200) kiosk stores, each with its own
device key and SQLite file, enroll and then sync concurrently against one real server
process. Every outbox drains, no sync fails, and the county holds every record once."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from kiosk.root import KioskServices
from kiosk.services import init_kiosk
from kiosk.sync.once import sync_once
from shared.clock import SystemClock
from sync_server.config.settings import Settings
from sync_server.services.staff import StaffDesk
from tests.kiosk.kiosk_kit import complaint
from tests.sync_server.server_kit import ServerProcess, server_cli

KIOSKS = int(os.environ.get("YIZHAN_MANY_KIOSKS", "200"))
RECORDS = 3


@pytest.mark.slow
def test_many_kiosks_sync_concurrently_and_all_drain(county: Path, server: ServerProcess,
                                                      tmp_path: Path) -> None:
    stations = [f"M{i:03d}" for i in range(KIOSKS)]
    tokens = {s: secrets.token_urlsafe(32) for s in stations}
    with StaffDesk.open(Settings(data_dir=county), SystemClock()) as desk:
        for station, token in tokens.items():
            desk.add_token(hashlib.sha256(token.encode()).hexdigest(), station, 1)

    def prepare(index: int) -> tuple[Path, set[str]]:
        station = stations[index]
        data = tmp_path / station
        init_kiosk(data, station, b"staff-passphrase-42", SystemClock(), None)
        with KioskServices.open(data) as services:
            services.enroll(server.url, tokens[station])
            codes = {services.submit_complaint(complaint(index * 10 + i))["receipt_code"]
                     for i in range(RECORDS)}
        return data, codes

    with ThreadPoolExecutor(max_workers=8) as pool:
        kiosks = list(pool.map(prepare, range(KIOSKS)))

    start = threading.Barrier(KIOSKS)

    def sync(data: Path) -> dict:
        with KioskServices.open(data) as services:
            start.wait(timeout=120)  # every kiosk starts its sync at the same moment
            summary = sync_once(services).to_wire()
            summary["outbox"] = services.outbox_counts()
        return summary

    with ThreadPoolExecutor(max_workers=KIOSKS) as pool:
        summaries = list(pool.map(sync, [data for data, _ in kiosks]))

    for summary in summaries:
        assert summary["errors"] == []
        assert summary["acknowledged"] == RECORDS
        counts = summary["outbox"]
        assert (counts["pending"], counts["sent"], counts["quarantined"]) == (0, 0, 0)
    lines = server_cli("export", "--format", "jsonl", "--data", str(county)).stdout
    codes = [json.loads(line)["receipt_code"] for line in lines.splitlines()]
    assert len(codes) == len(set(codes)) == KIOSKS * RECORDS
    assert set(codes) == set().union(*(c for _, c in kiosks))

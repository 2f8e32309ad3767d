"""Exactly once under faults: real kiosk processes, a real server, a seeded faulty link.

A proxy between them drops connections before and after the server commits, resets,
truncates and delays a share of requests (tests/sync/faultproxy.py). Each kiosk pushes one
record per request so the run covers a hundred batches and more (each record pushed alone at
least once, plus every retry). Afterwards every record is on the
server exactly once and every outbox is drained. The control run removes the protection (the
kiosk treats 'sent' as done instead of waiting for the signed acknowledgement) and the same
check fails: records are lost.

Sizes from the environment: YIZHAN_FAULT_SEEDS (default "11,29"), YIZHAN_FAULT_KIOSKS (4),
YIZHAN_FAULT_RECORDS (25 per kiosk: 100 single-record pushes at a 30% fault rate exercise
every fault kind ~6 times; raise it for a longer soak).
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.root import KioskServices, ServicesPort
from kiosk.sync.client import BatchSizer, SyncClient
from kiosk.sync.errors import TransientError
from shared.clock import SystemClock
from tests.kiosk.kiosk_kit import complaint
from tests.sync.conftest import KIOSK, PASSPHRASE, kiosk_cli
from tests.sync.faultproxy import FaultProxy
from tests.sync_server.server_kit import ServerProcess, server_cli

SEEDS = [int(s) for s in os.environ.get("YIZHAN_FAULT_SEEDS", "11,29").split(",")]
KIOSKS = int(os.environ.get("YIZHAN_FAULT_KIOSKS", "4"))
RECORDS = int(os.environ.get("YIZHAN_FAULT_RECORDS", "25"))


def fill(make_kiosk: Callable[..., Path], seed: int) -> dict[Path, set[str]]:
    """KIOSKS enrolled kiosks with RECORDS complaints each; their receipt codes."""
    kiosks: dict[Path, set[str]] = {}
    for k in range(KIOSKS):
        data = make_kiosk(f"S{seed}-{k}")
        records = [complaint(seed * 1000 + k * 100 + i) for i in range(RECORDS)]
        out = kiosk_cli(data, "submit", "complaint", "--json", "-",
                        input_text=json.dumps(records))
        kiosks[data] = {json.loads(line)["receipt_code"] for line in out.stdout.splitlines()}
    return kiosks


def server_receipts(county: Path) -> list[str]:
    out = server_cli("export", "--format", "jsonl", "--data", str(county)).stdout
    return [json.loads(line)["receipt_code"] for line in out.splitlines()]


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_every_record_arrives_exactly_once_through_a_faulty_link(
        seed: int, make_kiosk: Callable[..., Path], county: Path,
        server: ServerProcess) -> None:
    kiosks = fill(make_kiosk, seed)
    env = {**os.environ, "YIZHAN_STAFF_PASSPHRASE": PASSPHRASE}
    with FaultProxy(server.port, seed, fault_rate=0.3) as proxy:
        procs = [subprocess.Popen([*KIOSK, "sync", "--data", str(data), "--server", proxy.url,
                                   "--until-drained", "--max-batch", "1", "--retries", "2000",
                                   "--backoff-base", "0.02", "--json"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=env)
                 for data in kiosks]
        results = [p.communicate(timeout=600) for p in procs]
    for proc, (_out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
    faults = sum(n for action, n in proxy.counts.items() if action != "pass")
    print(f"seed {seed}: {proxy.requests['/v1/push']} push requests, faults {dict(proxy.counts)}")
    assert proxy.requests["/v1/push"] >= KIOSKS * RECORDS  # one record per push, at least
    for action in ("drop_before", "drop_after", "reset", "truncate", "delay"):
        assert proxy.counts[action] > 0, f"the run never exercised {action}"
    assert faults > 0

    on_server = server_receipts(county)
    expected = set().union(*kiosks.values())
    assert len(on_server) == len(set(on_server)), "a record was stored twice"
    assert set(on_server) == expected, "a record was lost"
    for data in kiosks:
        counts = json.loads(kiosk_cli(data, "outbox", "--json").stdout)
        assert (counts["pending"], counts["sent"], counts["quarantined"]) == (0, 0, 0)
        assert counts["acknowledged"] == RECORDS


class ForgetOnSend(ServicesPort):
    """The protection removed: a record counts as delivered once it is handed to the link
    (fire and forget), whatever the server answers."""

    def pending(self, limit: int, after_seq: int = 0):  # type: ignore[no-untyped-def]
        items = self._s.outbox.pending(limit)  # never-sent only: 'sent' is never retried
        self._s.outbox.mark_sent([i.record_id for i in items])
        return items


def test_control_without_waiting_for_acks_loses_records(
        make_kiosk: Callable[..., Path], county: Path, server: ServerProcess) -> None:
    kiosks = fill(make_kiosk, SEEDS[0])
    with FaultProxy(server.port, SEEDS[0], fault_rate=0.3) as proxy:
        for data in kiosks:
            with KioskServices.open(data, SystemClock()) as services:
                port = ForgetOnSend(services)
                client = SyncClient(port, base_url=proxy.url, device_id=services.device_id,
                                    device_key=services.device_signing_key(),
                                    clock=services.clock,
                                    sizer=BatchSizer(initial=1, maximum=1))
                with client:
                    while port.pending(1):
                        try:
                            client.push()
                        except TransientError:
                            continue
    on_server = set(server_receipts(county))
    expected = set().union(*kiosks.values())
    assert on_server < expected, "the faulty link should have lost records without acks"

"""A kiosk whose clock is wrong still syncs, and staff are told (kiosk/sync/client.py).

Offline station PCs lose time (a flat clock battery, no network time). The real server
refuses a request signed more than 300 s from its own time (``auth_stale``) and puts its
time in the problem body; the kiosk signs again on the county's time. Here the kiosk's
services run on a clock two days fast, three hours slow, against a real ``yizhan-server
serve``. The control run takes the correction away: the same sync is refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import kiosk.sync.client
from kiosk.root import KioskServices
from kiosk.sync.errors import TransientError
from kiosk.sync.once import sync_once
from shared.clock import ManualClock
from tests.kiosk.kiosk_kit import complaint
from tests.sync.conftest import kiosk_cli
from tests.sync_server.server_kit import ServerProcess, add_staff, server_cli


@pytest.fixture
def kiosk_with_a_record(make_kiosk: Callable[[str], Path]) -> Path:
    data = make_kiosk("C001")
    kiosk_cli(data, "submit", "complaint", "--json", "-", input_text=json.dumps(complaint(3)))
    return data


@pytest.mark.parametrize("skew", [timedelta(days=2), -timedelta(hours=3)],
                         ids=["two-days-fast", "three-hours-slow"])
def test_a_kiosk_with_a_wrong_clock_syncs_and_says_so(kiosk_with_a_record: Path,
                                                      server: ServerProcess,
                                                      skew: timedelta) -> None:
    clock = ManualClock(datetime.now(UTC) + skew)
    with KioskServices.open(kiosk_with_a_record, clock) as services:
        summary = sync_once(services)
    assert summary.acknowledged == 1
    assert abs(summary.clock_offset_s + skew.total_seconds()) < 60  # county minus kiosk
    # the 'sync' command says it too (its own, correct clock: nothing to correct)
    out = kiosk_cli(kiosk_with_a_record, "sync", "--json").stdout
    assert json.loads(out)["clock_offset_s"] == 0


def test_control_without_the_correction_the_sync_is_refused(
        kiosk_with_a_record: Path, server: ServerProcess,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kiosk.sync.client, "_stale_server_time", lambda response: None)
    clock = ManualClock(datetime.now(UTC) + timedelta(days=2))
    with KioskServices.open(kiosk_with_a_record, clock) as services, \
            pytest.raises(TransientError, match="auth_stale"):
        sync_once(services)


def test_staff_changes_win_over_a_record_filed_on_a_fast_clock(make_kiosk: Callable[[str], Path],
                                                               county: Path,
                                                               server: ServerProcess) -> None:
    """Filed on a kiosk two days fast (its HLC stamps are in the county's future): county
    staff's later routing still decides the case's status, and it reaches the kiosk."""
    data = make_kiosk("C002")
    fast = ManualClock(datetime.now(UTC) + timedelta(days=2))
    with KioskServices.open(data, fast) as services:
        receipt = services.submit_complaint(complaint(4))
        assert sync_once(services).acknowledged == 1
    code = receipt["receipt_code"]
    server_cli("case", "route", code, "--to", "mediation", "--data", str(county),
               *add_staff(county))
    [case] = [json.loads(line) for line in server_cli(
        "export", "--format", "jsonl", "--data", str(county)).stdout.splitlines()]
    assert (case["route"], case["status"]) == ("mediation", "in_mediation")
    with KioskServices.open(data, fast) as services:
        sync_once(services)
        assert services.lookup_status(code, receipt["pin"])["status"] == "in_mediation"

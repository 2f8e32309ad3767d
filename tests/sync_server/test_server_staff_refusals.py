"""Refused staff actions are refused out loud (issue 11, item 5).

Through the real ``yizhan-server case`` CLI against a county that a scripted kiosk filed into
over a real ``serve``: an action the case's state or kind does not allow exits non-zero with
the reason (zh-CN and English), stores no event, and puts nothing on the kiosk's feed — so no
worker is told a status their case does not have.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared.clock import SystemClock
from tests.sync_server.server_kit import (
    ServerProcess,
    TestKiosk,
    add_staff,
    complaint,
    jobseeker,
    server_cli,
)


def _enrolled(county: Path, http: httpx.Client) -> TestKiosk:
    token = json.loads(server_cli("enroll-token", "--station", "S001", "--data", str(county),
                                  "--json").stdout)["token"]
    kiosk = TestKiosk(SystemClock())
    kiosk.enroll(http, token)
    return kiosk


def _case(county: Path, *args: str) -> tuple[int, str, str]:
    done = server_cli("case", *args, "--data", str(county), "--as", "wang", "--json",
                      check=False)
    return done.returncode, done.stdout, done.stderr


def _history_len(county: Path, code: str) -> int:
    for line in server_cli("export", "--data", str(county)).stdout.splitlines():
        case = json.loads(line)
        if case["receipt_code"] == code:
            return len(case["history"])
    raise AssertionError(f"{code} not exported")


@pytest.fixture
def filed(county: Path, server: ServerProcess
          ) -> Iterator[tuple[TestKiosk, httpx.Client, str, str]]:
    """A kiosk that filed one complaint and one job-seeker registration; their codes (and
    console user ``wang``, who works them)."""
    add_staff(county)
    with httpx.Client(base_url=server.url) as http:
        kiosk = _enrolled(county, http)
        envs = [kiosk.file("complaint", complaint(1)), kiosk.file("jobseeker", jobseeker(2))]
        assert kiosk.push(http, envs).status_code == 201
        codes = [kiosk.receipts[e.header.id][0] for e in envs]
        yield kiosk, http, codes[0], codes[1]


def _feed_statuses(kiosk: TestKiosk, http: httpx.Client, code: str) -> list[str]:
    changes = kiosk.changes(http).json()["changes"]
    return [c["status"] for c in changes if c.get("receipt_code") == code]


def test_settled_case_cannot_go_back_to_received(county: Path, filed: tuple) -> None:
    kiosk, http, code, _ = filed
    rc, out, _ = _case(county, "status", code, "settled")
    assert rc == 0, out
    before = _history_len(county, code)
    rc, out, err = _case(county, "status", code, "received")
    assert rc != 0
    assert out == ""
    assert code in err
    assert "须先重新开启" in err
    assert "refused" in err
    assert "status settled" in err
    assert _history_len(county, code) == before  # no event stored
    assert _feed_statuses(kiosk, http, code) == ["received", "settled"]


def test_a_change_that_changes_nothing_is_refused(county: Path, filed: tuple) -> None:
    kiosk, http, code, _ = filed
    assert _case(county, "route", code, "--to", "mediation")[0] == 0
    again = _case(county, "route", code, "--to", "mediation")
    assert again[0] != 0
    assert "没有任何改变" in again[2]
    assert "nothing would change" in again[2]
    same = _case(county, "status", code, "in_mediation")
    assert same[0] != 0
    assert _feed_statuses(kiosk, http, code) == ["received", "in_mediation"]


@pytest.mark.parametrize("action", [
    ("route", "--to", "court"),            # a registration is never in court
    ("route", "--to", "mediation"),
    ("status", "in_arbitration"),
    ("status", "settled"),                 # nothing to settle
    ("outcome", "--settled-fen", "100"),
])
def test_job_seeker_registration_is_not_a_dispute(county: Path, filed: tuple,
                                                  action: tuple[str, ...]) -> None:
    kiosk, http, _, code = filed
    verb, *rest = action
    rc, _, err = _case(county, verb, code, *rest)
    assert rc != 0
    assert "求职登记不是劳动纠纷" in err
    assert "not a dispute" in err
    assert _feed_statuses(kiosk, http, code) == ["received"]
    pin = next(p for c, p in kiosk.receipts.values() if c == code)
    looked_up = http.post("/v1/status", json={"code": code, "pin": pin}).json()
    assert looked_up["status"] == "received"
    # issue 16: what the worker reads speaks of jobs, not of a handling channel or court
    assert "求职登记" in looked_up["next_step_zh"]
    assert "法院" not in looked_up["next_step_zh"]
    for change in kiosk.changes(http).json()["changes"]:
        if change.get("receipt_code") == code:
            assert "求职登记" in change["next_step_zh"]


def test_job_seeker_registration_can_still_be_closed(county: Path, filed: tuple) -> None:
    kiosk, http, _, code = filed
    rc, out, _ = _case(county, "status", code, "closed")
    assert rc == 0
    assert json.loads(out)["status"] == "closed"
    assert _feed_statuses(kiosk, http, code) == ["received", "closed"]

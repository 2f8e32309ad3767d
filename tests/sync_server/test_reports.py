"""The indicators and the mediator subsidy against a dataset whose totals are known by
construction (tests/sync_server/reports_data.py), on SQLite and PostgreSQL: the real
``yizhan-server report`` CLI as separate processes, every figure equal to the length of
the list it links to, the statistician's small cells hidden, draft and approved subsidy
exports (0600, audited)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.clock import ManualClock
from sync_server.config.settings import Settings
from sync_server.services import audit, casework, reports, subsidy
from sync_server.services.staff import StaffDesk
from sync_server.services.wiring import Services
from tests.sync_server import reports_data as rd


def run(settings: Settings, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["yizhan-server", *args, "--data", str(settings.data_dir), "--db",
                           settings.db_url], capture_output=True, text=True, timeout=120,
                          check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"yizhan-server {' '.join(args)} failed: {done.stderr}")
    return done


def lines(settings: Settings, *args: str) -> list[dict[str, Any]]:
    out = run(settings, *args, "--format", "json").stdout
    return [json.loads(line) for line in out.splitlines()]


def kpi(settings: Settings, *args: str) -> list[dict[str, Any]]:
    """``report kpi --format json``: the interface's keys of each group (extras checked
    apart)."""
    rows = lines(settings, "report", "kpi", *args)
    assert all(set(reports.KEYS) <= set(r) for r in rows)
    return [{k: r[k] for k in reports.KEYS} for r in rows]


PERIOD = ("--from", rd.FROM.isoformat(), "--to", rd.TO.isoformat())


@pytest.fixture
def early(manual_clock: ManualClock) -> ManualClock:
    manual_clock.set(rd.START)  # before the store and kiosks see any time
    return manual_clock


@pytest.fixture
def built(early: ManualClock, server_settings: Settings, staff: StaffDesk,
          client: httpx.Client) -> Iterator[tuple[Services, dict[str, str]]]:
    svc = Services.open(server_settings, early)
    try:
        yield svc, rd.build(svc, early, client, staff)
    finally:
        svc.close()


def test_kpi_cli_and_lists_equal_the_construction(
        built: tuple[Services, dict[str, str]], server_settings: Settings) -> None:
    svc, codes = built
    s = server_settings
    [whole] = kpi(s, *PERIOD)
    assert whole == rd.EXPECTED
    by_station = {g["group"]: {k: v for k, v in g.items() if k != "group"}
                  for g in kpi(s, *PERIOD, "--by", "station")}
    assert by_station == rd.EXPECTED_BY_STATION
    [month] = kpi(s, *PERIOD, "--by", "month")
    assert month == {**rd.EXPECTED, "group": "2026-11"}
    [s1] = kpi(s, *PERIOD, "--station", "S001")
    assert s1 == {"group": "all", **rd.EXPECTED_BY_STATION["S001"]}
    # the service's own figures: the extra ones, and the same as the CLI's
    data = reports.kpi(svc, rd.FROM, rd.TO)
    [g] = data["groups"]
    assert {k: g[k] for k in rd.EXTRA} == rd.EXTRA
    assert g["resolved_locally_rate"] == round(6 / 7, 4)
    assert "调解成功 ÷ 接收调解" in data["formula"]
    # every figure equals the length of the list it links to (CLI, separate process)
    name = {v: k for k, v in codes.items()}
    for measure, figure in (("cases_accepted", 9), ("mediation_received", 8),
                            ("mediation_settled", 6), ("amount_recovered", 5),
                            ("resolved", 7), ("resolved_locally", 6)):
        listed = json.loads(run(s, "report", "cases", measure, *PERIOD, "--json").stdout)
        assert len(listed) == figure, measure
    settled = json.loads(run(s, "report", "cases", "mediation_settled", *PERIOD,
                             "--json").stdout)
    assert {name[r["receipt_code"]] for r in settled} == rd.SETTLED
    s2 = json.loads(run(s, "report", "cases", "cases_accepted", *PERIOD, "--by", "station",
                        "--group", "S002", "--json").stdout)
    assert {name[r["receipt_code"]] for r in s2} == {"c5", "c10"}


def test_csv_and_xlsx_exports_are_new_0600_files_and_audited(
        built: tuple[Services, dict[str, str]], server_settings: Settings,
        tmp_path: Path) -> None:
    svc, _ = built
    s = server_settings
    out = run(s, "report", "kpi", *PERIOD, "--by", "station", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO("".join(
        line + "\n" for line in out.splitlines() if not line.startswith("#")))))
    assert [(r["group"], int(r["cases_accepted"])) for r in rows] == \
        [("S001", 5), ("S002", 2), ("S003", 2)]
    assert "as of" in out
    assert "调解成功率" in out
    xlsx = tmp_path / "kpi.xlsx"
    run(s, "report", "kpi", *PERIOD, "--format", "xlsx", "--output", str(xlsx))
    assert xlsx.read_bytes()[:2] == b"PK"
    assert os.stat(xlsx).st_mode & 0o777 == 0o600
    again = run(s, "report", "kpi", *PERIOD, "--format", "xlsx", "--output", str(xlsx),
                check=False)
    assert again.returncode != 0  # an existing file is kept without --force
    exports = [e for e in audit.entries(svc) if e.action == "report.export"]
    assert len(exports) == 2  # the refused one wrote nothing and is not an export
    assert all("kpi" in e.detail for e in exports)


def test_statistician_sees_no_small_cells(built: tuple[Services, dict[str, str]],
                                          server_settings: Settings) -> None:
    _svc, codes = built
    s = server_settings
    by_station = {g["group"]: g for g in lines(s, "report", "kpi", *PERIOD, "--by",
                                               "station", "--as", "stat")}
    assert by_station["S001"]["cases_accepted"] == 5  # 5 is the default minimum
    assert by_station["S001"]["mediation_settled"] is None  # 4 < 5
    assert by_station["S001"]["settlement_rate"] is None  # derived from a hidden cell
    assert by_station["S002"]["cases_accepted"] is None
    assert by_station["S003"]["amount_recovered_fen"] is None  # one case paid
    listed = json.loads(run(s, "report", "cases", "cases_accepted", *PERIOD, "--as", "stat",
                            "--json").stdout)
    assert len(listed) == 9
    assert all("receipt_code" not in r for r in listed)
    assert not set(codes.values()) & set(json.dumps(listed))
    for m in lines(s, "report", "subsidy", *PERIOD, "--as", "stat"):
        assert "receipt_codes" not in m
    small = run(s, "report", "cases", "mediation_settled", *PERIOD, "--station", "S002",
                "--as", "stat", check=False)
    assert small.returncode == 1
    assert "最小计数" in small.stderr
    refused = run(s, "report", "kpi", *PERIOD, "--as", "med1", check=False)
    assert refused.returncode == 1
    assert "report" in refused.stderr


def test_subsidy_per_mediator_draft_until_approved(built: tuple[Services, dict[str, str]],
                                                   server_settings: Settings,
                                                   tmp_path: Path) -> None:
    svc, codes = built
    s = server_settings
    got = {m["mediator"]: (m["cases"], m["amount_fen"], m["draft"])
           for m in lines(s, "report", "subsidy", *PERIOD)}
    assert got == {k: (*v, True) for k, v in rd.EXPECTED_SUBSIDY.items()}
    draft = run(s, "report", "subsidy", *PERIOD, "--format", "csv").stdout
    assert draft.startswith("# 草稿 DRAFT")
    refused = run(s, "report", "approve-subsidy", *PERIOD, "--as", "med1", check=False)
    assert refused.returncode == 1
    stale = run(s, "report", "approve-subsidy", *PERIOD, "--as", "zhu", "--digest", "0" * 64,
                check=False)
    assert stale.returncode == 1
    assert "digest" in stale.stderr
    run(s, "report", "approve-subsidy", *PERIOD, "--as", "zhu")
    final = lines(s, "report", "subsidy", *PERIOD)
    assert all("draft" not in m for m in final)
    assert not run(s, "report", "subsidy", *PERIOD, "--format", "csv").stdout.startswith("#")
    # c11 (reopened) settled again on 11-29: the next report sees it (only the cases changed
    # since the last report are looked at), ungraded until closed again; a draft again
    casework.act(svc, "tri", codes["c11"], "route", {"to": "mediation"})
    casework.act(svc, "med1", codes["c11"], "agreement", {"fen": 60_000, "on": "2026-11-29"})
    [whole] = kpi(s, *PERIOD)
    assert whole["mediation_settled"] == rd.EXPECTED["mediation_settled"] + 1
    again = {m["mediator"]: (m["cases"], m["draft"]) for m in lines(s, "report", "subsidy",
                                                                      *PERIOD)}
    assert again["med1"] == ({"-": 1, "A": 2, "B": 1}, True)
    run(s, "report", "approve-subsidy", *PERIOD, "--as", "zhu")
    # a rate changed after approval: the figures differ, the export is a draft again
    subsidy.set_rate(svc, "zhu", "A", 25_000)
    assert all(m["draft"] for m in lines(s, "report", "subsidy", *PERIOD))
    assert any(e.action == "subsidy.approve" for e in audit.entries(svc))
    grades = json.loads(run(s, "subsidy", "grade", "list", "--json").stdout)
    assert grades == {**rd.RATES, "A": 25_000}
    bad = run(s, "subsidy", "grade", "add", "E", "--rate-fen", "1", "--as", "zhu",
              check=False)
    assert bad.returncode == 2
    assert "grade" in bad.stderr


def test_bad_period_names_the_field(server_settings: Settings) -> None:
    bad = run(server_settings, "report", "kpi", "--from", "2026-13-01", "--to", "2026-11-30",
              check=False)
    assert bad.returncode == 1
    assert "--from" in bad.stderr
    assert "日期" in bad.stderr
    back = run(server_settings, "report", "kpi", "--from", "2026-11-30", "--to",
               "2026-11-01", check=False)
    assert back.returncode == 1
    assert "to 2026-11-01" in back.stderr

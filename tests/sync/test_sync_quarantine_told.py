"""A worker whose record the county quarantined is told so, at the kiosk, and learns staff's
decision at the next sync (issue 11, part 4). Real ``serve``, real kiosk CLIs, SQLite.

The quarantine here is one a station can really cause: the kiosk's folder is restored from an
old copy, and the copy files a new record at a chain position the county already holds (a
fork, kept for staff, never merged). SQLite and PostgreSQL (the store notes receipt codes)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.kiosk.kiosk_kit import complaint
from tests.sync.conftest import kiosk_cli
from tests.sync_server.conftest import drop_pg_schema, postgres_or_skip
from tests.sync_server.server_kit import ServerProcess, server_cli


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, county: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerProcess]:
    """The real server, on the county folder's SQLite file or a fresh PostgreSQL schema (which
    every ``yizhan-server`` command of the test then uses, through YIZHAN_SERVER_DB)."""
    if request.param == "sqlite":
        with ServerProcess(county) as proc:
            yield proc
        return
    url, schema = postgres_or_skip()
    monkeypatch.setenv("YIZHAN_SERVER_DB", url)
    try:
        with ServerProcess(county, url) as proc:
            yield proc
    finally:
        drop_pg_schema(schema)


def _where(server: ServerProcess) -> list[str]:
    return ["--data", str(server.data), *(["--db", server.db_url] if server.db_url else [])]


def _submit(data: Path, n: int) -> dict[str, Any]:
    out = kiosk_cli(data, "submit", "complaint", "--json", "-",
                    input_text=json.dumps(complaint(n), ensure_ascii=False))
    return dict(json.loads(out.stdout))


def _status(data: Path, receipt: dict[str, Any], lang: str = "zh") -> dict[str, Any]:
    out = kiosk_cli(data, "status", receipt["receipt_code"], "--pin", receipt["pin"],
                    "--lang", lang, "--json")
    return dict(json.loads(out.stdout))


def _online(server: ServerProcess, receipt: dict[str, Any]) -> httpx.Response:
    return httpx.post(server.url + "/v1/status", timeout=30,
                      json={"code": receipt["receipt_code"], "pin": receipt["pin"]})


def _other_pin(pin: str) -> str:
    return f"{(int(pin) + 1) % 1_000_000:06d}"


def _quarantine(server: ServerProcess) -> list[dict[str, Any]]:
    rows = json.loads(server_cli("quarantine", *_where(server), "--json").stdout)
    return list(rows)


def test_a_forked_record_reads_needs_review_and_its_rejection_reaches_the_kiosk(
        make_kiosk: Callable[[str], Path], server: ServerProcess, tmp_path: Path) -> None:
    data = make_kiosk("S001")
    first = _submit(data, 1)
    assert json.loads(kiosk_cli(data, "sync", "--json").stdout)["acknowledged"] == 1
    old_copy = tmp_path / "kiosk-copy"
    shutil.copytree(data, old_copy)  # staff's copy of the folder, restored later
    second = _submit(data, 2)
    assert json.loads(kiosk_cli(data, "sync", "--json").stdout)["acknowledged"] == 1
    # The restored copy files its own record at seq 2: the county keeps it aside.
    forked = _submit(old_copy, 3)
    summary = json.loads(kiosk_cli(old_copy, "sync", "--json", check=False).stdout)
    assert summary["quarantined"] == 1
    assert json.loads(kiosk_cli(old_copy, "outbox", "--json").stdout)["quarantined"] == 1

    # The worker asks at the kiosk: not "provisional", but "the county needs to check".
    told = _status(old_copy, forked)
    assert told["status"] == "needs_review"
    assert told["next_step"] == "县级中心需要核实，请到站点咨询。"
    assert _status(old_copy, forked, "en")["next_step"] == (
        "The county needs to check this record, please ask at the station.")

    # Online too, with the same PIN rule as any receipt.
    online = _online(server, forked)
    assert online.status_code == 200
    assert (online.json()["status"], online.json()["next_step_zh"]) == (
        "needs_review", "县级中心需要核实，请到站点咨询。")
    assert _online(server, {**forked, "pin": _other_pin(forked["pin"])}).status_code == 404

    # Staff see which receipt and which station it is.
    [row] = _quarantine(server)
    assert (row["record_id"], row["receipt_code"], row["station"]) == (
        forked["record_id"], forked["receipt_code"], "S001")
    assert row["reason"].startswith("fork")
    text = server_cli("quarantine", *_where(server)).stdout
    assert f"[station S001, receipt {forked['receipt_code']}]" in text

    # A fork cannot be released; staff reject it, and say who and why.
    refused = server_cli("quarantine", "release", forked["record_id"], *_where(server),
                         check=False)
    assert refused.returncode != 0
    done = json.loads(server_cli("quarantine", "reject", forked["record_id"], "--reason",
                                 "restored kiosk copy; worker to refile at the desk",
                                 "--by", "li", *_where(server), "--json").stdout)
    assert done["state"] == "rejected"
    assert done["reason"].startswith("rejected by staff:li: restored kiosk copy")
    assert _quarantine(server) == []
    again = server_cli("quarantine", "reject", forked["record_id"], "--reason", "x",
                       *_where(server), check=False)
    assert again.returncode != 0  # decided once

    # The next sync of that kiosk tells it: the outbox no longer counts it, the receipt moves.
    kiosk_cli(old_copy, "sync", "--json", check=False)
    assert json.loads(kiosk_cli(old_copy, "outbox", "--json").stdout)["quarantined"] == 0
    after = _status(old_copy, forked)
    assert after["status"] == "closed"
    assert after["next_step"] == "县级中心核实后未受理此记录，请到站点咨询。"

    rejected = _online(server, forked).json()
    assert (rejected["status"], rejected["next_step_en"]) == (
        "closed", "The county checked this record and did not take it in; please ask at the "
        "station.")

    # Every record exactly once at the county: two cases, the fork kept aside as rejected.
    cases = [json.loads(line) for line in server_cli(
        "export", *_where(server)).stdout.splitlines() if line.strip()]
    assert sorted(c["receipt_code"] for c in cases) == sorted(
        [first["receipt_code"], second["receipt_code"]])

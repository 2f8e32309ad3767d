"""Revoking a kiosk strands no complaint (issue 11, part 2, push side): records filed but not
yet synced when the kiosk is revoked are stored by its next push and quarantined
``device_revoked``; the push still answers ``device_revoked``; the kiosk then takes no new
intake but keeps its outbox (USB export still works); staff see the records with their
claimed filing time and release or reject each. Real ``serve``, real kiosk CLIs; SQLite and
PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.kiosk.kiosk_kit import complaint
from tests.sync.conftest import kiosk_cli
from tests.sync.test_sync_quarantine_told import server as server  # the real-server fixture
from tests.sync_server.server_kit import ServerProcess, server_cli


def _submit(data: Path, n: int) -> dict[str, Any]:
    out = kiosk_cli(data, "submit", "complaint", "--json", "-",
                    input_text=json.dumps(complaint(n), ensure_ascii=False))
    return dict(json.loads(out.stdout))


def _cases(server: ServerProcess) -> list[str]:
    lines = server_cli("export", *_where(server)).stdout.splitlines()
    return sorted(json.loads(line)["receipt_code"] for line in lines if line.strip())


def _where(server: ServerProcess) -> list[str]:
    return ["--data", str(server.data), *(["--db", server.db_url] if server.db_url else [])]


def test_records_filed_before_revocation_are_stored_and_reviewed_not_refused(
        make_kiosk: Callable[[str], Path], server: ServerProcess, tmp_path: Path) -> None:
    data = make_kiosk("S001")
    first = _submit(data, 1)
    assert json.loads(kiosk_cli(data, "sync", "--json").stdout)["acknowledged"] == 1
    device = json.loads(server_cli("devices", *_where(server), "--json").stdout)[0]
    # Two workers file while the link is down; then the county revokes the kiosk.
    late = [_submit(data, 2), _submit(data, 3)]
    server_cli("revoke", device["device_id"], *_where(server))

    # One record per push: the first is answered device_revoked, the kiosk still sends the
    # rest once so the county stores every record it holds.
    done = kiosk_cli(data, "sync", "--json", "--max-batch", "1", check=False)
    assert done.returncode != 0  # the kiosk is told, clearly
    assert "device_revoked" in done.stdout + done.stderr
    # ... and the county stored what it carried, for staff.
    rows = json.loads(server_cli("quarantine", *_where(server), "--json").stdout)
    by_id = {r["record_id"]: r for r in rows}
    assert set(by_id) == {r["record_id"] for r in late}
    for receipt in late:
        row = by_id[receipt["record_id"]]
        assert row["reason"].startswith("device_revoked: seq")
        assert (row["receipt_code"], row["station"]) == (receipt["receipt_code"], "S001")
        assert row["claimed_filed_at"] == receipt["filed_at"]
    # The kiosk keeps its outbox: nothing it filed is lost on its side either.
    counts = json.loads(kiosk_cli(data, "outbox", "--json").stdout)
    assert counts["pending"] + counts["sent"] == 2
    # It has learnt it is revoked: no new intake, in both languages, nothing stored.
    refused = kiosk_cli(data, "submit", "complaint", "--json", "-", check=False,
                        input_text=json.dumps(complaint(4), ensure_ascii=False))
    assert refused.returncode == 3
    assert "本机已停用" in refused.stderr
    assert "out of service" in refused.stderr
    assert json.loads(kiosk_cli(data, "outbox", "--json").stdout) == counts
    # ... and staff can still carry its outbox out on USB.
    bundle = tmp_path / "revoked.yzb"
    kiosk_cli(data, "export-bundle", str(bundle))
    assert bundle.stat().st_size > 0

    # Staff release one after review and reject the other, each audited.
    server_cli("quarantine", "release", late[0]["record_id"], "--by", "wang", *_where(server))
    server_cli("quarantine", "reject", late[1]["record_id"], "--reason", "filed twice",
               "--by", "wang", *_where(server))
    assert json.loads(server_cli("quarantine", *_where(server), "--json").stdout) == []
    # A second push of the same bytes stores nothing twice.
    assert kiosk_cli(data, "sync", "--json", check=False).returncode != 0
    assert json.loads(server_cli("quarantine", *_where(server), "--json").stdout) == []
    # Every record exactly once at the county: two cases, the rejected one kept aside.
    assert _cases(server) == sorted([first["receipt_code"], late[0]["receipt_code"]])


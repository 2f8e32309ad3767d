"""End to end through the command line and a real ``yizhan-server serve`` subprocess.

init -> enroll-token -> serve -> a kiosk enrolls, files and pushes -> export shows exactly
the submitted records -> a staff status change on the CLI reaches the kiosk's changes feed
-> revoke refuses the device.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from shared.clock import SystemClock
from shared.records import parse_record
from tests.sync_server.server_kit import (
    ServerProcess,
    TestKiosk,
    add_staff,
    complaint,
    jobseeker,
    server_cli,
)


def test_cli_and_server_end_to_end(tmp_path: Path) -> None:
    data = tmp_path / "server"
    init = json.loads(server_cli("init", "--county", "曾都区", "--no-passphrase", "--data",
                                 str(data), "--json").stdout)
    assert init["county"] == "曾都区"
    assert json.loads((data / "county-public.json").read_text()) == init
    qr = tmp_path / "token.png"
    token = json.loads(server_cli("enroll-token", "--station", "S001", "--data", str(data),
                                  "--qr-png", str(qr), "--json").stdout)
    assert qr.read_bytes().startswith(b"\x89PNG")
    records = [("complaint", complaint(1)), ("jobseeker", jobseeker(2)),
               ("complaint", complaint(3, employer=4))]
    with ServerProcess(data) as server, httpx.Client(base_url=server.url) as http:
        kiosk = TestKiosk(SystemClock())
        kiosk.enroll(http, token["token"])
        envs = [kiosk.file(kind, rec) for kind, rec in records]
        r = kiosk.push(http, envs)
        assert r.status_code == 201, r.text
        exported = [json.loads(line) for line in
                    server_cli("export", "--format", "jsonl", "--data", str(data))
                    .stdout.splitlines()]
        # By case id: records filed in the same millisecond export in ULID order, which is
        # random within a millisecond.
        assert {c["case_id"]: (c["kind"], c["record"]) for c in exported} == \
            {e.header.id: (kind, parse_record(kind, rec).to_wire())
             for e, (kind, rec) in zip(envs, records, strict=True)}
        assert {c["station"] for c in exported} == {"S001"}
        code, pin = kiosk.receipts[envs[0].header.id]
        wang = add_staff(data)
        changed = json.loads(server_cli("case", "status", code, "in_mediation", "--data",
                                        str(data), "--json", *wang).stdout)
        assert changed["status"] == "in_mediation"
        feed = kiosk.changes(http).json()["changes"]
        assert [c["status"] for c in feed if c.get("receipt_code") == code] == \
            ["received", "in_mediation"]
        looked_up = http.post("/v1/status", json={"code": code, "pin": pin}).json()
        assert looked_up["status"] == "in_mediation"
        bad = server_cli("case", "status", "ABCD-EFGH-JKM", "closed", "--data", str(data),
                         *wang, check=False)
        assert bad.returncode == 1
        assert "ABCD-EFGH-JKM" in bad.stderr
        server_cli("revoke", kiosk.device_id, "--data", str(data))
        refused = kiosk.push(http, [kiosk.file()])
        assert refused.status_code == 403
        assert refused.json()["code"] == "device_revoked"
        metrics = http.get("/metrics").text
        assert 'yizhan_records_total{status="accepted"} 3' in metrics


def test_cli_errors_name_the_thing_and_exit_nonzero(tmp_path: Path) -> None:
    missing = server_cli("export", "--data", str(tmp_path / "nowhere"), check=False)
    assert missing.returncode == 1
    assert "nowhere" in missing.stderr
    assert "init" in missing.stderr
    data = tmp_path / "server"
    server_cli("init", "--county", "X", "--no-passphrase", "--data", str(data))
    again = server_cli("init", "--county", "X", "--no-passphrase", "--data", str(data),
                       check=False)
    assert again.returncode == 1
    assert "--rotate" in again.stderr
    rotated = json.loads(server_cli("init", "--rotate", "--data", str(data), "--json").stdout)
    assert len(rotated["keys"]) == 2
    unknown = server_cli("revoke", "dnosuchdevice", "--data", str(data), check=False)
    assert unknown.returncode == 1
    assert "dnosuchdevice" in unknown.stderr
    for sub in ("init", "serve", "enroll-token", "revoke", "import-bundle", "export",
                "devices", "alerts", "quarantine"):
        assert server_cli(sub, "--help").stdout.startswith("usage: yizhan-server")


def test_passphrase_protects_county_keys(tmp_path: Path) -> None:
    data = tmp_path / "server"
    phrase = tmp_path / "phrase"
    phrase.write_text("correct horse\n")
    server_cli("init", "--county", "X", "--data", str(data), "--passphrase-file", str(phrase))
    assert b"ENCRYPTED" in next((data / "county-keys").glob("*.pem")).read_bytes()
    refused = server_cli("enroll-token", "--station", "S1", "--data", str(data), check=False)
    assert refused.returncode == 1
    assert "YIZHAN_COUNTY_PASSPHRASE" in refused.stderr
    server_cli("enroll-token", "--station", "S1", "--data", str(data), "--passphrase-file",
               str(phrase))

"""``yizhan-server backup`` / ``restore`` (issue 11): real CLIs, a real ``serve``, SQLite and
PostgreSQL, and the restore test of docs/operations.md run as written."""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import sqlite3
import subprocess
import tarfile
import threading
from pathlib import Path

import httpx
import pytest

from shared.clock import SystemClock
from tests.sync_server.conftest import postgres_or_skip
from tests.sync_server.server_kit import (
    ServerProcess,
    TestKiosk,
    complaint,
    drop_pg_schema,
    server_cli,
)

ROOT = Path(__file__).resolve().parents[2]


def _enroll(county: Path, http: httpx.Client, db: tuple[str, ...] = ()) -> TestKiosk:
    token = json.loads(server_cli("enroll-token", "--station", "S001", "--data", str(county),
                                  *db, "--json").stdout)["token"]
    kiosk = TestKiosk(SystemClock())
    kiosk.enroll(http, token)
    return kiosk


def _push(kiosk: TestKiosk, http: httpx.Client, n: int, start: int = 0) -> list[str]:
    envs = [kiosk.file("complaint", complaint(start + i)) for i in range(n)]
    r = kiosk.push(http, envs)
    assert r.status_code == 201, r.text
    return [kiosk.receipts[e.header.id][0] for e in envs]


def _codes(data: Path, *db: str) -> set[str]:
    out = server_cli("export", "--data", str(data), *db).stdout
    return {json.loads(line)["receipt_code"] for line in out.splitlines()}


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_backup_while_serving_then_restore_gives_back_every_case(
        county: Path, server: ServerProcess, tmp_path: Path) -> None:
    with httpx.Client(base_url=server.url) as http:
        kiosk = _enroll(county, http)
        before = set(_push(kiosk, http, 5))
        # Filings keep arriving while the backup runs: the snapshot is consistent anyway.
        during: list[str] = []
        stop = threading.Event()

        def keep_filing() -> None:
            with httpx.Client(base_url=server.url) as http2:
                n = 100
                while not stop.is_set() and n < 160:
                    during.extend(_push(kiosk, http2, 2, start=n))
                    n += 2

        filer = threading.Thread(target=keep_filing)
        filer.start()
        try:
            made = json.loads(server_cli("backup", "--data", str(county), "--out",
                                         str(tmp_path / "b.tgz"), "--json").stdout)
        finally:
            stop.set()
            filer.join()
        after = set(_push(kiosk, http, 2, start=500))
    archive = tmp_path / "b.tgz"
    assert made["backend"] == "sqlite"
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    restored = tmp_path / "restored"
    server_cli("restore", str(archive), "--data", str(restored))
    codes = _codes(restored)
    assert before <= codes
    assert codes <= before | set(during)
    assert not codes & after
    con = sqlite3.connect(restored / "server.db")
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    con.close()
    assert oct(restored.stat().st_mode & 0o777) == "0o700"
    assert all(p.stat().st_mode & 0o077 == 0 for p in restored.rglob("*"))
    # The restored county serves: a worker's pre-backup receipt still answers.
    code = sorted(before)[0]
    pin = next(p for c, p in kiosk.receipts.values() if c == code)
    with ServerProcess(restored) as again, httpx.Client(base_url=again.url) as http:
        assert http.post("/v1/status", json={"code": code, "pin": pin}).json()["status"] == \
            "received"


@pytest.fixture
def archive(county: Path, tmp_path: Path) -> Path:
    out = tmp_path / "county.tgz"
    server_cli("backup", "--data", str(county), "--out", str(out))
    return out


def _damaged(archive: Path, tmp_path: Path) -> list[Path]:
    raw = archive.read_bytes()
    flipped = tmp_path / "flipped.tgz"
    flipped.write_bytes(raw[:len(raw) // 2] + bytes([raw[len(raw) // 2] ^ 0x40])
                        + raw[len(raw) // 2 + 1:])
    cut = tmp_path / "cut.tgz"
    cut.write_bytes(raw[:len(raw) * 2 // 3])
    # Well-formed gzip and tar, one byte of the store changed inside: only the manifest's
    # checksum can tell.
    members = []
    with tarfile.open(archive, "r:gz") as tar:
        for info in tar:
            data = tar.extractfile(info).read()  # type: ignore[union-attr]
            if info.name == "store/server.db":
                data = data[:-1] + bytes([data[-1] ^ 1])
            members.append((info, data))
    inner = tmp_path / "inner.tgz"
    with tarfile.open(inner, "w:gz") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data))
    return [flipped, cut, inner]


def test_a_damaged_archive_is_refused_and_nothing_is_written(archive: Path,
                                                             tmp_path: Path) -> None:
    for bad in _damaged(archive, tmp_path):
        target = tmp_path / f"into-{bad.stem}"
        done = server_cli("restore", str(bad), "--data", str(target), check=False)
        assert done.returncode == 1, bad
        assert str(bad) in done.stderr
        assert "damaged" in done.stderr or "missing" in done.stderr
        assert not target.exists() or not any(target.iterdir())


def test_a_member_outside_the_folder_is_refused(archive: Path, tmp_path: Path) -> None:
    with tarfile.open(archive, "r:gz") as tar:
        members = [(i, tar.extractfile(i).read()) for i in tar]  # type: ignore[union-attr]
    evil = tmp_path / "evil.tgz"
    with tarfile.open(evil, "w:gz") as tar:
        for info, data in members:
            if info.name == "MANIFEST.json":
                manifest = json.loads(data)
                manifest["files"]["data/../../escaped"] = {"size": 3, "sha256": "x"}
                data = json.dumps(manifest).encode()
                info.size = len(data)
                planted = tarfile.TarInfo("data/../../escaped")
                planted.size = 3
                tar.addfile(planted, io.BytesIO(b"bad"))
            tar.addfile(info, io.BytesIO(data))
    done = server_cli("restore", str(evil), "--data", str(tmp_path / "t" / "county"),
                      check=False)
    assert done.returncode == 1
    assert "not a place a backup writes" in done.stderr
    assert not (tmp_path / "escaped").exists()
    assert not (tmp_path / "t" / "county").exists()


def test_a_county_that_holds_data_is_replaced_only_with_force(
        county: Path, tmp_path: Path) -> None:
    with ServerProcess(county) as server, httpx.Client(base_url=server.url) as http:
        kiosk = _enroll(county, http)
        kept = set(_push(kiosk, http, 2))
        archive = tmp_path / "b.tgz"
        server_cli("backup", "--data", str(county), "--out", str(archive))
        lost = set(_push(kiosk, http, 2, start=10))
    assert _codes(county) == kept | lost
    snapshot = _tree(county)
    refused = server_cli("restore", str(archive), "--data", str(county), check=False)
    assert refused.returncode == 1
    assert "--force" in refused.stderr
    assert _tree(county) == snapshot
    # A stale WAL beside the store would be replayed over the restored file.
    (county / "server.db-wal").write_bytes(b"\0" * 4096)
    server_cli("restore", str(archive), "--data", str(county), "--force")
    assert _codes(county) == kept
    again = server_cli("backup", "--data", str(county), "--out", str(archive), check=False)
    assert again.returncode == 1
    assert "already exists" in again.stderr


@pytest.mark.postgres
def test_postgres_store_backup_and_restore(tmp_path: Path) -> None:
    url, schema = postgres_or_skip()
    db = ("--db", url)
    try:
        data = tmp_path / "county"
        server_cli("init", "--county", "曾都区", "--data", str(data), *db, "--no-passphrase")
        with ServerProcess(data, url) as server, httpx.Client(base_url=server.url) as http:
            kiosk = _enroll(data, http, db)
            kept = set(_push(kiosk, http, 3))
        archive = tmp_path / "pg.tgz"
        made = json.loads(server_cli("backup", "--data", str(data), *db, "--out",
                                     str(archive), "--json").stdout)
        assert made["backend"] == "postgresql"
        drop_pg_schema(schema)  # the store is lost
        restored = tmp_path / "restored"
        server_cli("restore", str(archive), "--data", str(restored), *db)
        assert _codes(restored, *db) == kept
        busy = server_cli("restore", str(archive), "--data", str(tmp_path / "x"), *db,
                          check=False)
        assert busy.returncode == 1
        assert "already holds cases" in busy.stderr
        sqlite_target = server_cli("restore", str(archive), "--data", str(tmp_path / "y"),
                                   check=False)
        assert "postgresql store" in sqlite_target.stderr
    finally:
        drop_pg_schema(schema)


def test_missing_pg_dump_is_named(tmp_path: Path) -> None:
    data = tmp_path / "county"
    server_cli("init", "--county", "X", "--data", str(data), "--no-passphrase")
    venv_bin = Path(subprocess.run(["which", "yizhan-server"], capture_output=True, text=True,
                                   check=True).stdout.strip()).parent
    done = subprocess.run(
        ["yizhan-server", "backup", "--data", str(data), "--db",
         "postgresql://postgres@127.0.0.1:5432/test", "--out", str(tmp_path / "b.tgz")],
        capture_output=True, text=True, check=False,
        env={**os.environ, "PATH": str(venv_bin)})
    assert done.returncode == 1
    assert "pg_dump not found" in done.stderr
    assert "postgresql-client" in done.stderr
    assert not (tmp_path / "b.tgz").exists()


def _doc_block(heading: str) -> str:
    text = (ROOT / "docs" / "operations.md").read_text("utf-8")
    section = text.split(heading, 1)[1]
    found = re.search(r"```sh\n(.*?)```", section, re.S)
    assert found is not None
    return found.group(1)


def test_the_restore_test_in_operations_md_runs_as_written(
        county: Path, server: ServerProcess, tmp_path: Path) -> None:
    with httpx.Client(base_url=server.url) as http:
        _push(_enroll(county, http), http, 3)
    backups = tmp_path / "backup"
    backups.mkdir()
    backup_step = _doc_block("## Backup").replace("/backup", str(backups)) \
        .replace("/srv/yizhan", str(county))
    steps = _doc_block("### Test your restore").replace("/backup", str(backups))
    for script in (backup_step, steps):
        done = subprocess.run(["bash", "-c", script], capture_output=True, text=True,
                              check=False)
        assert done.returncode == 0, done.stderr
    assert re.search(r"^\s*3 \S+cases\.jsonl$", done.stdout, re.M), done.stdout
    assert "S001" in done.stdout  # devices lists the enrolled station


def test_gzip_of_the_archive_is_what_the_manifest_describes(archive: Path) -> None:
    with gzip.open(archive) as gz, tarfile.open(fileobj=gz) as tar:
        names = tar.getnames()
    assert names[-1] == "MANIFEST.json"
    assert "store/server.db" in names
    assert "data/county-secret" in names
    assert not any(n.startswith("data/server.db") for n in names)

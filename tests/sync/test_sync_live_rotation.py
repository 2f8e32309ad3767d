"""Key rotation while ``serve`` runs: no restart, nothing left quarantined ``unknown_kid``.

Real processes throughout: ``yizhan-server serve`` (one on SQLite; two on one PostgreSQL
schema), ``yizhan-server init --rotate`` / ``--rotate-server-key`` run beside them, a real
``yizhan-kiosk`` that follows the key statements and seals to the new key, and a scripted
device (``TestKiosk``) whose record was sealed to a key the county did not hold yet.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from shared.clock import SystemClock
from shared.keyfile import dump_private
from shared.keys import Recipient, kid_of
from sync_server.config.keystore import KEYS_DIR
from tests.sync.conftest import kiosk_cli
from tests.sync.test_sync_mitm import next_envelope, outbox, published, submit, trusted
from tests.sync_server.conftest import postgres_or_skip
from tests.sync_server.server_kit import ServerProcess, TestKiosk, drop_pg_schema, server_cli


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, int]]:
    """(database URL, how many ``serve`` processes share it)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'server.db'}", 1
        return
    url, schema = postgres_or_skip()
    try:
        yield url, 2
    finally:
        drop_pg_schema(schema)


def quarantined(data: Path, db_url: str) -> list[dict[str, object]]:
    out = server_cli("quarantine", "--data", str(data), "--db", db_url, "--json")
    return list(json.loads(out.stdout))


def token(data: Path, db_url: str) -> str:
    out = server_cli("enroll-token", "--station", "S001", "--data", str(data), "--db", db_url,
                     "--json")
    return str(json.loads(out.stdout)["token"])


def status(url: str, code: str, pin: str) -> httpx.Response:
    return httpx.post(url + "/v1/status", json={"code": code, "pin": pin}, timeout=30)


def test_a_rotation_is_picked_up_by_running_servers(tmp_path: Path,
                                                    store: tuple[str, int]) -> None:
    db_url, count = store
    county = tmp_path / "county"
    server_cli("init", "--county", "曾都区", "--no-passphrase", "--data", str(county),
               "--db", db_url)
    servers = [ServerProcess(county, db_url).start() for _ in range(count)]
    try:
        first, last = servers[0], servers[-1]
        pids = [s.proc.pid for s in servers if s.proc is not None]
        real = tmp_path / "kiosk"
        kiosk_cli(real, "init", "--station", "S001")
        kiosk_cli(real, "enroll", "--server", first.url, f"--token={token(county, db_url)}")
        submit(real, 1)
        kiosk_cli(real, "sync", "--server", first.url)
        before_kids, before_server = published(county)

        # a record sealed to a key the county does not hold yet: quarantined unknown_kid
        early = TestKiosk(SystemClock())
        with httpx.Client(base_url=last.url, timeout=30) as http:
            early.enroll(http, token(county, db_url))
            stray = X25519PrivateKey.generate()
            early.recipients = [Recipient.of(stray.public_key())]
            waiting = early.file()
            answer = early.push(http, [waiting]).json()
        assert answer["results"][0]["status"] == "quarantined"
        assert str(answer["results"][0]["reason"]).startswith("unknown_kid")

        server_cli("init", "--rotate", "--data", str(county))
        server_cli("init", "--rotate-server-key", "--data", str(county))
        kids, server_key = published(county)
        assert len(kids) == 2
        assert server_key != before_server

        submit(real, 1, start=1)  # sealed before the kiosk heard of the new key
        assert next_envelope(real).header.to[0] == before_kids[-1]
        kiosk_cli(real, "sync", "--server", last.url)
        assert trusted(real) == (kids, server_key)  # walked both statements
        assert outbox(real)["acknowledged"] == 2
        filed = submit(real, 1, start=2)[0]
        assert next_envelope(real).header.to[0] == kids[-1]  # sealed to the new key
        kiosk_cli(real, "sync", "--server", first.url)
        assert outbox(real)["acknowledged"] == 3
        assert status(first.url, filed["receipt_code"], filed["pin"]).status_code == 200
        assert [r["record_id"] for r in quarantined(county, db_url)] == [waiting.header.id]

        # the stray key joins the folder: the waiting record is merged without anyone acting
        path = county / KEYS_DIR / f"0003-{kid_of(stray.public_key())}.pem"
        path.write_bytes(dump_private(stray, None))
        path.chmod(0o600)
        later = TestKiosk(SystemClock())
        with httpx.Client(base_url=first.url, timeout=30) as http:
            later.enroll(http, token(county, db_url))
        later.recipients = [Recipient.of(stray.public_key())]
        for server in servers:  # every process opens what is sealed to it now
            with httpx.Client(base_url=server.url, timeout=30) as http:
                sealed = later.file()
                result = later.push(http, [sealed]).json()["results"][0]
                assert result["status"] == "accepted", result
        assert quarantined(county, db_url) == []
        code, pin = early.receipts[waiting.header.id]
        for server in servers:
            assert status(server.url, code, pin).status_code == 200
        assert [s.proc.pid for s in servers if s.proc is not None] == pids  # never restarted
        assert all(s.proc is not None and s.proc.poll() is None for s in servers)
    finally:
        for server in servers:
            server.stop()


def test_start_up_merges_what_a_key_added_while_down_opens(tmp_path: Path) -> None:
    """A key file put into the folder while ``serve`` was stopped: the records it opens are
    merged when ``serve`` starts, before any device pushes again."""
    db_url = f"sqlite:///{tmp_path / 'server.db'}"
    county = tmp_path / "county"
    server_cli("init", "--county", "曾都区", "--no-passphrase", "--data", str(county),
               "--db", db_url)
    device = TestKiosk(SystemClock())
    stray = X25519PrivateKey.generate()
    with ServerProcess(county, db_url) as server, \
            httpx.Client(base_url=server.url, timeout=30) as http:
        device.enroll(http, token(county, db_url))
        device.recipients = [Recipient.of(stray.public_key())]
        waiting = device.file()
        assert device.push(http, [waiting]).json()["results"][0]["status"] == "quarantined"
    path = county / KEYS_DIR / f"0002-{kid_of(stray.public_key())}.pem"
    path.write_bytes(dump_private(stray, None))
    path.chmod(0o600)
    assert [r["record_id"] for r in quarantined(county, db_url)] == [waiting.header.id]
    with ServerProcess(county, db_url):
        assert quarantined(county, db_url) == []

"""The county's secrets at rest, as an attacker holding a copy of the folder sees them: a
passphrase is required and must be strong, key files are scrypt-wrapped (legacy PBKDF2 files
still open and ``init --rewrap`` rewrites them), and every county file is owner-only."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import httpx
import pytest

from shared.clock import SystemClock
from shared.keyfile import kdf_params, load_private
from shared.keys import private_to_pem
from sync_server.config import keystore
from tests.sync_server.server_kit import ServerProcess, TestKiosk, server_cli

PASSPHRASE = "曾都 county keys on the third shelf"  # noqa: S105 - a test fixture, not a secret


def _phrase(tmp_path: Path, text: str = PASSPHRASE) -> str:
    path = tmp_path / f"phrase-{len(list(tmp_path.glob('phrase-*')))}"
    path.write_text(text + "\n", "utf-8")
    return str(path)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_without_a_passphrase_is_refused_and_writes_no_key(tmp_path: Path) -> None:
    data = tmp_path / "county"
    done = server_cli("init", "--county", "X", "--data", str(data), check=False)
    assert done.returncode == 1
    assert "YIZHAN_COUNTY_PASSPHRASE" in done.stderr
    assert "--no-passphrase" in done.stderr
    assert not (data / keystore.SERVER_KEY).exists()
    assert not list(data.glob("county-keys/*.pem"))


def test_no_passphrase_says_what_it_means(tmp_path: Path) -> None:
    data = tmp_path / "county"
    done = server_cli("init", "--county", "X", "--no-passphrase", "--data", str(data))
    assert "UNENCRYPTED" in done.stderr
    assert "未加密" in done.stderr
    assert {kdf_params(p.read_bytes())["kdf"] for p in keystore.private_files(data)} == {None}
    both = server_cli("init", "--county", "Y", "--no-passphrase", "--data",
                      str(tmp_path / "other"), "--passphrase-file", _phrase(tmp_path),
                      check=False)
    assert both.returncode == 1
    assert "choose one" in both.stderr


@pytest.mark.parametrize("weak", [
    "一二",            # 2 characters (6 bytes): the minimum counts characters
    "123456",          # too short, and the commonest password there is
    "88888888",        # 8 characters, one repeated digit
    "woaini1314",      # common in China, unknown to English lists
    "一二三四五六七八",  # 12345678 in Chinese numerals
    "XXXXXXXXXXXX",    # the county name, repeated
])
def test_weak_county_passphrases_are_refused(tmp_path: Path, weak: str) -> None:
    data = tmp_path / "county"
    done = server_cli("init", "--county", "XXXX", "--data", str(data), "--passphrase-file",
                      _phrase(tmp_path, weak), check=False)
    assert done.returncode == 1
    assert "county passphrase" in done.stderr
    assert "口令" in done.stderr
    assert not (data / keystore.SERVER_KEY).exists()


def test_key_files_are_scrypt_wrapped_at_the_documented_cost(tmp_path: Path) -> None:
    """Cost asserted as parameters (2^17 x 8 x 128 bytes = 128 MiB per guess); the time per
    guess is printed by bench/secrets_at_rest.py, not asserted."""
    data = tmp_path / "county"
    server_cli("init", "--county", "X", "--data", str(data), "--passphrase-file",
               _phrase(tmp_path))
    files = keystore.private_files(data)
    assert len(files) == 2
    for path in files:
        raw = path.read_bytes()
        assert kdf_params(raw) == {"kdf": "scrypt", "n": 2**17, "r": 8, "p": 1}
        assert b"PRIVATE KEY" in raw
        assert b"BEGIN PRIVATE KEY" not in raw
        with pytest.raises(Exception, match="wrong passphrase"):
            load_private(raw, b"not the passphrase")


def test_an_old_pbkdf2_county_still_opens_and_rewrap_rewrites_it(tmp_path: Path) -> None:
    data = tmp_path / "county"
    phrase = _phrase(tmp_path)
    server_cli("init", "--county", "X", "--data", str(data), "--passphrase-file", phrase)
    public = (data / keystore.PUBLIC_FILE).read_text()
    # What an older yizhan wrote: PKCS#8 under BestAvailableEncryption (PBKDF2, 2,048 rounds).
    for path in keystore.private_files(data):
        key = load_private(path.read_bytes(), PASSPHRASE.encode())
        path.write_bytes(private_to_pem(key, PASSPHRASE.encode()))
        assert kdf_params(path.read_bytes()) == {"kdf": "pkcs8-pbes2"}
    token = server_cli("enroll-token", "--station", "S1", "--data", str(data),
                       "--passphrase-file", phrase)  # the old files open
    assert token.returncode == 0
    wrong = server_cli("init", "--rewrap", "--data", str(data), "--passphrase-file",
                       _phrase(tmp_path, "a different long passphrase here"), check=False)
    assert wrong.returncode == 1
    assert {kdf_params(p.read_bytes())["kdf"] for p in keystore.private_files(data)} == \
        {"pkcs8-pbes2"}  # nothing rewritten by a wrong passphrase
    done = json.loads(server_cli("init", "--rewrap", "--data", str(data), "--passphrase-file",
                                 phrase, "--json").stdout)
    assert len(done["rewrapped"]) == 2
    for path in keystore.private_files(data):
        assert kdf_params(path.read_bytes())["kdf"] == "scrypt"
        assert _mode(path) == 0o600
    assert (data / keystore.PUBLIC_FILE).read_text() == public  # the same keys
    server_cli("enroll-token", "--station", "S2", "--data", str(data), "--passphrase-file",
               phrase)
    again = json.loads(server_cli("init", "--rewrap", "--data", str(data), "--passphrase-file",
                                  phrase, "--json").stdout)
    assert again["rewrapped"] == []


def test_rewrap_adds_a_strong_passphrase_to_an_unencrypted_county(tmp_path: Path) -> None:
    data = tmp_path / "county"
    server_cli("init", "--county", "X", "--no-passphrase", "--data", str(data))
    weak = server_cli("init", "--rewrap", "--data", str(data), "--passphrase-file",
                      _phrase(tmp_path, "88888888"), check=False)
    assert weak.returncode == 1
    assert keystore.unencrypted(data)
    server_cli("init", "--rewrap", "--data", str(data), "--passphrase-file", _phrase(tmp_path))
    assert keystore.unencrypted(data) == []


def test_county_files_are_owner_only(tmp_path: Path) -> None:
    """After init, after serve wrote its WAL, after export --output, and for a folder an
    older version made 0755/0644."""
    data = tmp_path / "county"
    server_cli("init", "--county", "X", "--no-passphrase", "--data", str(data))
    token = json.loads(server_cli("enroll-token", "--station", "S001", "--data", str(data),
                                  "--json").stdout)["token"]
    with ServerProcess(data) as server, httpx.Client(base_url=server.url) as http:
        kiosk = TestKiosk(SystemClock())
        kiosk.enroll(http, token)
        assert kiosk.push(http, [kiosk.file()]).status_code == 201
        assert (data / "server.db-wal").exists()
        files = [p for p in data.rglob("*") if p.is_file()]
        assert {p.name for p in files} >= {"server.db", "server.db-wal", "server.db-shm",
                                           "server-key.pem", "county-secret"}
        assert {str(p.relative_to(data)): _mode(p) for p in files} == \
            {str(p.relative_to(data)): 0o600 for p in files}
        assert _mode(data) == _mode(data / "county-keys") == 0o700
    out = tmp_path / "cases.jsonl"
    out.write_text("")
    out.chmod(0o644)  # an export file left from before is replaced (--force) owner-only too
    server_cli("export", "--data", str(data), "--output", str(out), "--force")
    assert _mode(out) == 0o600
    assert json.loads(out.read_text().splitlines()[0])["record"]["claimant"]["name"]
    server_cli("export", "--data", str(data), "--output", str(tmp_path / "new.jsonl"))
    assert _mode(tmp_path / "new.jsonl") == 0o600
    # A folder an older version left world-readable is locked down by the next command.
    data.chmod(0o755)
    (data / "server.db").chmod(0o644)
    server_cli("devices", "--data", str(data))
    assert _mode(data) == 0o700
    assert _mode(data / "server.db") == 0o600

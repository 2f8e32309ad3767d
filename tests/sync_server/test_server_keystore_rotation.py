"""The county's rotation chain on disk (sync_server/config/keystore.py): each rotation appends a key
statement signed by the server key before it; the server refuses to start on a chain that
does not verify; a key file from an interrupted rotation is not used."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.feed import Trust, advance
from shared.keys import b64u, private_to_pem, raw_public
from sync_server.config import keystore
from sync_server.errors import ConfigError


def test_each_rotation_is_signed_by_the_key_before_it(tmp_path: Path) -> None:
    created = keystore.create(tmp_path, "曾都区", None)
    enrolled = created.trust()
    assert enrolled.serial == 0
    assert created.public()["serial"] == 0
    keystore.rotate(tmp_path, None)
    rotated = keystore.rotate_server_key(tmp_path, None)
    loaded = keystore.load(tmp_path, None)
    assert loaded.server_key.public_key() == rotated.server_key.public_key()
    assert loaded.server_key.public_key() != created.server_key.public_key()
    assert len(loaded.statements) == 2
    # a kiosk enrolled at the start walks both statements to what is published now
    assert advance(enrolled, list(loaded.statements)) == loaded.trust()
    public = json.loads((tmp_path / keystore.PUBLIC_FILE).read_text("utf-8"))
    assert public == loaded.trust().to_public()
    assert public["serial"] == 2
    assert len(public["keys"]) == 2


def test_a_chain_that_does_not_verify_stops_the_server(tmp_path: Path) -> None:
    keystore.create(tmp_path, "曾都区", None)
    keystore.rotate_server_key(tmp_path, None)
    path = tmp_path / keystore.STATEMENTS_FILE
    statements = json.loads(path.read_text("utf-8"))
    statements[0]["server_key"] = b64u(raw_public(Ed25519PrivateKey.generate().public_key()))
    path.write_text(json.dumps(statements), "utf-8")
    with pytest.raises(ConfigError, match="rotation chain does not verify"):
        keystore.load(tmp_path, None)


def test_a_server_key_without_its_statement_is_not_used(tmp_path: Path) -> None:
    """A rotation killed after writing the new key file but before its statement."""
    keystore.create(tmp_path, "曾都区", None)
    before = keystore.rotate_server_key(tmp_path, None)
    orphan = Ed25519PrivateKey.generate()
    (tmp_path / keystore.SERVER_KEYS_DIR / "0003-orphan.pem").write_bytes(
        private_to_pem(orphan, None))
    loaded = keystore.load(tmp_path, None)
    assert loaded.server_key.public_key() == before.server_key.public_key()
    assert loaded.trust() == Trust.from_public(before.statements[-1])
    after = keystore.rotate(tmp_path, None)  # the next rotation still signs with the named key
    assert advance(loaded.trust(), list(after.statements)).serial == 2

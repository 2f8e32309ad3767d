"""Key files at rest (shared/keyfile.py): the scrypt wrap, the legacy forms it still reads,
and planted or damaged files refused before any expensive work."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from shared import KeyMaterialError
from shared.keyfile import SCRYPT_N, dump_private, kdf_params, load_private, needs_rewrap
from shared.keys import private_to_pem, raw_public

PASS = b"four unrelated words here"
FAST = 2**10  # small N for round trips; the real N is asserted where files are made


def _same(a: X25519PrivateKey | Ed25519PrivateKey, b: object) -> bool:
    return isinstance(b, type(a)) and raw_public(a.public_key()) == raw_public(
        b.public_key())  # type: ignore[attr-defined]


@pytest.mark.parametrize("key", [X25519PrivateKey.generate(), Ed25519PrivateKey.generate()])
def test_wrapped_keys_round_trip_and_refuse_a_wrong_passphrase(
        key: X25519PrivateKey | Ed25519PrivateKey) -> None:
    data = dump_private(key, PASS, n=FAST)
    assert data.startswith(b"-----BEGIN YIZHAN ENCRYPTED PRIVATE KEY-----")
    assert _same(key, load_private(data, PASS))
    with pytest.raises(KeyMaterialError, match="wrong passphrase"):
        load_private(data, PASS + b"!")
    with pytest.raises(KeyMaterialError, match="passphrase is needed"):
        load_private(data, None)


def test_every_form_is_told_apart_and_weak_ones_want_a_rewrap() -> None:
    key = X25519PrivateKey.generate()
    plain, legacy = private_to_pem(key, None), private_to_pem(key, PASS)
    weak_scrypt = dump_private(key, PASS, n=FAST)
    assert kdf_params(plain) == {"kdf": None}
    assert kdf_params(legacy) == {"kdf": "pkcs8-pbes2"}
    assert kdf_params(weak_scrypt) == {"kdf": "scrypt", "n": FAST, "r": 8, "p": 1}
    assert needs_rewrap(legacy)
    assert needs_rewrap(weak_scrypt)
    assert not needs_rewrap(plain)  # nothing to rewrap without a passphrase to wrap under
    assert _same(key, load_private(legacy, PASS))  # the PBKDF2 files of older versions open
    assert _same(key, load_private(plain, PASS))  # a passphrase for a plain file is ignored
    assert SCRYPT_N == 2**17


def _tampered(data: bytes, **change: object) -> bytes:
    lines = data.strip().splitlines()
    body = json.loads(base64.b64decode(b"".join(lines[1:-1])))
    body.update(change)
    inner = base64.encodebytes(json.dumps(body, sort_keys=True, separators=(",", ":")).encode())
    return lines[0] + b"\n" + inner + lines[-1] + b"\n"


@pytest.mark.parametrize(("change", "message"), [
    ({"n": 2**30}, "out of range"),     # a planted file asking for 1 TiB of memory
    ({"n": 3 * 2**10}, "out of range"),  # not a power of two
    ({"r": 10_000}, "out of range"),
    ({"p": 0}, "out of range"),
    ({"v": 2}, "unknown format"),
    ({"kdf": "pbkdf2"}, "unknown format"),
    ({"salt": "!!"}, "malformed"),
    ({"nonce": "AAAA"}, "malformed|wrong passphrase"),
])
def test_planted_or_damaged_files_are_refused(change: dict[str, object], message: str) -> None:
    data = dump_private(X25519PrivateKey.generate(), PASS, n=FAST)
    with pytest.raises(KeyMaterialError, match=message):
        load_private(_tampered(data, **change), PASS)


def test_a_truncated_file_is_refused() -> None:
    data = dump_private(X25519PrivateKey.generate(), PASS, n=FAST)
    with pytest.raises(KeyMaterialError, match="truncated"):
        load_private(data[: len(data) // 2], PASS)

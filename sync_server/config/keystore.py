"""The county's secrets on disk under the data folder, and the public enrollment file.

Layout of ``<data>``::

    county-keys/0001-<kid>.pem   X25519 county keys, numbered oldest first: the newest seals,
                                 all open. Wrapped under the county passphrase with scrypt
                                 (``shared.keyfile``), plain PKCS#8 only after an explicit
                                 ``--no-passphrase``; legacy PBKDF2 files open and ``rewrap``
                                 rewrites them
    server-key.pem               Ed25519 key that signs acknowledgements, changes pages and
                                 ack bundles (the key kiosks learn at enrollment; same
                                 protection)
    server-keys/0002-<id>.pem    later server keys (``rotate_server_key``), numbered
    key-statements.json          the rotation chain: key statement N (shared/feed.py) names
                                 the sealing keys and server key from serial N on and is
                                 signed by the server key of serial N - 1
    county-secret                32 random bytes (hex) keying the person/employer HMACs
    county-public.json           {"county", "keys": [{"kid", "public_key"}], "server_key",
                                 "serial"}: the kiosk's offline enrollment file; the last
                                 key seals

The folder, ``county-keys/`` and ``server-keys/`` are mode 0700; private files are written
with mode 0600 and never overwritten, except by ``rewrap`` (atomically, same mode). The newest
key statement decides what is published and which server key signs: a key file written by a
rotation that was interrupted before its statement is inert until the next rotation names it.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from shared._errors import FeedError, KeyMaterialError
from shared.clock import Clock, SystemClock, format_utc
from shared.feed import Trust, advance, sign_statement
from shared.keyfile import dump_private, kdf_params, load_private, needs_rewrap
from shared.keys import Keyring, b64u, kid_of, raw_public
from shared.safefile import write_new
from sync_server.errors import ConfigError

PUBLIC_FILE = "county-public.json"
KEYS_DIR = "county-keys"
SERVER_KEY = "server-key.pem"
SECRET_FILE = "county-secret"  # noqa: S105 - a file name, not a secret
SERVER_KEYS_DIR = "server-keys"
STATEMENTS_FILE = "key-statements.json"


@dataclass(frozen=True)
class CountyKeys:
    """What a running server holds: the keyring, the signing key, the HMAC secret, the
    name, and the key statements (rotation chain) kiosks walk to reach ``server_key``."""

    county: str
    keyring: Keyring
    server_key: Ed25519PrivateKey
    secret: bytes
    statements: tuple[dict[str, Any], ...] = ()

    def trust(self) -> Trust:
        """What a kiosk enrolled now trusts: the newest statement's keys, or the keyring and
        the first server key before any rotation."""
        if self.statements:
            return Trust.from_public(self.statements[-1])
        return Trust(self.county, tuple(self.keyring.recipients()),
                     self.server_key.public_key(), 0)

    def public(self) -> dict[str, Any]:
        """The county-public.json content."""
        return self.trust().to_public()


def _write_private(path: Path, data: bytes) -> None:
    write_new(path, data)  # mode 0600, fsynced, never over an existing key


def _private_dirs(data_dir: Path) -> None:
    """Make ``data_dir``, ``county-keys/`` and ``server-keys/`` owner-only (0700), creating
    them if needed."""
    for folder in (data_dir, data_dir / KEYS_DIR, data_dir / SERVER_KEYS_DIR):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.chmod(0o700)


def _write_public(data_dir: Path, keys: CountyKeys) -> None:
    write_new(data_dir / PUBLIC_FILE, (json.dumps(keys.public(), ensure_ascii=False, indent=2)
                                       + "\n").encode("utf-8"), mode=0o644, force=True)


def is_initialised(data_dir: Path) -> bool:
    """True when ``data_dir`` already holds county keys."""
    return (data_dir / SERVER_KEY).exists()


def create(data_dir: Path, county: str, passphrase: bytes | None) -> CountyKeys:
    """Make the first county key, the server key and the secret. Returns the loaded keys.

    Raises ConfigError if the folder is already initialised or the county name is empty.
    """
    if not county.strip():
        raise ConfigError("--county: the county name must not be empty")
    if is_initialised(data_dir):
        raise ConfigError(f"{data_dir} is already initialised; use --rotate to add a key")
    _private_dirs(data_dir)
    write_new(data_dir / "county.json", (json.dumps({"county": county.strip()},
                                                    ensure_ascii=False) + "\n").encode("utf-8"),
              mode=0o600, force=True)
    _write_private(data_dir / SECRET_FILE, secrets.token_hex(32).encode())
    _add_county_key(data_dir, 1, passphrase)
    _write_private(data_dir / SERVER_KEY, dump_private(Ed25519PrivateKey.generate(), passphrase))
    keys = load(data_dir, passphrase)
    _write_public(data_dir, keys)
    return keys


def _add_county_key(data_dir: Path, number: int, passphrase: bytes | None) -> None:
    key = X25519PrivateKey.generate()
    _write_private(data_dir / KEYS_DIR / f"{number:04d}-{kid_of(key.public_key())}.pem",
                   dump_private(key, passphrase))


def rotate(data_dir: Path, passphrase: bytes | None, clock: Clock | None = None) -> CountyKeys:
    """Add a new county key (it seals from now on; older ones still open) and a key
    statement naming it, signed by the current server key. Returns the keys.

    Raises ConfigError if the folder is not initialised or the passphrase is wrong.
    """
    existing = load(data_dir, passphrase)
    _add_county_key(data_dir, len(existing.keyring) + 1, passphrase)
    keys = load(data_dir, passphrase)
    return _state(data_dir, keys, keys.server_key, existing.server_key, clock)


def rotate_server_key(data_dir: Path, passphrase: bytes | None,
                      clock: Clock | None = None) -> CountyKeys:
    """Make a new server signing key and a key statement naming it, signed by the old one
    (kiosks follow it; acks, pages and bundles are signed by the new key from now on).
    Returns the keys. Raises ConfigError as ``rotate``."""
    existing = load(data_dir, passphrase)
    _private_dirs(data_dir)
    new = Ed25519PrivateKey.generate()
    number = len(list((data_dir / SERVER_KEYS_DIR).glob("*.pem"))) + 2
    name = f"{number:04d}-{b64u(raw_public(new.public_key()))[:12]}.pem"
    _write_private(data_dir / SERVER_KEYS_DIR / name, dump_private(new, passphrase))
    return _state(data_dir, existing, new, existing.server_key, clock)


def _state(data_dir: Path, keys: CountyKeys, server_key: Ed25519PrivateKey,
           signer: Ed25519PrivateKey, clock: Clock | None) -> CountyKeys:
    """Append the key statement for ``keys``' keyring and ``server_key``, signed by
    ``signer``; rewrite the public file. Returns the keys as they now load."""
    new = Trust(keys.county, tuple(keys.keyring.recipients()), server_key.public_key(),
                len(keys.statements) + 1)
    statement = sign_statement(new, format_utc((clock or SystemClock()).now()), signer)
    write_new(data_dir / STATEMENTS_FILE,
              (json.dumps([*keys.statements, statement], ensure_ascii=False, indent=1)
               + "\n").encode("utf-8"), mode=0o644, force=True)
    out = CountyKeys(keys.county, keys.keyring, server_key, keys.secret,
                     (*keys.statements, statement))
    _write_public(data_dir, out)
    return out


def load(data_dir: Path, passphrase: bytes | None, *, allow_empty: bool = False) -> CountyKeys:
    """Read every key under ``data_dir``. Raises ConfigError naming the file at fault."""
    if not is_initialised(data_dir):
        raise ConfigError(f"{data_dir} holds no county keys: run `yizhan-server init --county "
                          "NAME` first")
    try:
        county = json.loads((data_dir / "county.json").read_text("utf-8"))["county"]
        secret = bytes.fromhex((data_dir / SECRET_FILE).read_text().strip())
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"{data_dir}: county.json or county-secret unreadable: {exc}") from None
    keyring = Keyring()
    for path in sorted((data_dir / KEYS_DIR).glob("*.pem")):
        keyring.add(_read(path, passphrase, X25519PrivateKey))
    if not len(keyring) and not allow_empty:
        raise ConfigError(f"{data_dir / KEYS_DIR} holds no county key")
    first = _read(data_dir / SERVER_KEY, passphrase, Ed25519PrivateKey)
    statements = _read_statements(data_dir, county, first)
    if not statements:
        return CountyKeys(county, keyring, first, secret)
    named = statements[-1]["server_key"]
    for path in [data_dir / SERVER_KEY, *sorted((data_dir / SERVER_KEYS_DIR).glob("*.pem"))]:
        key = first if path.name == SERVER_KEY else _read(path, passphrase,
                                                          Ed25519PrivateKey)
        if b64u(raw_public(key.public_key())) == named:
            return CountyKeys(county, keyring, key, secret, tuple(statements))
    raise ConfigError(f"{data_dir / STATEMENTS_FILE}: no server key file holds the key its "
                      "newest statement names")


def _read_statements(data_dir: Path, county: str,
                     first: Ed25519PrivateKey) -> list[dict[str, Any]]:
    """The rotation chain, checked from the first server key. Raises ConfigError."""
    path = data_dir / STATEMENTS_FILE
    try:
        statements = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: unreadable: {exc}") from None
    try:
        start = Trust(county, (), first.public_key(), 0)
        if advance(start, statements).serial != len(statements):
            raise FeedError("serials")
    except FeedError as exc:
        raise ConfigError(f"{path}: the rotation chain does not verify ({exc.detail})") \
            from None
    return list(statements)


def private_files(data_dir: Path) -> list[Path]:
    """The county's private key files: county keys oldest first, then the server keys."""
    return [*sorted((data_dir / KEYS_DIR).glob("*.pem")), data_dir / SERVER_KEY,
            *sorted((data_dir / SERVER_KEYS_DIR).glob("*.pem"))]


def lock_down(data_dir: Path) -> None:
    """Make an existing county folder owner-only: the folder 0700, ``server.db`` and its
    WAL/SHM, private keys and the secret 0600 (folders made by older versions were 0755/0644).
    """
    if not data_dir.is_dir():
        return
    data_dir.chmod(0o700)
    for folder in (data_dir / KEYS_DIR, data_dir / SERVER_KEYS_DIR):
        if folder.is_dir():
            folder.chmod(0o700)
    for path in [*private_files(data_dir), data_dir / SECRET_FILE,
                 *data_dir.glob("server.db*")]:
        if path.is_file():
            path.chmod(0o600)


def unencrypted(data_dir: Path) -> list[Path]:
    """The private key files stored without a passphrase (``--no-passphrase``)."""
    return [p for p in private_files(data_dir) if p.exists()
            and kdf_params(p.read_bytes())["kdf"] is None]


def rewrap(data_dir: Path, passphrase: bytes) -> list[Path]:
    """Rewrite every private key file that is weaker than ``shared.keyfile`` now writes
    (legacy PBKDF2, or unencrypted) under ``passphrase`` with scrypt. Returns the files
    rewritten. Each is replaced atomically (mode 0600); one that fails leaves the others.

    Raises ConfigError naming the file that does not open with ``passphrase``.
    """
    load(data_dir, passphrase)  # every file must open before any is rewritten
    _private_dirs(data_dir)
    done = []
    for path in private_files(data_dir):
        data = path.read_bytes()
        if not needs_rewrap(data) and kdf_params(data)["kdf"] is not None:
            continue
        key = load_private(data, passphrase)
        write_new(path, dump_private(key, passphrase), force=True)  # atomic replace, 0600
        done.append(path)
    return done


def _read(path: Path, passphrase: bytes | None, kind: type[Any]) -> Any:
    try:
        key = load_private(path.read_bytes(), passphrase)
        if not isinstance(key, kind):
            raise KeyMaterialError(f"file does not hold an {kind.__name__[:-10]} private key")
        return key
    except KeyMaterialError as exc:
        hint = " (set YIZHAN_COUNTY_PASSPHRASE or --passphrase-file)" if not passphrase else ""
        raise ConfigError(f"{path}: {exc}{hint}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: {exc.strerror}") from None

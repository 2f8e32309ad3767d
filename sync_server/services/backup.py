"""County backup and restore: one archive holding the data folder and a consistent store.

The archive is a gzip'd tar::

    data/<path>          every regular file of the data folder (keys, county secret, config),
                         the store's own files (server.db, -wal, -shm) excepted
    store/server.db      SQLite: a snapshot by the online backup API (serve may keep running)
    store/postgres.dump  PostgreSQL: pg_dump --format=custom
    MANIFEST.json        {"format": "yizhan-backup/1", "created_at", "county", "store":
                          {"backend", "member", "revision", "schema"}, "files": {name:
                          {"size", "sha256"}}}  — written last, over what was written

``restore`` checks the whole archive (every member listed, no member unlisted, every size
and SHA-256) before it writes anything, and refuses a data folder or store that already holds
something unless ``force``. Archives and restored files are created 0600 in 0700 folders.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from shared._errors import FileRefused
from shared.clock import Clock, format_utc
from shared.safefile import NewFile
from sync_server.config.settings import Settings
from sync_server.errors import BackupError
from sync_server.store import snapshot

__all__ = ["FORMAT", "BackupResult", "backup", "restore", "verify"]

FORMAT = "yizhan-backup/1"
MANIFEST = "MANIFEST.json"
_STORE_NAMES = ("server.db", "server.db-wal", "server.db-shm", "server.db-journal")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class BackupResult:
    """What ``backup`` wrote (``path``, ``sha256`` of the whole archive) or ``restore``
    put back (``path`` = the archive)."""

    path: Path
    sha256: str
    size: int
    files: int
    backend: str
    revision: str | None

    def to_wire(self) -> dict[str, Any]:
        return {"path": str(self.path), "sha256": self.sha256, "size": self.size,
                "files": self.files, "backend": self.backend, "revision": self.revision}


def _data_files(data_dir: Path) -> Iterator[tuple[str, Path]]:
    """(archive name, path) of every regular file under ``data_dir``; links are not followed
    and the store's own files are left to the snapshot."""
    for root, dirs, files in os.walk(data_dir, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            path = Path(root) / name
            rel = path.relative_to(data_dir).as_posix()
            if rel in _STORE_NAMES or name.endswith((".tmp", ".part", ".restoring")):
                continue
            if path.is_symlink() or not path.is_file():
                continue
            yield f"data/{rel}", path


def _add(tar: tarfile.TarFile, name: str, fh: IO[bytes], size: int) -> dict[str, Any]:
    hashing = _Hashing(fh)
    info = tarfile.TarInfo(name)
    info.size, info.mode = size, 0o600
    tar.addfile(info, hashing)  # tarfile only calls read()
    return {"size": size, "sha256": hashing.digest.hexdigest()}


class _Hashing:
    """A reader that hashes what passes through it (one pass over a large store)."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh, self.digest = fh, hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        chunk = self._fh.read(n)
        self.digest.update(chunk)
        return chunk


def backup(settings: Settings, out: Path, clock: Clock) -> BackupResult:
    """Write one archive of ``settings``' data folder and store to the new file ``out``.

    Raises BackupError if ``out`` exists, the data folder is not a county's, or the store
    cannot be copied; a half-written archive is removed."""
    data = settings.data_dir
    if not (data / "county.json").is_file():
        raise BackupError(f"--data {data}: not a county data folder (no county.json)")
    out.parent.mkdir(parents=True, exist_ok=True)
    url = settings.database_url
    backend = "postgresql" if url.startswith("postgresql") else "sqlite"
    with tempfile.TemporaryDirectory(prefix="yizhan-backup-") as tmp:
        store_file = Path(tmp) / "store"
        if backend == "sqlite":
            snapshot.snapshot_sqlite(url, store_file)
            revision = snapshot.revision_of_sqlite(store_file)
            member, schema = "store/server.db", None
        else:
            snapshot.dump_postgres(url, store_file)
            revision, member = None, "store/postgres.dump"
            schema = snapshot.pg_schema(url)
        county = json.loads((data / "county.json").read_text("utf-8")).get("county")
        files: dict[str, dict[str, Any]] = {}
        # A new file (never through a link, never over a file), 0600, put in place whole.
        with _named(out, "--out"), NewFile(out) as target, \
                gzip.GzipFile(fileobj=target, mode="wb", compresslevel=6, mtime=0) as gz, \
                tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for name, path in _data_files(data):
                with open(path, "rb") as fh:
                    files[name] = _add(tar, name, fh, os.fstat(fh.fileno()).st_size)
            with open(store_file, "rb") as fh:
                files[member] = _add(tar, member, fh, os.fstat(fh.fileno()).st_size)
            manifest = json.dumps({
                "format": FORMAT, "created_at": format_utc(clock.now()), "county": county,
                "store": {"backend": backend, "member": member, "revision": revision,
                          "schema": schema},
                "files": files}, ensure_ascii=False, indent=1, sort_keys=True).encode()
            _add(tar, MANIFEST, io.BytesIO(manifest), len(manifest))
    return BackupResult(out, _sha256(out), out.stat().st_size, len(files), backend, revision)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


_UNREADABLE = (tarfile.TarError, EOFError, OSError, gzip.BadGzipFile, zlib.error)


def _members(archive: Path) -> Iterator[tuple[tarfile.TarInfo, IO[bytes]]]:
    """Each member and its reader. Reading a damaged archive raises, also from the
    caller's reads: wrap the whole loop in ``_readable``."""
    with tarfile.open(archive, mode="r:gz") as tar:
        for info in tar:
            if not info.isfile():
                raise BackupError(f"{archive}: member {info.name!r} is not a plain file")
            fh = tar.extractfile(info)
            assert fh is not None  # noqa: S101 - isfile() members always have one
            yield info, fh


@contextlib.contextmanager
def _readable(archive: Path) -> Iterator[None]:
    try:
        yield
    except _UNREADABLE as exc:
        raise BackupError(f"{archive}: damaged or not a yizhan backup ({exc})") from None


def _safe_name(archive: Path, name: str) -> None:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or \
            path.parts[0] not in ("data", "store") or len(path.parts) < 2:
        raise BackupError(f"{archive}: member {name!r} is not a place a backup writes")


def _read_all(archive: Path) -> tuple[dict[str, dict[str, Any]], Any]:
    """(size and SHA-256 of every member but the manifest, the parsed manifest or None)."""
    seen: dict[str, dict[str, Any]] = {}
    manifest: Any = None
    for info, fh in _members(archive):
        if info.name == MANIFEST:
            try:
                manifest = json.loads(fh.read(16 * _CHUNK))
            except ValueError:
                raise BackupError(f"{archive}: {MANIFEST} is not JSON") from None
            continue
        _safe_name(archive, info.name)
        digest, size = hashlib.sha256(), 0
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
        seen[info.name] = {"size": size, "sha256": digest.hexdigest()}
    return seen, manifest


def verify(archive: Path) -> dict[str, Any]:
    """Check every member of ``archive`` against its manifest; returns the manifest.

    Raises BackupError naming the first member that is missing, unlisted, of the wrong size
    or checksum, or the archive itself if it is unreadable or not a yizhan backup."""
    with _readable(archive):
        seen, manifest = _read_all(archive)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive}: no {FORMAT} manifest (damaged or not a yizhan backup)")
    listed = manifest.get("files")
    if not isinstance(listed, dict):
        raise BackupError(f"{archive}: manifest lists no files")
    for name, want in listed.items():
        if name not in seen:
            raise BackupError(f"{archive}: {name} is missing (archive cut short?)")
        if seen[name] != want:
            raise BackupError(f"{archive}: {name} does not match its checksum (damaged)")
    extra = sorted(set(seen) - set(listed))
    if extra:
        raise BackupError(f"{archive}: {extra[0]} is not in the manifest")
    store = manifest.get("store") or {}
    if store.get("member") not in listed:
        raise BackupError(f"{archive}: the manifest names no store")
    return manifest


def restore(archive: Path, settings: Settings, *, force: bool = False) -> BackupResult:
    """Put ``archive`` back into ``settings``' data folder and store (stop ``serve`` first).

    Raises BackupError for a damaged archive (nothing written), a store of the other kind
    than ``--db``, or a data folder or store that already holds something (unless ``force``).
    """
    manifest = verify(archive)
    store = manifest["store"]
    url = settings.database_url
    backend = "postgresql" if url.startswith("postgresql") else "sqlite"
    if store.get("backend") != backend:
        raise BackupError(f"{archive}: holds a {store.get('backend')} store; --db names a "
                          f"{backend} one")
    if backend == "postgresql" and store.get("schema") != snapshot.pg_schema(url):
        raise BackupError(f"{archive}: holds PostgreSQL schema {store.get('schema')!r}; "
                          f"--db names {snapshot.pg_schema(url)!r}")
    data = settings.data_dir
    if not force:
        if data.exists() and any(data.iterdir()):
            raise BackupError(f"--data {data}: not empty; restore into an empty folder, or "
                              "add --force to replace what is there")
        if not snapshot.is_empty(url):
            raise BackupError("the store already holds cases; add --force to replace them")
    data.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(data, 0o700)
    with tempfile.TemporaryDirectory(dir=data, prefix=".yizhan-restore-") as tmp, \
            _readable(archive):
        store_file = Path(tmp) / "store"
        for info, fh in _members(archive):
            if info.name == MANIFEST:
                continue
            target = store_file if info.name == store["member"] else \
                data / PurePosixPath(info.name).relative_to("data")
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with _named(target, "restore"), NewFile(target, force=True) as out:
                while chunk := fh.read(_CHUNK):
                    out.write(chunk)
        if backend == "sqlite":
            snapshot.put_sqlite(store_file, url)
        else:
            snapshot.restore_postgres(store_file, url)
    return BackupResult(archive, _sha256(archive), archive.stat().st_size,
                        len(manifest["files"]), backend, store.get("revision"))


@contextlib.contextmanager
def _named(path: Path, what: str) -> Iterator[None]:
    """FileRefused (a link, a folder, an existing file, a full disk) as a BackupError."""
    try:
        yield
    except FileRefused as exc:
        raise BackupError(f"{what} {path}: {exc}") from None

"""Consistent copies of the case store for backups, and putting one back.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent snapshot
while ``serve`` keeps writing; the copy is a single file with no WAL. PostgreSQL: ``pg_dump
--format=custom`` (one consistent snapshot by MVCC) and ``pg_restore``; the schema named by a
``search_path`` option in the URL is the one dumped, else the whole database.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import inspect, text

from shared._errors import FileRefused
from shared.safefile import NewFile
from sync_server.errors import BackupError
from sync_server.store.engine import make_engine

__all__ = ["dump_postgres", "is_empty", "pg_schema", "put_sqlite", "restore_postgres",
           "revision_of_sqlite", "snapshot_sqlite", "sqlite_path"]

_SIDE_FILES = ("-wal", "-shm", "-journal")


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///PATH`` URL. Raises BackupError for an in-memory one."""
    path = url.split("sqlite:///", 1)[1] if url.startswith("sqlite:///") else ""
    if not path or path == ":memory:":
        raise BackupError(f"--db {url!r}: not a SQLite file")
    return Path(path)


def snapshot_sqlite(url: str, dest: Path) -> None:
    """Copy the SQLite store at ``url`` into the new file ``dest`` (online backup API).

    Raises BackupError if the store is missing or unreadable."""
    src_path = sqlite_path(url)
    if not src_path.is_file():
        raise BackupError(f"store {src_path}: no such file (is --data / --db right?)")
    try:
        src = sqlite3.connect(f"file:{src_path}?mode=ro", uri=True, timeout=30)
        try:
            dst = sqlite3.connect(dest)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=DELETE")
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        raise BackupError(f"store {src_path}: cannot be copied: {exc}") from None


def revision_of_sqlite(path: Path) -> str | None:
    """The Alembic revision of a SQLite store file, or None if it has none."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        return None
    finally:
        con.close()
    return None if row is None else str(row[0])


def put_sqlite(snapshot: Path, url: str) -> None:
    """Make the file ``snapshot`` the store at ``url``: stale WAL/SHM files go first (an old
    WAL replayed over a restored file would corrupt it), then the copy is put in place
    atomically, mode 0600 (``shared.safefile.NewFile``: fsync the file, rename, fsync the
    folder). Raises BackupError if the store's name is a symlink or not a regular file,
    or the disk refuses."""
    target = sqlite_path(url)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    for suffix in _SIDE_FILES:
        side = target.with_name(target.name + suffix)
        if side.exists() or side.is_symlink():
            side.unlink()
    try:
        with open(snapshot, "rb") as src, NewFile(target, force=True) as out:
            shutil.copyfileobj(src, out)
    except FileRefused as exc:
        raise BackupError(f"restore {target}: {exc}") from None


def _libpq(url: str) -> tuple[str, str | None]:
    """(libpq connection URI, schema from a search_path option or None)."""
    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    schema = None
    for opt in parse_qs(urlsplit(plain).query).get("options", []):
        for part in unquote(opt).split():
            if part.startswith("-csearch_path="):
                schema = part.split("=", 1)[1].split(",")[0].strip() or None
    return plain, schema


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client "
                          "(Debian: apt-get install postgresql-client) to back up or "
                          "restore a PostgreSQL store")
    return found


def pg_schema(url: str) -> str | None:
    """The schema a PostgreSQL URL's ``search_path`` option names, or None."""
    return _libpq(url)[1]


def dump_postgres(url: str, dest: Path) -> None:
    """``pg_dump --format=custom`` of the store at ``url`` into ``dest``.

    Raises BackupError if pg_dump is missing or fails (its message, no data, is kept)."""
    conn, schema = _libpq(url)
    cmd = [_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={dest}",
           f"--dbname={conn}"]
    if schema:
        cmd.append(f"--schema={schema}")
    _run(cmd, "pg_dump")


def restore_postgres(dump: Path, url: str) -> None:
    """Put a ``pg_dump`` archive back into the database at ``url`` (objects it holds are
    dropped first). Raises BackupError if pg_restore is missing or fails."""
    conn, _schema = _libpq(url)
    _run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--exit-on-error",
          "--single-transaction", f"--dbname={conn}", str(dump)], "pg_restore")


def _run(cmd: list[str], name: str) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-3:]
        raise BackupError(f"{name} failed (exit {done.returncode}): {' | '.join(tail)}")


def is_empty(url: str) -> bool:
    """True if the store at ``url`` holds no case (or does not exist yet)."""
    if url.startswith("sqlite") and not sqlite_path(url).exists():
        return True
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("cases"):
                return True
            return int(conn.execute(text("SELECT count(*) FROM cases")).scalar_one()) == 0
    finally:
        engine.dispose()

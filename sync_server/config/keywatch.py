"""The county keys a running server holds, reloaded when the key folder changes on disk.

``yizhan-server init --rotate`` / ``--rotate-server-key`` write a new key file and a key
statement while ``serve`` runs (possibly several ``serve`` processes against one store). Each
process notices on its own: ``KeyWatch.current()`` compares a fingerprint of the key files
(name, size and mtime of every file under ``county-keys/`` and ``server-keys/``, the first
server key and ``key-statements.json`` — a handful of ``stat`` calls) with the one it loaded,
and reloads the folder when it differs. It is called from worker threads (push, changes,
enrollment), never on the event loop, because reloading may run scrypt once per key file.

A reload that fails (a file half-written, a statement that does not verify) keeps the keys
already held and is tried again on the next call; the fault is logged once per fingerprint.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from sync_server.config import keystore
from sync_server.errors import ConfigError

log = logging.getLogger("yizhan.server.keys")

Fingerprint = tuple[tuple[str, int, int], ...]


def fingerprint(data_dir: Path) -> Fingerprint:
    """(relative name, size, mtime_ns) of every file a key reload reads, sorted."""
    out: list[tuple[str, int, int]] = []
    for name in (keystore.SERVER_KEY, keystore.STATEMENTS_FILE):
        try:
            st = os.stat(data_dir / name)
        except FileNotFoundError:
            continue
        out.append((name, st.st_size, st.st_mtime_ns))
    for folder in (keystore.KEYS_DIR, keystore.SERVER_KEYS_DIR):
        try:
            entries = list(os.scandir(data_dir / folder))
        except FileNotFoundError:
            continue
        for entry in entries:
            try:
                st = entry.stat()
            except FileNotFoundError:  # removed between listing and stat
                continue
            out.append((f"{folder}/{entry.name}", st.st_size, st.st_mtime_ns))
    return tuple(sorted(out))


class KeyWatch:
    """Holds the loaded ``CountyKeys`` and reloads them when the key files change."""

    def __init__(self, data_dir: Path, passphrase: bytes | None,
                 on_change: Callable[[keystore.CountyKeys], None] | None = None) -> None:
        """Load the keys now. Raises ConfigError naming the file at fault."""
        self._data_dir = data_dir
        self._passphrase = passphrase
        self._lock = threading.Lock()
        self._seen = fingerprint(data_dir)
        self._keys = keystore.load(data_dir, passphrase)
        self._failed: Fingerprint | None = None
        self.on_change = on_change

    @property
    def keys(self) -> keystore.CountyKeys:
        """The keys held now, without looking at the disk."""
        return self._keys

    def current(self) -> keystore.CountyKeys:
        """The keys as the folder holds them now: reloaded first if a key file changed
        since the last load. Returns the keys held before when the reload fails."""
        now = fingerprint(self._data_dir)
        if now == self._seen:
            return self._keys
        with self._lock:
            now = fingerprint(self._data_dir)
            if now == self._seen:
                return self._keys
            try:
                keys = keystore.load(self._data_dir, self._passphrase)
            except ConfigError as exc:
                if self._failed != now:
                    log.warning("key folder changed but does not load yet (keeping the keys "
                                "held): %s", exc)
                    self._failed = now
                return self._keys
            if fingerprint(self._data_dir) != now:  # changed while loading: next call again
                return self._keys
            before = self._keys
            self._keys, self._seen = keys, now
        log.info("county keys reloaded: %d sealing keys (was %d), statement serial %d",
                 len(keys.keyring), len(before.keyring), len(keys.statements))
        if self.on_change is not None:
            self.on_change(keys)
        return keys

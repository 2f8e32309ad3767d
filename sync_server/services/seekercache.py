"""The job seekers' profiles and term index kept in the serving process, so matching one
new posting does not read ~25,000 candidate profiles back from the store each time.

One cache per store engine (``cached_index(conn)``). Before each use it is brought up to
date from the store, so several ``serve`` processes on one PostgreSQL stay correct:

* the rows changed since the newest ``updated_at_ms`` seen (less ``OVERLAP_MS``, for
  transactions that committed late or clocks a little apart) are read and applied;
* then the store's version — (count, sum of ``updated_at_ms``) of ``job_seekers`` — is
  compared with the cache's own; any difference (a row changed with an older stamp, a
  clock set back) reloads everything (after one more incremental read, which catches a
  commit that landed in between).

The first use in a process loads every profile (100,000: ~6–13 s on the shared bench
machine); ``serve`` starts that on a thread at start-up (``warm``); later uses read only
what changed.

The profiles are read through the caller's connection (its transaction), which must not
have uncommitted seeker changes of its own (``JobBoard.add`` has none). Memory: about
1–2 KB per job seeker.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine

from shared.matching import MatchIndex, SeekerProfile
from sync_server.store import jobs as jq

OVERLAP_MS = 60_000
log = logging.getLogger(__name__)


class SeekerCache:
    """Seeker profiles by person key, their term index and the stamps they were read at."""

    def __init__(self) -> None:
        self.index = MatchIndex()
        self.stamps: dict[str, int] = {}
        self.total = 0  # sum of stamps
        self.loaded_at = 0.0
        self.lock = threading.Lock()
        self.full_loads = 0

    def _put(self, key: str, text: str, stamp: int) -> None:
        self.index.put_seeker(SeekerProfile.from_wire(json.loads(text)))
        self.total += stamp - self.stamps.get(key, 0)
        self.stamps[key] = stamp

    def _load_all(self, conn: Connection) -> None:
        self.index, self.stamps, self.total = MatchIndex(), {}, 0
        for key, text, stamp in jq.seekers_since(conn, None):
            self._put(key, text, stamp)
        self.loaded_at = time.monotonic()
        self.full_loads += 1

    def refresh(self, conn: Connection) -> None:
        """Bring the cache up to date with the store (see the module's docstring)."""
        if not self.stamps:
            self._load_all(conn)
            return
        for _ in range(2):  # a second read picks up a commit that landed in between
            newest = max(self.stamps.values(), default=0)
            for key, text, stamp in jq.seekers_since(conn, newest - OVERLAP_MS):
                if self.stamps.get(key) != stamp:
                    self._put(key, text, stamp)
            if jq.seekers_version(conn) == (len(self.stamps), self.total):
                return
        self._load_all(conn)


_CACHES: WeakKeyDictionary[Engine, SeekerCache] = WeakKeyDictionary()
_GUARD = threading.Lock()


def cached_index(conn: Connection) -> tuple[MatchIndex, threading.Lock]:
    """The up-to-date seeker index of ``conn``'s store and the lock to hold while using
    it (the cache is shared by the process's threads)."""
    with _GUARD:
        cache = _CACHES.setdefault(conn.engine, SeekerCache())
    cache.lock.acquire()
    try:
        cache.refresh(conn)
    except BaseException:
        cache.lock.release()
        raise
    return cache.index, cache.lock


def cache_of(engine: Engine) -> SeekerCache | None:
    """The cache of ``engine``, if one was made (for tests and the bench)."""
    return _CACHES.get(engine)


def warm(engine: Engine) -> None:
    """Load the cache of ``engine`` now (``serve`` does it on a thread at start-up, so the
    first new posting does not pay for it). A failure is logged, never raised: the next
    use loads it anyway."""
    try:
        with engine.connect() as conn:
            _, lock = cached_index(conn)
            lock.release()
    except Exception:  # a warm-up only; logged without data
        log.warning("job seeker cache not warmed at start-up; it loads on first use")

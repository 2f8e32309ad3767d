"""The kiosk's local store: one SQLite file, every query the kiosk makes.

Opened with WAL and ``synchronous=FULL``: with NORMAL a commit that was acknowledged (and a
receipt shown) can be lost on power failure. The schema is built by sqlite-utils'
``Migrations``; writers take the write lock up front (``BEGIN IMMEDIATE``, see
``transaction``) so two processes can never read the same chain head. Every SQLite failure
(read-only folder, full disk, busy, corrupt) becomes ``StoreError`` naming the file; a failed
transaction rolls back whole, so nothing already stored is lost.

Tables: ``outbox`` (sealed envelopes by chain seq, with state), ``chain`` (the head: seq, hash,
last HLC), ``receipts`` (code -> PIN verifier, record id, envelope hash), ``status_cache``
(last known status by receipt code), ``pin_failures`` (wrong PINs typed per receipt code,
for the lookup back-off), ``tickets`` (queue numbers; details sealed to the
station key) and ``settings`` (JSON values: identity, county keys, config, sync cursor).
No table holds personal data in plaintext.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database, Migrations

from kiosk.errors import StoreError
from shared.envelope import GENESIS

OUTBOX_STATES = ("pending", "sent", "acknowledged", "quarantined")
TICKET_STATES = ("waiting", "called", "served", "no_show")

migrations = Migrations("yizhan-kiosk")


@migrations()
def m001_initial(db: Database) -> None:
    db.executescript("""
        CREATE TABLE outbox (
            seq INTEGER PRIMARY KEY,
            record_id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            hash TEXT NOT NULL,
            envelope BLOB NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sent', 'acknowledged', 'quarantined')),
            reason TEXT,
            created TEXT NOT NULL,
            state_at TEXT NOT NULL
        );
        CREATE INDEX outbox_state ON outbox (state, seq);
        CREATE TABLE chain (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            seq INTEGER NOT NULL,
            hash TEXT NOT NULL,
            hlc TEXT
        );
        CREATE TABLE receipts (
            code TEXT PRIMARY KEY,
            pin_verifier TEXT NOT NULL,
            record_id TEXT NOT NULL UNIQUE,
            envelope_hash TEXT NOT NULL,
            kind TEXT NOT NULL,
            filed_at TEXT NOT NULL
        );
        CREATE TABLE status_cache (
            receipt_code TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            next_step_zh TEXT NOT NULL DEFAULT '',
            next_step_en TEXT NOT NULL DEFAULT '',
            as_of TEXT NOT NULL
        );
        CREATE TABLE tickets (
            id INTEGER PRIMARY KEY,
            service_date TEXT NOT NULL,
            prefix TEXT NOT NULL,
            number INTEGER NOT NULL,
            state TEXT NOT NULL DEFAULT 'waiting'
                CHECK (state IN ('waiting', 'called', 'served', 'no_show')),
            issued_at TEXT NOT NULL,
            state_at TEXT NOT NULL,
            receipt_code TEXT,
            details BLOB,
            UNIQUE (service_date, prefix, number)
        );
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """)


@migrations()
def m002_pin_failures(db: Database) -> None:
    # Wrong PINs at the offline status lookup, for the per-receipt back-off (kiosk/services/
    # status.py). Codes only: no personal data.
    db.executescript("""
        CREATE TABLE pin_failures (
            id INTEGER PRIMARY KEY,
            receipt_code TEXT NOT NULL,
            at_ms INTEGER NOT NULL
        );
        CREATE INDEX pin_failures_code ON pin_failures (receipt_code, at_ms);
    """)


def _fail(path: Path, exc: sqlite3.Error) -> StoreError:
    reason = str(exc) or type(exc).__name__
    return StoreError(f"kiosk store {path} cannot be used: {reason}. "
                      "Nothing already stored was lost; fix the data folder and retry.")


class Store:
    """The kiosk's SQLite file. Use ``Store.open``; all SQL of the kiosk lives here."""

    def __init__(self, db: Database, path: Path) -> None:
        self.db = db
        self.path = path

    # -- opening and transactions ---------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, create: bool = False) -> Store:
        """Open (``create``: make) the store at ``path`` and apply pending migrations.

        Returns the Store. Raises StoreError if the file is missing (and not ``create``),
        cannot be opened or written, or is not a kiosk store.
        """
        path = Path(path)
        if not create and not path.exists():
            raise StoreError(f"kiosk store {path} does not exist")
        try:
            conn = sqlite3.connect(str(path), timeout=10.0, check_same_thread=False)
            db = Database(conn)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            store = cls(db, path)
            if migrations.pending(db):
                migrations.apply(db)
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                raise sqlite3.OperationalError("journal_mode is not WAL")
            return store
        except sqlite3.Error as exc:
            raise _fail(path, exc) from None

    def close(self) -> None:
        self.db.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """One atomic write: the write lock is taken first (``BEGIN IMMEDIATE``).

        ``db.atomic()`` would begin DEFERRED, and two writers could then both read the same
        chain head. Nested use becomes a savepoint. Raises StoreError on any SQLite failure,
        after rolling the whole transaction back.
        """
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield self
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _fail(self.path, exc) from None
        try:
            yield self
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise _fail(self.path, exc) from None
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        try:
            cur = self.db.execute(sql, params)
            cols = [c[0] for c in cur.description]
            return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
        except sqlite3.Error as exc:
            raise _fail(self.path, exc) from None

    def _one(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        rows = self._all(sql, params)
        return rows[0] if rows else None

    def _run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Execute one write (in its own transaction unless one is open); returns rows changed."""
        if not self.db.conn.in_transaction:
            with self.transaction():
                return self._run(sql, params)
        try:
            return int(self.db.execute(sql, params).rowcount)
        except sqlite3.Error as exc:
            raise _fail(self.path, exc) from None

    def _run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        """One write statement for each parameter row, in one transaction (``executemany``:
        a batch of thousands costs a few milliseconds); returns the rows changed."""
        if not rows:
            return 0
        if not self.db.conn.in_transaction:
            with self.transaction():
                return self._run_many(sql, rows)
        try:
            return int(self.db.conn.executemany(sql, rows).rowcount)
        except sqlite3.Error as exc:
            raise _fail(self.path, exc) from None

    # -- settings ---------------------------------------------------------------------------

    def get_setting(self, key: str) -> Any:
        """The JSON value stored under ``key``, or None."""
        row = self._one("SELECT value FROM settings WHERE key = ?", [key])
        return None if row is None else json.loads(row["value"])

    def set_setting(self, key: str, value: Any) -> None:
        self._run("INSERT INTO settings (key, value) VALUES (?, ?) "
                  "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                  [key, json.dumps(value, ensure_ascii=False, sort_keys=True)])

    # -- chain and intake -------------------------------------------------------------------

    def chain_head(self) -> tuple[int, str, str | None]:
        """(last seq, its envelope hash, last HLC string); (0, GENESIS, None) when empty."""
        row = self._one("SELECT seq, hash, hlc FROM chain WHERE id = 1")
        return (0, GENESIS, None) if row is None else (row["seq"], row["hash"], row["hlc"])

    def add_intake(self, *, seq: int, record_id: str, kind: str, hash: str, envelope: bytes,
                   created: str, hlc: str, receipt_code: str, pin_verifier: str) -> None:
        """Outbox row + chain head + receipt row; call inside ``transaction()``."""
        self.add_sealed(seq=seq, record_id=record_id, kind=kind, hash=hash, envelope=envelope,
                        created=created, hlc=hlc)
        self._run("INSERT INTO receipts (code, pin_verifier, record_id, envelope_hash, kind, "
                  "filed_at) VALUES (?, ?, ?, ?, ?, ?)",
                  [receipt_code, pin_verifier, record_id, hash, kind, created])

    def add_sealed(self, *, seq: int, record_id: str, kind: str, hash: str, envelope: bytes,
                   created: str, hlc: str) -> None:
        """Outbox row + chain head (a record without a receipt, e.g. a visit); call inside
        ``transaction()``."""
        self._run("INSERT INTO outbox (seq, record_id, kind, hash, envelope, state, created, "
                  "state_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
                  [seq, record_id, kind, hash, envelope, created, created])
        self._run("INSERT INTO chain (id, seq, hash, hlc) VALUES (1, ?, ?, ?) ON CONFLICT (id) "
                  "DO UPDATE SET seq = excluded.seq, hash = excluded.hash, hlc = excluded.hlc",
                  [seq, hash, hlc])

    # -- outbox -------------------------------------------------------------------------------

    def outbox_rows(self, states: Iterable[str], limit: int | None = None,
                    from_seq: int = 0) -> list[dict[str, Any]]:
        """Outbox rows in ``states`` with seq >= ``from_seq``, in seq order."""
        states = list(states)
        marks = ",".join("?" * len(states))
        sql = (f"SELECT seq, record_id, kind, hash, envelope, state, reason, created, state_at "  # noqa: S608
               f"FROM outbox WHERE state IN ({marks}) AND seq >= ? ORDER BY seq")
        params: list[Any] = [*states, from_seq]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return self._all(sql, params)

    def set_outbox_state(self, record_ids: Iterable[str], state: str, at: str,
                         from_states: Iterable[str], reason: str | None = None) -> int:
        """Move rows currently in ``from_states`` to ``state``; returns how many moved."""
        from_states = list(from_states)
        marks = ",".join("?" * len(from_states))
        return self._run_many(
            f"UPDATE outbox SET state = ?, state_at = ?, reason = ? "  # noqa: S608
            f"WHERE record_id = ? AND state IN ({marks})",
            [[state, at, reason, rid, *from_states] for rid in record_ids])

    def acknowledge(self, stored: Iterable[tuple[str, str]], at: str) -> list[str]:
        """Mark acknowledged the rows whose record id AND hash match; returns their ids."""
        wanted = dict(stored)
        done: list[str] = []
        with self.transaction():
            ids = list(wanted)
            for start in range(0, len(ids), 500):  # well under SQLite's variable limit
                part = ids[start:start + 500]
                rows = self._all("SELECT record_id, hash FROM outbox WHERE state != "  # noqa: S608
                                 f"'acknowledged' AND record_id IN ({','.join('?' * len(part))})",
                                 part)
                done += [r["record_id"] for r in rows if wanted[r["record_id"]] == r["hash"]]
            self._run_many("UPDATE outbox SET state = 'acknowledged', state_at = ?, "
                           "reason = NULL WHERE record_id = ?", [[at, rid] for rid in done])
        return done

    def outbox_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(OUTBOX_STATES, 0)
        for row in self._all("SELECT state, count(*) AS n FROM outbox GROUP BY state"):
            counts[row["state"]] = row["n"]
        return counts

    def first_unacknowledged_seq(self) -> int | None:
        row = self._one("SELECT min(seq) AS s FROM outbox WHERE state != 'acknowledged'")
        return None if row is None else row["s"]

    def acknowledged_head(self) -> int:
        """The highest seq of an acknowledged outbox row (0 when none)."""
        row = self._one("SELECT max(seq) AS s FROM outbox WHERE state = 'acknowledged'")
        return 0 if row is None or row["s"] is None else int(row["s"])

    def requeue_from(self, seq: int, at: str) -> int:
        """Acknowledged and quarantined rows with seq >= ``seq`` back to ``pending`` (the
        county asked for them again). Returns how many moved."""
        return self._run("UPDATE outbox SET state = 'pending', state_at = ?, reason = NULL "
                         "WHERE state IN ('acknowledged', 'quarantined') AND seq >= ?",
                         [at, seq])

    def outbox_seqs(self, from_seq: int, to_seq: int) -> list[int]:
        """The seqs the outbox holds in ``from_seq..to_seq``, ascending."""
        return [r["seq"] for r in self._all("SELECT seq FROM outbox WHERE seq BETWEEN ? AND ? "
                                            "ORDER BY seq", [from_seq, to_seq])]

    def prune_acknowledged_before(self, below_seq: int, acknowledged_before: str) -> int:
        """Delete acknowledged rows with seq < ``below_seq`` acknowledged before the UTC
        time ``acknowledged_before`` (same format as ``state_at``); returns how many."""
        return self._run("DELETE FROM outbox WHERE state = 'acknowledged' AND seq < ? "
                         "AND state_at < ?", [below_seq, acknowledged_before])

    def prune_acknowledged(self, below_seq: int) -> int:
        """Delete acknowledged rows with seq < ``below_seq``; returns how many."""
        return self._run("DELETE FROM outbox WHERE state = 'acknowledged' AND seq < ?",
                         [below_seq])

    # -- receipts and status ----------------------------------------------------------------

    def receipt(self, code: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM receipts WHERE code = ?", [code])

    def receipt_codes_for(self, record_ids: Sequence[str]) -> list[str]:
        marks = ",".join("?" * len(record_ids))
        return [r["code"] for r in self._all(
            f"SELECT code FROM receipts WHERE record_id IN ({marks})",  # noqa: S608
            list(record_ids))]

    def pin_failures_since(self, code: str, since_ms: int) -> tuple[int, int | None]:
        """Wrong PINs typed for ``code`` after ``since_ms``: (count, oldest time or None)."""
        row = self._one("SELECT count(*) AS n, min(at_ms) AS oldest FROM pin_failures "
                        "WHERE receipt_code = ? AND at_ms > ?", [code, since_ms])
        if row is None or row["oldest"] is None:
            return 0, None
        return int(row["n"]), int(row["oldest"])

    def add_pin_failure(self, code: str, at_ms: int, forget_before_ms: int) -> None:
        """Count one wrong PIN for ``code``; forget those older than ``forget_before_ms``."""
        with self.transaction():
            self._run("DELETE FROM pin_failures WHERE at_ms <= ?", [forget_before_ms])
            self._run("INSERT INTO pin_failures (receipt_code, at_ms) VALUES (?, ?)",
                      [code, at_ms])

    def replace_pin_verifier(self, code: str, verifier: str) -> bool:
        """Put a PIN verifier the county reissued in place of the receipt's, forgetting its
        wrong PINs. Returns False when this kiosk holds no receipt ``code``."""
        with self.transaction():
            changed = self._run("UPDATE receipts SET pin_verifier = ? WHERE code = ?",
                                [verifier, code])
            self._run("DELETE FROM pin_failures WHERE receipt_code = ?", [code])
        return bool(changed)

    def status(self, code: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM status_cache WHERE receipt_code = ?", [code])

    def put_status(self, code: str, status: str, zh: str, en: str, as_of: str,
                   *, replace: bool = True) -> bool:
        """Store a status unless the cache holds one as of a later time (or any, if not
        ``replace``). Returns whether it was stored."""
        if not replace:
            return self._run("INSERT INTO status_cache (receipt_code, status, next_step_zh, "
                             "next_step_en, as_of) VALUES (?, ?, ?, ?, ?) "
                             "ON CONFLICT (receipt_code) DO NOTHING",
                             [code, status, zh, en, as_of]) > 0
        return self._run(
            "INSERT INTO status_cache (receipt_code, status, next_step_zh, next_step_en, as_of) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (receipt_code) DO UPDATE SET "
            "status = excluded.status, next_step_zh = excluded.next_step_zh, "
            "next_step_en = excluded.next_step_en, as_of = excluded.as_of "
            "WHERE excluded.as_of >= status_cache.as_of", [code, status, zh, en, as_of]) > 0

    def put_statuses_if_none(self, codes: Sequence[str], status: str, as_of: str) -> int:
        """Store ``status`` (no next-step words) for each receipt that has no cached status
        yet; returns how many were stored."""
        return self._run_many(
            "INSERT INTO status_cache (receipt_code, status, next_step_zh, next_step_en, "
            "as_of) VALUES (?, ?, '', '', ?) ON CONFLICT (receipt_code) DO NOTHING",
            [[code, status, as_of] for code in codes])

    # -- queue tickets ----------------------------------------------------------------------

    def add_ticket(self, service_date: str, prefix: str, issued_at: str,
                   receipt_code: str | None, details: bytes | None) -> int:
        """Insert the next number of the day; call inside ``transaction()``. Returns it."""
        row = self._one("SELECT coalesce(max(number), 0) + 1 AS n FROM tickets "
                        "WHERE service_date = ? AND prefix = ?", [service_date, prefix])
        number = int(row["n"]) if row else 1
        self._run("INSERT INTO tickets (service_date, prefix, number, state, issued_at, "
                  "state_at, receipt_code, details) VALUES (?, ?, ?, 'waiting', ?, ?, ?, ?)",
                  [service_date, prefix, number, issued_at, issued_at, receipt_code, details])
        return number

    def tickets(self, service_date: str, states: Iterable[str] = TICKET_STATES
                ) -> list[dict[str, Any]]:
        states = list(states)
        marks = ",".join("?" * len(states))
        return self._all(f"SELECT * FROM tickets WHERE service_date = ? "  # noqa: S608
                         f"AND state IN ({marks}) ORDER BY prefix, number",
                         [service_date, *states])

    def ticket(self, service_date: str, prefix: str, number: int) -> dict[str, Any] | None:
        return self._one("SELECT * FROM tickets WHERE service_date = ? AND prefix = ? "
                         "AND number = ?", [service_date, prefix, number])

    def tickets_after(self, ticket_id: int) -> list[dict[str, Any]]:
        """Every ticket (any day) with ``id > ticket_id``, in id order: the visits not sealed
        yet (``kiosk.services.visits``)."""
        return self._all("SELECT * FROM tickets WHERE id > ? ORDER BY id", [ticket_id])

    def set_ticket(self, ticket_id: int, from_states: Iterable[str], **values: Any) -> bool:
        """Update one ticket if it is in ``from_states``; returns whether it changed."""
        from_states = list(from_states)
        cols = ", ".join(f"{k} = ?" for k in values)
        marks = ",".join("?" * len(from_states))
        return self._run(f"UPDATE tickets SET {cols} WHERE id = ? "  # noqa: S608
                         f"AND state IN ({marks})",
                         [*values.values(), ticket_id, *from_states]) > 0

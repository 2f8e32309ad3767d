"""Ingest throughput: records/s through the real HTTP API (auth + store + verify + open +
validate + merge) on one ``yizhan-server serve`` process, for SQLite and PostgreSQL (and two
kiosks at once against one and against two ``serve`` processes on one PostgreSQL, batches round
robin over the processes), beside a
raw SQLite insert of the same envelopes in the same run; then the same pipeline in process
(no HTTP) with synchronous=FULL and, as a note only, NORMAL; then a cProfile of it: own time
by area (crypto, validation, canonical JSON, merge domain, SQL, server code) and the top
functions, to show where the time goes.

    python bench/ingest.py [--records 5000] [--batch 500] [--pg URL|none] [--no-profile]
    python bench/ingest.py --cpu [--cpu-baseline REV] [--runs 3] [--records 3000]

``--cpu`` measures CPU time per record instead (``time.process_time()`` around
``Ingestor.push``, in a fresh process per run, SQLite, synchronous=FULL): the figure to
compare code by on a machine shared with other work, where wall-clock rates swing. With
``--cpu-baseline REV`` the same envelopes also go through the code of git revision REV,
runs alternating, and the change is printed.

PostgreSQL: --pg, else $YIZHAN_TEST_PG, else postgres@127.0.0.1:5432/test; a fresh schema is
made and dropped. Complaints use 50 employers and distinct claimants (dedupe and alert queries
run as in production).
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import io
import json
import os
import pstats
import sqlite3
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shared.clock import SystemClock
from shared.envelope import Envelope
from sync_server.config import keystore
from sync_server.config.settings import Settings
from sync_server.services.wiring import Services, startup_objects_set_aside
from tests.sync_server.server_kit import (
    PG_DEFAULT,
    ServerProcess,
    TestKiosk,
    complaint,
    drop_pg_schema,
    fresh_pg_schema,
    server_cli,
)


def make_envelopes(kiosk: TestKiosk, n: int) -> list[Envelope]:
    return [kiosk.file(record=complaint(i, employer=i % 50)) for i in range(n)]


def http_run(data: Path, db_url: str | None, n: int, batch: int) -> tuple[float, int]:
    """Records/s through HTTP, and how many were accepted."""
    args = ["--data", str(data)] + (["--db", db_url] if db_url else [])
    token = server_cli("enroll-token", "--station", "S001", *args).stdout.split()[0]
    kiosk = TestKiosk(SystemClock())
    with ServerProcess(data, db_url) as server, \
            httpx.Client(base_url=server.url, timeout=300) as http:
        kiosk.enroll(http, token)
        envs = make_envelopes(kiosk, n)
        accepted = 0
        started = time.perf_counter()
        for start in range(0, n, batch):
            r = kiosk.push(http, envs[start:start + batch])
            if r.status_code != 201:
                raise SystemExit(f"push answered {r.status_code}: {r.text[:300]}")
            accepted += sum(x["status"] == "accepted" for x in r.json()["results"])
        elapsed = time.perf_counter() - started
    return n / elapsed, accepted


def scale_out_run(data: Path, db_url: str, n: int, batch: int, servers: int) -> float:
    """Records/s of two kiosks pushing concurrently (a thread each), each spreading its
    batches round robin over ``servers`` serve processes on one PostgreSQL."""
    import threading
    kiosks = []
    for _ in range(2):
        token = server_cli("enroll-token", "--station", "S001", "--data", str(data), "--db",
                           db_url).stdout.split()[0]
        kiosks.append((TestKiosk(SystemClock()), token))
    procs = [ServerProcess(data, db_url).start() for _ in range(servers)]
    try:
        clients = [httpx.Client(base_url=p.url, timeout=300) for p in procs]
        work = []
        for kiosk, token in kiosks:
            kiosk.enroll(clients[0], token)
            work.append((kiosk, make_envelopes(kiosk, n // 2)))
        errors: list[str] = []

        def drive(kiosk: TestKiosk, envs: list[Envelope]) -> None:
            for i, start in enumerate(range(0, len(envs), batch)):
                r = kiosk.push(clients[i % servers], envs[start:start + batch])
                if r.status_code != 201:
                    errors.append(f"{r.status_code}: {r.text[:200]}")
        threads = [threading.Thread(target=drive, args=w) for w in work]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        if errors:
            raise SystemExit(f"push failed: {errors[0]}")
        for c in clients:
            c.close()
    finally:
        for p in procs:
            p.stop()
    return n / elapsed


def raw_sqlite(envs: list[Envelope], path: Path) -> float:
    """Records/s of a bare INSERT of the same envelope bytes (WAL, synchronous=FULL)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE inbox (record_id TEXT PRIMARY KEY, raw BLOB)")
    started = time.perf_counter()
    with conn:
        conn.executemany("INSERT INTO inbox VALUES (?, ?)",
                         [(e.header.id, e.raw) for e in envs])
    elapsed = time.perf_counter() - started
    conn.close()
    return len(envs) / elapsed


AREAS = [  # (area, substrings of a profiled function's file or built-in name), first match
    ("crypto: HPKE open, Ed25519, zlib, envelope parsing",
     ("shared/envelope", "hpke", "ed25519", "zlib", "cryptography")),
    ("validation: shared/records, identity, intake, pydantic, python-stdnum",
     ("shared/records", "shared/identity", "shared/intake", "shared/textnorm", "pydantic",
      "stdnum", "shared/receipt")),
    ("canonical JSON (shared/canonical)", ("shared/canonical",)),
    ("merge domain (sync_server/domain: events, fold, dedupe keys, groups)",
     ("sync_server/domain",)),
    ("SQL: SQLAlchemy + driver", ("sqlalchemy", "sqlite3", "psycopg")),
    ("server code (sync_server, not domain)", ("sync_server/",)),
    ("stdlib json", ("json/",)),
]


def _area(key: tuple[str, int, str]) -> str:
    where = key[0] if key[0] != "~" else key[2]
    for name, needles in AREAS:
        if any(n in where for n in needles):
            return name
    return "other (stdlib, datetime, hashlib, ...)"


def in_process(data: Path, n: int, batch: int, synchronous: str = "FULL",
               profile: bool = False, plain_rate: float = 0.0) -> tuple[float, str]:
    """Ingestor.push in process (no HTTP) into SQLite: records/s, and with ``profile`` where
    the time goes (own time by area, then the top functions by cumulative time).

    ``synchronous`` other than FULL is for comparison only: the server always runs FULL.
    """
    # a fresh store per run: on the store of an earlier run every record would be a likely
    # duplicate of one filed there (same claimants), which is not the load measured here
    name = f"inproc-{synchronous}{'-profiled' if profile else ''}.db"
    settings = Settings(data_dir=data, db_url=f"sqlite:///{data / name}")
    clock = SystemClock()
    svc = Services.open(settings, clock)
    if synchronous != "FULL":
        from sqlalchemy import event

        def pragma(dbapi_conn: object, _record: object) -> None:
            dbapi_conn.execute(f"PRAGMA synchronous={synchronous}")  # type: ignore[attr-defined]
        event.listen(svc.engine, "connect", pragma)
        svc.engine.dispose()
    kiosk = TestKiosk(clock)
    from shared.keys import Recipient
    kiosk.recipients = [Recipient.from_wire(svc.keys.public()["keys"][-1])]
    from sync_server.store import devices as dq
    with svc.engine.begin() as conn:
        dq.enroll(conn, kiosk.device_id, kiosk.public_key, "S001", 0)
    prof = cProfile.Profile()
    with startup_objects_set_aside():  # as the serving app does once started
        envs = make_envelopes(kiosk, n)
        started = time.perf_counter()
        if profile:
            prof.enable()
        for start in range(0, n, batch):
            svc.ingestor.push(kiosk.device_id,
                              [e.raw for e in envs[start:start + batch]])
        if profile:
            prof.disable()
        rate = n / (time.perf_counter() - started)
    svc.close()
    if not profile:
        return rate, ""
    stats = pstats.Stats(prof)
    own: dict[str, float] = {}
    for key, (_cc, _nc, tottime, _ct, callers) in stats.stats.items():  # type: ignore[attr-defined]
        area = _area(key)
        if area.startswith("other") and callers:
            # a built-in or stdlib helper (isinstance, str.join, strftime...): its time goes
            # to the areas of its callers, in proportion to the time spent for each
            spent = sum(c[2] for c in callers.values()) or 1.0
            for caller, c in callers.items():
                theirs = _area(caller)
                own[theirs] = own.get(theirs, 0.0) + tottime * c[2] / spent
            continue
        own[area] = own.get(area, 0.0) + tottime
    total = sum(own.values())
    per_record_us = 1e6 / plain_rate if plain_rate else 0.0
    lines = [f"where the time goes (cProfile, in process, {n} records; own time by area, "
             "built-ins charged to their callers; us/record scaled to the unprofiled run):"]
    lines += [f"  {share / total:6.1%}  {share / total * per_record_us:7.1f} us/record  {area}"
              for area, share in sorted(own.items(), key=lambda kv: -kv[1])]
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.sort_stats("cumulative").print_stats(r"(shared|sync_server)/", 30)
    return rate, "\n".join(lines) + "\n" + out.getvalue()


def cpu_runs(records: int, batch: int, runs: int, baseline: str | None) -> int:
    """CPU us/record of Ingestor.push, one fresh process per run (bench/ingest_cpu.py), same
    envelopes every run; with ``baseline`` (a git revision) its code too, runs alternating."""
    repo = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        county = root / "county"
        county.mkdir()
        keystore.create(county, "bench", None)
        kiosk = TestKiosk(SystemClock())
        kiosk.recipients = [keystore.load(county, None).keyring.newest()]
        envs = make_envelopes(kiosk, records)
        (root / "envelopes.json").write_text(json.dumps({
            "device_id": kiosk.device_id, "public_key": kiosk.public_key,
            "station": kiosk.station,
            "envelopes": [base64.b64encode(e.raw).decode() for e in envs]}))
        trees = {"current": repo}
        if baseline:
            archive = subprocess.run(["git", "-C", str(repo), "archive", baseline],
                                     capture_output=True, check=True).stdout
            with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
                tar.extractall(root / "baseline", filter="data")
            trees = {f"baseline {baseline}": root / "baseline", "current": repo}
        figures: dict[str, list[float]] = {name: [] for name in trees}
        print(f"CPU time of Ingestor.push per record, {records} records, batch {batch}, "
              f"SQLite synchronous=FULL, fresh process and store per run; 'current' is the "
              f"working tree")
        for run in range(1, runs + 1):
            for name, tree in trees.items():
                out = subprocess.run([sys.executable, str(repo / "bench" / "ingest_cpu.py"),
                                      str(tree), str(root), str(batch)],
                                     capture_output=True, text=True, check=True)
                figures[name].append(float(out.stdout.split()[-1]))
                print(f"  run {run}  {name:>24}: {figures[name][-1]:7.1f} us/record")
        medians = {name: statistics.median(xs) for name, xs in figures.items()}
        for name, xs in figures.items():
            print(f"{name:>30}: median {medians[name]:7.1f} us/record "
                  f"({' / '.join(f'{x:.0f}' for x in xs)})")
        if baseline:
            before, after = medians[f"baseline {baseline}"], medians["current"]
            print(f"{'change':>30}: {(after - before) / before:+.1%} CPU per record")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--pg", default=os.environ.get("YIZHAN_TEST_PG", PG_DEFAULT),
                        help="PostgreSQL URL, or 'none' to skip it")
    parser.add_argument("--no-profile", action="store_true",
                        help="skip the in-process runs and the profile")
    parser.add_argument("--cpu", action="store_true",
                        help="only measure CPU time per record in process (see above)")
    parser.add_argument("--cpu-baseline", metavar="REV",
                        help="with --cpu: also run the code of this git revision, alternating")
    parser.add_argument("--runs", type=int, default=3, help="with --cpu: runs per tree")
    args = parser.parse_args()
    if args.cpu:
        return cpu_runs(args.records, args.batch, args.runs, args.cpu_baseline)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        results = {}
        data = root / "sqlite"
        data.mkdir()
        keystore.create(data, "bench", None)
        server_cli("init", "--rotate", "--data", str(data))  # creates the store
        results["http_sqlite"], ok = http_run(data, None, args.records, args.batch)
        assert ok == args.records
        if args.pg != "none":
            url, schema = fresh_pg_schema()
            try:
                pg_data = root / "pg"
                pg_data.mkdir()
                keystore.create(pg_data, "bench", None)
                server_cli("init", "--rotate", "--data", str(pg_data), "--db", url)
                results["http_postgresql"], ok = http_run(pg_data, url, args.records,
                                                          args.batch)
                assert ok == args.records
            finally:
                drop_pg_schema(schema)
            for servers in (1, 2):  # two kiosks at once; scale-out is "add processes"
                url, schema = fresh_pg_schema()
                try:
                    pg_data = root / f"pg{servers}"
                    pg_data.mkdir()
                    keystore.create(pg_data, "bench", None)
                    server_cli("init", "--rotate", "--data", str(pg_data), "--db", url)
                    results[f"pg_2kiosks_{servers}proc"] = scale_out_run(
                        pg_data, url, args.records, args.batch, servers)
                finally:
                    drop_pg_schema(schema)
        kiosk = TestKiosk(SystemClock())
        from shared.keys import Recipient
        keys = keystore.load(data, None)
        kiosk.recipients = [keys.keyring.newest()]
        assert isinstance(kiosk.recipients[0], Recipient)
        results["raw_sqlite_insert"] = raw_sqlite(make_envelopes(kiosk, args.records),
                                                  root / "raw.db")
        print(f"records={args.records} batch={args.batch} cores={os.cpu_count()}")
        for name, rate in results.items():
            print(f"{name:>20}: {rate:10,.0f} records/s")
        if not args.no_profile:
            prof = root / "prof"
            prof.mkdir()
            keystore.create(prof, "bench", None)
            full, _ = in_process(prof, args.records, args.batch)
            normal, _ = in_process(prof, args.records, args.batch, synchronous="NORMAL")
            print(f"{'in_process_sqlite':>20}: {full:10,.0f} records/s (no HTTP; "
                  "synchronous=FULL, as served)")
            print(f"{'(note) sync=NORMAL':>20}: {normal:10,.0f} records/s (NOT used: an "
                  "acknowledged record could be lost on power failure)")
            print()
            print(in_process(prof, args.records, args.batch, profile=True,
                             plain_rate=full)[1])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Console page latency with a large store: the case list (first page, a deep page, an
employer search, a filtered list), the case page and the home page, p50/p99 over real HTTP
(uvicorn in this process, a logged-in session), beside a bare SELECT of the same rows in the
same run; SQLite and PostgreSQL. Target: p99 <= 150 ms for a page.

    python bench/console.py [--cases 100000] [--requests 100] [--pg URL|none]

The data is SYNTHETIC: one complaint is filed through the real API by a scripted kiosk, then
cloned into ``--cases`` cases by direct bulk inserts through the store modules
(``store.cases.insert_cases/insert_events``, ``store.casework.put``): new case ids, receipt
codes, claimants (person keys), 20 stations, 500 employers, filing dates over a year,
statuses and deadlines spread, projections written up to date (so no page re-projects).
PostgreSQL: --pg, else $YIZHAN_TEST_PG, else postgres@127.0.0.1:5432/test (a fresh schema,
dropped after).
"""

from __future__ import annotations

import argparse
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shared.clock import SystemClock
from shared.receipt import new_code
from sync_server.app import create_app
from sync_server.config import keystore
from sync_server.config.settings import Settings
from sync_server.services import accounts
from sync_server.services.projection import employer_search
from sync_server.services.staff import StaffDesk
from sync_server.services.wiring import Services
from sync_server.store import cases as cq
from sync_server.store import casework as wq
from tests.sync_server.server_kit import (
    ServerThread,
    TestKiosk,
    complaint,
    drop_pg_schema,
    fresh_pg_schema,
)

PASSWORD = "bench heron over the paddy"  # noqa: S105 - a bench account
STATUSES = ("received",) * 5 + ("in_mediation",) * 3 + ("settled", "closed")
BATCH = 5000


def _template(settings: Settings, base: str) -> tuple[dict[str, Any], list[dict[str, Any]],
                                                        dict[str, Any]]:
    """File one complaint through the real API; its case row, events and projection."""
    import hashlib

    with StaffDesk.open(settings, SystemClock()) as desk:
        desk.publish_config()
        token = secrets.token_urlsafe(32)
        desk.add_token(hashlib.sha256(token.encode()).hexdigest(), "S001", 24)
    kiosk = TestKiosk(SystemClock())
    with httpx.Client(base_url=base, timeout=60) as http:
        kiosk.enroll(http, token)
        assert kiosk.push(http, [kiosk.file("complaint", complaint(1))]).status_code == 201
    svc = Services.open(settings, SystemClock())
    try:
        with svc.engine.begin() as conn:
            wq.put(conn, [])
            from sync_server.services.projection import refresh
            refresh(conn, svc)
            code = kiosk.receipts[next(iter(kiosk.receipts))][0]
            case = cq.by_code(conn, code)
            assert case is not None
            evs = cq.events_of(conn, case["case_id"])
            work = dict(conn.execute(text("SELECT * FROM case_work WHERE case_id = :c"),
                                     {"c": case["case_id"]}).mappings().one())
    finally:
        svc.close()
    return case, evs, work


def _clone(n: int, case: dict[str, Any], evs: list[dict[str, Any]], work: dict[str, Any],
           today: date, rng: random.Random) -> tuple[dict[str, Any], list[dict[str, Any]],
                                                     dict[str, Any]]:
    case_id = f"bench-{n:07d}"
    code = new_code()
    station = f"S{rng.randrange(1, 21):03d}"
    filed = datetime(2025, 12, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(525_600))
    filed_at = filed.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    status = rng.choice(STATUSES)
    employer = rng.randrange(500)
    record = {**case["record"], "employer": {"name": f"某某建筑劳务有限公司{employer}"},
              "amount_claimed_fen": rng.randrange(100_000, 5_000_000)}
    state = {**case["state"], "case_id": case_id, "receipt_code": code, "station": station,
             "filed_at": filed_at, "status": status, "record": record}
    row = {**case, "case_id": case_id, "record_id": f"rec-{n:07d}", "receipt_code": code,
           "station": station, "filed_at": filed_at, "status": status, "record": record,
           "state": state, "person_key": secrets.token_hex(32),
           "employer_key": f"name:某某建筑劳务{employer}"}
    events = [{**e, "event_id": f"{case_id}-{i}", "case_id": case_id,
               "data": {**e["data"], "receipt_code": code, "station": station,
                        "filed_at": filed_at}} for i, e in enumerate(evs)]
    due = today + timedelta(days=rng.randrange(-20, 40))
    proj = {**work, "case_id": case_id, "station": station, "status": status,
            "due_on": due.isoformat(), "at_risk_on": (due - timedelta(days=3)).isoformat(),
            "synced_ms": case["updated_at_ms"], "filed_at": filed_at,
            "employer_search": employer_search(row["employer_key"], record)}
    return row, events, proj


def _fill(settings: Settings, n: int, case: dict[str, Any], evs: list[dict[str, Any]],
          work: dict[str, Any]) -> tuple[float, list[str]]:
    rng = random.Random(7)
    today = date.today()
    codes: list[str] = []
    started = time.perf_counter()
    svc = Services.open(settings, SystemClock())
    try:
        for start in range(1, n, BATCH):
            rows, events, projs = [], [], []
            for i in range(start, min(n, start + BATCH)):
                r, e, p = _clone(i, case, evs, work, today, rng)
                rows.append(r)
                events += e
                projs.append(p)
                codes.append(r["receipt_code"])
            with svc.engine.begin() as conn:
                cq.insert_cases(conn, rows)
                cq.insert_events(conn, events, case["updated_at_ms"])
                wq.put(conn, projs)
        with svc.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("ANALYZE"))
            else:
                conn.execute(text("ANALYZE"))
    finally:
        svc.close()
    return time.perf_counter() - started, codes


def _login(http: httpx.Client, username: str) -> None:
    form = http.get("/console/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    done = http.post("/console/login", data={"csrf_token": token.group(1),
                                             "username": username, "password": PASSWORD})
    assert done.status_code == 303, done.text


def _timed(fn: Callable[[int], Any], requests: int) -> tuple[float, float]:
    fn(0)  # warm
    times = []
    for i in range(requests):
        t0 = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


def run(label: str, settings: Settings, n: int, requests: int) -> None:
    svc = Services.open(settings, SystemClock())
    try:
        accounts.add_user(svc, "bench.tri", ["triage"], None, PASSWORD)
    finally:
        svc.close()
    with ServerThread(create_app(settings, SystemClock())) as base:
        case, evs, work = _template(settings, base)
        took, codes = _fill(settings, n, case, evs, work)
        print(f"\n{label}: {n} cases written in {took:.1f} s (synthetic, bulk inserts)")
        rng = random.Random(11)
        picks = [rng.choice(codes) for _ in range(requests + 1)]
        deep = max(1, n // 50 // 2)
        engine = Services.open(settings, SystemClock())
        with httpx.Client(base_url=base, timeout=120) as http:
            _login(http, "bench.tri")

            def get(url: str) -> Callable[[int], Any]:
                def go(_: int) -> None:
                    r = http.get(url)
                    assert r.status_code == 200, (url, r.status_code)
                return go

            def case_page(i: int) -> None:
                r = http.get(f"/console/cases/{picks[i]}")
                assert r.status_code == 200, r.status_code

            def bare(sql: str, **params: Any) -> Callable[[int], Any]:
                def go(i: int) -> None:
                    with engine.engine.connect() as conn:
                        p = {k: (v(i) if callable(v) else v) for k, v in params.items()}
                        conn.execute(text(sql), p).all()
                return go

            list_sql = ("SELECT c.*, w.* FROM cases c JOIN case_work w ON w.case_id = c.case_id "
                        "ORDER BY c.filed_at, c.case_id LIMIT 50 OFFSET :o")
            rows = [
                ("list, page 1 (/console/queues/all)", get("/console/queues/all"),
                 bare(list_sql, o=0)),
                (f"list, page {deep}", get(f"/console/queues/all?page_no={deep}"),
                 bare(list_sql, o=(deep - 1) * 50)),
                ("list, triage queue", get("/console/queues/triage"),
                 bare(list_sql.replace("ORDER", "WHERE c.status = 'received' ORDER"), o=0)),
                ("list, employer search", get("/console/queues/all?q=某某建筑劳务有限公司123"),
                 bare(list_sql.replace("ORDER", "WHERE c.employer_key = :k ORDER"), o=0,
                      k="name:某某建筑劳务123")),
                ("list, station + deadline filter",
                 get("/console/queues/all?station=S007&deadline=overdue"),
                 bare(list_sql.replace("ORDER", "WHERE c.station = 'S007' AND w.due_on < "
                                       ":d ORDER"), o=0, d=date.today().isoformat())),
                ("case page", case_page,
                 bare("SELECT * FROM cases WHERE receipt_code = :c",
                      c=lambda i: picks[i])),
                ("home (every queue counted)", get("/console/"),
                 bare("SELECT count(*) FROM cases c JOIN case_work w ON "
                      "w.case_id = c.case_id")),
            ]
            print(f"{'page':38} {'p50 ms':>8} {'p99 ms':>8}   bare SELECT p50 / p99 ms")
            for name, page_fn, bare_fn in rows:
                p50, p99 = _timed(page_fn, requests)
                b50, b99 = _timed(bare_fn, requests)
                flag = "" if p99 <= 150 else "  (over 150 ms)"
                print(f"{name:38} {p50:8.1f} {p99:8.1f}   {b50:6.2f} / {b99:6.2f}{flag}")
        engine.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--requests", type=int, default=100)
    ap.add_argument("--pg", default=None, help="PostgreSQL URL, or 'none' to skip")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "sqlite"
        data.mkdir()
        keystore.create(data, "曾都区", None)
        run("SQLite", Settings(data_dir=data, db_url=f"sqlite:///{data / 'server.db'}"),
            args.cases, args.requests)
        if args.pg != "none":
            url, schema = fresh_pg_schema()
            try:
                data = Path(tmp) / "pg"
                data.mkdir()
                keystore.create(data, "曾都区", None)
                run("PostgreSQL", Settings(data_dir=data, db_url=args.pg or url), args.cases,
                    args.requests)
            finally:
                drop_pg_schema(schema)


if __name__ == "__main__":
    main()

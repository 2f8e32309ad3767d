"""The KPI report (issue 14) over a large synthetic store, beside the same aggregate as one
bare SQL query.

    python bench/reports.py [--cases 1000000] [--db URL] [--repeat 3]

SYNTHETIC DATA: ``--cases`` cases spread over 2025–2026 at 20 stations are bulk-inserted
straight into ``cases`` and the report projection (``report_cases``, ``report_payments``)
with store-level INSERTs — not through kiosks and case work, which would take hours — with
the projection already in step with the cases (each row's ``synced_ms`` = the case's
``updated_at_ms``). Shares: 80 % accepted, 50 % received by mediation, 60 % of those
settled, 3 % merged duplicates, 70 % of the settled paid in one or two payments, 5 %
collective (10–40 workers).

Measured, period = the year 2026 (about half the cases):
* ``services.reports.kpi`` (no grouping, and ``--by station``) as the console and the CLI
  call it: the projection's change check (index on ``cases.updated_at_ms``), visits, every
  measure, amounts — after one warm-up call, whose time (the first change check over every
  case) is printed apart;
* the bare query: the same figures (visits, accepted and their workers, resolved and
  resolved locally, received, settled, agreed, recovered) as ONE hand-written SQL
  statement (a sub-select per figure) on the same tables and indexes.
Target: the service ≤ 2× the bare query. Prints figures; asserts that both agree.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from shared.clock import SystemClock
from sync_server.config import keystore
from sync_server.config.settings import Settings
from sync_server.services import reports
from sync_server.services.wiring import Services
from sync_server.store.schema import cases, report_cases, report_payments

BATCH = 20_000
STATIONS = [f"S{i:03d}" for i in range(1, 21)]
MATTERS = ("wage_arrears", "labor_contract", "social_insurance", "work_injury", "dismissal",
           "working_hours", "other")
FIRST = date(2025, 1, 1)
UPDATED_MS = 1_700_000_000_000

BARE = """
SELECT
 (SELECT COUNT(*) FROM (SELECT DISTINCT visitor, station, filed_day FROM report_cases
   WHERE filed_day >= :s AND filed_day <= :e) v) AS visits,
 (SELECT COUNT(*) FROM report_cases WHERE merged = 0 AND kind = 'complaint'
   AND accepted_on >= :s AND accepted_on <= :e) AS accepted,
 (SELECT COALESCE(SUM(workers), 0) FROM report_cases WHERE merged = 0 AND kind = 'complaint'
   AND accepted_on >= :s AND accepted_on <= :e) AS workers,
 (SELECT COUNT(*) FROM report_cases WHERE merged = 0 AND status IN ('settled', 'closed')
   AND accepted_on >= :s AND accepted_on <= :e) AS resolved,
 (SELECT COUNT(*) FROM report_cases WHERE merged = 0 AND status IN ('settled', 'closed')
   AND local = 1 AND accepted_on >= :s AND accepted_on <= :e) AS resolved_locally,
 (SELECT COUNT(*) FROM report_cases WHERE merged = 0 AND kind = 'complaint'
   AND mediation_on >= :s AND mediation_on <= :e) AS received,
 (SELECT COUNT(*) FROM report_cases WHERE merged = 0 AND status IN ('settled', 'closed')
   AND settled_on >= :s AND settled_on <= :e) AS settled,
 (SELECT COALESCE(SUM(agreed_fen), 0) FROM report_cases WHERE merged = 0
   AND status IN ('settled', 'closed') AND settled_on >= :s AND settled_on <= :e) AS agreed,
 (SELECT COALESCE(SUM(p.fen), 0) FROM report_payments p JOIN report_cases r
   ON r.case_id = p.case_id WHERE r.merged = 0 AND p.paid_on >= :s AND p.paid_on <= :e)
   AS recovered
"""


def _day(d: date, days: int) -> str:
    return (d + timedelta(days=days)).isoformat()


def rows(n: int, rng: random.Random) -> tuple[list[dict[str, Any]], list[dict[str, Any]],
                                              list[dict[str, Any]]]:
    """(cases, report rows, payments) of ``n`` synthetic cases."""
    cs, rs, ps = [], [], []
    for i in range(n):
        cid = f"case{i:08d}"
        filed = FIRST + timedelta(days=rng.randrange(730))
        station = rng.choice(STATIONS)
        person = f"p{rng.randrange(n * 3 // 4):08d}"
        accepted = _day(filed, rng.randrange(10)) if rng.random() < 0.8 else None
        mediation = _day(filed, rng.randrange(15)) if rng.random() < 0.5 else None
        settled = _day(filed, 15 + rng.randrange(60)) if mediation and rng.random() < 0.6 \
            else None
        agreed = rng.randrange(100_000, 5_000_000) if settled else None
        status = rng.choice(("settled", "closed")) if settled else \
            rng.choice(("received", "in_mediation", "withdrawn"))
        cs.append({"case_id": cid, "record_id": f"r{i:08d}", "kind": "complaint",
                   "station": station, "device_id": "bench", "receipt_code": f"B{i:010d}",
                   "pin_verifier": "-", "filed_at": f"{filed.isoformat()}T02:00:00.000Z",
                   "status": status, "record": "{}", "state": "{}", "person_key": person,
                   "employer_key": None, "created_at_ms": UPDATED_MS,
                   "updated_at_ms": UPDATED_MS})
        rs.append({"case_id": cid, "receipt_code": f"B{i:010d}", "station": station,
                   "kind": "complaint", "matter_type": rng.choice(MATTERS), "status": status,
                   "filed_day": filed.isoformat(), "visitor": person,
                   "merged": int(rng.random() < 0.03),
                   "workers": rng.randrange(10, 41) if rng.random() < 0.05 else 1,
                   "accepted_on": accepted, "mediation_on": mediation, "settled_on": settled,
                   "agreed_fen": agreed, "local": int(rng.random() < 0.9),
                   "grade": rng.choice("ABCD") if status == "closed" else None,
                   "mediator": f"med{rng.randrange(40)}" if mediation else None,
                   "synced_ms": UPDATED_MS})
        if settled and agreed and rng.random() < 0.7:
            for k in range(rng.randint(1, 2)):
                ps.append({"event_id": f"e{i:08d}{k}", "case_id": cid,
                           "paid_on": _day(date.fromisoformat(settled), rng.randrange(90)),
                           "fen": agreed // 2})
    return cs, rs, ps


def load(svc: Services, n: int) -> float:
    rng = random.Random(14)
    t0 = time.perf_counter()
    done = 0
    while done < n:
        k = min(BATCH, n - done)
        cs, rs, ps = rows(k, random.Random(rng.random()))
        for c in cs + rs:  # unique ids across batches
            c["case_id"] = f"{done:08d}-{c['case_id']}"
            c["receipt_code"] = f"B{done:08d}{c['receipt_code'][-6:]}"
        for c in cs:
            c["record_id"] = f"{done:08d}-{c['record_id']}"
        for p in ps:
            p["case_id"] = f"{done:08d}-{p['case_id']}"
            p["event_id"] = f"{done:08d}-{p['event_id']}"
        with svc.engine.begin() as conn:
            conn.execute(insert(cases), cs)
            conn.execute(insert(report_cases), rs)
            if ps:
                conn.execute(insert(report_payments), ps)
        done += k
    with svc.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("ANALYZE"))
        else:
            conn.execute(text("ANALYZE"))
    return time.perf_counter() - t0


def timed(fn: Any, repeat: int) -> tuple[float, Any]:
    out, times = None, []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--db", default="", help="database URL (default: SQLite in a temp dir)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "county"
        data.mkdir()
        keystore.create(data, "bench", None)
        url = args.db or f"sqlite:///{data / 'server.db'}"
        svc = Services.open(Settings(data_dir=data, db_url=url), SystemClock())
        try:
            loaded = load(svc, args.cases)
            s, e = date(2026, 1, 1), date(2026, 12, 31)
            t0 = time.perf_counter()
            reports.kpi(svc, s, e)
            first = time.perf_counter() - t0
            kpi_t, kpi = timed(lambda: reports.kpi(svc, s, e), args.repeat)
            by_t, _ = timed(lambda: reports.kpi(svc, s, e, by="station"), args.repeat)

            def bare() -> Any:
                with svc.engine.connect() as conn:
                    return conn.execute(text(BARE), {"s": s.isoformat(),
                                                     "e": e.isoformat()}).one()

            bare_t, row = timed(bare, args.repeat)
        finally:
            svc.close()
    g = kpi["groups"][0]
    mine = (g["visits"], g["cases_accepted"], g["workers_accepted"], g["resolved"],
            g["resolved_locally"], g["mediation_received"], g["mediation_settled"],
            g["amount_agreed_fen"], g["amount_recovered_fen"])
    assert mine == tuple(int(v) for v in row), (mine, tuple(row))
    print(f"python {platform.python_version()}, {url.split(':')[0]}, {args.cases:,} synthetic "
          f"cases (loaded in {loaded:.1f} s), period 2026-01-01..2026-12-31")
    print(f"  figures: visits {g['visits']:,}, accepted {g['cases_accepted']:,}, received "
          f"{g['mediation_received']:,}, settled {g['mediation_settled']:,}")
    print(f"  first report after the load (change check over every case): {first:.3f} s")
    print(f"  report kpi (service, median of {args.repeat}): {kpi_t:.3f} s")
    print(f"  report kpi --by station (service):          {by_t:.3f} s")
    print(f"  bare SQL, one statement (baseline):         {bare_t:.3f} s")
    print(f"  ratio service / bare: {kpi_t / bare_t:.2f}x (target <= 2x)")


if __name__ == "__main__":
    main()

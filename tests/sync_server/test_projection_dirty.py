"""Migration 0015 and the projection's outdated marks, on a real SQLite file: every write to
a case marks it (so a list refreshes only marked rows, never scanning every case), writing
the projection row clears the mark, and the migration backfills case_work's new columns and
marks the rows that were outdated before it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import text

from sync_server.store import cases as cq
from sync_server.store import casework as wq
from sync_server.store.engine import _alembic_config, make_engine, migrate


def _case(case_id: str, updated: int = 5) -> dict[str, Any]:
    return {"case_id": case_id, "record_id": "rec-" + case_id, "kind": "complaint",
            "station": "S001", "device_id": "d" * 40, "receipt_code": "R" + case_id[-6:],
            "pin_verifier": "v", "filed_at": "2026-03-01T08:00:00.000Z",
            "status": "received", "record": {"employer": {"name": "某某 Builders"}},
            "state": {}, "person_key": None, "employer_key": "name:某某builders",
            "created_at_ms": 1, "updated_at_ms": updated}


def _work(case_id: str, synced: int) -> dict[str, Any]:
    return {"case_id": case_id, "station": "S001", "status": "received", "route": None,
            "assignee": None, "needs_materials": 0, "conflicts": 0, "duplicate_pending": 0,
            "agreed_unpaid": 0, "pending_extensions": 0, "next_clock": None, "due_on": None,
            "at_risk_on": None, "synced_ms": synced}


def test_writes_mark_cases_and_put_clears_them(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'server.db'}")
    migrate(engine)
    with engine.begin() as conn:
        cq.insert_cases(conn, [_case("case-000001"), _case("case-000002")])
        assert wq.stale(conn, 10) == ["case-000001", "case-000002"]
        wq.put(conn, [{**_work("case-000001", 5), "kind": "complaint",
                       "filed_at": "2026-03-01T08:00:00.000Z", "employer_search": "x"}])
        assert wq.stale(conn, 10) == ["case-000002"]
        cq.set_state(conn, "case-000001", "accepted", {}, 9)
        cq.set_employer_key(conn, "case-000002", "uscc:91420000000000000X")
        assert wq.stale(conn, 10) == ["case-000001", "case-000002"]
        wq.invalidate_open(conn)  # a calendar edit: case-000001 is open, marked once
        assert wq.stale(conn, 10) == ["case-000001", "case-000002"]
    engine.dispose()


def test_migration_0015_backfills_and_marks_outdated_rows(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'server.db'}")
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0014")
        for case_id, updated, synced in (("case-000001", 5, 5), ("case-000002", 7, 3),
                                         ("case-000003", 4, None)):
            row = _case(case_id, updated)
            conn.execute(text(
                "INSERT INTO cases VALUES (:case_id, :record_id, :kind, :station, :device_id,"
                " :receipt_code, :pin_verifier, :filed_at, :status, :record, :state,"
                " :person_key, :employer_key, :created_at_ms, :updated_at_ms)"),
                {**row, "record": json.dumps(row["record"]), "state": "{}"})
            if synced is not None:
                conn.execute(text(
                    "INSERT INTO case_work VALUES (:case_id, :station, :status, :route,"
                    " :assignee, :needs_materials, :conflicts, :duplicate_pending,"
                    " :agreed_unpaid, :pending_extensions, :next_clock, :due_on,"
                    " :at_risk_on, :synced_ms)"), _work(case_id, synced))
    migrate(engine)
    with engine.begin() as conn:
        got = conn.execute(text("SELECT kind, filed_at, employer_search FROM case_work "
                                "WHERE case_id = 'case-000001'")).one()
        assert tuple(got) == ("complaint", "2026-03-01T08:00:00.000Z",
                              "name:某某builders\n某某 builders")
        assert wq.stale(conn, 10) == ["case-000002", "case-000003"]
    engine.dispose()

"""Queue tickets reach the county as sealed ``visit`` records (issue 14), through real
processes: ``yizhan-kiosk queue take`` / ``submit --ticket`` / ``sync`` / ``export-bundle``
against a real ``yizhan-server``; the county's visits figure equals the construction."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from kiosk.root.facade import KioskServices
from shared.clock import SystemClock
from sync_server.config.settings import Settings
from sync_server.services.alertwork import CHINA
from sync_server.services.visits import visits
from sync_server.services.wiring import Services
from sync_server.store.schema import cases
from sync_server.store.schema import visits as visits_table
from tests.kiosk.kiosk_kit import complaint
from tests.sync.conftest import kiosk_cli
from tests.sync_server.server_kit import ServerProcess, add_staff, server_cli

SECRET_NAME, SECRET_PHONE = "欧阳秘密", "13912345678"


def take(kiosk: Path, *args: str) -> dict[str, Any]:
    return dict(json.loads(kiosk_cli(kiosk, "queue", "take", "--json", *args).stdout))


def submit(kiosk: Path, record: dict[str, Any], *args: str) -> dict[str, Any]:
    out = kiosk_cli(kiosk, "submit", "complaint", "--json", "-", *args,
                    input_text=json.dumps(record))
    return dict(json.loads(out.stdout.splitlines()[0]))


def outbox(kiosk: Path) -> dict[str, Any]:
    return dict(json.loads(kiosk_cli(kiosk, "outbox", "--json").stdout))


@contextmanager
def county_services(county: Path) -> Iterator[Services]:
    svc = Services.open(Settings(data_dir=county), SystemClock())
    try:
        yield svc
    finally:
        svc.close()


def figures(county: Path, by: str | None = None) -> list[dict[str, Any]]:
    today = datetime.now(CHINA).date()
    with county_services(county) as svc:
        return visits(svc, today, today, by=by)


def rows(county: Path) -> tuple[int, int]:
    """(visit rows, case rows) at the county."""
    with county_services(county) as svc, svc.engine.connect() as conn:
        return (conn.scalar(select(func.count()).select_from(visits_table)) or 0,
                conn.scalar(select(func.count()).select_from(cases)) or 0)


def set_accepts(kiosk: Path, on: bool) -> None:
    """What a county's station config says (a v1 server's config has no such key)."""
    with KioskServices.open(kiosk) as services:
        services.apply_config({"accepts_visits": on})


def test_tickets_and_filings_count_once_per_visit(
        make_kiosk: Callable[[str], Path], county: Path, server: ServerProcess) -> None:
    kiosk = make_kiosk("S201")
    details = Path(kiosk.parent / "details.json")
    details.write_text(json.dumps({"name": SECRET_NAME, "phone": SECRET_PHONE,
                                   "matter_type": "wage_arrears"}, ensure_ascii=False))
    assert take(kiosk)["number"] == "A001"                    # a ticket alone: one visit
    assert take(kiosk, "--details-json", str(details))["number"] == "A002"
    submit(kiosk, complaint(1), "--ticket", "a002")           # its filing: the same visit
    filed = submit(kiosk, complaint(2))                       # filed first, ticket after
    assert take(kiosk, "--receipt", filed["receipt_code"])["number"] == "A003"
    submit(kiosk, complaint(3))                               # one person twice: one visit
    submit(kiosk, complaint(3))
    assert outbox(kiosk)["pending"] == 7                      # 4 filings + 3 tickets

    # No plaintext of the ticket record (nor of its sealed details) on the kiosk's disk.
    for path in kiosk.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for needle in (SECRET_NAME.encode(), SECRET_PHONE.encode(), b'"linked_receipt"',
                           b'"taken_at"'):
                assert needle not in data, (path.name, needle)

    summary = json.loads(kiosk_cli(kiosk, "sync", "--json").stdout)
    assert summary["acknowledged"] == 7, summary
    counts = outbox(kiosk)
    assert (counts["acknowledged"], counts["quarantined"]) == (7, 0)
    assert rows(county) == (3, 4)                             # tickets are no cases
    assert figures(county) == [{"group": "all", "visits": 4}]
    assert figures(county, "matter_type") == [{"group": "queue", "visits": 1},
                                              {"group": "wage_arrears", "visits": 3}]
    assert figures(county, "station") == [{"group": "S201", "visits": 4}]
    # the KPI report's 接待群众 counts the same visits, the lone ticket included
    today = datetime.now(CHINA).date().isoformat()
    kpi = server_cli("report", "kpi", "--from", today, "--to", today, "--format", "json",
                     "--data", str(county), *add_staff(county, "boss", "director")).stdout
    assert [json.loads(line)["visits"] for line in kpi.splitlines()] == [4]
    kiosk_cli(kiosk, "sync", "--json")                        # nothing twice
    assert rows(county) == (3, 4)


def test_kiosk_holds_visits_until_the_county_accepts_them(
        make_kiosk: Callable[[str], Path], county: Path, server: ServerProcess) -> None:
    kiosk = make_kiosk("S202")
    set_accepts(kiosk, False)                                 # a server without visit support
    take(kiosk)
    take(kiosk)
    counts = outbox(kiosk)
    assert (counts["pending"], counts["visits_held"]) == (0, 2)  # held, not sealed
    kiosk_cli(kiosk, "sync", "--json")
    assert outbox(kiosk)["quarantined"] == 0
    assert rows(county) == (0, 0)
    assert figures(county) == [{"group": "all", "visits": 0}]

    set_accepts(kiosk, True)                                  # the county now files them
    counts = outbox(kiosk)
    assert (counts["pending"], counts["visits_held"]) == (2, 0)
    take(kiosk)
    kiosk_cli(kiosk, "sync", "--json")
    counts = outbox(kiosk)
    assert (counts["acknowledged"], counts["quarantined"]) == (3, 0)
    assert figures(county) == [{"group": "all", "visits": 3}]


def test_usb_bundle_carries_visit_records(
        make_kiosk: Callable[[str], Path], county: Path, server: ServerProcess,
        tmp_path: Path) -> None:
    kiosk = make_kiosk("S203")
    server.stop()  # the link is down from here on
    take(kiosk)
    submit(kiosk, complaint(4), "--ticket", "A001")
    take(kiosk)
    bundle = tmp_path / "usb" / "s203.yzb"
    bundle.parent.mkdir()
    made = json.loads(kiosk_cli(kiosk, "export-bundle", str(bundle), "--json").stdout)
    assert made["records"] == 3
    first = json.loads(server_cli("import-bundle", str(bundle), "--data", str(county),
                                  "--json").stdout)
    assert first["accepted"] == 3, first
    again = json.loads(server_cli("import-bundle", str(bundle), "--data", str(county),
                                  "--json").stdout)
    assert again["duplicates"] == 3
    assert rows(county) == (2, 1)
    assert figures(county) == [{"group": "all", "visits": 2}]

"""A case filed by a real kiosk process, worked by named console users through the real
``yizhan-server case`` CLI, reaches the worker at the kiosk (issue 13, "Done when"):

kiosk submit + sync -> triage finds it in 待分流 -> routes it to mediation as simple ->
assigns it to a mediator -> the mediator (who sees only it) records an agreement and a
payment -> the kiosk's next sync shows the worker the new status.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.kiosk.kiosk_kit import complaint
from tests.sync.conftest import kiosk_cli
from tests.sync_server.server_kit import ServerProcess, add_staff, server_cli


def case(county: Path, *args: str) -> Any:
    return json.loads(server_cli("case", *args, "--data", str(county), "--json").stdout)


def status(kiosk: Path, code: str, pin: str) -> dict[str, Any]:
    out = kiosk_cli(kiosk, "status", code, "--pin", pin, "--json").stdout
    return dict(json.loads(out))


def test_kiosk_case_triaged_assigned_settled_and_the_worker_sees_it(
        make_kiosk: Callable[[str], Path], county: Path, server: ServerProcess) -> None:
    kiosk = make_kiosk("S001")
    out = kiosk_cli(kiosk, "submit", "complaint", "--json", "-",
                    input_text=json.dumps([complaint(1), complaint(2)]))
    receipts = [json.loads(line) for line in out.stdout.splitlines()]
    code, pin = receipts[0]["receipt_code"], receipts[0]["pin"]
    kiosk_cli(kiosk, "sync")
    assert status(kiosk, code, pin)["status"] == "received"

    tri = add_staff(county, "tri", "triage")
    med = add_staff(county, "med", "mediator")
    triage = [r["receipt_code"] for r in case(county, "list", "--queue", "triage", *tri)]
    assert sorted(triage) == sorted(r["receipt_code"] for r in receipts)

    routed = case(county, "route", code, "--to", "mediation", "--track", "simple", *tri)
    assert (routed["status"], routed["track"]) == ("in_mediation", "simple")
    case(county, "assign", code, "--to", "med", *tri)
    assert [r["receipt_code"] for r in case(county, "list", *med)] == [code]  # only theirs
    case(county, "session", code, "--on", "2026-11-25", "--summary", "双方到场，初步达成意向",
         *med)
    agreed = case(county, "outcome", code, "--agreed-fen", "1250000", *med)
    assert agreed["status"] == "settled"
    paid = case(county, "outcome", code, "--paid-fen", "1250000", "--on", "2026-11-28", *med)
    assert paid["paid_fen"] == 1250000

    summary = json.loads(kiosk_cli(kiosk, "sync", "--json").stdout)
    assert summary["pulled"] >= 1
    seen = status(kiosk, code, pin)
    assert seen["status"] == "settled"
    assert status(kiosk, receipts[1]["receipt_code"], receipts[1]["pin"])["status"] == \
        "received"  # the other case is untouched
    # every staff event names a console user, never free text
    shown = case(county, "show", code, *med)
    authors = {e["author_name"] for e in shown["events"] if e["kind"] != "filed"}
    assert authors == {"tri", "med"}

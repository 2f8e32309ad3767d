"""The console's read views (``Services.views``): the case list filtered, searched and paged;
one case with its history, conflicting submissions and linked cases; never a PIN verifier.
Runs on SQLite and PostgreSQL (the filters read inside the stored JSON)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from shared.clock import ManualClock
from sync_server.config.settings import Settings
from sync_server.errors import NotFound
from sync_server.services.staff import StaffDesk
from sync_server.services.views import CaseFilter, CasePage
from sync_server.services.wiring import Services
from tests.sync_server.conftest import new_token
from tests.sync_server.server_kit import TestKiosk, complaint, employer_uscc


@pytest.fixture
def svc(server_settings: Settings, manual_clock: ManualClock) -> Iterator[Services]:
    with Services.open(server_settings, manual_clock) as services:
        yield services


@pytest.fixture
def filed(client: httpx.Client, staff: StaffDesk, kiosk: TestKiosk,
          manual_clock: ManualClock) -> dict[str, str]:
    """Four cases: a and b at S001 (b a likely duplicate of a), c at S002 against another
    employer and routed to inspection, d at S001 a dismissal. Returns name -> receipt code."""
    codes = {}
    for name, record in (("a", complaint(1)), ("b", complaint(1, amount_claimed_fen=5)),
                         ("d", complaint(4, employer=4, matter_type="dismissal"))):
        env = kiosk.file(record=record)
        assert kiosk.push(client, [env]).status_code == 201
        codes[name] = kiosk.receipts[env.header.id][0]
        manual_clock.advance(60)
    other = TestKiosk(manual_clock, station="S002")
    other.enroll(client, new_token(staff, "S002"))
    env = other.file(record=complaint(3, employer=3))
    assert other.push(client, [env]).status_code == 201
    codes["c"] = other.receipts[env.header.id][0]
    staff.act(codes["c"], "routed", {"to": "inspection"}, "wang")
    return codes


def _codes(page: CasePage) -> set[str]:
    return {r["receipt_code"] for r in page.rows}


@pytest.mark.parametrize(("where", "expected"), [
    (CaseFilter(), "abcd"),                                   # no filter: every case
    (CaseFilter(station="S002"), "c"),                        # a column
    (CaseFilter(status="in_inspection"), "c"),                # the status column
    (CaseFilter(route="inspection"), "c"),                    # inside the state JSON
    (CaseFilter(matter_type="dismissal"), "d"),               # inside the record JSON
    (CaseFilter(station="S001", matter_type="wage_arrears"), "ab"),  # both at once
    (CaseFilter(search="劳务有限公司3"), "c"),                  # part of the employer's name
    (CaseFilter(search=employer_uscc(4).lower()), "d"),       # the USCC, any case
    (CaseFilter(search="公司_"), ""),                          # LIKE wildcards match literally
])
def test_case_list_filters(svc: Services, filed: dict[str, str], where: CaseFilter,
                           expected: str) -> None:
    page = svc.views.cases(where)
    assert _codes(page) == {filed[n] for n in expected}
    assert page.total == len(expected)


def test_search_by_receipt_code_in_any_spelling(svc: Services, filed: dict[str, str]) -> None:
    code = filed["b"]
    spelled = "-".join(code[i:i + 4] for i in range(0, len(code), 4)).lower()
    assert _codes(svc.views.cases(CaseFilter(search=spelled))) == {code}


def test_case_list_pages_newest_first(svc: Services, filed: dict[str, str]) -> None:
    first = svc.views.cases(limit=3)
    second = svc.views.cases(offset=3, limit=3)
    assert (first.total, len(first.rows), len(second.rows)) == (4, 3, 1)
    assert [r["receipt_code"] for r in first.rows] == [filed["c"], filed["d"], filed["b"]]
    assert second.rows[0]["receipt_code"] == filed["a"]
    row = first.rows[0]
    assert (row["route"], row["matter_type"], row["station"]) == ("inspection", "wage_arrears",
                                                                  "S002")
    assert row["employer_name"] == complaint(3, employer=3)["employer"]["name"]
    assert "pin_verifier" not in row
    assert "record" not in row
    with pytest.raises(ValueError, match="limit"):
        svc.views.cases(limit=0)
    with pytest.raises(ValueError, match="offset"):
        svc.views.cases(offset=-1)


def test_case_detail_has_history_conflicts_and_links(
        client: httpx.Client, svc: Services, kiosk: TestKiosk,
        filed: dict[str, str]) -> None:
    first_id = next(rid for rid, (code, _) in kiosk.receipts.items() if code == filed["a"])
    other = kiosk.seal(kiosk.payload("complaint", complaint(9)).to_wire(), seq=1,
                       prev="0" * 64, record_id=first_id, advance=False)
    assert kiosk.push(client, [other]).json()["results"][0]["status"] == "conflict"
    case = svc.views.case(filed["a"])
    assert case["receipt_code"] == filed["a"]
    assert "pin_verifier" not in case
    assert case["history"][0]["event"] == "filed"
    assert [(c["envelope_hash"], c["device_id"]) for c in case["conflicts"]] == \
        [(other.hash, kiosk.device_id)]
    [link] = case["linked"]
    assert (link["receipt_code"], link["kind"], link["decision"]) == \
        (filed["b"], "likely_duplicate", "open")
    routed = svc.views.case(filed["c"])
    assert routed["state"]["route"] == "inspection"
    assert routed["history"][-1]["event"] == "routed"
    assert routed["conflicts"] == []
    assert routed["linked"] == []


def test_unknown_case_is_not_found(svc: Services, filed: dict[str, str]) -> None:
    with pytest.raises(NotFound):
        svc.views.case("not-a-code")
    with pytest.raises(NotFound):
        svc.views.case(filed["a"][:-1] + ("0" if filed["a"][-1] != "0" else "1"))


def test_alerts_and_devices_views(svc: Services, filed: dict[str, str]) -> None:
    assert {d["station"] for d in svc.views.devices()} == {"S001", "S002"}
    assert svc.views.alerts() == []  # two claimants of one employer is under the threshold

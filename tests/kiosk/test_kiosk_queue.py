"""Queue numbers (取号): daily numbering, staff actions, details sealed to the station key."""

from __future__ import annotations

import pytest
from kiosk_kit import PASSPHRASE, Folder, complaint, person

from kiosk.errors import StationLocked, TicketError, WrongPassphrase
from kiosk.root import KioskServices
from shared.clock import ManualClock


def test_numbers_run_per_station_day_and_restart_next_day(services: KioskServices,
                                                          manual_clock: ManualClock) -> None:
    # 02:00 UTC is 10:00 at the station (UTC+8); 16:00 UTC is already the next day there.
    assert [services.take_ticket()["number"] for _ in range(3)] == ["A001", "A002", "A003"]
    manual_clock.advance(hours=13, minutes=59)  # 23:59 local
    assert services.take_ticket()["number"] == "A004"
    manual_clock.advance(minutes=1)  # 00:00 local, next service day
    assert services.take_ticket()["number"] == "A001"
    assert [e["number"] for e in services.queue()] == ["A001"]


def test_ahead_counts_waiting_people_before_you(services: KioskServices) -> None:
    services.take_ticket()
    services.take_ticket()
    services.call_next()
    ticket = services.take_ticket()
    assert ticket["number"] == "A003"
    assert ticket["ahead"] == 1


def test_call_next_served_and_no_show(services: KioskServices) -> None:
    for _ in range(3):
        services.take_ticket()
    assert services.call_next()["number"] == "A001"  # type: ignore[index]
    services.mark_ticket("A001", "served")
    assert services.call_next()["number"] == "A002"  # type: ignore[index]
    services.mark_ticket("a002", "no_show")
    services.mark_ticket("A003", "served")  # straight from waiting
    assert services.call_next() is None
    assert [(e["number"], e["state"]) for e in services.queue()] == [
        ("A001", "served"), ("A002", "no_show"), ("A003", "served")]


@pytest.mark.parametrize(("number", "state", "message"), [
    ("A001", "served", "cannot become served"),  # already served
    ("A009", "served", "no queue number A009"),
    ("023", "served", "not like A023"),
    ("A001", "waiting", "served or no_show"),
])
def test_bad_staff_actions_are_refused(services: KioskServices, number: str, state: str,
                                       message: str) -> None:
    services.take_ticket()
    services.mark_ticket("A001", "served")
    with pytest.raises(TicketError, match=message):
        services.mark_ticket(number, state)


def test_ticket_links_to_a_receipt_of_the_same_visit(services: KioskServices) -> None:
    r = services.submit_complaint(complaint(1))
    ticket = services.take_ticket(linked_receipt=r["receipt_code"])
    assert ticket["linked_receipt"] == r["receipt_code"]
    assert services.queue()[0]["linked_receipt"] == r["receipt_code"]
    with pytest.raises(TicketError, match="linked receipt"):
        services.take_ticket(linked_receipt="ABC")


def test_details_are_sealed_and_need_the_unlocked_station_key(
        services: KioskServices, kiosk_dir) -> None:  # type: ignore[no-untyped-def]
    p = person(5)
    services.take_ticket(details={"name": p["name"], "phone": p["phone"],
                                  "matter_type": "work_injury"})
    [entry] = services.queue()
    assert entry["has_details"]
    assert "name" not in entry
    with pytest.raises(StationLocked):
        services.ticket_details("A001")
    assert not services.check_staff_pin("wrong-passphrase")
    with pytest.raises(WrongPassphrase):
        services.unlock_station("wrong-passphrase")
    assert services.check_staff_pin(PASSPHRASE)
    assert services.ticket_details("A001") == {"name": p["name"], "phone": p["phone"],
                                               "matter_type": "work_injury"}
    [(blob,)] = Folder(kiosk_dir).rows("SELECT details FROM tickets")
    assert p["name"].encode() not in blob
    assert p["phone"].encode() not in blob
    services.lock_station()
    with pytest.raises(StationLocked):
        services.ticket_details("A001")

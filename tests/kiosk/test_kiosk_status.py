"""Status lookup by code + PIN, the pulled status cache and the sync cursor."""

from __future__ import annotations

from typing import Any

import pytest
from kiosk_kit import complaint

from kiosk.errors import CodeInvalid, ConfigInvalid
from kiosk.root import KioskServices
from shared.receipt import format_code, new_code


def _update(code: str, status: str, as_of: str, **kw: str) -> dict[str, Any]:
    return {"receipt_code": code, "status": status, "as_of": as_of,
            "next_step_zh": kw.get("zh", ""), "next_step_en": kw.get("en", "")}


def test_lookup_needs_code_and_pin(services: KioskServices) -> None:
    r = services.submit_complaint(complaint(1))
    status = services.lookup_status(format_code(r["receipt_code"]).lower(), r["pin"])
    assert status == {"receipt_code": r["receipt_code"], "status": "provisional",
                      "as_of": r["filed_at"], "next_step": status["next_step"]}  # type: ignore[index]
    assert "同步" in status["next_step"]  # type: ignore[index]
    en = services.lookup_status(r["receipt_code"], r["pin"], "en")
    assert en
    assert "sync" in en["next_step"]


def _statements(services: KioskServices, code: str, pin: str) -> list[str]:
    seen: list[str] = []
    services.store.db.conn.set_trace_callback(seen.append)
    try:
        assert services.status.lookup(code, pin) is None  # the local cache alone
    finally:
        services.store.db.conn.set_trace_callback(None)
    return [s.replace(code, "CODE") for s in seen]


def test_wrong_pin_and_unknown_code_look_and_run_the_same(services: KioskServices) -> None:
    r = services.submit_complaint(complaint(2))
    wrong_pin = "000000" if r["pin"] != "000000" else "111111"
    known = _statements(services, r["receipt_code"], wrong_pin)
    unknown = _statements(services, new_code(), r["pin"])
    assert known == unknown  # same queries in the same order: no existence oracle
    # issue 9: the receipt's wrong-PIN count is read, then one failure recorded (in a
    # transaction that also forgets old ones): 3 queries + BEGIN, DELETE, INSERT, COMMIT;
    # issue 15: first, whether the county locked the code (one settings read).
    assert len(known) == 8


def test_malformed_code_is_a_typing_slip(services: KioskServices) -> None:
    code = new_code()
    typo = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(CodeInvalid, match="check character"):
        services.lookup_status(typo, "123456")


def test_pulled_statuses_move_forward_only(services: KioskServices) -> None:
    r = services.submit_complaint(complaint(3))
    code, pin = r["receipt_code"], r["pin"]
    assert services.apply_status_updates([
        _update(code, "in_mediation", "2026-11-22T01:00:00Z", zh="请于周一到调解室", en="Mon")
    ]) == 1
    assert services.lookup_status(code, pin) == {
        "receipt_code": code, "status": "in_mediation", "as_of": "2026-11-22T01:00:00.000Z",
        "next_step": "请于周一到调解室"}
    # An older update (delivered late) does not drag it back.
    assert services.apply_status_updates([_update(code, "received",
                                                  "2026-11-21T05:00:00Z")]) == 0
    assert services.lookup_status(code, pin)["status"] == "in_mediation"  # type: ignore[index]


@pytest.mark.parametrize(("bad", "message"), [
    ({"receipt_code": "nope", "status": "received", "as_of": "2026-11-22T01:00:00Z"},
     "receipt_code"),
    ({"status": "lost", "as_of": "2026-11-22T01:00:00Z"}, "status"),
    ({"status": "received", "as_of": "yesterday"}, "as_of"),
    ({"status": "received", "as_of": "2026-11-22T01:00:00"}, "as_of"),  # no zone
])
def test_bad_status_update_names_its_field_and_stores_nothing(
        services: KioskServices, bad: dict[str, Any], message: str) -> None:
    r = services.submit_complaint(complaint(4))
    good = _update(r["receipt_code"], "settled", "2026-11-22T01:00:00Z")
    bad = {"receipt_code": r["receipt_code"], **bad}
    with pytest.raises(ConfigInvalid, match=rf"\[1\].*{message}"):
        services.apply_status_updates([good, bad])
    assert services.lookup_status(r["receipt_code"], r["pin"])["status"] == "provisional"  # type: ignore[index]


def test_cursor_round_trip(services: KioskServices) -> None:
    assert services.status.get_cursor() is None
    services.status.set_cursor("c-000123")
    assert services.status.get_cursor() == "c-000123"


@pytest.mark.parametrize("status", ["in_court", "in_mediation", "settled"])
def test_a_registration_is_never_shown_in_a_dispute_channel(services: KioskServices,
                                                            status: str) -> None:
    # issue 16: a feed that says a job-seeker registration is in court (an older or faulty
    # server) must not make the kiosk tell a job seeker 案件已进入法院诉讼.
    from kiosk_kit import jobseeker
    r = services.submit_jobseeker(jobseeker(4))
    assert services.apply_status_updates([_update(
        r["receipt_code"], status, "2026-11-22T01:00:00Z",
        zh="案件已进入法院诉讼。请按法院通知出庭", en="The case is in court.")]) == 1
    shown = services.lookup_status(r["receipt_code"], r["pin"])
    assert shown is not None
    assert shown["status"] == "received"
    assert "法院" not in shown["next_step"]
    assert "求职登记" in shown["next_step"]
    # a complaint with the same update still reads as the county said
    c = services.submit_complaint(complaint(5))
    services.apply_status_updates([_update(c["receipt_code"], "in_court",
                                           "2026-11-22T01:00:00Z", zh="法院")])
    assert services.lookup_status(c["receipt_code"], c["pin"])["status"] == "in_court"  # type: ignore[index]


def test_county_lock_and_reissued_pin_reach_the_local_lookup(services: KioskServices) -> None:
    """Issue 15: ``pin`` feed entries. A lock refuses the receipt here too, whatever PIN; a
    reissued verifier replaces the old PIN (and lifts the lock and the local back-off)."""
    from kiosk.errors import LookupRefused
    from shared.receipt import pin_verifier

    r = services.submit_complaint(complaint(4))
    code, pin = r["receipt_code"], r["pin"]
    assert services.status.replace_pin(code, None, locked=True)
    with pytest.raises(LookupRefused) as caught:
        services.lookup_status(code, pin)
    assert caught.value.code == "receipt_locked"
    new = "13579" + ("0" if pin[-1] != "0" else "1")
    assert not services.status.replace_pin(code, "not-a-verifier")   # malformed: ignored
    assert not services.status.replace_pin(new_code(), pin_verifier(code, new))  # not ours
    assert services.status.replace_pin(code, pin_verifier(code, new))
    assert services.lookup_status(code, pin) is None          # the old PIN stopped working
    assert services.lookup_status(code, new)["status"] == "provisional"  # type: ignore[index]

"""A case history whose indicators are known by construction (issue 14), built through the
real services: kiosks file over HTTP, staff act through ``services.casework`` as named
console users, on a clock moved through October–December 2026.

Period: 2026-11-01 .. 2026-11-30 (China-local). Stations S001, S002, S003. Twelve
complaints ``c1``..``c12``; what each contributes is written beside it in ``TIMELINE`` and
summed in ``EXPECTED`` / ``EXPECTED_BY_STATION`` / ``EXPECTED_SUBSIDY`` by hand.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from shared.clock import ManualClock
from sync_server.services import accounts, casework, subsidy
from sync_server.services.staff import StaffDesk
from sync_server.services.wiring import Services
from tests.sync_server.conftest import new_token
from tests.sync_server.server_kit import TestKiosk, complaint

PASSWORD = "Tiger-Lantern-Orbit-1957"  # noqa: S105  a test fixture, not a secret
FROM, TO = date(2026, 11, 1), date(2026, 11, 30)
START = datetime(2026, 10, 29, 0, 0, tzinfo=UTC)
USERS = {"tri": ["triage"], "med1": ["mediator"], "med2": ["mediator"],
         "zhu": ["director"], "stat": ["statistician"]}
RATES = {"A": 20_000, "B": 30_000, "C": 40_000, "D": 80_000}


def cn(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A China-local time as the UTC instant the clock is set to."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


# (case, station, person n (c6 is c5's person: a duplicate), coworkers, filed at)
FILINGS = [
    ("c1", "S001", 1, 0, cn(10, 30)), ("c2", "S001", 2, 0, cn(10, 30)),
    ("c3", "S001", 3, 0, cn(11, 5)), ("c4", "S001", 4, 0, cn(11, 5)),
    ("c5", "S002", 5, 0, cn(11, 5)), ("c6", "S002", 5, 0, cn(11, 5, 11)),
    ("c7", "S003", 7, 12, cn(11, 5)), ("c8", "S003", 8, 0, cn(11, 5)),
    ("c9", "S001", 9, 0, cn(11, 5)), ("c10", "S002", 10, 0, cn(11, 20)),
    ("c11", "S001", 11, 0, cn(11, 20)), ("c12", "S001", 12, 0, cn(12, 1, 0, 30)),
]

M = "mediation"
# (when, user, case, action, params) — applied in time order
TIMELINE: list[tuple[datetime, str, str, str, dict[str, Any]]] = [
    # c1: received and accepted 10-31 23:30 (before), settled 11-02, paid 500 in and 500 after
    (cn(10, 31, 23, 30), "tri", "c1", "route", {"to": M}),
    (cn(10, 31, 23, 31), "tri", "c1", "accept", {}),
    (cn(10, 31, 23, 32), "tri", "c1", "assign", {"username": "med1"}),
    (cn(11, 2), "med1", "c1", "agreement", {"fen": 100_000, "on": "2026-11-02"}),
    (cn(11, 3), "med1", "c1", "payment", {"fen": 50_000, "on": "2026-11-03"}),
    (cn(11, 4), "zhu", "c1", "close", {"grade": "A"}),
    # c2: received and accepted 11-01 00:30 (inside), paid 200 on 11-30, agreed 12-01 (after)
    (cn(11, 1, 0, 30), "tri", "c2", "route", {"to": M}),
    (cn(11, 1, 0, 31), "tri", "c2", "accept", {}),
    (cn(11, 1, 0, 32), "tri", "c2", "assign", {"username": "med1"}),
    (cn(11, 30, 20), "med1", "c2", "payment", {"fen": 20_000, "on": "2026-11-30"}),
    (cn(12, 1, 9), "med1", "c2", "agreement", {"fen": 90_000, "on": "2026-12-01"}),
    (cn(12, 1, 10), "zhu", "c2", "close", {"grade": "B"}),
    # c3..c9 received and accepted 11-06 (c8 to arbitration)
    *[(cn(11, 6, 9, i), "tri", c, "route", {"to": "arbitration" if c == "c8" else M})
      for i, c in enumerate(("c3", "c4", "c5", "c6", "c7", "c8", "c9"))],
    *[(cn(11, 6, 10, i), "tri", c, "accept", {})
      for i, c in enumerate(("c3", "c4", "c5", "c6", "c7", "c8", "c9"))],
    *[(cn(11, 6, 11, i), "tri", c, "assign", {"username": m})
      for i, (c, m) in enumerate((("c3", "med1"), ("c4", "med2"), ("c5", "med2"),
                                  ("c6", "med2"), ("c7", "med2"), ("c9", "med1")))],
    # c6 settled and paid, then confirmed a duplicate of c5: counted nowhere
    (cn(11, 7), "med2", "c6", "agreement", {"fen": 99_999, "on": "2026-11-07"}),
    (cn(11, 7, 11), "med2", "c6", "payment", {"fen": 99_999, "on": "2026-11-07"}),
    (cn(11, 9), "tri", "c6", "duplicate", {"of": "c5"}),
    # c9: settled 11-08, reopened 11-10, settled again 11-18 (counts once, 700)
    (cn(11, 8), "med1", "c9", "agreement", {"fen": 50_000, "on": "2026-11-08"}),
    (cn(11, 8, 12), "zhu", "c9", "close", {"grade": "A"}),
    (cn(11, 10), "zhu", "c9", "reopen", {"reason": "协议未履行"}),
    (cn(11, 11), "tri", "c9", "route", {"to": M}),
    (cn(11, 18), "med1", "c9", "agreement", {"fen": 70_000, "on": "2026-11-18"}),
    (cn(11, 19), "zhu", "c9", "close", {"grade": "A"}),
    # c3: settled 11-10, paid in full 11-15
    (cn(11, 10, 11), "med1", "c3", "agreement", {"fen": 200_000, "on": "2026-11-10"}),
    (cn(11, 15), "med1", "c3", "payment", {"fen": 200_000, "on": "2026-11-15"}),
    (cn(11, 16), "zhu", "c3", "close", {"grade": "B"}),
    # c4: settled 11-12, paid 1000 on 11-30 and 500 on 12-01
    (cn(11, 12), "med2", "c4", "agreement", {"fen": 150_000, "on": "2026-11-12"}),
    (cn(11, 13), "zhu", "c4", "close", {"grade": "C"}),
    # c5: settled 11-14, not closed (ungraded)
    (cn(11, 14), "med2", "c5", "agreement", {"fen": 80_000, "on": "2026-11-14"}),
    # c7 (collective, 12 workers): settled 11-20, half paid 11-25
    (cn(11, 20, 9), "med2", "c7", "agreement", {"fen": 1_200_000, "on": "2026-11-20"}),
    (cn(11, 20, 12), "zhu", "c7", "close", {"grade": "D"}),
    (cn(11, 25), "med2", "c7", "payment", {"fen": 600_000, "on": "2026-11-25"}),
    # c10 and c11 received and accepted 11-21
    *[(cn(11, 21, 9, i), "tri", c, "route", {"to": M}) for i, c in enumerate(("c10", "c11"))],
    *[(cn(11, 21, 10, i), "tri", c, "accept", {}) for i, c in enumerate(("c10", "c11"))],
    (cn(11, 21, 11), "tri", "c10", "assign", {"username": "med1"}),
    (cn(11, 21, 11, 1), "tri", "c11", "assign", {"username": "med1"}),
    # c10: settled 11-22, reopened, withdrawn: excluded
    (cn(11, 22), "med1", "c10", "agreement", {"fen": 40_000, "on": "2026-11-22"}),
    (cn(11, 23), "zhu", "c10", "reopen", {"reason": "申请人撤回"}),
    (cn(11, 24), "tri", "c10", "withdraw", {"reason": "申请人撤回"}),
    # c11: settled 11-25, closed, reopened 11-28 and still open: not settled
    (cn(11, 25, 11), "med1", "c11", "agreement", {"fen": 60_000, "on": "2026-11-25"}),
    (cn(11, 26), "zhu", "c11", "close", {"grade": "B"}),
    (cn(11, 28), "zhu", "c11", "reopen", {"reason": "协议未履行"}),
    # c8 (arbitration) closed 11-28: resolved, not locally
    (cn(11, 28, 12), "zhu", "c8", "close", {}),
    # payments after settlement: c4 in the period and after it, c1 after it
    (cn(11, 30, 21), "med2", "c4", "payment", {"fen": 100_000, "on": "2026-11-30"}),
    (cn(12, 1, 11), "med2", "c4", "payment", {"fen": 50_000, "on": "2026-12-01"}),
    (cn(12, 2), "med1", "c1", "payment", {"fen": 50_000, "on": "2026-12-02"}),
]

EXPECTED = {  # the whole period, no --by
    "group": "all",
    # 11-05: S001 c3 c4 c9, S002 c5+c6 (one person, one day), S003 c7 c8; 11-20: c10, c11
    "visits": 8,
    "cases_accepted": 9,  # c2 c3 c4 c5 c7 c8 c9 c10 c11 (c1 before, c6 merged, c12 not)
    "mediation_received": 8,  # c2 c3 c4 c5 c7 c9 c10 c11
    "mediation_settled": 6,  # c1 c3 c4 c5 c7 c9 (c2 after, c6 merged, c10 withdrawn, c11 reopened)
    "amount_agreed_fen": 100_000 + 200_000 + 150_000 + 80_000 + 1_200_000 + 70_000,
    "amount_recovered_fen": 50_000 + 20_000 + 200_000 + 100_000 + 600_000,
    "settlement_rate": 0.75,
}
EXTRA = {"workers_accepted": 8 + 12, "cases_paid": 5, "resolved": 7, "resolved_locally": 6}
SETTLED = {"c1", "c3", "c4", "c5", "c7", "c9"}
EXPECTED_BY_STATION = {
    "S001": {"visits": 4, "cases_accepted": 5, "mediation_received": 5,
             "mediation_settled": 4, "amount_agreed_fen": 520_000,
             "amount_recovered_fen": 370_000, "settlement_rate": 0.8},
    "S002": {"visits": 2, "cases_accepted": 2, "mediation_received": 2,
             "mediation_settled": 1, "amount_agreed_fen": 80_000,
             "amount_recovered_fen": 0, "settlement_rate": 0.5},
    "S003": {"visits": 2, "cases_accepted": 2, "mediation_received": 1,
             "mediation_settled": 1, "amount_agreed_fen": 1_200_000,
             "amount_recovered_fen": 600_000, "settlement_rate": 1.0},
}
EXPECTED_SUBSIDY = {  # c9 once (A), c5 settled not graded, c2 c10 c11 c6 out
    "med1": ({"A": 2, "B": 1}, 2 * 20_000 + 30_000),
    "med2": ({"-": 1, "C": 1, "D": 1}, 40_000 + 80_000),
}


def build(svc: Services, clock: ManualClock, client: httpx.Client,
          staff: StaffDesk) -> dict[str, str]:
    """Make the dataset; returns receipt codes by case name."""
    for name, roles in USERS.items():
        accounts.add_user(svc, name, roles, None, PASSWORD)
    for grade, rate in RATES.items():
        subsidy.set_rate(svc, "zhu", grade, rate)
    kiosks: dict[str, TestKiosk] = {}
    codes: dict[str, str] = {}
    for name, station, n, coworkers, when in FILINGS:
        clock.set(when)
        if station not in kiosks:
            kiosks[station] = TestKiosk(clock, station=station)
            kiosks[station].enroll(client, new_token(staff, station))
        k = kiosks[station]
        env = k.file("complaint", complaint(n, employer=n, coworkers_affected=coworkers))
        assert k.push(client, [env]).status_code == 201
        codes[name] = k.receipts[env.header.id][0]
    for when, user, case, action, params in sorted(TIMELINE, key=lambda t: t[0]):
        clock.set(when)
        if action == "duplicate":
            casework.decide_duplicate(svc, user, codes[case], codes[params["of"]], "confirm")
        else:
            try:
                casework.act(svc, user, codes[case], action, params)
            except Exception as exc:
                raise AssertionError(f"{when} {user} {case} {action} {params}") from exc
    clock.set(cn(12, 3))
    return codes

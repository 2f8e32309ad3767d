"""Jobs on the kiosk (issue 16): the postings the county sent, kept in the store; a
registration matched on filing; matches on lookup. Real store, no network."""

from __future__ import annotations

from typing import Any

import pytest
from kiosk_kit import complaint, jobseeker
from stdnum.cn import uscc

from kiosk.errors import ConfigInvalid
from kiosk.root import KioskServices


def _uscc(n: int) -> str:
    first17 = f"91421300M{n:08d}"
    return first17 + uscc.calc_check_digit(first17 + "0")


def posting(pid: str, **over: Any) -> dict[str, Any]:
    return {"posting_id": pid, "employer": {"name": "随州市某某有限公司", "uscc": _uscc(1)},
            "title": f"岗位{pid}", "job_type": "装修", "skills": ["电工"], "area": "曾都区",
            "pay_fen": 25000, "pay_period": "day", "start": "2026-12-01", "end": None,
            "headcount": 2, "employment": "gig", "flags": [], **over}


def _send(services: KioskServices, postings: list[dict[str, Any]], **extra: Any) -> None:
    services.config.apply_config({"jobs": {"as_of": "2026-12-01T00:00:00Z",
                                           "postings": postings}, **extra})


def test_postings_held_open_readable_and_sorted(services: KioskServices) -> None:
    _send(services, [
        posting("P2", area="随县"),
        posting("P1"),
        posting("P3", end="2020-01-01"),                  # ended: not shown
        posting("P4", pay_fen=1.5),                       # unreadable: skipped, not fatal
        posting("P5", flags=["collective_alert", "made_up"]),
    ])
    held = services.jobs.postings()
    assert [p["posting_id"] for p in held] == ["P1", "P5", "P2"]   # 曾都区 before 随县
    assert held[0]["warning"] is None
    assert held[1]["flags"] == ["collective_alert"]                # unknown flags dropped
    assert held[1]["warning"][0].startswith("提醒")


@pytest.mark.parametrize("bad", [
    {"jobs": []},                                            # not an object
    {"jobs": {"postings": [{"title": "no id"}]}},             # a posting without its id
    {"job_matches": {"CODE": "P1"}},                          # not a list of matches
])
def test_malformed_jobs_config_is_refused_and_nothing_stored(services: KioskServices,
                                                             bad: dict[str, Any]) -> None:
    _send(services, [posting("P1")])
    with pytest.raises(ConfigInvalid, match=r"config\.job"):
        services.config.apply_config(bad)
    assert [p["posting_id"] for p in services.jobs.postings()] == ["P1"]


def test_registration_matched_on_filing_and_on_lookup(services: KioskServices) -> None:
    _send(services, [posting("P1", skills=["水电工"]), posting("P2", job_type="保洁",
                                                              skills=["家政"])])
    r = services.submit_jobseeker(jobseeker(1))                  # 电工, 装修, 曾都区
    assert [m["posting_id"] for m in r["matches"]] == ["P1"]
    assert "技能相符：电工" in r["matches"][0]["reasons"]
    assert services.jobs.matches_for(r["receipt_code"]) == [{"posting_id": "P1",
                                                             "title": "岗位P1"}]
    # the county's newer match comes first; a closed posting drops out
    _send(services, [posting("P2", job_type="保洁"), posting("P9", title="新岗位")],
          job_matches={r["receipt_code"]: [{"posting_id": "P9", "title": "新岗位",
                                            "score": 90}]})
    assert services.jobs.matches_for(r["receipt_code"]) == [{"posting_id": "P9",
                                                             "title": "新岗位"}]
    # the store keeps only posting ids per receipt: nothing of the registration itself
    remembered = services.store.get_setting("job_matches_local")
    assert remembered == {r["receipt_code"]: ["P1"]}


def test_a_complaint_has_no_matches(services: KioskServices) -> None:
    _send(services, [posting("P1")])
    c = services.submit_complaint(complaint(1))
    assert "matches" not in c
    assert services.jobs.matches_for(c["receipt_code"]) is None

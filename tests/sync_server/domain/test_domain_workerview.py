"""What the worker is told beyond the status (domain/workerview.py): the handling body, the
next statutory deadline and the 需补正 words — fixed phrases, never the staff's item list."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sync_server.domain import Event
from sync_server.domain.deadlines import RULES, WorkCalendar, clocks, next_deadline
from sync_server.domain.fold import fold
from sync_server.domain.nextstep import status_change
from sync_server.domain.workerview import (
    extras,
    feed_words,
    item_count,
    short_basis,
)
from tests.sync_server.domain.domain_helpers import EventMaker

ITEMS = "劳动合同复印件、张三的工资条；考勤记录"


@pytest.fixture
def routed(make_event: EventMaker, filed_data: dict[str, Any]) -> list[Event]:
    return [make_event("filed", 0, filed_data, event_id="filed:C1", author="device:d1"),
            make_event("routed", 10, {"to": "mediation"})]


def _next(events: list[Event]) -> Any:
    route: dict[str, str | None] = {}
    now: str | None = None
    for e in events:
        route[e.event_id] = now
        if e.kind == "routed":
            now = e.data["to"]
    return next_deadline(clocks(events, lambda e: route[e.event_id], WorkCalendar({})))


def test_a_routed_case_names_its_body_and_its_deadline(routed: list[Event]) -> None:
    state = fold(routed)
    out = extras(state, _next(routed))
    assert out["handled_by"] == {"route": "mediation", "zh": "劳动争议调解组织",
                                 "en": "Labour dispute mediation body"}
    due = out["next_deadline"]
    assert (due["clock"], due["what_zh"], due["basis_zh"]) == (
        "mediation", "调解期限", "劳动争议调解仲裁法 第14条")
    assert due["basis_en"] == "Labour Dispute Mediation and Arbitration Law, art. 14"
    assert "needs_materials" not in out


def test_needs_materials_words_are_fixed_and_the_paused_clock_promises_nothing(
        make_event: EventMaker, routed: list[Event]) -> None:
    events = [*routed, make_event("materials_requested", 20, {"items": ITEMS})]
    state = fold(events)
    out = extras(state, _next(events))
    assert "next_deadline" not in out  # paused: no due date until the materials come
    assert out["needs_materials"]["count"] == 3
    assert "任一服务站点或县劳动维权服务中心" in out["needs_materials"]["zh"]
    entry = feed_words(status_change(state, "2026-11-30T01:00:00.000Z") | out)
    assert entry["status"] == "in_mediation"  # an older kiosk knows this status
    assert entry["next_step_zh"].startswith("还需要补充 3 项材料")
    assert entry["next_step_en"].startswith("3 more documents needed")
    wire = json.dumps(entry, ensure_ascii=False)
    assert "张三" not in wire
    assert "工资条" not in wire
    cleared = [*events, make_event("materials_received", 30, {})]
    again = extras(fold(cleared), _next(cleared))
    assert "needs_materials" not in again
    assert again["next_deadline"]["clock"] == "mediation"


def test_the_deadline_goes_into_the_kiosks_next_step(routed: list[Event]) -> None:
    state = fold(routed)
    entry = feed_words(status_change(state, "2026-11-30T01:00:00.000Z")
                       | extras(state, _next(routed)))
    due = extras(state, _next(routed))["next_deadline"]["due"]
    assert entry["next_step_zh"].endswith(
        f"下一个法定期限：调解期限，{due} 前（劳动争议调解仲裁法 第14条）。")
    assert f"Next legal deadline: mediation, by {due}" in entry["next_step_en"]


def test_an_unrouted_case_is_with_the_county_centre(make_event: EventMaker,
                                                   filed_data: dict[str, Any]) -> None:
    state = fold([make_event("filed", 0, filed_data, event_id="filed:C1",
                             author="device:d1")])
    assert extras(state, None)["handled_by"]["route"] == "centre"


@pytest.mark.parametrize(("items", "n"), [("工资条", 1), ("a, b,c", 3), ("一\n二；三;四", 4),
                                          ("、、", 1)])
def test_item_count(items: str, n: int) -> None:
    assert item_count(items) == n


def test_every_rule_has_a_short_basis() -> None:
    for rule in RULES:
        assert short_basis(rule.source_zh)
        assert "（" not in short_basis(rule.source_zh)
        assert "(" not in short_basis(rule.source_en)

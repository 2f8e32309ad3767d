"""A first end-to-end pass through the domain API: file, route, settle, look up next step."""

from __future__ import annotations

from typing import Any

from sync_server.domain import fold, next_step
from tests.sync_server.domain.domain_helpers import EventMaker


def test_filed_routed_settled_case(make_event: EventMaker, filed_data: dict[str, Any]) -> None:
    events = [make_event("filed", 0, filed_data, author="device:d1", node="d1"),
              make_event("routed", 10, {"to": "mediation"}),
              make_event("outcome_recorded", 20, {"field": "settled_fen", "value": 800_000}),
              make_event("status_changed", 30, {"status": "settled"})]
    state = fold(events)
    assert state.status == "settled"
    assert state.route == "mediation"
    assert state.record == filed_data["record"]
    assert state.contact == {"phone": "13800138000"}
    assert state.outcomes["settled_fen"]["value"] == 800_000
    assert state.flags == ()
    zh, en = next_step(state.status, state.route)
    assert "回执" in zh
    assert "Settled" in en

"""Frozen values (``_frozen``) and the copy-free ``wire_view`` of events and states: read-only,
and stored as the very text their thawed ``to_wire`` copies would be."""

from __future__ import annotations

import copy
import json
import pickle
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared._errors import CanonicalError
from sync_server.domain import Event, fold
from sync_server.domain._frozen import FrozenDict, freeze, thaw
from sync_server.store.cases import _json
from tests.sync_server.domain.test_domain_convergence import case_events

TEXT = st.text(alphabet=st.sampled_from(
    ["a", "Z", "\"", "\\", "\x00", "\n", "张", "e", "\u0301", "\u00e9", "\U0001f600"]),
    max_size=6)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_a_frozen_value_encodes_as_the_value_and_thaws_back(value: Any) -> None:
    frozen = freeze(value)
    assert thaw(frozen) == value
    assert _dumps(frozen) == _dumps(value)
    try:
        expected = _json(value)
    except CanonicalError:  # keys that collide after NFC are refused frozen or not
        with pytest.raises(CanonicalError):
            _json(frozen)
        return
    assert _json(frozen) == expected


@pytest.mark.parametrize("change", [
    lambda d: d.__setitem__("a", 2),
    lambda d: d.__delitem__("a"),
    lambda d: d.clear(),
    lambda d: d.pop("a"),
    lambda d: d.popitem(),
    lambda d: d.setdefault("b", 1),
    lambda d: d.update(b=1),
    lambda d: d.__ior__({"b": 1}),
])
def test_a_frozen_mapping_refuses_every_change(change: Any) -> None:
    frozen = freeze({"a": {"b": [1]}})
    with pytest.raises(TypeError, match="frozen"):
        change(frozen)
    assert frozen == {"a": {"b": (1,)}}


def test_a_frozen_mapping_copies_and_pickles_as_itself() -> None:
    frozen = freeze({"a": {"b": [1]}})
    assert copy.deepcopy(frozen) is frozen
    again = pickle.loads(pickle.dumps(frozen))  # noqa: S301 - our own bytes
    assert again == frozen
    assert isinstance(again, FrozenDict)


@pytest.mark.parametrize(("value", "message"), [
    ({"a": [1, {"b": 1.5}]}, "data.a[1].b: floats are not allowed"),
    ({"a": {1: 2}}, "data.a: key 1 is not a string"),
    ({"x": {"y": b"z"}}, "data.x.y: bytes is not a JSON value"),
    ([1, [2, {3}]], "data[1][1]: set is not a JSON value"),
])
def test_freeze_names_the_path_of_a_non_json_value(value: Any, message: str) -> None:
    with pytest.raises(TypeError, match=re.escape(message)):
        freeze(value, "data")


@settings(max_examples=100, deadline=None)
@given(case_events())
def test_wire_views_store_as_the_wire_copies(events: list[Event]) -> None:
    state = fold(events)
    assert _json(state.wire_view()) == _json(state.to_wire())
    for event in events:
        assert _json(event.wire_view()) == _json(event.to_wire())
    with pytest.raises(TypeError):
        state.wire_view()["record"]["matter_type"] = "other"

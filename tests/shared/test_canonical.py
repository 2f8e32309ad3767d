"""Canonical encoding: deterministic bytes for hashing and signing, properties and edge cases."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared import CanonicalError, canonical_bytes, loads_canonical

# Text without lone surrogates (which have no UTF-8 form and are refused separately).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
SCALARS = st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63) | TEXT
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)


def nfc(value: Any) -> Any:
    """The value as canonical encoding sees it: every string (keys too) in NFC."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [nfc(v) for v in value]
    if isinstance(value, dict):
        return {nfc(k): nfc(v) for k, v in value.items()}
    return value


def nfd(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFD", value)
    if isinstance(value, list):
        return [nfd(v) for v in value]
    if isinstance(value, dict):
        return {nfd(k): nfd(v) for k, v in value.items()}
    return value


def has_nfc_key_collision(value: Any) -> bool:
    if isinstance(value, list):
        return any(has_nfc_key_collision(v) for v in value)
    if isinstance(value, dict):
        keys = [unicodedata.normalize("NFC", k) for k in value]
        return len(set(keys)) != len(keys) or any(has_nfc_key_collision(v)
                                                  for v in value.values())
    return False


# Property tests run with deadline=None: on a loaded 2-core CI machine one slow example
# (a GC pause, a busy neighbour) must not become a Flaky "unreliable timings" failure.
@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_round_trip(value: Any) -> None:
    if has_nfc_key_collision(value):
        with pytest.raises(CanonicalError):
            canonical_bytes(value)
        return
    data = canonical_bytes(value)
    assert loads_canonical(data) == nfc(value)
    assert canonical_bytes(loads_canonical(data)) == data


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(TEXT, SCALARS, max_size=8), st.randoms(use_true_random=False))
def test_dict_order_does_not_matter(mapping: dict[str, Any], rnd: Any) -> None:
    if has_nfc_key_collision(mapping):
        return
    items = list(mapping.items())
    rnd.shuffle(items)
    assert canonical_bytes(dict(items)) == canonical_bytes(mapping)


@settings(max_examples=200, deadline=None)
@given(VALUES)
def test_nfc_and_nfd_inputs_encode_alike(value: Any) -> None:
    if has_nfc_key_collision(value) or has_nfc_key_collision(nfd(value)):
        return
    assert canonical_bytes(nfd(value)) == canonical_bytes(nfc(value))


@settings(deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_floats_are_refused(number: float) -> None:
    with pytest.raises(CanonicalError):
        canonical_bytes({"amount": number})
    with pytest.raises(CanonicalError):
        canonical_bytes([1, [number]])


@pytest.mark.parametrize(("value", "expected"), [
    ({"b": 1, "a": [True, False, None]}, b'{"a":[true,false,null],"b":1}'),
    ({"名": "张三", "A": "é"}, '{"A":"é","名":"张三"}'.encode()),          # UTF-8, not \\u
    ({"e\u0301": "e\u0301"}, '{"é":"é"}'.encode()),                       # NFD -> NFC
    ("tab\tquote\"back\\slash\x01", b'"tab\\tquote\\"back\\\\slash\\u0001"'),
    ({"\U0001f600": 1, "\uffff": 2}, '{"\uffff":2,"\U0001f600":1}'.encode()),  # code points
    ((1, 2), b"[1,2]"),                                                    # tuples are arrays
    (-0, b"0"),
    (10**30, b"1000000000000000000000000000000"),
])
def test_known_encodings(value: Any, expected: bytes) -> None:
    assert canonical_bytes(value) == expected


@pytest.mark.parametrize("value", [
    {1: "non-string key"},
    {"e\u0301": 1, "\u00e9": 2},           # two keys equal after NFC
    {"x": b"bytes"},
    {"x": {1, 2}},
    "lone \ud800 surrogate",
    1.0,
])
def test_values_without_canonical_form(value: Any) -> None:
    with pytest.raises(CanonicalError):
        canonical_bytes(value)


def test_nesting_limit() -> None:
    deep: Any = 1
    for _ in range(40):
        deep = [deep]
    with pytest.raises(CanonicalError):
        canonical_bytes(deep)


@pytest.mark.parametrize("data", [
    b'{"b":1,"a":2}',          # keys out of order
    b'{"a": 1}',               # whitespace
    b'{"a":1.0}',              # float
    b'{"a":1e3}',              # exponent
    b'{"a":NaN}',
    b'{"a":1,"a":1}',          # duplicate key
    b'"\\u00e9"',              # escaped non-ASCII
    '"e\u0301"'.encode(),      # NFD string
    b'-0',
    b"\xff",                   # not UTF-8
    b"",
    b"[" * 5000 + b"]" * 5000,  # deeper than the parser allows
])
def test_loads_refuses_non_canonical_input(data: bytes) -> None:
    with pytest.raises(CanonicalError):
        loads_canonical(data)


# -- loads_canonical decides as the plain "parse, re-encode canonically, compare" did -----

def _reference_loads(data: bytes) -> Any:
    """loads_canonical as it was before its fast path: the definition it must keep."""
    from shared.canonical import _no_duplicates, _reject_constant, _reject_float
    try:
        value = json.loads(data.decode("utf-8"), parse_float=_reject_float,
                           parse_constant=_reject_constant, object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise CanonicalError(f"not valid JSON: {exc}") from exc
    if canonical_bytes(value) != data:
        raise CanonicalError("JSON is not in canonical form")
    return value


# Characters that stress the check: ASCII that JSON escapes, CJK, combining marks that do or
# do not compose with what precedes them, Hangul jamo, a singleton (U+212B), U+2028.
TRICKY = st.text(alphabet=st.sampled_from(
    ["a", "e", "n", "u", "0", "\"", "\\", "\x00", "\x1f", "\n", "\t", "\u2028", "张", "三",
     "\u0301", "\u0303", "\u0316", "\u0327", "\u00e9", "\u1100", "\u1161", "\uac00",
     "\u212b", "\ufeff", "\U0001f600", "[", "{"]), max_size=8)
TRICKY_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | TRICKY,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TRICKY, inner, max_size=4),
    max_leaves=20)


def _nested(depth: int, inner: str, opener: str) -> str:
    close = {"[": "]", '{"a":': "}"}[opener]
    return opener * depth + inner + close * depth


@st.composite
def near_canonical(draw: st.DrawFn) -> bytes:
    """Bytes that are canonical, almost canonical, or JSON written some other way."""
    how = draw(st.sampled_from(["canonical", "dumps", "escaped", "edited", "nested", "raw"]))
    if how == "raw":
        return draw(st.binary(max_size=40))
    if how == "nested":  # around the nesting limit, both kinds of container
        depth = draw(st.integers(min_value=28, max_value=36))
        inner = draw(st.sampled_from(["1", "[]", "{}", '"["', "[1]"]))
        return _nested(depth, inner, draw(st.sampled_from(["[", '{"a":'])))\
            .encode("utf-8")
    value = draw(TRICKY_VALUES)
    if how == "canonical":
        try:
            return canonical_bytes(value)
        except CanonicalError:
            how = "dumps"
    # NFD strings, keys out of order, spaces, \\u escapes (lone surrogates among them)
    text = json.dumps(value, ensure_ascii=how == "escaped" or draw(st.booleans()),
                      sort_keys=draw(st.booleans()),
                      separators=draw(st.sampled_from([(",", ":"), (", ", ": ")])))
    if how == "edited":  # one character put in, taken out or a surrogate escape written
        at = draw(st.integers(min_value=0, max_value=len(text)))
        edit = draw(st.sampled_from(["insert", "delete", "surrogate"]))
        if edit == "insert":
            text = text[:at] + draw(TRICKY.filter(bool))[0] + text[at:]
        elif edit == "delete":
            text = text[:at] + text[at + 1:]
        else:
            text = text.replace('"', '"\\ud800', 1)
    return text.encode("utf-8", "surrogatepass")


@settings(max_examples=1500, deadline=None)
@given(near_canonical())
def test_loads_decides_as_the_reference(data: bytes) -> None:
    assert_decides_as_the_reference(data)


@pytest.mark.parametrize("data", [
    _nested(32, "1", "[").encode(),            # at the limit: the fast path takes it
    _nested(33, "[]", "[").encode(),           # 33 brackets, deepest empty: the full walk
    _nested(33, "1", "[").encode(),            # one value too deep
    _nested(30, '"[[[["', "[").encode(),       # brackets inside strings count too
    '"\\n\u0303"'.encode(),                    # NFC string whose text is not NFC
    '["\u0301"]'.encode(),                     # a lone combining mark is NFC
    b'"\\u0065\\u0301"',                       # NFD written as escapes
    b'"\\ud800"',                              # lone surrogate
])
def test_loads_edge_cases_decide_as_the_reference(data: bytes) -> None:
    assert_decides_as_the_reference(data)


def assert_decides_as_the_reference(data: bytes) -> None:
    """loads_canonical refuses what the full walk refuses, else returns the same value."""
    try:
        expected = _reference_loads(data)
    except CanonicalError:
        with pytest.raises(CanonicalError):
            loads_canonical(data)
        return
    assert loads_canonical(data) == expected

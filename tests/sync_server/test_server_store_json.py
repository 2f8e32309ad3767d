"""The store's fast JSON text equals the canonical encoding (shared.canonical) for every
float-free JSON value, including keys and strings that are not NFC (combining marks, which
the canonical encoder normalises) and escapes JSON must write."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from shared._errors import CanonicalError
from shared.canonical import canonical_bytes
from sync_server.store.cases import _json

# Text mixing ASCII, CJK, control characters, line separators and combining marks that
# compose (e + U+0301 -> é) or not, so both the fast path and the fallback are exercised.
TEXT = st.text(alphabet=st.sampled_from(
    ["a", "e", "Z", "\"", "\\", "\x00", "\n", "\u2028", "张", "三", "\u0301", "\u0327",
     "\u00e9", "\u1100", "\u1161", "\uac00", "\U0001f600"]), max_size=8)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20)


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_fast_text_is_the_canonical_text(value: Any) -> None:
    try:
        expected = canonical_bytes(value).decode("utf-8")
    except CanonicalError:  # keys that collide after NFC: canonical refuses, so must we
        try:
            _json(value)
        except CanonicalError:
            return
        raise AssertionError("canonical refused a value the store encoded") from None
    assert _json(value) == expected

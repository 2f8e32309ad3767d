"""Canonical encoding: the one byte sequence a JSON-like value hashes and signs as.

Rules (also in docs/protocol.md): UTF-8 JSON, object keys sorted by code point, no
insignificant whitespace, non-ASCII characters written as themselves (not ``\\u`` escapes),
strings in NFC, integers only (floats are refused: money is integer fen), ``true``/``false``/
``null``. Tuples encode as arrays. The same value always yields the same bytes.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from shared._errors import CanonicalError

JSONValue = Any  # recursive JSON values are awkward to type precisely; checked at runtime

_MAX_DEPTH = 32


def _normalise(value: JSONValue, depth: int) -> JSONValue:
    if depth > _MAX_DEPTH:
        raise CanonicalError("value nested too deeply")
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        raise CanonicalError("floats have no canonical encoding; use integers (e.g. fen)")
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list | tuple):
        return [_normalise(v, depth + 1) for v in value]
    if isinstance(value, dict):
        out: dict[str, JSONValue] = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise CanonicalError(f"object key {k!r} is not a string")
            nk = unicodedata.normalize("NFC", k)
            if nk in out:
                raise CanonicalError(f"object key {k!r} appears twice after normalisation")
            out[nk] = _normalise(v, depth + 1)
        return out
    raise CanonicalError(f"type {type(value).__name__} has no canonical encoding")


def canonical_bytes(value: JSONValue) -> bytes:
    """Return the canonical UTF-8 JSON bytes of ``value``.

    Raises CanonicalError for floats, non-string keys, other types or lone surrogates.
    """
    norm = _normalise(value, 0)
    try:
        text = json.dumps(norm, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                          allow_nan=False)
        return text.encode("utf-8")
    except (UnicodeEncodeError, ValueError) as exc:
        raise CanonicalError(f"value cannot be encoded: {exc}") from exc


def _reject_float(text: str) -> None:
    raise CanonicalError(f"float {text} in canonical input")


def _reject_constant(text: str) -> None:
    raise CanonicalError(f"{text} in canonical input")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise CanonicalError(f"duplicate key {k!r}")
        out[k] = v
    return out


# One decoder and one encoder for every call: ``json.loads``/``json.dumps`` with options
# build a new one each time, which costs more than parsing a small document.
_DECODER = json.JSONDecoder(parse_float=_reject_float, parse_constant=_reject_constant,
                            object_pairs_hook=_no_duplicates)
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                            allow_nan=False)


def loads_canonical(data: bytes) -> JSONValue:
    """Parse canonical bytes back to a value, refusing anything that is not canonical.

    Raises CanonicalError when ``data`` is not valid UTF-8 JSON or is not in canonical form.
    """
    try:
        text = data.decode("utf-8")
        value, end = _DECODER.raw_decode(text)
    except (ValueError, RecursionError) as exc:  # ValueError: also an integer of more
        # digits than Python converts (sys.get_int_max_str_digits), a JSONDecodeError sibling
        raise CanonicalError(f"not valid JSON: {str(exc)[:200]}") from exc
    if end != len(text) or not _is_canonical_text(value, text, data):
        raise CanonicalError("JSON is not in canonical form")
    return value


def _is_canonical_text(value: JSONValue, text: str, data: bytes) -> bool:
    """Whether ``text`` (``data`` decoded) is the canonical encoding of ``value``, its parse.

    Same answer as ``canonical_bytes(value) == data`` (refusals included), more cheaply for
    the usual input. With at most ``_MAX_DEPTH`` brackets in the text nothing in the value
    can be nested too deeply, and when the whole text is NFC so is every string the text
    writes out (JSON's escapes stand for ASCII characters, which compose with nothing).
    Then either the value is its own NFC form and its canonical bytes are ``json.dumps`` of
    it, or a non-ASCII character came from a ``\\u`` escape, which ``json.dumps`` writes
    back as the character itself: not the text either way. Other texts take the full walk.
    tests/shared/test_canonical.py checks that both decide alike on random inputs.
    """
    if text.count("[") + text.count("{") <= _MAX_DEPTH and \
            unicodedata.is_normalized("NFC", text):
        return bool(_ENCODER.encode(value) == text)
    return canonical_bytes(value) == data

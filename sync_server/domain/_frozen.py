"""Deep-immutable JSON values: what events and case states hold, and back to JSON.

``freeze`` turns dicts into read-only ``MappingProxyType`` views of private copies and lists
into tuples, so a value inside a frozen dataclass cannot be changed behind its back; ``thaw``
gives plain dicts and lists for ``to_wire``. Floats are refused (money is integer fen).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

EMPTY: Mapping[str, Any] = MappingProxyType({})


def freeze(value: Any, where: str = "value") -> Any:
    """Return a deep-immutable copy of a JSON-like value.

    Raises TypeError naming ``where`` for floats, non-string keys and non-JSON types.
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{where}: key {key!r} is not a string")
            out[key] = freeze(item, f"{where}.{key}")
        return MappingProxyType(out)
    if isinstance(value, list | tuple):
        return tuple(freeze(item, f"{where}[{i}]") for i, item in enumerate(value))
    if isinstance(value, float):
        raise TypeError(f"{where}: floats are not allowed (money is integer fen)")
    raise TypeError(f"{where}: {type(value).__name__} is not a JSON value")


def thaw(value: Any) -> Any:
    """Return plain dicts and lists for a value made by ``freeze`` (JSON-ready)."""
    if isinstance(value, Mapping):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [thaw(item) for item in value]
    return value

"""Deep-immutable JSON values: what events and case states hold, and back to JSON.

``freeze`` turns dicts into read-only ``FrozenDict`` copies and lists into tuples, so a value
inside a frozen dataclass cannot be changed behind its back; ``thaw`` gives plain dicts and
lists for ``to_wire``. Floats are refused (money is integer fen).

A ``FrozenDict`` is a ``dict`` whose changing methods raise ``TypeError``, so ``json.dumps``
encodes a frozen value as it is (tuples as arrays), giving the same text as for its thawed
copy: a case store can store events and states without copying each record twice more.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn


class FrozenDict(dict[str, Any]):
    """A read-only ``dict``. Only ``freeze`` makes them, so their values are frozen too."""

    __slots__ = ()

    def _refuse(self, *_args: object, **_kwargs: object) -> NoReturn:
        raise TypeError("a frozen mapping cannot be changed")

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> tuple[type[FrozenDict], tuple[dict[str, Any]]]:
        return (FrozenDict, (dict(self),))

    def __copy__(self) -> FrozenDict:
        return self

    def __deepcopy__(self, _memo: object) -> FrozenDict:
        return self

    def __repr__(self) -> str:
        return f"FrozenDict({dict.__repr__(self)})"


EMPTY: Mapping[str, Any] = FrozenDict()


class _NotJSON(Exception):
    """Raised inside ``_freeze``; ``path`` grows as it travels up to ``freeze``."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        self.path = ""


def freeze(value: Any, where: str = "value") -> Any:
    """Return a deep-immutable copy of a JSON-like value.

    Raises TypeError naming ``where`` (and the path below it) for floats, non-string keys
    and non-JSON types.
    """
    try:
        return _freeze(value)
    except _NotJSON as exc:
        raise TypeError(f"{where}{exc.path}: {exc.problem}") from None


def _freeze(value: Any) -> Any:
    # exact types first: this runs for every value of every record the server files
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None or kind is FrozenDict:
        return value
    if kind is dict:
        return _freeze_mapping(value)
    if kind is list or kind is tuple:
        return _freeze_items(value)
    if isinstance(value, bool | int | str):  # subclasses (an IntEnum, say)
        return value
    if isinstance(value, Mapping):
        return _freeze_mapping(value)
    if isinstance(value, list | tuple):
        return _freeze_items(value)
    if isinstance(value, float):
        raise _NotJSON("floats are not allowed (money is integer fen)")
    raise _NotJSON(f"{type(value).__name__} is not a JSON value")


def _freeze_mapping(value: Mapping[Any, Any]) -> FrozenDict:
    out: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise _NotJSON(f"key {key!r} is not a string")
        try:
            out[key] = _freeze(item)
        except _NotJSON as exc:
            exc.path = f".{key}{exc.path}"
            raise
    return FrozenDict(out)


def _freeze_items(value: list[Any] | tuple[Any, ...]) -> tuple[Any, ...]:
    items = []
    for i, item in enumerate(value):
        try:
            items.append(_freeze(item))
        except _NotJSON as exc:
            exc.path = f"[{i}]{exc.path}"
            raise
    return tuple(items)


def thaw(value: Any) -> Any:
    """Return plain dicts and lists for a value made by ``freeze`` (JSON-ready)."""
    if isinstance(value, Mapping):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [thaw(item) for item in value]
    return value

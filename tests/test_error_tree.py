"""One error tree: every error class of shared/, kiosk/ and sync_server/ is a YizhanError with
a stable, unique ``code``, an HTTP status, and a place on the map in ``shared/_errors.py``.

The classes are found by reading every module of the three packages (not from a list kept
here), so a new error class that skips the tree fails this test.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import re
from pathlib import Path

import pytest

from shared import _errors
from shared._errors import YizhanError

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("shared", "kiosk", "sync_server")
SNAKE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")


def _modules() -> list[tuple[str, ast.Module]]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if "migrations" in rel.parts:  # Alembic revisions: no classes, run by Alembic only
                continue
            name = ".".join(rel.with_suffix("").parts).removesuffix(".__init__")
            found.append((name, ast.parse(path.read_text("utf-8"))))
    return found


def _imports_kivy(tree: ast.Module) -> bool:
    for node in tree.body:
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "kivy"
                                                for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "kivy":
            return True
    return False


def _error_classes() -> tuple[list[type[BaseException]], list[tuple[str, str, list[str]]]]:
    """(error classes defined in importable modules, (module, class, base names) of classes
    in modules that import Kivy at load time and so are read, not imported)."""
    errors: list[type[BaseException]] = []
    unimported: list[tuple[str, str, list[str]]] = []
    for name, tree in _modules():
        classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
        if not classes:
            continue
        if _imports_kivy(tree):
            unimported += [(name, c.name, [ast.unparse(b) for b in c.bases]) for c in classes]
            continue
        module = importlib.import_module(name)
        for c in classes:
            obj = getattr(module, c.name)
            if isinstance(obj, type) and issubclass(obj, BaseException) \
                    and obj.__module__ == name:
                errors.append(obj)
    return errors, unimported


ERRORS, UNIMPORTED = _error_classes()
# Private control-flow exceptions that never leave their module (e.g. the domain's _NotJSON,
# turned into a TypeError before ``freeze`` returns) are not errors the project raises.
PUBLIC = [e for e in ERRORS if not e.__name__.startswith("_")]


def test_the_walk_finds_the_errors_of_all_three_packages() -> None:
    modules = {e.__module__.split(".")[0] for e in PUBLIC}
    assert modules == set(PACKAGES)
    names = {e.__name__ for e in PUBLIC}
    # the ones that stood outside any tree before issue 12, and the server's old second root
    assert {"ServerError", "MergeRefused", "IdentifierInvalid", "UsageError", "PrintError",
            "FontNotFoundError", "DecoderMissing", "NotFound", "DomainError"} <= names


@pytest.mark.parametrize("cls", PUBLIC, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_error_is_in_the_tree_with_its_own_code(cls: type[BaseException]) -> None:
    assert issubclass(cls, YizhanError), f"{cls.__name__} is not a YizhanError"
    code = cls.__dict__.get("code")
    assert isinstance(code, str), f"{cls.__name__} must set its own class attribute `code`"
    assert SNAKE.fullmatch(code), f"{cls.__name__}.code {code!r} is not snake_case"
    assert 400 <= cls.http_status <= 599
    assert re.search(rf"\b{cls.__name__}\b", _errors.__doc__ or ""), \
        f"{cls.__name__} is not drawn in shared/_errors.py's docstring"


def test_codes_are_unique() -> None:
    by_code: dict[str, list[str]] = {}
    for cls in PUBLIC:
        by_code.setdefault(str(cls.__dict__.get("code")), []).append(cls.__qualname__)
    assert {c: n for c, n in by_code.items() if len(n) > 1} == {}


def test_modules_read_not_imported_define_no_error_class() -> None:
    """Kivy screens are not imported here; none of their classes may derive from an
    exception (an error class belongs in a module the tree test can import)."""
    exception_names = {e.__name__ for e in ERRORS} | {
        n for n, v in vars(builtins).items()
        if isinstance(v, type) and issubclass(v, BaseException)}
    offenders = [(m, c) for m, c, bases in UNIMPORTED
                 if any(b.split(".")[-1] in exception_names for b in bases)]
    assert offenders == []

"""The real kiosk root satisfies the screens' Protocol, ``ScreenServices``.

Checked twice: statically, by mypy over this module (listed in pyproject's [tool.mypy]
files), through the annotated assignment below; and at run time, member by member: every
Protocol member exists on the real object, and each method accepts the Protocol's
parameters (same names, kinds and defaults given).
"""

from __future__ import annotations

import inspect

import pytest

from kiosk.root import KioskServices
from kiosk.ui.services_api import ScreenServices


def test_the_real_root_is_screen_services(services: KioskServices) -> None:
    seen: ScreenServices = services  # mypy checks every member's type here
    assert isinstance(seen, ScreenServices)  # runtime_checkable: every member is present


def _members() -> list[str]:
    return sorted({name for name in vars(ScreenServices) if not name.startswith("_")}
                  | set(inspect.get_annotations(ScreenServices)))


@pytest.mark.parametrize("name", _members())
def test_every_member_exists_with_a_compatible_signature(services: KioskServices,
                                                         name: str) -> None:
    assert hasattr(services, name), f"KioskServices lacks {name}"
    wanted = inspect.getattr_static(ScreenServices, name, None)
    if not callable(wanted):
        return  # a property (``config``): present is all a Protocol asks at run time
    real = inspect.signature(getattr(services, name))
    for param in list(inspect.signature(wanted).parameters.values())[1:]:  # after self
        assert param.name in real.parameters, f"{name}() lacks parameter {param.name}"
        got = real.parameters[param.name]
        assert got.kind == param.kind, f"{name}({param.name}) is {got.kind}, not {param.kind}"
        if param.default is not inspect.Parameter.empty:
            assert got.default == param.default, f"{name}({param.name}) default differs"
    extra = [p for p in real.parameters.values() if p.name not in
             inspect.signature(wanted).parameters and p.default is inspect.Parameter.empty
             and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    assert not extra, f"{name}() needs parameters the screens do not pass: {extra}"

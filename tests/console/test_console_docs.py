"""docs/console.md and the code do not drift: every `user` subcommand and option, every
role id and the audit command's options are documented."""

from __future__ import annotations

import argparse
from pathlib import Path

from sync_server.cli import build_parser
from sync_server.domain.roles import ROLE_IDS

DOC = (Path(__file__).parents[2] / "docs" / "console.md").read_text("utf-8")


def _sub(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    found: argparse.ArgumentParser = action.choices[name]
    return found


def _options(parser: argparse.ArgumentParser) -> set[str]:
    inherited = {"--data", "--db", "--passphrase-file", "--json", "-h", "--help"}
    return {o for a in parser._actions for o in a.option_strings} - inherited


def test_every_user_command_and_option_is_documented() -> None:
    user = _sub(build_parser(), "user")
    action = next(a for a in user._actions if isinstance(a, argparse._SubParsersAction))
    assert set(action.choices) == {"add", "list", "disable", "passwd", "roles"}
    for name, parser in action.choices.items():
        assert f"yizhan-server user {name}" in DOC, name
        for option in _options(parser):
            assert option in DOC, (name, option)
    for option in _options(_sub(build_parser(), "audit")):
        assert option in DOC, ("audit", option)


def test_every_role_is_documented() -> None:
    for role in ROLE_IDS:
        assert f"| `{role}` |" in DOC, role

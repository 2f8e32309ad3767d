"""Rewrite the "## Command reference" section of a doc page from a CLI's ``--help`` output.

    python scripts/cli_docs.py kiosk      # docs/kiosk.md from yizhan-kiosk
The section runs from its heading to the end of the file; each command gets a ``###``
heading and its help text (COLUMNS=100), as the docs tests expect.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADING = "## Command reference"
INTRO = "Each block is the command's `--help` (a test keeps them in step with the code).\n"


def _commands(parser: argparse.ArgumentParser, prefix: list[str]) -> list[list[str]]:
    out = [prefix]
    for action in parser._actions:  # argparse has no public walk of subcommands
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out += _commands(sub, [*prefix, name])
    return out


def _help(parser: argparse.ArgumentParser, command: list[str]) -> str:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.suppress(SystemExit):
        parser.parse_args([*command, "--help"])
    return buf.getvalue().strip()


def main() -> None:
    which = sys.argv[1] if len(sys.argv) > 1 else "kiosk"
    os.environ["COLUMNS"] = "100"
    if which == "kiosk":
        from kiosk.cli import build_parser
        prog, doc = "yizhan-kiosk", ROOT / "docs" / "kiosk.md"
    else:
        raise SystemExit(f"unknown CLI {which!r}")
    parser = build_parser()
    parts = [HEADING, "", INTRO]
    for command in _commands(parser, []):
        parts += [f"### `{' '.join([prog, *command])}`", "", "```", _help(parser, command),
                  "```", ""]
    text = doc.read_text("utf-8")
    head = text[: text.index(HEADING)] if HEADING in text else text + "\n"
    doc.write_text(head + "\n".join(parts), "utf-8")
    print(f"rewrote {doc.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

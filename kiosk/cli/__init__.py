"""``yizhan-kiosk``: the kiosk without the screen (ARCHITECTURE §5, shapes in INTERFACES.md).

Every command takes ``--data DIR`` (default ``$YIZHAN_KIOSK_DATA`` or ``./var/kiosk``) and
prints JSON with ``--json`` (``submit`` always prints JSON receipts). Errors go to stderr and
never contain the personal data that was typed in.

The commands live by topic: :mod:`kiosk.cli.local` (init, submit, status, outbox, queue,
checklist: offline), :mod:`kiosk.cli.county` (enroll, sync, export-bundle, import-ack),
:mod:`kiosk.cli.run` (the touchscreen); what they share (exit codes, the data folder,
opening the kiosk, printing) is :mod:`kiosk.cli.common`. Exit status: see there.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Sequence

from kiosk.cli import county, jobs, local, run
from kiosk.cli.common import (
    EXIT_INVALID,
    EXIT_KIOSK,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
    PASSPHRASE_ENV,
    UsageError,
    open_kiosk,
)
from kiosk.errors import IntakeInvalid
from kiosk.sync.errors import TransientError
from shared._errors import YizhanError

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The ``yizhan-kiosk`` argument parser (also used to check docs/kiosk.md)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data", default=argparse.SUPPRESS, metavar="DIR",
                        help="kiosk data folder (default $YIZHAN_KIOSK_DATA or ./var/kiosk)")
    out = argparse.ArgumentParser(add_help=False)
    out.add_argument("--json", action="store_true", help="print JSON")
    staff = argparse.ArgumentParser(add_help=False)
    staff.add_argument("--passphrase-file", metavar="FILE",
                       help=f"file holding the staff passphrase (default ${PASSPHRASE_ENV})")

    parser = argparse.ArgumentParser(prog="yizhan-kiosk", parents=[common],
                                     description="yizhan kiosk: offline intake without the "
                                                 "touchscreen.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    jobs.register(sub, common, out, open_kiosk)
    local.register(sub, common, out, staff)
    county.register(sub, common, out)
    run.register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    os.umask(0o077)  # the store, its WAL, keys and exported bundles: owner-only
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(encoding="utf-8")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except UsageError as exc:
        print(f"yizhan-kiosk: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except IntakeInvalid as exc:
        for err in exc.errors:
            print(f"yizhan-kiosk: {err}", file=sys.stderr)
        return EXIT_INVALID
    except TransientError as exc:
        print(f"yizhan-kiosk: {exc}", file=sys.stderr)
        return EXIT_UNREACHABLE
    except YizhanError as exc:
        print(f"yizhan-kiosk: {exc}", file=sys.stderr)
        return EXIT_KIOSK
    except OSError as exc:
        print(f"yizhan-kiosk: {exc.filename or ''}: {exc.strerror}", file=sys.stderr)
        return EXIT_KIOSK

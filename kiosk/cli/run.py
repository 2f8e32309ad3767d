"""``yizhan-kiosk run``: the touchscreen app, with the background sync worker beside it."""

from __future__ import annotations

import argparse
from typing import Any

from kiosk.cli.common import data_dir, open_kiosk
from kiosk.root import background_worker


def cmd_run(args: argparse.Namespace) -> int:
    # Kivy is imported only for the touchscreen: every other command starts without it (and
    # without a display). A deferred import for start-up cost, not to dodge an import circle.
    from kiosk.ui.app import run

    with open_kiosk(args) as services:
        worker = background_worker(data_dir(args))
        worker.start()  # nightly and opportunistic sync; the UI thread never waits on it
        try:
            run(services, fullscreen=args.fullscreen)  # mypy: the facade is ScreenServices
        finally:
            worker.stop()
    return 0


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register run on ``sub``."""
    p = sub.add_parser("run", parents=[common],
                       help="start the touchscreen app",
                       description="Start the touchscreen kiosk app.")
    p.add_argument("--fullscreen", action="store_true", help="fill the screen (kiosk hardware)")
    p.set_defaults(func=cmd_run)

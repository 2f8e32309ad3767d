"""``yizhan-server settings show|set`` (county settings) and ``case reissue-pin``."""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from shared.clock import SystemClock
from sync_server.cli.common import settings_from
from sync_server.services import countysettings, pinguard
from sync_server.services.wiring import Services


def _open(args: argparse.Namespace) -> Services:
    return Services.open(settings_from(args), SystemClock())


def _emit(args: argparse.Namespace, data: Any, text: str) -> None:
    print(json.dumps(data, ensure_ascii=False, sort_keys=True) if args.json else text)


def cmd_settings(args: argparse.Namespace) -> int:
    svc = _open(args)
    try:
        if args.saction == "set":
            stored = countysettings.set_value(svc, args.key, args.value, args.as_user)
            shown = "(default)" if stored in ("", None) else stored
            _emit(args, {"key": args.key, "value": stored}, f"{args.key} = {shown}")
            return 0
        rows = countysettings.show(svc)
    finally:
        svc.close()
    _emit(args, {r["key"]: r["value"] for r in rows},
          "\n".join(f"{r['key']} = {r['value']!s}{'  (default)' if r['default'] else ''}"
                    f"\n    {r['help']}" for r in rows))
    return 0


def cmd_reissue_pin(args: argparse.Namespace) -> int:
    svc = _open(args)
    try:
        done = pinguard.reissue(svc, args.code, args.as_user)
    finally:
        svc.close()
    _emit(args, done.to_wire(), done.slip())
    return 0


def register(sub: Any, common: argparse.ArgumentParser, js: argparse.ArgumentParser) -> None:
    """Add ``settings`` to the top-level subcommands."""
    who = os.environ.get("USER") or "staff"
    p = sub.add_parser("settings", help="county settings (e.g. the public status page "
                       "address kiosks print on receipts)")
    s_sub = p.add_subparsers(dest="saction", required=True)
    sp = s_sub.add_parser("show", parents=[common, js], help="every setting and its value")
    sp.set_defaults(func=cmd_settings)
    sp = s_sub.add_parser("set", parents=[common, js],
                          help="set KEY to VALUE (an empty VALUE restores the default); "
                          "kiosks receive public_url at their next sync")
    sp.add_argument("key", choices=sorted(countysettings.SPECS), metavar="KEY",
                    help="one of: " + ", ".join(countysettings.SPECS))
    sp.add_argument("value", metavar="VALUE")
    sp.add_argument("--as", dest="as_user", default=who, help="staff user recorded")
    sp.set_defaults(func=cmd_settings)


def register_case(case_sub: Any, common: argparse.ArgumentParser,
                  js: argparse.ArgumentParser) -> None:
    """Add ``case reissue-pin`` to the ``case`` subcommands."""
    cp = case_sub.add_parser("reissue-pin", parents=[common, js],
                             help="give a receipt a new PIN (the old one stops working, a "
                             "locked receipt is unlocked); prints the slip for the worker")
    cp.add_argument("code", help="receipt code (hyphens and case do not matter)")
    cp.add_argument("--as", dest="as_user", required=True, help="the staff user doing it")
    cp.set_defaults(func=cmd_reissue_pin)

"""``yizhan-server user …`` and ``yizhan-server audit``: console accounts and the audit log.

Passwords are read from standard input only (``--password-stdin``), never from the command
line, where ``ps`` and the shell history would show them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from shared.clock import SystemClock
from sync_server.errors import ConfigError
from sync_server.services import accounts, audit
from sync_server.services.wiring import Services

ACTOR = "cli"  # the audit log's actor for an operator at the server's shell


@contextmanager
def _services(args: argparse.Namespace) -> Iterator[Services]:
    from sync_server.cli import _settings

    svc = Services.open(_settings(args), SystemClock())
    try:
        yield svc
    finally:
        svc.close()


def _print(args: argparse.Namespace, data: Any, text: str) -> None:
    from sync_server.cli import _print as out

    out(args, data, text)


def _password(args: argparse.Namespace) -> str:
    if not args.password_stdin:
        raise ConfigError("--password-stdin is required: pipe the password in "
                          "(passwords on the command line end up in shell history)")
    line = sys.stdin.readline()
    password = line[:-1] if line.endswith("\n") else line
    if not password:
        raise ConfigError("password: nothing on standard input / 标准输入中没有密码")
    return password


def _roles(value: str) -> list[str]:
    return [r.strip() for r in value.split(",") if r.strip()]


def _line(user: accounts.StaffUser) -> str:
    return (f"{user.username}  roles {','.join(sorted(user.roles))}  station "
            f"{user.station_id or '(county)'}" + ("  DISABLED" if user.disabled else ""))


def cmd_user_add(args: argparse.Namespace) -> int:
    accounts.check_new_user(args.username, _roles(args.role), args.station)  # before stdin
    password = _password(args)
    with _services(args) as svc:
        user = accounts.add_user(svc, args.username, _roles(args.role), args.station,
                                 password, actor=ACTOR)
    _print(args, user.to_wire(), f"user {_line(user)} added")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    with _services(args) as svc:
        users = accounts.list_users(svc)
    _print(args, [u.to_wire() for u in users], "\n".join(map(_line, users)) or "no users")
    return 0


def cmd_user_disable(args: argparse.Namespace) -> int:
    with _services(args) as svc:
        user = accounts.disable_user(svc, args.username, actor=ACTOR)
    _print(args, user.to_wire(), f"user {args.username} disabled; its sessions ended")
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    password = _password(args)
    with _services(args) as svc:
        user = accounts.set_password(svc, args.username, password, actor=ACTOR)
    _print(args, user.to_wire(), f"password of {args.username} changed; its sessions ended")
    return 0


def cmd_user_roles(args: argparse.Namespace) -> int:
    with _services(args) as svc:
        user = accounts.set_roles(svc, args.username, _roles(args.role), args.station,
                                  actor=ACTOR)
    _print(args, user.to_wire(), f"user {_line(user)}; its sessions ended")
    return 0


def _since(value: str) -> datetime:
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--since {value!r}: not a date (YYYY-MM-DD or "
                                         "an ISO 8601 time)") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def cmd_audit(args: argparse.Namespace) -> int:
    with _services(args) as svc:
        rows = audit.entries(svc, user=args.user, case_code=args.case, since=args.since,
                             limit=args.limit)
    _print(args, [e.to_wire() for e in rows], "\n".join(
        f"{w['at']}  {w['actor']}  {w['action']}"
        + (f"  case {w['case_code']}" if w["case_code"] else "")
        + (f"  {w['detail']}" if w["detail"] else "")
        + (f"  from {w['address']}" if w["address"] else "")
        for w in (e.to_wire() for e in rows)) or "no audit entries")
    return 0


def register(sub: Any, common: argparse.ArgumentParser, js: argparse.ArgumentParser) -> None:
    """Add ``user`` and ``audit`` to the ``yizhan-server`` subcommands ``sub``."""
    p = sub.add_parser("user", help="county console accounts: add, list, disable, passwd, "
                       "roles")
    user_sub = p.add_subparsers(dest="uaction", required=True)
    up = user_sub.add_parser("add", parents=[common, js], help="add a console user")
    up.add_argument("username", help="2-64 characters: a-z 0-9 . _ -")
    up.add_argument("--role", required=True, metavar="ROLE[,ROLE…]",
                    help="comma-separated role ids (see docs/console.md)")
    up.add_argument("--station", help="a station id: the user sees only that station's "
                    "cases (default: the whole county)")
    up.add_argument("--password-stdin", action="store_true",
                    help="read the password from standard input (required)")
    up.set_defaults(func=cmd_user_add)
    up = user_sub.add_parser("list", parents=[common, js], help="every console user")
    up.set_defaults(func=cmd_user_list)
    up = user_sub.add_parser("disable", parents=[common, js],
                             help="disable a user and end its sessions")
    up.add_argument("username")
    up.set_defaults(func=cmd_user_disable)
    up = user_sub.add_parser("passwd", parents=[common, js],
                             help="set a user's password (ends its sessions, clears lockout)")
    up.add_argument("username")
    up.add_argument("--password-stdin", action="store_true",
                    help="read the password from standard input (required)")
    up.set_defaults(func=cmd_user_passwd)
    up = user_sub.add_parser("roles", parents=[common, js],
                             help="replace a user's roles and station (ends its sessions)")
    up.add_argument("username")
    up.add_argument("--role", required=True, metavar="ROLE[,ROLE…]")
    up.add_argument("--station", help="a station id (omit: the whole county)")
    up.set_defaults(func=cmd_user_roles)

    p = sub.add_parser("audit", parents=[common, js],
                       help="the audit log: who changed or saw what (newest first)")
    p.add_argument("--user", help="only this username")
    p.add_argument("--case", help="only this receipt code")
    p.add_argument("--since", type=_since, help="only from this date (YYYY-MM-DD, UTC)")
    p.add_argument("--limit", type=int, default=1000, help="at most this many (default 1000)")
    p.set_defaults(func=cmd_audit)

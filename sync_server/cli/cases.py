"""``yizhan-server case …`` and ``yizhan-server calendar …``: case work as a named console
user (``--as USERNAME``, or env YIZHAN_STAFF_USER), through ``services.casework``,
``casefile``, ``workqueues`` and ``workcalendar`` — the same services the console uses.

Every action is an event authored ``staff:<user id>`` and audited; a refused one exits 1
saying why (zh-CN and English).
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from shared.clock import SystemClock
from sync_server.cli import settings as cli_settings
from sync_server.cli.common import open_services, show
from sync_server.domain.deadlines import RULES_BY_NAME, today_in_china
from sync_server.domain.events import GRADES, OUTCOME_FIELDS, TRACKS
from sync_server.domain.fold import CaseState
from sync_server.domain.statuses import ROUTES, STATUSES
from sync_server.errors import ConfigError
from sync_server.services import casefile, casework, workcalendar, workqueues

AS_ENV = "YIZHAN_STAFF_USER"


def _user(args: argparse.Namespace) -> str:
    if not args.as_user:
        raise ConfigError(f"--as USERNAME is required (a console user, see `yizhan-server "
                          f"user list`; or set {AS_ENV}) / 请用 --as 指定操作的用户")
    return str(args.as_user)


def summary(state: CaseState) -> dict[str, Any]:
    """What an action prints about the case it changed (no personal data)."""
    work = state.to_wire().get("work", {})
    return {"receipt_code": state.receipt_code, "case_id": state.case_id,
            "status": state.status, "route": state.route, "flags": list(state.flags),
            "duplicate_of": state.duplicate_of, "track": work.get("track"),
            "assignee": (work.get("assignee") or {}).get("username"),
            "agreed_fen": (work.get("agreement") or {}).get("fen"),
            "paid_fen": work.get("paid_fen")}


def _params(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    """(action, params) of a ``case`` subcommand."""
    a = args.action
    if a == "needs-materials":
        if args.received:
            return "materials_received", {}
        if not args.items:
            raise ConfigError("needs-materials: --items TEXT (what is missing) or --received")
        return "needs_materials", {"items": args.items}
    if a == "route":
        return "route", {"to": args.to, "track": args.track, "fast": True if args.fast else None}
    if a == "assign":
        return "assign", {"username": args.to}
    if a == "outcome":
        today = today_in_china(SystemClock().now()).isoformat()
        if args.agreed is not None:
            return "agreement", {"fen": args.agreed, "on": args.on}
        if args.paid is not None:
            return "payment", {"fen": args.paid, "on": args.on or today}
        if args.award is not None:
            return "award", {"fen": args.award}
        return "settled", {"fen": args.settled}
    if a == "session":
        return "session", {"on": args.on, "summary": args.summary}
    if a == "close":
        return "close", {"grade": args.grade, "reason": args.reason}
    if a in ("withdraw", "reopen"):
        return a, {"reason": args.reason}
    if a == "note":
        return "note", {"text": args.text}
    if a == "resolve":
        return "resolve", {"field": args.field, "keep": args.keep}
    if a == "extend":
        return "extend", {"clock": args.clock, "days": args.days, "reason": args.reason}
    if a == "decide-extension":
        return "decide_extension", {"request": args.request, "approved": args.approve,
                                    "reason": args.reason}
    if a == "status":
        return "status", {"status": args.status}
    if a == "employer":
        return "employer", {"name": args.name, "uscc": args.uscc}
    return "accept", {}


def cmd_act(args: argparse.Namespace) -> int:
    action, params = _params(args)
    with open_services(args) as svc:
        state = casework.act(svc, _user(args), args.code, action, params)
    out = summary(state)
    show(args, out, f"{state.receipt_code}: {state.status}"
           + (f" (route {state.route})" if state.route else "")
           + (f", assigned to {out['assignee']}" if out["assignee"] else ""))
    return 0


def cmd_duplicate(args: argparse.Namespace) -> int:
    decision = "confirm" if args.confirm_of else "split"
    with open_services(args) as svc:
        mine, theirs = casework.decide_duplicate(svc, _user(args), args.code,
                                                 args.confirm_of or args.split_from, decision)
    verb = "confirmed as a duplicate of" if decision == "confirm" else "split from"
    show(args, {"decision": decision, "case": summary(mine), "other": summary(theirs)},
           f"{mine.receipt_code} {verb} {theirs.receipt_code}: {mine.receipt_code} "
           f"{mine.status}, {theirs.receipt_code} {theirs.status}")
    return 0


def _show_text(f: dict[str, Any]) -> str:
    lines = [f"{f['receipt_code']}  {f['kind']}  station {f['station']}  filed {f['filed_at']}",
             f"status {f['status']}  route {f['route'] or '-'}  track {f['track'] or '-'}"
             f"  assignee {f['assignee'] or '-'}  identity {f['identity']}"
             + ("  (conceal from employer)" if f["conceal_identity"] else ""),
             f"flags: {', '.join(f['flags']) or '-'}"]
    lines += [f"clock {c['clock']} ({c['title_zh']}): {c['state']}, due {c['due_on'] or '-'}"
              f"  [{c['source_zh']}]" for c in f["clocks"]]
    lines += [f"{e['server_time']} (device {e['device_time']}) {e['kind']} by "
              f"{e['author_name'] or e['author']}" for e in f["events"]]
    lines += [f"conflict {c['field']}: " + " | ".join(f"{v['value']} ({v['event_id']})"
                                                     for v in c["values"])
              for c in f["conflicts"]]
    lines += [f"linked {r['receipt_code']} ({r['same']}) {r['status']}"
              for r in f["linked"]["related"]]
    lines += [f"note by {n['author_name'] or n['author']}: {n['text']}" for n in f["notes"]]
    return "\n".join(lines)


def cmd_show(args: argparse.Namespace) -> int:
    if args.identity and not args.reason:
        raise ConfigError("--identity needs --reason TEXT (the view is audited) / 查看身份信息"
                          "须填写理由")
    with open_services(args) as svc:
        data = casefile.show(svc, _user(args), args.code,
                             identity_reason=args.reason if args.identity else None,
                             audience=args.audience)
    show(args, data, _show_text(data))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with open_services(args) as svc:
        rows = workqueues.listing(svc, _user(args), args.queue, args.station, args.limit)
    show(args, rows, "\n".join(
        f"{r.get('receipt_code') or '-'}  {r.get('station')}  {r.get('status')}  "
        f"{r.get('route') or '-'}  due {r.get('due_on') or '-'}" for r in rows)
        or f"queue {args.queue}: empty")
    return 0


def cmd_queues(args: argparse.Namespace) -> int:
    with open_services(args) as svc:
        counts = workqueues.counts(svc, _user(args), args.station)
    show(args, counts, "\n".join(f"{workqueues.TITLES[q][0]} {q}: {n}"
                                   for q, n in counts.items()))
    return 0


def cmd_calendar(args: argparse.Namespace) -> int:
    with open_services(args) as svc:
        if args.caction == "set":
            row = workcalendar.set_day(svc, _user(args), args.day, args.kind, args.name)
            show(args, row, f"{row['day']}: {args.kind}")
            return 0
        days = workcalendar.show(svc, args.since, args.until)
    show(args, days, "\n".join(f"{d['day']} {d['kind']} {d['name'] or ''} ({d['source']})"
                                 for d in days) or "no days held in that range")
    return 0


def _code(p: argparse.ArgumentParser) -> None:
    p.add_argument("code", help="receipt code (hyphens and case do not matter)")


def register(sub: Any, common: argparse.ArgumentParser, js: argparse.ArgumentParser) -> None:
    """Add ``case`` and ``calendar`` to the ``yizhan-server`` subcommands ``sub``."""
    who = argparse.ArgumentParser(add_help=False)
    who.add_argument("--as", dest="as_user", default=os.environ.get(AS_ENV),
                     metavar="USERNAME", help=f"the console user acting (env {AS_ENV})")
    parents = [common, js, who]
    p = sub.add_parser("case", help="case work as a console user: accept, route, assign, "
                       "outcomes, close, show, list …")
    cs = p.add_subparsers(dest="action", required=True)
    cli_settings.register_case(cs, common, js)  # case reissue-pin (issue 15)

    def action(name: str, text: str) -> argparse.ArgumentParser:
        cp: argparse.ArgumentParser = cs.add_parser(name, parents=parents, help=text)
        _code(cp)
        cp.set_defaults(func=cmd_act)
        return cp

    action("accept", "accept the case (受理 / 立案) for the body it is with")
    cp = action("needs-materials", "需补正: materials are missing (clocks pause), or "
                "--received: they are complete (clocks resume or restart)")
    g = cp.add_mutually_exclusive_group(required=True)
    g.add_argument("--items", help="what is missing (told to the applicant)")
    g.add_argument("--received", action="store_true", help="the materials are complete")
    cp = action("route", "route to a handling body, with 繁简分流 and 速裁")
    cp.add_argument("--to", required=True, choices=ROUTES)
    cp.add_argument("--track", choices=TRACKS, help="simple or complex (繁简分流)")
    cp.add_argument("--fast", action="store_true", help="fast track (速裁)")
    cp = action("assign", "assign to a named user (a mediator then sees it in their list)")
    cp.add_argument("--to", required=True, metavar="USERNAME")
    cp = action("outcome", "record an agreement, a payment, an award (amounts in fen)")
    g = cp.add_mutually_exclusive_group(required=True)
    g.add_argument("--agreed-fen", type=int, dest="agreed", help="amount agreed (settles it)")
    g.add_argument("--paid-fen", type=int, dest="paid", help="amount actually paid")
    g.add_argument("--award-fen", type=int, dest="award", help="arbitration award amount")
    g.add_argument("--settled-fen", type=int, dest="settled", help="(older) settled amount")
    cp.add_argument("--on", help="date of the agreement or payment (YYYY-MM-DD; payment "
                    "default today)")
    cp = action("session", "record a mediation session")
    cp.add_argument("--on", required=True, help="date YYYY-MM-DD")
    cp.add_argument("--summary", required=True, help="what happened")
    cp = action("close", "close the case")
    cp.add_argument("--grade", choices=GRADES, help="difficulty grade (director; 以案定补)")
    cp.add_argument("--reason", help="why / how it ended")
    for name, text in (("withdraw", "the applicant withdrew"),
                       ("reopen", "reopen a finished case")):
        cp = action(name, text)
        cp.add_argument("--reason", required=True)
    cp = action("note", "add a note")
    cp.add_argument("--text", required=True)
    cp = action("resolve", "resolve a conflicting value: keep the one recorded by EVENT_ID")
    cp.add_argument("--field", required=True, choices=OUTCOME_FIELDS)
    cp.add_argument("--keep", required=True, metavar="EVENT_ID")
    cp = action("extend", "request a deadline extension")
    cp.add_argument("--clock", required=True, choices=sorted(RULES_BY_NAME))
    cp.add_argument("--days", required=True, type=int)
    cp.add_argument("--reason", required=True)
    cp = action("decide-extension", "approve or refuse an extension request")
    cp.add_argument("--request", required=True, metavar="EVENT_ID")
    g = cp.add_mutually_exclusive_group(required=True)
    g.add_argument("--approve", action="store_true", dest="approve")
    g.add_argument("--refuse", action="store_false", dest="approve")
    cp.add_argument("--reason")
    cp = action("status", "change a case's status (prefer route/close/withdraw)")
    cp.add_argument("status", choices=STATUSES)
    cp = action("employer", "complete or correct a complaint's employer (one filed as "
                "'employer unknown', e.g. ××)")
    cp.add_argument("--name", required=True, help="the employer's name")
    cp.add_argument("--uscc", help="its unified social credit code, if known")
    cp = cs.add_parser("duplicate", parents=parents,
                       help="decide a likely duplicate: confirm CODE as a duplicate of CODE2 "
                       "(CODE is closed, its station told) or split the two")
    _code(cp)
    g = cp.add_mutually_exclusive_group(required=True)
    g.add_argument("--confirm-of", metavar="CODE2", help="CODE is a duplicate of CODE2")
    g.add_argument("--split-from", metavar="CODE2", help="CODE and CODE2 are different")
    cp.set_defaults(func=cmd_duplicate)
    cp = cs.add_parser("show", parents=parents, help="the case file: clocks, history, "
                       "conflicts, linked cases, notes (identity sealed)")
    _code(cp)
    cp.add_argument("--identity", action="store_true",
                    help="open the sealed identity (needs --reason; audited as a view)")
    cp.add_argument("--reason", help="why the identity is opened")
    cp.add_argument("--audience", choices=["staff", "employer", "inspector"], default="staff",
                    help="a print for an employer or inspector omits a concealed identity")
    cp.set_defaults(func=cmd_show)
    cp = cs.add_parser("list", parents=parents, help="a workqueue's cases")
    cp.add_argument("--queue", default="all", choices=workqueues.QUEUES)
    cp.add_argument("--station", help="only this station")
    cp.add_argument("--limit", type=int, help="at most this many")
    cp.set_defaults(func=cmd_list)
    cp = cs.add_parser("queues", parents=parents, help="every workqueue with its count")
    cp.add_argument("--station", help="only this station")
    cp.set_defaults(func=cmd_queues)

    p = sub.add_parser("calendar", help="the working-day calendar the deadlines count on")
    ks = p.add_subparsers(dest="caction", required=True)
    kp = ks.add_parser("set", parents=parents, help="make DATE a working day or a holiday "
                       "(director)")
    kp.add_argument("day", metavar="DATE", help="YYYY-MM-DD")
    kp.add_argument("kind", choices=sorted(workcalendar.KINDS))
    kp.add_argument("--name", help="e.g. the holiday's name")
    kp.set_defaults(func=cmd_calendar)
    kp = ks.add_parser("show", parents=[common, js], help="holidays and make-up working days")
    kp.add_argument("--from", dest="since", help="from YYYY-MM-DD")
    kp.add_argument("--to", dest="until", help="to YYYY-MM-DD")
    kp.set_defaults(func=cmd_calendar)

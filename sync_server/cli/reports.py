"""``yizhan-server report …`` (the indicators and the mediator subsidy) and ``yizhan-server
subsidy grade …`` (以案定补 rates), through ``services.reports``, ``subsidy`` and
``exports`` — the same services the console page uses.

``--as USERNAME`` reads as that console user (a statistician gets small cells hidden);
without it the county's operator reads the full figures. Exports are audited and new
files of mode 0600.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from sync_server.cli.common import open_services, show
from sync_server.domain.events import GRADES
from sync_server.services import exports, reports, subsidy
from sync_server.services.wiring import Services

AS_ENV = "YIZHAN_STAFF_USER"
KPI_COLUMNS = (*reports.KEYS, "workers_accepted", "cases_paid", "resolved",
               "resolved_locally", "resolved_locally_rate")
SUBSIDY_COLUMNS = ("mediator", "cases", "amount_fen", "receipt_codes")



def _period(args: argparse.Namespace) -> tuple[Any, Any]:
    return (reports.parse_day(args.from_, "--from"), reports.parse_day(args.to, "--to"))


def _emit(args: argparse.Namespace, svc: Services, what: str, rows: list[dict[str, Any]],
          columns: tuple[str, ...], banner: str | None, footer: str) -> None:
    out = Path(args.output) if args.output else None
    text = exports.export(svc, args.as_user or "cli", what, rows, columns, args.format, out,
                          force=args.force, banner=banner)
    if text is not None:
        print(text, end="")
        if args.format == "csv" and footer:
            print(f"# {footer}")
    else:
        print(f"{out}: {len(rows)} rows ({args.format}, mode 0600)")


def cmd_kpi(args: argparse.Namespace) -> int:
    start, end = _period(args)
    with open_services(args) as svc:
        data = reports.kpi(svc, start, end, args.station, args.by, args.as_user)
        footer = f"as of {data['as_of']}; {data['formula']}; {data['local_formula']}"
        if data["hidden"]:
            footer += f"; cells under {data['min_cell']} hidden / 小于 {data['min_cell']} 不显示"
        rows = [{k: g[k] for k in KPI_COLUMNS} for g in data["groups"]] \
            if args.format == "json" else data["groups"]
        _emit(args, svc, "kpi", rows, KPI_COLUMNS, None, footer)
    return 0


def cmd_cases(args: argparse.Namespace) -> int:
    start, end = _period(args)
    with open_services(args) as svc:
        rows = reports.cases(svc, args.measure, start, end, args.station, args.by, args.group,
                             args.as_user)
    show(args, rows, "\n".join(f"{r.get('receipt_code', '-')}  {r['station']}  "
                                 f"{r['matter_type']}  {r['status']}  {r['day']}"
                                 for r in rows) + f"\n{len(rows)} cases")
    return 0


def cmd_subsidy(args: argparse.Namespace) -> int:
    start, end = _period(args)
    with open_services(args) as svc:
        data = subsidy.report(svc, start, end, args.as_user)
        banner = None if data["approved"] else \
            "草稿 DRAFT: 未经主任审批 / not approved by the director"
        rows = [{**m, "draft": True} if banner else m for m in data["mediators"]] \
            if args.format == "json" else data["mediators"]
        _emit(args, svc, "subsidy", rows, SUBSIDY_COLUMNS, banner,
              f"total_fen {data['total_fen']}; digest {data['digest']}")
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    start, end = _period(args)
    with open_services(args) as svc:
        data = subsidy.approve(svc, args.as_user or "", start, end, args.digest)
    show(args, data, f"approved {data['from']}..{data['to']}: total {data['total_fen']} "
                       f"fen (digest {data['digest'][:12]})")
    return 0


def cmd_min_cell(args: argparse.Namespace) -> int:
    with open_services(args) as svc:
        reports.set_min_cell(svc, args.as_user or "", args.value)
    print(f"minimum cell: {args.value}")
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    with open_services(args) as svc:
        rates = subsidy.set_rate(svc, args.as_user or "", args.grade, args.rate_fen) \
            if args.gaction == "add" else subsidy.rates(svc)
    show(args, rates, "\n".join(f"{g}: {r} fen" for g, r in rates.items())
           or "no grades set / 尚未设置难度等级补贴标准")
    return 0


def register(sub: Any, common: argparse.ArgumentParser, js: argparse.ArgumentParser) -> None:
    """Add ``report`` and ``subsidy`` to the ``yizhan-server`` subcommands ``sub``."""
    who = argparse.ArgumentParser(add_help=False)
    who.add_argument("--as", dest="as_user", default=os.environ.get(AS_ENV),
                     metavar="USERNAME", help=f"the console user (env {AS_ENV})")
    period = argparse.ArgumentParser(add_help=False)
    period.add_argument("--from", dest="from_", required=True, metavar="DATE")
    period.add_argument("--to", required=True, metavar="DATE")
    out = argparse.ArgumentParser(add_help=False)
    out.add_argument("--format", choices=exports.FORMATS, default="csv")
    out.add_argument("--output", metavar="FILE", help="a new file, mode 0600 (xlsx needs it)")
    out.add_argument("--force", action="store_true", help="replace an existing --output")
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--station", metavar="ID")
    where.add_argument("--by", choices=[g for g in reports.GROUPINGS if g])

    p = sub.add_parser("report", help="indicators (kpi), the cases a figure counts, the "
                       "mediator subsidy (以案定补)")
    rs = p.add_subparsers(dest="raction", required=True)
    k = rs.add_parser("kpi", parents=[common, who, period, where, out],
                      help="visits, cases accepted, mediation received/settled, amounts")
    k.set_defaults(func=cmd_kpi)
    c = rs.add_parser("cases", parents=[common, js, who, period, where],
                      help="the cases one figure counts (its length equals the figure)")
    c.add_argument("measure", choices=reports.MEASURES)
    c.add_argument("--group", help="one group of --by")
    c.set_defaults(func=cmd_cases)
    s = rs.add_parser("subsidy", parents=[common, who, period, out],
                      help="per mediator: settled cases by grade × rate (draft until approved)")
    s.set_defaults(func=cmd_subsidy)
    a = rs.add_parser("approve-subsidy", parents=[common, js, who, period],
                      help="the director approves the period's subsidy figures")
    a.add_argument("--digest", help="the digest of the figures reviewed (refused if changed)")
    a.set_defaults(func=cmd_approve)
    m = rs.add_parser("min-cell", parents=[common, who],
                      help="the county's minimum cell for statisticians (default 5)")
    m.add_argument("value", type=int)
    m.set_defaults(func=cmd_min_cell)

    p = sub.add_parser("subsidy", help="以案定补: rates per difficulty grade")
    ss = p.add_subparsers(dest="sobject", required=True)
    g = ss.add_parser("grade", help="difficulty grades and their rates")
    gs = g.add_subparsers(dest="gaction", required=True)
    ga = gs.add_parser("add", parents=[common, js, who], help="set a grade's rate (director)")
    ga.add_argument("grade", choices=GRADES)
    ga.add_argument("--rate-fen", type=int, required=True, dest="rate_fen")
    ga.set_defaults(func=cmd_grade)
    gl = gs.add_parser("list", parents=[common, js], help="the grades and rates")
    gl.set_defaults(func=cmd_grade)

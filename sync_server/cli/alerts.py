"""``yizhan-server alerts [--json]`` (the early warnings, zh-CN, China local time, stations
and receipt codes) and ``alerts ack|assess|handle|close|escalate ID --as USERNAME``: the
lifecycle 认领 → 研判 → 处置 → 销号 through ``services.alertwork``, as on the console."""

from __future__ import annotations

import argparse
import os
from typing import Any

from sync_server.cli.cases import AS_ENV, _print, _services, _user
from sync_server.services import alertwork


def _line(a: dict[str, Any]) -> str:
    codes = "、".join(f"{c['receipt_code']}（{c['station']} {c['filed_at']}）"
                     for c in a["cases"])
    head = (f"#{a['id']} [{a['level_zh']}·{a['state_zh']}] {a['employer_name']}："
            f"{a['claimants']} 名投诉人，{len(a['cases'])} 件，自 {a['since']} 起；"
            f"站点 {'、'.join(a['stations']) or '—'}")
    extra = []
    if a["updated_at"]:
        extra.append(f"最近增长 {a['updated_at']}")
    if a["state_by"]:
        extra.append(f"{a['state_zh']}：{a['state_by']} {a['state_at']}")
    if a["escalated_at"]:
        extra.append(f"已移送劳动监察 {a['escalated_at']}")
    if a["outcome"]:
        extra.append(f"处置结果：{a['outcome']}")
    return head + ("；" + "；".join(extra) if extra else "") + f"\n    回执 {codes}"


def cmd_alerts(args: argparse.Namespace) -> int:
    if getattr(args, "aaction", None):
        return cmd_step(args)
    with _services(args) as svc:
        rows = alertwork.listing(svc, state=args.state)
    _print(args, rows, "\n".join(_line(a) for a in rows) or "暂无预警 / no alerts")
    return 0


def cmd_step(args: argparse.Namespace) -> int:
    with _services(args) as svc:
        alert = alertwork.step(svc, args.alert_id, args.aaction, _user(args), args.outcome,
                               address="cli")
    _print(args, alert, _line(alert))
    return 0


def register(sub: Any, common: argparse.ArgumentParser, js: argparse.ArgumentParser) -> None:
    """Add ``alerts`` and its lifecycle steps to the ``yizhan-server`` subcommands."""
    p = sub.add_parser("alerts", parents=[common, js],
                       help="early warnings (预警): collective disputes; ack|assess|handle|"
                       "close|escalate ID --as USER")
    p.add_argument("--state", choices=("open", "claimed", "assessed", "handled", "closed"),
                   help="only alerts in this state")
    p.set_defaults(func=cmd_alerts)
    steps = p.add_subparsers(dest="aaction", required=False)
    for verb, text in (("ack", "认领 claim the alert"), ("assess", "研判 record the assessment"),
                       ("handle", "处置 record how it was handled"),
                       ("close", "销号 close it with its outcome"),
                       ("escalate", "移送劳动监察 escalate to labour inspection")):
        sp = steps.add_parser(verb, parents=[common, js], help=text)
        sp.add_argument("alert_id", type=int, metavar="ID", help="the alert number (#ID)")
        sp.add_argument("--as", dest="as_user", default=os.environ.get(AS_ENV),
                        help=f"the console user taking the step (or env {AS_ENV})")
        sp.add_argument("--outcome", "--note", dest="outcome",
                        help="the note or outcome (required for close) / 处置结果")
        sp.set_defaults(func=cmd_step, state=None)

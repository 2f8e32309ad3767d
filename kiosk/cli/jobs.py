"""``yizhan-kiosk jobs [--staff] [--json]``: the job postings this kiosk holds (offline too);
with ``--staff`` (the staff passphrase), per posting the receipt codes of this station's
matching job seekers.

Prints one line per open posting (by area, job type and title), or with ``--json`` a JSON
array of postings (``kiosk.services.jobs.KioskJobs.postings``). A posting whose employer the
county flagged carries its plain warning (zh-CN and English).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from kiosk.cli.common import staff_passphrase
from kiosk.root import KioskServices

PERIOD = {"day": ("天", "day"), "month": ("月", "month")}
EMPLOYMENT = {"gig": ("零工", "gig"), "long_term": ("长期", "long-term")}


def posting_line(p: dict[str, Any]) -> str:
    """One posting for a person to read: zh-CN first, with English."""
    zh_period, en_period = PERIOD.get(p["pay_period"], (p["pay_period"],) * 2)
    zh_emp, en_emp = EMPLOYMENT.get(p["employment"], (p["employment"],) * 2)
    yuan = f"{p['pay_fen'] / 100:.2f}".rstrip("0").rstrip(".")
    line = (f"{p['posting_id']}  {p['area']}  {p['job_type']}  {p['title']}  "
            f"{yuan}元/{zh_period} ({yuan} yuan/{en_period})  招{p['headcount']}人 "
            f"({p['headcount']} wanted)  {zh_emp} ({en_emp})  {p['employer']['name']}")
    if p.get("warning"):
        line += f"\n    ⚠ {p['warning'][0]}\n      {p['warning'][1]}"
    return line


def register(sub: Any, common: argparse.ArgumentParser, out: argparse.ArgumentParser,
             open_services: Callable[[argparse.Namespace], KioskServices]) -> None:
    """Add ``jobs`` to the ``yizhan-kiosk`` parser."""

    def cmd_jobs(args: argparse.Namespace) -> int:
        with open_services(args) as services:
            if args.staff:  # the station's job seekers per posting: staff only
                services.unlock_station(staff_passphrase(args).decode())
                staff = services.jobs.seekers_by_posting()
                if args.json:
                    print(json.dumps(staff, ensure_ascii=False), flush=True)
                else:
                    print("\n".join(f"{p['posting_id']}  {p['title']}  "
                                    f"{'、'.join(p['receipt_codes']) or '—'}" for p in staff)
                          or "暂无岗位信息 / no job postings held yet", flush=True)
                    print("推荐、录用结果请在县中心工作台录入 / record referred, hired, not "
                          "hired on the county console", flush=True)
                return 0
            rows = services.jobs.postings()
        if args.json:
            print(json.dumps(rows, ensure_ascii=False), flush=True)
        else:
            print("\n".join(posting_line(p) for p in rows)
                  or "暂无岗位信息 / no job postings held yet", flush=True)
        return 0

    p = sub.add_parser("jobs", parents=[common, out],
                       help="job postings this kiosk holds (找工作)",
                       description="List the job postings the county sent, as held "
                                   "offline: by area, job type and title.")
    p.add_argument("--staff", action="store_true",
                   help="station staff: per posting, the receipt codes of this station's "
                        "matching job seekers (needs the staff passphrase)")
    p.set_defaults(func=cmd_jobs)

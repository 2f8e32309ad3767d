"""``yizhan-server job …``: job postings, matches and placements for scripts and imports.

::

    job add --json FILE|- [--publish-anyway] [--station S] [--by U]
    job list [--state open|held|closed] [--json]
    job publish POSTING_ID          publish a held (flagged) posting anyway
    job close POSTING_ID [--json]
    job matches POSTING_ID [--json]
    job place POSTING_ID CODE --outcome referred|hired|not_hired [--station S] [--by U]
    job placements [POSTING_ID] [--json]
    job indicators --since DATE --until DATE [--json]

``job add`` reads one JSON object, a JSON array or JSON lines and prints one JSON line per
posting, in input order: ``{"index", "posting_id", "state", "flags"}``, or ``{"index",
"errors"}`` for one refused (each error names its field, zh-CN and English); the valid ones
are stored whatever the others hold, and the exit status is 1 if any was refused. A posting
whose employer has open wage-arrears complaints or an open collective-dispute alert is
**held** (state ``held``, its ``flags`` printed) unless ``--publish-anyway``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, time
from typing import Any

from shared._errors import RecordInvalid
from shared.clock import SystemClock
from shared.postings import parse_posting
from sync_server.cli.common import settings_from
from sync_server.errors import ConfigError
from sync_server.services.jobs import COUNTY, OUTCOMES, JobBoard
from sync_server.services.wiring import Services

MAX_INPUT = 64 * 1024 * 1024


def _board(args: argparse.Namespace) -> closing[Services]:
    return closing(Services.open(settings_from(args), SystemClock()))


def _emit(args: argparse.Namespace, data: Any, text: str) -> None:
    if getattr(args, "json", False):
        print(json.dumps(data, ensure_ascii=False, sort_keys=True))
    else:
        print(text)


def read_postings(text: str) -> Iterator[tuple[int, object]]:
    """(index, value) of one JSON object, a JSON array, or JSON lines; a line that is not
    JSON gives a RecordInvalid in its place."""
    body = text.lstrip("\ufeff").strip()
    if not body:
        return
    try:
        whole = json.loads(body)
    except ValueError:
        whole = None
        lines = [line for line in body.splitlines() if line.strip()]
        for index, line in enumerate(lines):
            try:
                yield index, json.loads(line)
            except ValueError:
                yield index, RecordInvalid([])
        return
    for index, item in enumerate(whole if isinstance(whole, list) else [whole]):
        yield index, item


def cmd_add(args: argparse.Namespace) -> int:
    if args.input == "-":
        text = sys.stdin.buffer.read(MAX_INPUT + 1)
    else:
        try:
            with open(args.input, "rb") as fh:
                text = fh.read(MAX_INPUT + 1)
        except OSError as exc:
            raise ConfigError(f"--json {args.input}: {exc.strerror}") from None
    if len(text) > MAX_INPUT:
        raise ConfigError(f"--json {args.input}: more than {MAX_INPUT} bytes")
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"--json {args.input}: not UTF-8 text") from None
    refused = 0
    with _board(args) as svc:
        board = JobBoard(svc)
        for index, item in read_postings(decoded):
            try:
                if isinstance(item, RecordInvalid):
                    raise RecordInvalid([]) from None
                posting = parse_posting(item)
            except RecordInvalid as exc:
                refused += 1
                errors = exc.to_wire() or [{"field": "record", "code": "not_json",
                                            "zh": "不是有效的 JSON 数据", "en": "not valid JSON"}]
                print(json.dumps({"index": index, "errors": errors}, ensure_ascii=False,
                                 sort_keys=True))
                for e in errors:
                    print(f"yizhan-server: posting [{index}]: {e['field']}: {e['en']} / "
                          f"{e['zh']}", file=sys.stderr)
                continue
            done = board.add(posting, by=args.by, station=args.station,
                             publish_anyway=args.publish_anyway)
            print(json.dumps({"index": index, **done}, ensure_ascii=False, sort_keys=True))
            if done["state"] == "held":
                print(f"yizhan-server: posting [{index}] {done['posting_id']} held, not "
                      f"published: {', '.join(done['flags'])} (review, then 'job publish "
                      f"{done['posting_id']}' or add with --publish-anyway) / 该单位有未办结"
                      "的欠薪投诉或群体性纠纷预警，岗位暂不发布", file=sys.stderr)
    return 1 if refused else 0


def cmd_list(args: argparse.Namespace) -> int:
    with _board(args) as svc:
        rows = JobBoard(svc).postings((args.state,) if args.state else None)
    _emit(args, rows, "\n".join(
        f"{r['posting_id']} [{r['state']}] {r['title']} ({r['job_type']}, {r['area']}, "
        f"{r['pay_fen'] / 100:.2f} yuan/{r['pay_period']}, {r['headcount']} wanted, "
        f"{r['employment']}) {r['employer']['name']}"
        + (f" FLAGS: {', '.join(r['flags'])}" if r["flags"] else "") for r in rows)
        or "no postings")
    return 0


def cmd_state(args: argparse.Namespace) -> int:
    with _board(args) as svc:
        board = JobBoard(svc)
        done = board.close(args.posting_id) if args.jaction == "close" \
            else board.publish(args.posting_id)
    _emit(args, done, f"{done['posting_id']}: {done['state']}"
          + (f" (flags: {', '.join(done['flags'])})" if done["flags"] else ""))
    return 0


def cmd_matches(args: argparse.Namespace) -> int:
    with _board(args) as svc:
        rows = JobBoard(svc).matches(args.posting_id)
    _emit(args, rows, "\n".join(
        f"{r['receipt_code']} score {r['score']} (stations {', '.join(r['stations'])}): "
        + "; ".join(r["reasons_text"]) for r in rows) or "no matching job seekers")
    return 0


def cmd_place(args: argparse.Namespace) -> int:
    with _board(args) as svc:
        done = JobBoard(svc).place(args.posting_id, args.code, args.outcome, by=args.by,
                                   station=args.station)
    _emit(args, done, f"{done['receipt_code']} {done['outcome']} for {done['posting_id']}")
    return 0


def cmd_placements(args: argparse.Namespace) -> int:
    with _board(args) as svc:
        rows = JobBoard(svc).placements(args.posting_id)
    _emit(args, rows, "\n".join(
        f"{r['posting_id']} {r['receipt_code']} {r['outcome']} (station {r['station']})"
        + (f" DISPUTED: case {r['disputed_case_id']}" if r["disputed_case_id"] else "")
        for r in rows) or "no placements")
    return 0


def _day(text: str, option: str) -> datetime:
    try:
        return datetime.combine(datetime.strptime(text, "%Y-%m-%d").date(), time(), UTC)
    except ValueError:
        raise ConfigError(f"{option} {text!r}: must be a date like 2026-12-01") from None


def cmd_indicators(args: argparse.Namespace) -> int:
    with _board(args) as svc:
        rows = JobBoard(svc).indicators(_day(args.since, "--since"), _day(args.until, "--until"))
    _emit(args, rows, "\n".join(
        f"{r['station']}: {r['registrations']} registrations, {r['postings']} postings, "
        f"{r['referrals']} referrals, {r['placements']} placements, "
        f"{r['placements_disputed']} disputed" for r in rows) or "nothing in this period")
    return 0


def register(sub: Any, common: argparse.ArgumentParser, js: argparse.ArgumentParser) -> None:
    """Add ``job`` and its subcommands to the ``yizhan-server`` parser."""
    by = argparse.ArgumentParser(add_help=False)
    by.add_argument("--by", default=os.environ.get("USER") or "staff",
                    help="staff user recorded as the author")
    p = sub.add_parser("job", help="job postings, matches and placements (零工驿站)")
    jsub = p.add_subparsers(dest="jaction", required=True)
    a = jsub.add_parser("add", parents=[common, by], help="add postings from JSON")
    a.add_argument("--json", dest="input", required=True, metavar="FILE|-",
                   help="one JSON object, an array or JSON lines ('-': stdin)")
    a.add_argument("--publish-anyway", action="store_true",
                   help="publish postings even when their employer is flagged")
    a.add_argument("--station", default=COUNTY, help="station entering them (default county)")
    a.set_defaults(func=cmd_add)
    a = jsub.add_parser("list", parents=[common, js], help="postings")
    a.add_argument("--state", choices=["open", "held", "closed"])
    a.set_defaults(func=cmd_list)
    for name, text in (("close", "close a posting (off the kiosks at their next sync)"),
                       ("publish", "publish a held (flagged) posting anyway")):
        a = jsub.add_parser(name, parents=[common, js], help=text)
        a.add_argument("posting_id")
        a.set_defaults(func=cmd_state)
    a = jsub.add_parser("matches", parents=[common, js],
                        help="job seekers matching a posting, one per person")
    a.add_argument("posting_id")
    a.set_defaults(func=cmd_matches)
    a = jsub.add_parser("place", parents=[common, js, by],
                        help="record a referral or its outcome")
    a.add_argument("posting_id")
    a.add_argument("code", help="the job seeker's registration receipt code")
    a.add_argument("--outcome", required=True, choices=OUTCOMES)
    a.add_argument("--station", help="station recording it (default: where they registered)")
    a.set_defaults(func=cmd_place)
    a = jsub.add_parser("placements", parents=[common, js],
                        help="referrals and placements, with later disputes")
    a.add_argument("posting_id", nargs="?")
    a.set_defaults(func=cmd_placements)
    a = jsub.add_parser("indicators", parents=[common, js],
                        help="registrations, postings, referrals, placements, disputed: "
                             "per station")
    a.add_argument("--since", required=True, help="first day, e.g. 2026-12-01")
    a.add_argument("--until", required=True, help="day after the last, e.g. 2027-01-01")
    a.set_defaults(func=cmd_indicators)

"""``yizhan-kiosk`` commands that work offline at the station: init, submit, status, outbox,
queue and checklist. Exit status as in :mod:`kiosk.cli.common`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kiosk.cli.common import (
    EXIT_INVALID,
    EXIT_KIOSK,
    EXIT_UNREACHABLE,
    UsageError,
    data_dir,
    open_kiosk,
    read_json_file,
    show,
    staff_passphrase,
)
from kiosk.cli.records_input import open_records_input, qr_paths, read_records
from kiosk.errors import LookupRefused
from kiosk.services.identity import init_kiosk
from kiosk.services.intake import DEFAULT_BATCH
from shared._errors import FileRefused
from shared.clock import SystemClock
from shared.qr import qr_png
from shared.records import KINDS, MATTER_TYPES
from shared.safefile import NewFile, is_png, write_new


def cmd_init(args: argparse.Namespace) -> int:
    county = (read_json_file(args.county_public, "--county-public")
              if args.county_public else None)
    ident = init_kiosk(data_dir(args), args.station, staff_passphrase(args), SystemClock(),
                       county)
    enrolled = county is not None
    show(args, {"device_id": ident.device_id, "station": ident.station,
                "station_kid": ident.station_recipient.kid, "enrolled": enrolled,
                "data": str(data_dir(args))},
         f"kiosk {ident.device_id} for station {ident.station} made in {data_dir(args)}"
         + ("" if enrolled else "\nnot enrolled yet: intake is refused until the county "
                                "keys are known (--county-public FILE or 'enroll')"))
    return 0


def cmd_submit(args: argparse.Namespace) -> int:
    fh = open_records_input(args.json_input)
    services = open_kiosk(args)
    try:
        records: Iterable[object] = read_records(fh)
        paths: list[Path] = []
        if args.qr_png:
            records = list(records)
            paths = qr_paths(Path(args.qr_png), len(records))
            for path in paths:  # a link or someone's file there: refused before storing
                NewFile(path, replaceable=is_png).check()
        invalid = qr_failed = 0
        ticket = None
        if args.ticket:  # today's number of this visit: the county counts both as one visit
            ticket = services.tickets.today_number(args.ticket)
        for result in services.intake.submit_many(args.kind, records, args.batch, ticket):
            if result.receipt is None:
                invalid += 1
                for err in result.errors:
                    print(f"record {result.index}: {err}", file=sys.stderr, flush=True)
            print(json.dumps(result.to_wire(), ensure_ascii=False), flush=True)
            if result.receipt is not None and paths:
                try:  # a new file, never through a link; an earlier receipt PNG is replaced
                    write_new(paths[result.index], qr_png(result.receipt.qr_payload),
                              replaceable=is_png)
                except FileRefused as exc:  # the receipt above is stored and printed
                    qr_failed += 1
                    print(f"record {result.index}: --qr-png: {exc}", file=sys.stderr,
                          flush=True)
        return EXIT_KIOSK if qr_failed else EXIT_INVALID if invalid else 0
    except UnicodeDecodeError as exc:
        raise UsageError(f"--json {args.json_input}: not valid {exc.encoding} text; the "
                         "records whose receipts were printed are stored, the rest are not / "
                         "输入文件编码有误，已打印回执的记录已保存") from None
    except RecursionError:
        raise UsageError(f"--json {args.json_input}: JSON nested too deeply; the records "
                         "whose receipts were printed are stored, the rest are not / "
                         "JSON 嵌套层数过多") from None
    finally:
        services.close()
        fh.close()


def cmd_status(args: argparse.Namespace) -> int:
    with open_kiosk(args) as services:
        try:
            found = services.lookup_status(args.code, args.pin, args.lang)
        except LookupRefused as exc:  # another station's receipt: offline, locked, busy
            if args.json:
                print(json.dumps({"code": exc.code, "zh": exc.zh, "en": exc.en},
                                 ensure_ascii=False))
            print(f"yizhan-kiosk: {exc}", file=sys.stderr)
            return EXIT_UNREACHABLE if exc.code == "other_station_offline" else EXIT_KIOSK
        status: dict[str, Any] | None = dict(found) if found is not None else None
        # a registration's job matches (issue 16), only once code and PIN matched
        matches = services.jobs.matches_for(status["receipt_code"]) if status else None
    if status is None:
        print("no receipt matches this code and PIN / 回执码或查询密码不正确", file=sys.stderr)
        return EXIT_INVALID
    if matches is not None:
        status = {**status, "matches": matches}
    show(args, status, f"{status['receipt_code']}  {status['status']}  (as of "
                       f"{status['as_of']})\n{status['next_step']}"
         + "".join(f"\n岗位 / job: {m['posting_id']} {m['title']}" for m in matches or ()))
    return 0


def cmd_outbox(args: argparse.Namespace) -> int:
    with open_kiosk(args) as services:
        counts: dict[str, Any] = dict(services.outbox_counts())  # more keys below
        lost = services.outbox.lost_after_restore()
        # queue tickets not sealed yet: the county has not announced accepts_visits
        counts["visits_held"] = services.visits.held()
    if lost:  # asked for again by a restored county, but pruned after the retention window
        counts["lost_after_restore"] = [{"from_seq": a, "to_seq": b} for a, b in lost]
    show(args, counts, "  ".join(f"{k}: {counts[k]}" for k in
                                 ("pending", "sent", "acknowledged", "quarantined"))
         + "".join(f"\nLOST AFTER A COUNTY RESTORE: seq {a}-{b} (no longer on this kiosk)"
                   for a, b in lost)
         + (f"\n排队号暂存本机，待县级中心支持后发送 / queue tickets held until the county "
            f"accepts visits: {counts['visits_held']}" if counts["visits_held"] else "")
         + ("\nWARNING: county answer failed verification (县级服务器的回复未通过验证) at "
            f"{counts['last_sync']}: {counts['last_error']}" if counts["unverified"] else ""))
    return 0


def _ticket_line(t: dict[str, Any]) -> str:
    link = f"  receipt {t['linked_receipt']}" if t.get("linked_receipt") else ""
    return f"{t['number']}  {t.get('state', 'waiting')}  {t['issued_at']}{link}"


def cmd_queue(args: argparse.Namespace) -> int:
    with open_kiosk(args) as services:
        if args.action == "take":
            details = (read_json_file(args.details_json, "--details-json")
                       if args.details_json else None)
            ticket = services.take_ticket(args.receipt, details)
            show(args, ticket, f"{ticket['number']}  ({ticket['ahead']} waiting ahead)")
        elif args.action == "list":
            entries = [dict(e) for e in services.queue()]  # "details" added below
            if args.details:
                services.unlock_station(staff_passphrase(args).decode())
                for e in entries:
                    e["details"] = services.ticket_details(str(e["number"]))
            show(args, entries, "\n".join(_ticket_line(e) + (
                f"  {json.dumps(e['details'], ensure_ascii=False)}" if e.get("details") else "")
                for e in entries) or "the queue is empty today")
        elif args.action == "call":
            entry = services.call_next()
            show(args, entry, f"calling {entry['number']}" if entry else "nobody is waiting")
        else:
            state = "served" if args.action == "served" else "no_show"
            services.mark_ticket(args.number, state)
            show(args, {"number": args.number.upper(), "state": state},
                 f"{args.number.upper()} {state}")
    return 0


def cmd_checklist(args: argparse.Namespace) -> int:
    with open_kiosk(args) as services:
        sheet = services.checklist_sheet(args.matter_type, args.lang)
    lines = [sheet["title"]]
    for section in ("documents", "where", "next_steps", "time_limits"):
        lines += [f"[{section}]", *(f"  - {item}" for item in sheet[section])]
    show(args, sheet, "\n".join(lines))
    return 0



def register(sub: Any, common: argparse.ArgumentParser, out: argparse.ArgumentParser,
             staff: argparse.ArgumentParser) -> None:
    """Register init, submit, status, outbox, queue and checklist on ``sub``."""
    p = sub.add_parser("init", parents=[common, out, staff],
                       help="make the device key, station key and store",
                       description="Make the device key (Ed25519, mode 0600), the station key "
                                   "(wrapped under the staff passphrase) and the store.")
    p.add_argument("--station", required=True, help="station id (letters, digits, - or _)")
    p.add_argument("--county-public", metavar="FILE",
                   help="county public keys file from 'yizhan-server init' (offline enrollment)")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("submit", parents=[common],
                       help="file records; prints one JSON receipt per record",
                       description="Validate, seal and commit records; prints one JSON line "
                                   "per input record, in input order (a receipt, or "
                                   "{index, errors} for an invalid one).")
    p.add_argument("kind", choices=KINDS)
    p.add_argument("--json", dest="json_input", required=True, metavar="FILE|-",
                   help="a JSON object, a JSON array or JSON lines ('-' reads stdin)")
    p.add_argument("--qr-png", metavar="PATH",
                   help="write the receipt QR as PNG (several records: PATH-INDEX.png)")
    p.add_argument("--ticket", metavar="NUMBER",
                   help="today's queue number of this visit (e.g. A023), sent with the record")
    p.add_argument("--batch", type=int, default=DEFAULT_BATCH, metavar="N",
                   help=f"records sealed and committed per transaction (default {DEFAULT_BATCH})")
    p.set_defaults(func=cmd_submit)

    p = sub.add_parser("status", parents=[common, out],
                       help="status of a receipt: this station's from the local cache, "
                       "another station's from the county when online",
                       description="Status of a receipt (needs its PIN). A receipt this "
                       "kiosk filed is answered offline; another station's is asked of the "
                       "county (exit 4 with 'other_station_offline' when it cannot be "
                       "reached, 3 with 'receipt_locked' or 'rate_limited').")
    p.add_argument("code", help="receipt code, e.g. ABCD-EFGH-JKM")
    p.add_argument("--pin", required=True, help="the 6-digit PIN printed on the receipt")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("outbox", parents=[common, out],
                       help="counts: pending, sent, acknowledged, quarantined",
                       description="Outbox counts by state and the last sync result.")
    p.set_defaults(func=cmd_outbox)

    p = sub.add_parser("queue", help="queue numbers (取号) and staff actions",
                       description="Queue numbers (取号): take one, list, call, mark.")
    qsub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    q = qsub.add_parser("take", parents=[common, out], help="issue the next number",
                        description="Issue the next queue number of the day.")
    q.add_argument("--receipt", metavar="CODE", help="link to a receipt from this visit")
    q.add_argument("--details-json", metavar="FILE|-",
                   help="details of the person (sealed to the station key)")
    q = qsub.add_parser("list", parents=[common, out, staff], help="today's queue",
                        description="Today's queue; --details unlocks the station key.")
    q.add_argument("--details", action="store_true",
                   help="show sealed details (needs the staff passphrase)")
    qsub.add_parser("call", parents=[common, out], help="call the next waiting number",
                    description="Call the next waiting number.")
    for action, text in (("served", "mark a number served"),
                         ("no-show", "mark a number as not shown up")):
        q = qsub.add_parser(action, parents=[common, out], help=text, description=text + ".")
        q.add_argument("number", help="e.g. A023")
    p.set_defaults(func=cmd_queue)

    p = sub.add_parser("checklist", parents=[common, out],
                       help="one-time notification checklist (一次性告知清单)",
                       description="Documents to bring, where to go, next steps and time "
                                   "limits for a matter type.")
    p.add_argument("matter_type", choices=(*MATTER_TYPES, "jobseeker"))
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.set_defaults(func=cmd_checklist)

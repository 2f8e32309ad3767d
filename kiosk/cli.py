"""``yizhan-kiosk``: the kiosk without the screen (ARCHITECTURE §5, shapes in INTERFACES.md).

Every command takes ``--data DIR`` (default ``$YIZHAN_KIOSK_DATA`` or ``./var/kiosk``) and
prints JSON with ``--json`` (``submit`` always prints JSON receipts). Errors go to stderr and
never contain the personal data that was typed in.

Exit status: 0 success; 1 some input records were invalid (the valid ones are stored) or
nothing matched; 2 usage error; 3 the kiosk cannot do it (not initialised, not enrolled,
wrong passphrase, data folder not writable, ...); 4 the county could not be reached
(``kiosk.cli_sync``).
"""

from __future__ import annotations

import argparse
import codecs
import io
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from kiosk.cli_sync import EXIT_UNREACHABLE, add_commands
from kiosk.errors import IntakeInvalid, KioskError, LookupRefused
from kiosk.services.facade import KioskServices
from kiosk.services.identity import init_kiosk
from kiosk.services.intake import DEFAULT_BATCH
from kiosk.sync.errors import TransientError
from shared._errors import FieldError, FileRefused, YizhanError
from shared.clock import SystemClock
from shared.receipt import qr_png
from shared.records import KINDS, MATTER_TYPES
from shared.safefile import NewFile, is_png, write_new

DEFAULT_DATA = "./var/kiosk"
PASSPHRASE_ENV = "YIZHAN_STAFF_PASSPHRASE"  # noqa: S105  the name of a variable, not a secret
EXIT_INVALID, EXIT_USAGE, EXIT_KIOSK = 1, 2, 3


class UsageError(Exception):
    """The command line asks for something impossible (missing file, no passphrase)."""


def _out(args: argparse.Namespace, value: Any, human: str) -> None:
    print(json.dumps(value, ensure_ascii=False) if args.json else human, flush=True)


def _data_dir(args: argparse.Namespace) -> Path:
    return Path(getattr(args, "data", None) or os.environ.get("YIZHAN_KIOSK_DATA")
                or DEFAULT_DATA)


def _open(args: argparse.Namespace) -> KioskServices:
    return KioskServices.open(_data_dir(args), SystemClock())


def _passphrase(args: argparse.Namespace) -> bytes:
    if getattr(args, "passphrase_file", None):
        try:
            return Path(args.passphrase_file).read_bytes().rstrip(b"\r\n")
        except OSError as exc:
            raise UsageError(f"--passphrase-file {args.passphrase_file}: {exc.strerror}") \
                from None
    value = os.environ.get(PASSPHRASE_ENV)
    if not value:
        raise UsageError(f"the staff passphrase is needed: set {PASSPHRASE_ENV} "
                         "or pass --passphrase-file FILE")
    return value.encode()


def _read_json_file(path: str, what: str) -> Any:
    try:
        text = _stdin().read() if path == "-" else Path(path).read_text("utf-8")
        return json.loads(text)
    except OSError as exc:
        raise UsageError(f"{what} {path}: {exc.strerror}") from None
    except ValueError:
        raise UsageError(f"{what} {path}: not valid JSON") from None


# -- commands -----------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    county = (_read_json_file(args.county_public, "--county-public")
              if args.county_public else None)
    ident = init_kiosk(_data_dir(args), args.station, _passphrase(args), SystemClock(),
                       county)
    enrolled = county is not None
    _out(args, {"device_id": ident.device_id, "station": ident.station,
                "station_kid": ident.station_recipient.kid, "enrolled": enrolled,
                "data": str(_data_dir(args))},
         f"kiosk {ident.device_id} for station {ident.station} made in {_data_dir(args)}"
         + ("" if enrolled else "\nnot enrolled yet: intake is refused until the county "
                                "keys are known (--county-public FILE or 'enroll')"))
    return 0


def _not_json(index: int) -> IntakeInvalid:
    return IntakeInvalid([FieldError("record", "not_json", "不是有效的 JSON 数据",
                                     "not valid JSON")])


def read_records(fh: IO[str]) -> Iterator[object]:
    """Records from one JSON object, a JSON array, or JSON lines, read as they come.

    A line that is not JSON yields an IntakeInvalid in its place, so the others go on.
    """
    first = ""
    for line in fh:
        if line.strip():
            first = line.lstrip("\ufeff")  # a GB18030 or UTF-16 BOM decodes to U+FEFF
            break
    if not first:
        return
    if first.lstrip().startswith("["):
        try:
            data = json.loads(first + fh.read())
        except ValueError:
            yield _not_json(0)
            return
        yield from (data if isinstance(data, list) else [data])
        return
    try:
        yield json.loads(first)
    except ValueError:  # a pretty-printed object: the rest of the input is one document
        try:
            yield json.loads(first + fh.read())
        except ValueError:
            yield _not_json(0)
        return
    for index, line in enumerate(fh, start=1):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except ValueError:
            yield _not_json(index)


def _stdin() -> IO[str]:
    return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8")


# What Windows Notepad and Excel save: UTF-8 with or without a BOM, "Unicode" (UTF-16 with a
# BOM), and on a Chinese Windows "ANSI", which is GBK (GB18030 decodes it).
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"), (b"\x84\x31\x95\x33", "gb18030"))


def _input_encoding(head: bytes) -> str | None:
    """The encoding of input beginning with ``head``: by its BOM, else UTF-8 when ``head``
    is UTF-8, else GB18030 when it decodes as that; None when it is neither."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    for name in ("utf-8", "gb18030"):
        try:  # final=False: a character cut at the end of the peeked bytes is not an error
            codecs.getincrementaldecoder(name)("strict").decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return name
    return None


def open_records_input(path: str) -> IO[str]:
    """The text of ``--json PATH`` ('-' for stdin), decoded strictly in its own encoding.

    Raises UsageError naming the input when it cannot be opened or is not UTF-8, UTF-16 (with
    a BOM) or GB18030. A later byte that does not decode raises UnicodeDecodeError on read.
    """
    try:
        raw: IO[bytes] = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
    except OSError as exc:
        raise UsageError(f"--json {path}: {exc.strerror}") from None
    buffered = raw if isinstance(raw, io.BufferedReader) else \
        io.BufferedReader(raw)  # type: ignore[type-var]  # a pipe's buffer may be raw
    encoding = _input_encoding(buffered.peek(64 * 1024)[:64 * 1024])
    if encoding is None:
        raise UsageError(f"--json {path}: not text in UTF-8, UTF-16 or GB18030 / "
                         "输入文件的编码无法识别（请存为 UTF-8）")
    if encoding == "gb18030":
        print(f"yizhan-kiosk: --json {path}: not UTF-8; read as GB18030", file=sys.stderr)
    return io.TextIOWrapper(buffered, encoding=encoding, errors="strict")


def _qr_paths(path: Path, count: int) -> list[Path]:
    """Where ``--qr-png PATH`` puts each record's QR: PATH, or PATH-INDEX for several."""
    if count == 1:
        return [path]
    return [path.with_name(f"{path.stem}-{i}{path.suffix}") for i in range(count)]


def cmd_submit(args: argparse.Namespace) -> int:
    fh = open_records_input(args.json_input)
    services = _open(args)
    try:
        records: Iterable[object] = read_records(fh)
        qr_paths: list[Path] = []
        if args.qr_png:
            records = list(records)
            qr_paths = _qr_paths(Path(args.qr_png), len(records))
            for path in qr_paths:  # a link or someone's file there: refused before storing
                NewFile(path, replaceable=is_png).check()
        invalid = qr_failed = 0
        for result in services.intake.submit_many(args.kind, records, args.batch):
            if result.receipt is None:
                invalid += 1
                for err in result.errors:
                    print(f"record {result.index}: {err}", file=sys.stderr, flush=True)
            print(json.dumps(result.to_wire(), ensure_ascii=False), flush=True)
            if result.receipt is not None and qr_paths:
                try:  # a new file, never through a link; an earlier receipt PNG is replaced
                    write_new(qr_paths[result.index], qr_png(result.receipt.qr_payload),
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
    with _open(args) as services:
        try:
            status = services.lookup_status(args.code, args.pin, args.lang)
        except LookupRefused as exc:  # another station's receipt: offline, locked, busy
            if args.json:
                print(json.dumps({"code": exc.code, "zh": exc.zh, "en": exc.en},
                                 ensure_ascii=False))
            print(f"yizhan-kiosk: {exc}", file=sys.stderr)
            return EXIT_UNREACHABLE if exc.code == "other_station_offline" else EXIT_KIOSK
    if status is None:
        print("no receipt matches this code and PIN / 回执码或查询密码不正确", file=sys.stderr)
        return EXIT_INVALID
    _out(args, status, f"{status['receipt_code']}  {status['status']}  (as of "
                       f"{status['as_of']})\n{status['next_step']}")
    return 0


def cmd_outbox(args: argparse.Namespace) -> int:
    with _open(args) as services:
        counts = services.outbox_counts()
        lost = services.outbox.lost_after_restore()
    if lost:  # asked for again by a restored county, but pruned after the retention window
        counts["lost_after_restore"] = [{"from_seq": a, "to_seq": b} for a, b in lost]
    _out(args, counts, "  ".join(f"{k}: {counts[k]}" for k in
                                 ("pending", "sent", "acknowledged", "quarantined"))
         + "".join(f"\nLOST AFTER A COUNTY RESTORE: seq {a}-{b} (no longer on this kiosk)"
                   for a, b in lost)
         + ("\nWARNING: county answer failed verification (县级服务器的回复未通过验证) at "
            f"{counts['last_sync']}: {counts['last_error']}" if counts["unverified"] else ""))
    return 0


def _ticket_line(t: dict[str, Any]) -> str:
    link = f"  receipt {t['linked_receipt']}" if t.get("linked_receipt") else ""
    return f"{t['number']}  {t.get('state', 'waiting')}  {t['issued_at']}{link}"


def cmd_queue(args: argparse.Namespace) -> int:
    with _open(args) as services:
        if args.action == "take":
            details = (_read_json_file(args.details_json, "--details-json")
                       if args.details_json else None)
            ticket = services.take_ticket(args.receipt, details)
            _out(args, ticket, f"{ticket['number']}  ({ticket['ahead']} waiting ahead)")
        elif args.action == "list":
            entries = services.queue()
            if args.details:
                services.unlock_station(_passphrase(args).decode())
                for e in entries:
                    e["details"] = services.ticket_details(e["number"])
            _out(args, entries, "\n".join(_ticket_line(e) + (
                f"  {json.dumps(e['details'], ensure_ascii=False)}" if e.get("details") else "")
                for e in entries) or "the queue is empty today")
        elif args.action == "call":
            entry = services.call_next()
            _out(args, entry, f"calling {entry['number']}" if entry else "nobody is waiting")
        else:
            state = "served" if args.action == "served" else "no_show"
            services.mark_ticket(args.number, state)
            _out(args, {"number": args.number.upper(), "state": state},
                 f"{args.number.upper()} {state}")
    return 0


def cmd_checklist(args: argparse.Namespace) -> int:
    with _open(args) as services:
        sheet = services.checklist_sheet(args.matter_type, args.lang)
    lines = [sheet["title"]]
    for section in ("documents", "where", "next_steps", "time_limits"):
        lines += [f"[{section}]", *(f"  - {item}" for item in sheet[section])]
    _out(args, sheet, "\n".join(lines))
    return 0


# -- parser -------------------------------------------------------------------------------


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
    add_commands(sub, common, out, staff)
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
    except (KioskError, YizhanError) as exc:
        print(f"yizhan-kiosk: {exc}", file=sys.stderr)
        return EXIT_KIOSK
    except OSError as exc:
        print(f"yizhan-kiosk: {exc.filename or ''}: {exc.strerror}", file=sys.stderr)
        return EXIT_KIOSK

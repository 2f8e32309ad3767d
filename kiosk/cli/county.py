"""``yizhan-kiosk`` commands that talk to the county: enroll, sync and USB bundles.

Registered into the main parser by ``kiosk.cli.build_parser``. Exit status as in
:mod:`kiosk.cli.common`; 4 (``EXIT_UNREACHABLE``): the county could not be reached or
answered like a captive portal (try again later; nothing was lost).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import fields
from datetime import datetime
from pathlib import Path
from typing import Any

from PIL import UnidentifiedImageError

from kiosk.cli.common import EXIT_UNREACHABLE, UsageError, open_kiosk, show
from kiosk.services.qr_reader import DecoderMissing, token_from_picture
from kiosk.sync.client import BatchSizer, SummaryWire, SyncSummary
from kiosk.sync.errors import TransientError
from kiosk.sync.once import sync_once
from kiosk.sync.schedule import Backoff
from shared._errors import EnrollmentTokenError
from shared.clock import format_utc
from shared.enrollment import EnrollmentToken


def _summary_line(s: SummaryWire) -> str:
    return (f"pushed {s['pushed']}: accepted {s['accepted']}, duplicates {s['duplicates']}, "
            f"quarantined {s['quarantined']}, conflicts {s['conflicts']}; acknowledged "
            f"{s['acknowledged']}; pulled {s['pulled']}; {s['requests']} requests, "
            f"{s['bytes_sent']} bytes sent, {s['bytes_received']} received"
            + (f"; gaps {s['gaps']}" if s["gaps"] else "")
            + (f"; WARNING: this kiosk's clock is {abs(s['clock_offset_s'])} s "
               f"{'behind' if s['clock_offset_s'] > 0 else 'ahead of'} the county server's "
               "(corrected for signing; set the clock)" if s.get("clock_offset_s") else ""))


def cmd_enroll(args: argparse.Namespace) -> int:
    server, token, issued = args.server, args.token, None
    if args.token_qr:
        issued = _token_from_qr(args.token_qr)
        server, token = server or issued.server, issued.token
    if not server:
        raise UsageError(f"--server is needed: the QR in {args.token_qr} holds no server "
                         "address")
    with open_kiosk(args) as services:
        if issued is not None:
            _warn_about(issued, services.station, services.clock.now())
        result = services.enroll(server, token)
    show(args, result, f"enrolled {result['device_id']} (station {result['station']}) "
                       f"with {result['county']} at {server}")
    return 0


def _token_from_qr(path: str) -> EnrollmentToken:
    """The token in the QR picture at ``path``; UsageError naming the file and what is wrong."""
    try:
        return token_from_picture(Path(path))
    except DecoderMissing as exc:
        raise UsageError(f"--token-qr: {exc}") from None
    except UnidentifiedImageError:
        raise UsageError(f"--token-qr {path}: not a picture (PNG, JPEG, ...)") from None
    except EnrollmentTokenError as exc:
        raise UsageError(f"--token-qr {path}: {exc}") from None


def _warn_about(issued: EnrollmentToken, station: str, now: datetime) -> None:
    """Say on stderr what the county will refuse (it decides: the kiosk clock may be off)."""
    if issued.station != station:
        print(f"yizhan-kiosk: warning: the token is for station {issued.station}, but this "
              f"kiosk is station {station}", file=sys.stderr)
    if issued.expired(now):
        print(f"yizhan-kiosk: warning: the token expired at {format_utc(issued.expires_at)} "
              "by this kiosk's clock", file=sys.stderr)


def _add(total: SyncSummary, part: SyncSummary) -> None:
    for f in fields(SyncSummary):
        key, value = f.name, getattr(part, f.name)
        if key == "gaps":
            total.gaps = list(value)
        elif key in ("resent_from", "lost_after_restore"):
            if value:
                setattr(total, key, value)
        elif key == "errors":
            total.errors += value
        else:
            setattr(total, key, getattr(total, key) + value)


def cmd_sync(args: argparse.Namespace) -> int:
    total = SyncSummary()
    backoff = Backoff(random.SystemRandom(), base_s=args.backoff_base, cap_s=60.0)
    attempts = 0
    with open_kiosk(args) as services:
        sizer = BatchSizer(initial=min(64, args.max_batch), maximum=args.max_batch)
        while True:
            attempts += 1
            try:
                _add(total, sync_once(services, server_url=args.server, sizer=sizer))
                backoff.reset()
                if not args.until_drained or not services.outbox.unacknowledged(1):
                    break
            except TransientError as exc:
                if exc.summary is not None:
                    _add(total, exc.summary)
                    if exc.summary.made_progress:
                        backoff.reset()
                        attempts = 0
                total.errors.append(str(exc))
                if attempts > args.retries:
                    print(f"yizhan-kiosk: sync failed after {attempts} attempts: {exc}\n"
                          "nothing was lost; records stay in the outbox until the county "
                          "acknowledges them", file=sys.stderr)
                    show(args, total.to_wire(), _summary_line(total.to_wire()))
                    return EXIT_UNREACHABLE
                time.sleep(backoff.next_delay(exc.retry_after))  # backoff, not synchronisation
    show(args, total.to_wire(), _summary_line(total.to_wire()))
    return 0


def cmd_export_bundle(args: argparse.Namespace) -> int:
    with open_kiosk(args) as services:
        result = services.export_bundle(args.file, force=args.force)
    show(args, result, f"wrote {result['records']} records ({result['bytes']} bytes) to "
                       f"{result['path']}; carry it to the county and bring back the ack file")
    return 0


def cmd_import_ack(args: argparse.Namespace) -> int:
    with open_kiosk(args) as services:
        result = services.import_ack(args.file)
    show(args, result, f"{result['acknowledged']} records acknowledged by the county, "
                       f"{result['changes']} changes applied")
    return 0


def register(sub: Any, common: argparse.ArgumentParser,
             out: argparse.ArgumentParser) -> None:
    """Register enroll, sync, export-bundle and import-ack on ``sub``."""
    p = sub.add_parser("enroll", parents=[common, out],
                       help="register this kiosk with the county server (one-time token)",
                       description="Register the device key with the county server using a "
                                   "one-time token from 'yizhan-server enroll-token'; stores "
                                   "the county keys and station configuration.")
    p.add_argument("--server", metavar="URL",
                   help="e.g. http://10.0.0.5:8080 (default: the address in --token-qr)")
    given = p.add_mutually_exclusive_group(required=True)
    given.add_argument("--token", help="the one-time enrollment token")
    given.add_argument("--token-qr", metavar="PNG",
                       help="read the token (and the server address, unless --server is "
                            "given) from the QR picture of 'yizhan-server enroll-token "
                            "--qr-png'; needs zxing-cpp (the kiosk-ui extra)")
    p.set_defaults(func=cmd_enroll)

    p = sub.add_parser("sync", parents=[common, out],
                       help="push + pull now; prints a summary",
                       description="Push every unacknowledged record and pull status "
                                   "changes now. Retries outside-world failures with backoff.")
    p.add_argument("--server", metavar="URL",
                   help="use this address for this sync instead of the enrolled one")
    p.add_argument("--retries", type=int, default=3, metavar="N",
                   help="retries in a row after network failures that moved nothing (default 3)")
    p.add_argument("--backoff-base", type=float, default=2.0, metavar="S",
                   help="first retry delay ceiling in seconds, doubling (default 2)")
    p.add_argument("--max-batch", type=int, default=2000, metavar="N",
                   help="most records per push request (default 2000; the batch starts at "
                   "64 and grows while requests are fast)")
    p.add_argument("--until-drained", action="store_true",
                   help="keep going until every record is acknowledged or retries run out")
    p.set_defaults(func=cmd_sync)

    p = sub.add_parser("export-bundle", parents=[common, out],
                       help="write unacknowledged records to a USB bundle FILE",
                       description="Write the signed, sealed chain segment not yet "
                                   "acknowledged to FILE, for 'yizhan-server import-bundle'. "
                                   "FILE is made new: an earlier record bundle there is "
                                   "replaced, anything else refused without --force, and a "
                                   "symbolic link always.")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--force", action="store_true",
                   help="replace whatever regular file is at FILE")
    p.set_defaults(func=cmd_export_bundle)

    p = sub.add_parser("import-ack", parents=[common, out],
                       help="apply the county's ack bundle FILE",
                       description="Apply the acknowledgement and status changes in an ack "
                                   "bundle written by 'yizhan-server import-bundle'.")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=cmd_import_ack)

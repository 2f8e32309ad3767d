"""``yizhan-server``: the county sync server's command line.

Every subcommand has ``--help``; ``--data DIR`` (env YIZHAN_SERVER_DATA, default
./var/server) picks the state folder and ``--db URL`` (env YIZHAN_SERVER_DB) the store.
Commands that print data take ``--json``. Errors go to stderr, naming the thing at fault,
with exit status 1 (2 for usage errors).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from shared import EnrollmentTokenError, WeakPassphrase
from shared._errors import FileRefused, YizhanError
from shared.bundle import MAX_BUNDLE_FILE, looks_like_ack_bundle
from shared.clock import SystemClock, parse_utc
from shared.enrollment import EnrollmentToken, check_server_url, check_station
from shared.passphrase import check_passphrase
from shared.qr import qr_png
from shared.safefile import NewFile, is_png, read_limited
from sync_server.cli import alerts, cases, jobs, reports, users
from sync_server.cli import settings as cli_settings
from sync_server.cli.common import open_services as _open
from sync_server.cli.common import settings_from as _settings
from sync_server.cli.common import show as _print
from sync_server.cli.progress import ProgressBar
from sync_server.config import keystore
from sync_server.config.settings import default_data_dir
from sync_server.errors import (
    ActionRefused,
    BundleRefused,
    ConfigError,
    NotFound,
)
from sync_server.services import backup
from sync_server.services.alertwork import local
from sync_server.services.duplicates import side_by_side
from sync_server.services.wiring import Services

UNENCRYPTED_KEYS_WARNING = (
    "warning: --no-passphrase: the county private keys are stored UNENCRYPTED in {data}. "
    "Anyone who can read that folder (a backup, a copied or stolen disk) can open every "
    "record sealed to this county. Use it only on an encrypted disk, and add a passphrase "
    "later with `YIZHAN_COUNTY_PASSPHRASE=... yizhan-server init --rewrap`.\n"
    "警告：县级私钥未加密保存。任何能读取该文件夹的人都能打开发往本县的全部记录。")


def _strong(passphrase: bytes, county: str) -> None:
    try:
        check_passphrase(passphrase, [county, "yizhan", "county"])
    except WeakPassphrase as exc:
        raise ConfigError(f"county passphrase (YIZHAN_COUNTY_PASSPHRASE / --passphrase-file): "
                          f"{exc.en}\n  {exc.zh}") from None


def cmd_init(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.no_passphrase and settings.passphrase:
        raise ConfigError("--no-passphrase: a passphrase is also given "
                          "(YIZHAN_COUNTY_PASSPHRASE or --passphrase-file); choose one")
    if args.rewrap:
        return _rewrap(args, settings.passphrase)
    if args.rotate_server_key:
        keys = keystore.rotate_server_key(args.data, settings.passphrase)
    if args.rotate:
        keys = keystore.rotate(args.data, settings.passphrase)
    if args.rotate or args.rotate_server_key:
        if not settings.passphrase:
            print(UNENCRYPTED_KEYS_WARNING.format(data=args.data), file=sys.stderr)
    else:
        if not args.county:
            raise ConfigError("--county NAME is required (or --rotate to add a key)")
        if settings.passphrase:
            _strong(settings.passphrase, args.county)
        elif not args.no_passphrase:
            raise ConfigError("the county keys need a passphrase: set YIZHAN_COUNTY_PASSPHRASE "
                              "or --passphrase-file FILE (or, knowing what it means, "
                              "--no-passphrase)")
        else:
            print(UNENCRYPTED_KEYS_WARNING.format(data=args.data), file=sys.stderr)
        keys = keystore.create(args.data, args.county, settings.passphrase)
    with Services.open(settings, SystemClock()) as svc:  # creates and migrates the store
        svc.feed.publish_config()
    public = keys.public()
    _print(args, public, f"county {public['county']}: {len(public['keys'])} key(s), newest "
           f"{public['keys'][-1]['kid']}\nenrollment file: "
           f"{args.data / keystore.PUBLIC_FILE}")
    return 0


def _rewrap(args: argparse.Namespace, passphrase: bytes | None) -> int:
    if not passphrase:
        raise ConfigError("--rewrap needs the county passphrase: set YIZHAN_COUNTY_PASSPHRASE "
                          "or --passphrase-file FILE")
    county = keystore.load(args.data, passphrase).county
    try:
        check_passphrase(passphrase, [county, "yizhan", "county"])
    except WeakPassphrase as exc:
        if keystore.unencrypted(args.data):  # a new passphrase: held to the rule
            _strong(passphrase, county)
        print(f"warning: the county passphrase is weak: {exc.en}; rewrapped anyway, since "
              "the old files already use it", file=sys.stderr)
    done = keystore.rewrap(args.data, passphrase)
    _print(args, {"rewrapped": [str(p) for p in done]},
           "\n".join(f"rewrapped {p}" for p in done) or "every key file is already current")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import dataclasses

    import uvicorn

    from sync_server.api.admin import parse_networks
    from sync_server.api.headtimeout import protocol_with_head_timeout
    from sync_server.app import create_app

    if not 0 < args.head_timeout <= 3600:
        raise ConfigError(f"--head-timeout {args.head_timeout}: must be over 0 and at most "
                          "3600 seconds")
    settings = _settings(args)
    if args.admin_from:
        try:
            parse_networks(args.admin_from)
        except ValueError as exc:
            raise ConfigError(f"--admin-from {exc}") from None
        settings = dataclasses.replace(
            settings, admin_networks=(*settings.admin_networks, *args.admin_from))
    if not 0 <= args.merge_after <= 86400:
        raise ConfigError(f"--merge-after {args.merge_after}: must be 0 to 86400 seconds")
    settings = dataclasses.replace(settings, merge_after_s=args.merge_after)
    app = create_app(settings, SystemClock())
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level,
                access_log=False, http=protocol_with_head_timeout(args.head_timeout),
                # uvicorn would otherwise take X-Forwarded-For from any loopback peer as
                # the client address; which proxies to believe is --trusted-proxy's job.
                proxy_headers=False)
    return 0


MAX_TTL_HOURS = 24 * 30  # a token is for one visit to a station, not a standing pass


def cmd_enroll_token(args: argparse.Namespace) -> int:
    if not 1 <= args.ttl_hours <= MAX_TTL_HOURS:
        raise ConfigError(f"--ttl-hours {args.ttl_hours}: must be 1..{MAX_TTL_HOURS} "
                          "(30 days)")
    try:  # checked before the token is stored: the kiosk would refuse what fails here
        check_station(args.station)
        if args.server_url:
            check_server_url(args.server_url)
    except EnrollmentTokenError as exc:
        option = {"station": "--station", "server": "--server-url"}[exc.field]
        raise ConfigError(f"{option} {exc}") from None
    # the token is a secret until used: its QR is a new file, mode 0600, made before the
    # token is stored so an occupied or unwritable path fails first
    qr = NewFile(args.qr_png, replaceable=is_png).open() if args.qr_png else None
    try:
        with _open(args) as svc:
            new = svc.enrollment.issue(args.station, args.ttl_hours)
        token, expires = new.token, new.expires
        issued = EnrollmentToken(token, args.station, parse_utc(expires),
                                 args.server_url or None)
        if qr is not None:
            qr.write(qr_png(issued.qr_payload()))
            qr.commit()
    finally:
        if qr is not None:
            qr.discard()
    _print(args, issued.to_wire(), f"{token}\nstation {args.station}, expires {expires}")
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    with _open(args) as svc:
        fault = svc.devices.revoke(args.device_id)
    if fault is not None:
        print(f"yizhan-server: warning: stored records of {args.device_id} could not be "
              f"processed before revocation ({fault}); those beyond its verified chain head "
              "will be quarantined 'device_revoked' for review", file=sys.stderr)
    _print(args, {"device_id": args.device_id, "revoked": True},
           f"device {args.device_id} revoked")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    if not args.output:
        with _open(args) as svc:
            for case in svc.staff.export(args.audience):
                sys.stdout.write(json.dumps(case, ensure_ascii=False, sort_keys=True) + "\n")
        return 0
    # personal data: readable by its owner only, and never through a planted link
    with NewFile(args.output, force=args.force) as out, \
            _open(args) as svc:
        for case in svc.staff.export(args.audience):
            out.write((json.dumps(case, ensure_ascii=False, sort_keys=True) + "\n")
                      .encode("utf-8"))
    return 0


def cmd_duplicates(args: argparse.Namespace) -> int:
    with _open(args) as svc:
        pairs = svc.staff.duplicates()
    _print(args, pairs, side_by_side(pairs))
    return 0


def _ack_path(args: argparse.Namespace) -> Path:
    if args.ack_out:
        return Path(args.ack_out)
    file = Path(args.file)
    return file.with_name(file.stem + ".ack.yzb")


def cmd_import_bundle(args: argparse.Namespace) -> int:
    data = read_limited(args.file, MAX_BUNDLE_FILE)
    ack_path = _ack_path(args)
    # Made before anything is stored, so an unwritable or occupied ack path fails first. The
    # ack may replace an earlier ack bundle (a re-import), nothing else without --force.
    ack = NewFile(ack_path, force=args.force, replaceable=looks_like_ack_bundle).open()
    bar = ProgressBar(sys.stderr, f"importing {args.file.name}")
    try:
        with _open(args) as svc:
            try:
                done = svc.staff.import_bundle(data, bar.update)
            except FileRefused as exc:
                raise exc.naming(args.file) from None
            except BundleRefused as exc:
                raise BundleRefused(f"{args.file}: {exc}") from None
        ack.write(done.ack_bundle)
        ack.commit()
    finally:
        ack.discard()
    summary = {**done.summary(), "ack_path": str(ack_path)}
    gaps = "".join(f", gap {g['from_seq']}-{g['to_seq']}" for g in summary["gaps"])
    bar.finish(f"imported {summary['records']} records from device {summary['device']} "
               f"(station {summary['station']}): {summary['accepted']} accepted, "
               f"{summary['duplicates']} duplicates, {summary['conflicts']} conflicts, "
               f"{summary['quarantined']} quarantined, {summary['held']} held{gaps}")
    _print(args, summary, str(ack_path))
    return 0


def cmd_devices(args: argparse.Namespace) -> int:
    with _open(args) as svc:
        rows = svc.devices.listing()
    _print(args, rows, "\n".join(
        f"{d['device_id']} station {d['station']} seq {d['chain_seq']}"
        f" last sync {local(d['last_seen']) or 'never'}"
        + (" REVOKED" if d["revoked_at"] else "")
        + "".join(f" gap {g['from_seq']}-{g['to_seq']}" for g in d["gaps"])
        + "".join(f" LOST-AFTER-RESTORE {g['from_seq']}-{g['to_seq']}"
                  for g in d["lost_after_restore"])
        for d in rows) or "no devices")
    return 0


def cmd_quarantine(args: argparse.Namespace) -> int:
    if getattr(args, "qaction", None) == "release":
        return cmd_release(args)
    if getattr(args, "qaction", None) == "reject":
        return cmd_reject(args)
    with _open(args) as svc:
        rows = svc.staff.quarantine()
    _print(args, rows, "\n".join(
        f"{r['device_id']} {r['record_id']} {r['status']}: {r['reason']} "
        f"[station {r['station'] or 'unknown'}, receipt {r['receipt_code'] or 'unknown'}]"
        for r in rows) or "nothing quarantined")
    return 0


def cmd_reject(args: argparse.Namespace) -> int:
    with _open(args) as svc:
        reason = svc.staff.reject(args.record_id, args.by, args.reason)
    _print(args, {"record_id": args.record_id, "state": "rejected", "reason": reason},
           f"record {args.record_id} rejected (kept for audit); its kiosk learns it at the "
           "next sync")
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    with _open(args) as svc:
        state, reason = svc.staff.release(args.record_id, args.by)
    if state != "merged":
        raise ActionRefused(f"record {args.record_id}: still quarantined: {reason}")
    _print(args, {"record_id": args.record_id, "state": state, "reason": reason},
           f"record {args.record_id} released into the case store")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    result = backup.backup(_settings(args), args.out, SystemClock())
    _print(args, result.to_wire(),
           f"backup written: {result.path} ({result.size} bytes, {result.files} files, "
           f"{result.backend} store)\nsha256 {result.sha256}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    result = backup.restore(args.file, _settings(args), force=args.force)
    with _open(args):  # opens (and migrates) the restored store
        pass
    _print(args, result.to_wire(),
           f"restored {result.files} files and the {result.backend} store from {result.path}; "
           "start serve again")
    return 0


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data", type=Path, default=default_data_dir(),
                        help="state folder (env YIZHAN_SERVER_DATA, default ./var/server)")
    common.add_argument("--db", default=os.environ.get("YIZHAN_SERVER_DB"),
                        help="sqlite:///PATH or postgresql://... (default: SQLite in --data)")
    common.add_argument("--passphrase-file", help="file holding the county key passphrase "
                        "(else env YIZHAN_COUNTY_PASSPHRASE)")
    js = argparse.ArgumentParser(add_help=False)
    js.add_argument("--json", action="store_true", help="machine-readable output")
    parser = argparse.ArgumentParser(prog="yizhan-server", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init", parents=[common, js], help="county keys + store under --data")
    p.add_argument("--county", help="county name (first init)")
    p.add_argument("--rotate", action="store_true", help="add a new county key; it seals from "
                   "now on, older keys still open")
    p.add_argument("--rewrap", action="store_true", help="rewrite key files made by older "
                   "versions (PBKDF2) or without a passphrase under the county passphrase "
                   "with scrypt")
    p.add_argument("--no-passphrase", action="store_true", help="store the county private "
                   "keys UNENCRYPTED (only on an encrypted disk; prints a warning)")
    p.add_argument("--rotate-server-key", action="store_true",
                   help="make a new server signing key, announced to kiosks in a key "
                        "statement signed by the old one (running 'serve' processes pick it up)")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("serve", parents=[common], help="run the HTTP API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--trusted-proxy", action="append", metavar="ADDR",
                   help="a reverse proxy (IP address or CIDR) whose X-Forwarded-For names the "
                   "client for the status-lookup limit; repeatable; default none")
    p.add_argument("--port", type=int, default=8600)
    p.add_argument("--log-level", default="info")
    p.add_argument("--admin-from", action="append", metavar="CIDR",
                   help="also serve /metrics, /docs, /redoc and /openapi.json to this address "
                   "or network (repeatable; default: this machine only)")
    p.add_argument("--head-timeout", type=float, default=10.0, metavar="S",
                   help="close a connection that has not sent a whole request head within S "
                   "seconds (default 10)")
    p.add_argument("--merge-after", type=float, default=1.0, metavar="S",
                   help="merge what v2 pushes stored once no push has come for S seconds "
                   "(default 1; pushes are answered before the merge)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("enroll-token", parents=[common, js],
                       help="one-time, expiring enrollment token (and its QR)")
    p.add_argument("--station", required=True, help="station id the kiosk will serve")
    p.add_argument("--ttl-hours", type=int, default=24, help="hours the token stays valid "
                   f"(1..{MAX_TTL_HOURS}, default 24)")
    p.add_argument("--qr-png", type=Path, help="also write the token as a QR PNG here (a "
                   "new file; an earlier PNG there is replaced, anything else refused)")
    p.add_argument("--server-url", help="put the server URL into the QR too")
    p.set_defaults(func=cmd_enroll_token)

    p = sub.add_parser("revoke", parents=[common, js], help="refuse a device from now on")
    p.add_argument("device_id")
    p.set_defaults(func=cmd_revoke)

    p = sub.add_parser("import-bundle", parents=[common, js],
                       help="USB record bundle from an offline station; writes the ack bundle")
    p.add_argument("file", type=Path, help="the record bundle (yizhan-kiosk export-bundle)")
    p.add_argument("--ack-out", help="where to write the signed ack bundle (default: next to "
                   "FILE, named <name>.ack.yzb); an earlier ack bundle there is replaced, "
                   "anything else refused")
    p.add_argument("--force", action="store_true",
                   help="replace whatever regular file is at the ack path")
    p.set_defaults(func=cmd_import_bundle)

    p = sub.add_parser("export", parents=[common], help="opened, merged cases as JSON lines")
    p.add_argument("--format", choices=["jsonl"], default="jsonl")
    p.add_argument("--audience", choices=["county", "employer", "inspector"],
                   default="county", help="who the export is for: for an employer or an "
                   "inspector, the identity of claimants who asked to stay unknown to the "
                   "employer (conceal_identity) is sealed (default county: everything)")
    p.add_argument("--output", help="write here instead of stdout (a new file, mode 0600)")
    p.add_argument("--force", action="store_true",
                   help="replace an existing --output file")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("backup", parents=[common, js],
                       help="one consistent archive of the data folder and store (serve may run)")
    p.add_argument("--out", type=Path, required=True, help="the archive to create (a new file)")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", parents=[common, js],
                       help="put a backup archive back (stop serve first)")
    p.add_argument("file", type=Path, help="an archive written by yizhan-server backup")
    p.add_argument("--force", action="store_true",
                   help="replace a data folder or store that already holds something")
    p.set_defaults(func=cmd_restore)

    cases.register(sub, common, js)
    cli_settings.register(sub, common, js)
    for name, func, text in (("devices", cmd_devices, "enrolled devices, chain heads, gaps"),
                             ("duplicates", cmd_duplicates,
                              "likely-duplicate pairs awaiting a decision, side by side")):
        p = sub.add_parser(name, parents=[common, js], help=text)
        p.set_defaults(func=func)
    jobs.register(sub, common, js)
    p = sub.add_parser("quarantine", parents=[common, js],
                       help="quarantined and rejected records; 'release' or 'reject' one "
                       "after review")
    p.set_defaults(func=cmd_quarantine)
    q_sub = p.add_subparsers(dest="qaction", required=False)
    rp = q_sub.add_parser("release", parents=[common, js],
                          help="put a quarantined record (e.g. 'device_revoked') through open, "
                          "validate and merge again after review")
    rp.add_argument("record_id", help="the record id shown by yizhan-server quarantine")
    rp.add_argument("--by", default=os.environ.get("USER") or "staff",
                    help="staff user recorded as releasing it")
    jp = q_sub.add_parser("reject", parents=[common, js],
                          help="reject a quarantined record after review: kept and audited, "
                          "its kiosk and worker told at the next sync")
    jp.add_argument("record_id", help="the record id shown by yizhan-server quarantine")
    jp.add_argument("--reason", required=True, help="why (stored for audit, not sent)")
    jp.add_argument("--by", default=os.environ.get("USER") or "staff",
                    help="staff user recorded as rejecting it")
    users.register(sub, common, js)
    alerts.register(sub, common, js)
    reports.register(sub, common, js)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    os.umask(0o077)  # every file the server makes (store, WAL, exports, keys) is owner-only
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except YizhanError as exc:  # the whole tree, once (shared/_errors.py)
        kind = "not found" if isinstance(exc, NotFound) else "error"
        print(f"yizhan-server: {kind}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())

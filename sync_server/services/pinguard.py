"""Per-receipt PIN lock over the receipt's lifetime, and staff reissuing a receipt's PIN.

Every wrong PIN for an existing receipt counts in its lifetime total (``receipt_guard`` in
the store, so every ``serve`` process agrees); at ``pin_lock_after`` (county setting,
default 10) the receipt is locked: every lookup answers 423 ``receipt_locked`` whatever PIN
is sent, until staff reissue the PIN at a station (``reissue``: a new PIN on a printed slip,
the old one stops working, the lock and counts are cleared, the filing station's kiosk gets
the new verifier through its changes feed, and the reissue is audited).

This is on top of the sliding window (``pin_window_limit`` per ``status_receipt_window_s``)
and the per-address limit that ``POST /v1/status`` applies first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from shared._errors import EnvelopeError, ReceiptError
from shared.clock import format_utc
from shared.envelope import Envelope
from shared.receipt import format_code, new_pin, parse_code, pin_verifier
from sync_server.domain.roles import may
from sync_server.errors import NotFound, ServerError
from sync_server.services import accounts, audit, countysettings
from sync_server.services.core import Core
from sync_server.store import cases as cq
from sync_server.store import feed, limits
from sync_server.store import inbox as iq

LOCKED_ZH = ("这张回执的查询密码错误次数太多，已被锁定。"
             "请带身份证件到任一服务站点，请工作人员重新发放查询密码。")
LOCKED_EN = ("Too many wrong PINs for this receipt: it is locked. Take your ID to any "
             "service station and ask staff to issue a new PIN.")


class ReissueRefused(accounts.AccountError):
    """The staff user's roles do not include reissuing a receipt's PIN."""

    code = "not_allowed"


class ReceiptLocked(ServerError):
    """The receipt took ``pin_lock_after`` wrong PINs; only a reissue unlocks it."""

    code = "receipt_locked"

    def __init__(self) -> None:
        super().__init__(f"{LOCKED_EN} / {LOCKED_ZH}")


def effective_verifier(conn: Connection, code: str, filed_verifier: str) -> str:
    """Lock the receipt's guard row for this transaction and return the verifier to compare
    against: a reissued PIN's, else the filed one. Raises ReceiptLocked."""
    row = limits.guard_row(conn, code)
    if row["locked_at_ms"] is not None:
        raise ReceiptLocked()
    return str(row["pin_verifier"] or filed_verifier)


def wrong_pin(conn: Connection, code: str, now_ms: int, *, exists: bool,
              lock_after: int) -> bool:
    """Count one wrong PIN; returns True when this one locked the receipt (then the filing
    station's kiosk is told, so its own offline lookup refuses the receipt too)."""
    limits.record_failure(conn, code, now_ms, exists=exists)
    if not exists:
        return False
    if limits.guard_row(conn, code)["wrong_total"] >= lock_after:
        limits.lock(conn, code, now_ms)
        station = _station_of(conn, code)
        if station is not None:
            at = format_utc(datetime.fromtimestamp(now_ms / 1000, UTC))
            feed.append(conn, [(station, {"type": "pin", "receipt_code": code,
                                          "pin_verifier": None, "locked": True,
                                          "as_of": at})], now_ms)
        return True
    return False


@dataclass(frozen=True)
class Reissued:
    """A reissued PIN: what the slip shows. ``pin`` is printed once and stored nowhere."""

    code: str
    pin: str
    station: str
    at: str
    reissues: int
    by: str

    def to_wire(self) -> dict[str, Any]:
        return {"receipt_code": self.code, "pin": self.pin, "station": self.station,
                "at": self.at, "reissues": self.reissues, "by": self.by}

    def slip(self) -> str:
        """The text of the printed slip (zh-CN first, then English)."""
        return "\n".join([
            "劳动维权一站式服务 · 新查询密码",
            "New PIN for your receipt",
            "",
            f"回执编号 Receipt code: {format_code(self.code)}",
            f"新查询密码 New PIN:    {self.pin}",
            f"发放时间 Issued at:    {self.at}",
            "",
            "旧密码已作废。请妥善保管本凭条，不要告诉他人。",
            "The old PIN no longer works. Keep this slip; do not share the PIN.",
        ])


def _station_of(conn: Connection, code: str) -> str | None:
    case = cq.by_code(conn, code)
    if case is not None:
        return str(case["station"])
    aside = iq.kept_aside(conn, code)
    if aside is None:
        return None
    try:
        return Envelope.from_bytes(aside[1]).header.station
    except EnvelopeError:
        return None


def reissue(svc: Core, code_text: str, username: str,
            address: str | None = None) -> Reissued:
    """Give the receipt ``code_text`` a new PIN, as staff user ``username`` (from
    ``address`` when asked over HTTP; None from the server's shell); audited in the same
    transaction. Raises UnknownUser / UserDisabled / ReissueRefused (the user's roles lack
    ``receipt.reissue_pin``), NotFound for a malformed code or one the county holds no
    record of."""
    staff = accounts.require_user(svc, username)
    if not may(staff.roles, "receipt.reissue_pin"):
        raise ReissueRefused(f"user {username!r} may not reissue PINs (roles: "
                             f"{', '.join(sorted(staff.roles)) or 'none'}; needs intake, "
                             "triage or director)")
    user = staff.username
    try:
        code = parse_code(code_text)
    except ReceiptError as exc:
        raise NotFound(f"receipt code {code_text!r}: {exc}") from None
    now = svc.clock.now()
    now_ms = int(now.timestamp() * 1000)
    pin = new_pin()
    verifier = pin_verifier(code, pin)
    with svc.engine.begin() as conn:
        station = _station_of(conn, code)
        if station is None:
            raise NotFound(f"receipt code {format_code(code)}: the county holds no record "
                           "with this code")
        count = limits.reissue(conn, code, verifier, now_ms, user)
        at = format_utc(datetime.fromtimestamp(now_ms / 1000, UTC))
        feed.append(conn, [(station, {"type": "pin", "receipt_code": code,
                                      "pin_verifier": verifier, "locked": False,
                                      "as_of": at})], now_ms)
        # the audit entry names the receipt, never the PIN
        audit.append(conn, now_ms, user, "receipt.reissue_pin", code,
                     f"reissue {count}; new PIN sent to station {station}", address)
    return Reissued(code, pin, station, at, count, user)


def lock_after(conn: Connection, svc: Core) -> int:
    return countysettings.current(conn, svc.settings).pin_lock_after


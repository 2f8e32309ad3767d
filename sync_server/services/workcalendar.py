"""The working-day calendar the statutory clocks count on: seeded from ``chinese-calendar``
(the State Council's holiday and make-up working-day notices, as packaged), editable by the
director (``calendar.edit``), read as a ``domain.deadlines.WorkCalendar``.

Only days that differ from Monday-Friday working, plus named holidays, are stored. A staff
edit wins over the package: seeding never replaces a day already held. Editing a day asks
every open case's clocks to be counted again (``store.casework.invalidate_open``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection

from sync_server.domain.deadlines import WorkCalendar
from sync_server.domain.holidays import SOURCE, official_days
from sync_server.domain.roles import may
from sync_server.errors import ActionRefused
from sync_server.services import accounts, audit
from sync_server.services.core import Core
from sync_server.store import calendar as cal
from sync_server.store import casework as wq

KINDS = {"workday": 1, "holiday": 0}


class CalendarRefused(ActionRefused):
    """A calendar edit that is not allowed or names a bad day; nothing was changed."""

    code = "calendar_refused"


def package_days(now_ms: int) -> list[dict[str, Any]]:
    """Every holiday and make-up working day ``chinese-calendar`` knows, as rows."""
    return [{"day": d.isoformat(), "workday": int(work), "name": name, "source": SOURCE,
             "updated_by": None, "updated_at_ms": now_ms} for d, work, name in official_days()]


def ensure_seeded(conn: Connection, now_ms: int) -> None:
    """Seed the calendar from the package when it holds nothing from it yet, or the package
    (upgraded) knows later days; days already held are kept (idempotent)."""
    rows = package_days(now_ms)
    held = cal.last_seeded(conn, "chinese-calendar")
    if rows and (held is None or held < rows[-1]["day"]):
        cal.seed(conn, rows)


def load(conn: Connection, now_ms: int) -> WorkCalendar:
    """The calendar as stored (seeded first if empty)."""
    ensure_seeded(conn, now_ms)
    return WorkCalendar({date.fromisoformat(d): w for d, w in cal.overrides(conn).items()})


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CalendarRefused(f"日期 {text!r} 无效，应为 YYYY-MM-DD / date {text!r}: must be "
                              "YYYY-MM-DD") from None


def set_day(svc: Core, username: str, day: str, kind: str, name: str | None = None,
            address: str | None = None) -> dict[str, Any]:
    """Make ``day`` a working day (``workday``) or a day off (``holiday``) as the director
    ``username``; returns the stored row. Audited. Raises UnknownUser, UserDisabled,
    CalendarRefused."""
    user = accounts.require_user(svc, username)
    if not may(user.roles, "calendar.edit"):
        raise CalendarRefused(f"用户 {username} 无权修改工作日历（须为中心主任）/ user "
                              f"{username} may not edit the calendar (director only)")
    if kind not in KINDS:
        raise CalendarRefused(f"kind {kind!r}: must be workday or holiday / 应为 workday 或 "
                              "holiday")
    when = _day(day)
    now_ms = int(svc.clock.now().timestamp() * 1000)
    row = {"day": when.isoformat(), "workday": KINDS[kind], "name": name, "source": "staff",
           "updated_by": user.author, "updated_at_ms": now_ms}
    with svc.engine.begin() as conn:
        ensure_seeded(conn, now_ms)
        cal.set_day(conn, row)
        wq.invalidate_open(conn)
        audit.append(conn, now_ms, user.username, "calendar.set", None,
                     f"{when.isoformat()} {kind}", address)
    return row


def show(svc: Core, since: str | None = None,
         until: str | None = None) -> list[dict[str, Any]]:
    """The stored days in [since, until] (either open): day, workday, name, source."""
    for text in (since, until):
        if text is not None:
            _day(text)
    now_ms = int(svc.clock.now().timestamp() * 1000)
    with svc.engine.begin() as conn:
        ensure_seeded(conn, now_ms)
        return [{"day": r["day"], "kind": "workday" if r["workday"] else "holiday",
                 "name": r["name"], "source": r["source"]}
                for r in cal.days(conn, since, until)]

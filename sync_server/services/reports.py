"""The indicators (CONSOLE.md "Indicators"): ``kpi`` for a period, by station, matter type
or month, and ``cases`` — the list each figure counts (the same WHERE clause as its count,
``store.reports.MEASURES``, so a figure equals the length of its list).

Definitions (days are China-local, both ends of the period included):
* visits 接待群众: filings, registrations and queue tickets, one per person per station per
  China-local day (as services.visits counts them: filings in one SQL query over the
  projection, a visit's matter type the least of that day's filings'; then the queue
  tickets no filing accounts for, one visit each, ``visits.ticket_visits``);
* cases_accepted 受理: complaints by acceptance date, confirmed duplicates left out (merged
  into their original); a collective case counts once, ``workers_accepted`` beside it;
* mediation_received 接收调解: cases routed to mediation, by the day first routed there;
* mediation_settled 调解成功: settled or closed with a mediation agreement, by its date;
* amount_agreed_fen: the agreements of the settled cases; amount_recovered_fen 落实工资及
  补偿: amounts actually paid, by payment date;
* settlement_rate 调解成功率 = mediation_settled ÷ mediation_received (``FORMULA``);
* resolved_locally_rate 就地化解率 = cases accepted in the period and resolved (settled or
  closed) without going to arbitration or a court ÷ those resolved.

A user with ``report.view`` reads them; for a user who may not see personal data (the
statistician) every count under the county's minimum cell (``min_cell``, default 5) is
hidden (None), with the figures derived from it, and lists carry no receipt codes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sync_server.domain import roles
from sync_server.domain.deadlines import CHINA
from sync_server.errors import ConfigError
from sync_server.services import accounts, audit, reportfacts, visits
from sync_server.services.accounts import StaffUser
from sync_server.services.casework import NotPermitted
from sync_server.services.wiring import Services
from sync_server.store import countysettings as cs
from sync_server.store import reports as rq

GROUPINGS = (None, "station", "matter_type", "month")
COUNTED = ("cases_accepted", "mediation_received", "mediation_settled")
MEASURES = (*COUNTED, "amount_recovered", "resolved", "resolved_locally")
KEYS = ("group", "visits", "cases_accepted", "mediation_received", "mediation_settled",
        "amount_agreed_fen", "amount_recovered_fen", "settlement_rate")
FORMULA = "调解成功率 = 调解成功 ÷ 接收调解 / settlement rate = mediation_settled ÷ " \
    "mediation_received"
LOCAL_FORMULA = "就地化解率 = 就地化解 ÷ 已化解 / resolved locally = resolved without " \
    "arbitration or court ÷ resolved"
MIN_CELL_KEY = "report_min_cell"
DEFAULT_MIN_CELL = 5


def check_period(from_: date, to: date, by: str | None) -> None:
    if by not in GROUPINGS:
        raise ConfigError(f"by {by!r}: station, matter_type or month / 分组须为 station、"
                          "matter_type 或 month")
    if to < from_:
        raise ConfigError(f"to {to}: before from {from_} / 结束日期早于开始日期")


def reader(svc: Services, username: str | None) -> StaffUser | None:
    """The console user reading a report (None: the county's own CLI, full figures).
    Raises NotPermitted without ``report.view``."""
    if username is None:
        return None
    user = accounts.require_user(svc, username)
    if not roles.may(user.roles, "report.view"):
        raise NotPermitted(f"user {username}: 无权查看统计报表 / may not view reports "
                           "(statistician, director)")
    return user


def min_cell(svc: Services) -> int:
    with svc.engine.connect() as conn:
        return int(cs.all_values(conn).get(MIN_CELL_KEY) or DEFAULT_MIN_CELL)


def set_min_cell(svc: Services, username: str, value: int) -> None:
    """The county's minimum cell (director). Audited."""
    user = accounts.require_user(svc, username)
    if not roles.may(user.roles, "calendar.edit"):  # the director's county settings
        raise NotPermitted(f"user {username}: 只有主任可修改县级设置 / only a director "
                           "changes county settings")
    if value < 1:
        raise ConfigError(f"min_cell {value}: at least 1 / 最小单元格须至少为 1")
    now = int(svc.clock.now().timestamp() * 1000)
    with svc.engine.begin() as conn:
        cs.put(conn, MIN_CELL_KEY, value, now, user.author)
        audit.append(conn, now, user.username, "settings.min_cell", None, str(value), None)


def hides(user: StaffUser | None) -> bool:
    """True for a reader who may not see personal data (small cells, receipt codes)."""
    return user is not None and not roles.sees_personal_data(user.roles)


def kpi(svc: Services, from_: date, to: date, station: str | None = None,
        by: str | None = None, username: str | None = None) -> dict[str, Any]:
    """``{"as_of", "from", "to", "by", "station", "formula", "min_cell", "hidden", "groups":
    [{KEYS..., "workers_accepted", "resolved", "resolved_locally",
    "resolved_locally_rate", "cases_paid"}]}``, groups sorted."""
    check_period(from_, to, by)
    user = reader(svc, username)
    reportfacts.refresh(svc)
    start, end = from_.isoformat(), to.isoformat()
    as_of = svc.clock.now()
    with svc.engine.connect() as conn:
        counts = {m: rq.measure_counts(conn, m, start, end, station, by)
                  for m in ("cases_accepted", "mediation_received", "mediation_settled",
                            "resolved", "resolved_locally")}
        paid = rq.paid_sums(conn, start, end, station, by)
        seen = rq.visit_counts(conn, start, end, station, by)
        for group, n in visits.ticket_visits(conn, from_, to, station, by).items():
            seen[group] = seen.get(group, 0) + n  # queue tickets without a filing
    groups = sorted(set(seen) | set(paid) | {g for c in counts.values() for g in c}
                    | ({"all"} if by is None else set()))
    floor = min_cell(svc) if hides(user) else 0
    out = [_group(g, seen, counts, paid, floor) for g in groups]
    return {"as_of": as_of.astimezone(CHINA).isoformat(timespec="seconds"),
            "from": start, "to": end,
            "by": by, "station": station, "formula": FORMULA, "local_formula": LOCAL_FORMULA,
            "min_cell": floor or None, "hidden": bool(floor), "groups": out}


def _group(g: str, seen: dict[str, int], counts: dict[str, dict[str, tuple[int, int, int]]],
           paid: dict[str, tuple[int, int]], floor: int) -> dict[str, Any]:
    def n(measure: str) -> int:
        return counts[measure].get(g, (0, 0, 0))[0]

    def shown(value: int, count: int | None = None) -> int | None:
        return None if (value if count is None else count) < floor else value

    received, settled = n("mediation_received"), n("mediation_settled")
    resolved, local = n("resolved"), n("resolved_locally")
    paid_cases, paid_fen = paid.get(g, (0, 0))
    row: dict[str, Any] = {
        "group": g, "visits": shown(seen.get(g, 0)),
        "cases_accepted": shown(n("cases_accepted")),
        "workers_accepted": shown(counts["cases_accepted"].get(g, (0, 0, 0))[1],
                                  n("cases_accepted")),
        "mediation_received": shown(received), "mediation_settled": shown(settled),
        "amount_agreed_fen": shown(counts["mediation_settled"].get(g, (0, 0, 0))[2], settled),
        "amount_recovered_fen": shown(paid_fen, paid_cases),
        "cases_paid": shown(paid_cases),
        "settlement_rate": round(settled / received, 4) if received else None,
        "resolved": shown(resolved), "resolved_locally": shown(local),
        "resolved_locally_rate": round(local / resolved, 4) if resolved else None}
    if floor and (received < floor or settled < floor):
        row["settlement_rate"] = None
    if floor and (resolved < floor or local < floor):
        row["resolved_locally_rate"] = None
    return row


def cases(svc: Services, measure: str, from_: date, to: date, station: str | None = None,
          by: str | None = None, group: str | None = None,
          username: str | None = None) -> list[dict[str, Any]]:
    """The cases one figure counts (``MEASURES``; ``amount_recovered``: the cases paid, with
    the sum paid in the period). Raises ConfigError for an unknown measure, NotPermitted
    for a statistician asking for a hidden cell."""
    check_period(from_, to, by)
    if measure not in MEASURES:
        raise ConfigError(f"measure {measure!r}: one of {', '.join(MEASURES)}")
    user = reader(svc, username)
    reportfacts.refresh(svc)
    start, end = from_.isoformat(), to.isoformat()
    with svc.engine.connect() as conn:
        rows = rq.paid_list(conn, start, end, station, by, group) \
            if measure == "amount_recovered" else \
            rq.measure_list(conn, measure, start, end, station, by, group)
    if hides(user):
        if len(rows) < min_cell(svc):
            raise NotPermitted("单元格小于最小计数，不予显示 / a cell under the minimum count "
                               "is not shown")
        rows = [{k: v for k, v in r.items() if k != "receipt_code"} for r in rows]
    return rows


def parse_day(text: str, field: str) -> date:
    """A ``YYYY-MM-DD`` argument, or ConfigError naming ``field``."""
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise ConfigError(f"{field} {text!r}: a date YYYY-MM-DD / 日期格式应为 YYYY-MM-DD") \
            from None

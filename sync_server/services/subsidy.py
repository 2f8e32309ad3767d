"""以案定补, the mediator subsidy: per mediator per period, Σ over the cases they settled of
the rate for each case's difficulty grade (CONSOLE.md "Indicators").

* Rates per grade are county settings (``set_rate``, director; audited). Grades are those
  the closure event takes (``domain.events.GRADES``).
* A case counts when settled or closed with a mediation agreement dated in the period
  (``store.reports.subsidy_rows``): confirmed duplicates (merged) and withdrawn cases are
  left out; a reopened case counts once, when finally settled (``reportfacts``). A case
  settled but not yet closed with a grade is listed ungraded at rate 0, so the director
  sees what is still to grade.
* ``approve`` (director) records the SHA-256 of the period's figures; an export is final
  only while the figures equal an approved digest, else it is marked draft.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from sync_server.domain import roles
from sync_server.domain.events import GRADES
from sync_server.errors import ConfigError
from sync_server.services import accounts, audit, reportfacts
from sync_server.services.casework import NotPermitted
from sync_server.services.reports import check_period, hides, reader
from sync_server.services.wiring import Services
from sync_server.store import reports as rq
from sync_server.store import subsidy as cs

UNGRADED = "-"
UNASSIGNED = "(unassigned)"


def _now_ms(svc: Services) -> int:
    return int(svc.clock.now().timestamp() * 1000)


def _director(svc: Services, username: str, what: str) -> accounts.StaffUser:
    user = accounts.require_user(svc, username)
    if not roles.may(user.roles, "case.grade"):
        raise NotPermitted(f"user {username}: 只有主任可以{what} / only a director may "
                           f"{'set subsidy rates' if what == '设置补贴标准' else 'approve'}")
    return user


def set_rate(svc: Services, username: str, grade: str, rate_fen: int) -> dict[str, int]:
    """Set the rate of ``grade`` (director). Returns every rate. Audited."""
    if grade not in GRADES:
        raise ConfigError(f"grade {grade!r}: one of {', '.join(GRADES)} / 难度等级须为 "
                          + "、".join(GRADES))
    if rate_fen < 0:
        raise ConfigError(f"rate_fen {rate_fen}: not negative / 补贴标准不能为负数")
    user = _director(svc, username, "设置补贴标准")
    now = _now_ms(svc)
    with svc.engine.begin() as conn:
        cs.set_rate(conn, grade, rate_fen, user.author, now)
        audit.append(conn, now, user.username, "subsidy.rate", None,
                     f"grade {grade} rate_fen {rate_fen}", None)
        return cs.rates(conn)


def rates(svc: Services) -> dict[str, int]:
    with svc.engine.connect() as conn:
        return dict(sorted(cs.rates(conn).items()))


def report(svc: Services, from_: date, to: date, username: str | None = None) -> dict[str, Any]:
    """``{"from", "to", "rates", "mediators": [{"mediator", "cases": {grade: n},
    "amount_fen", "receipt_codes"}], "total_fen", "digest", "approved"}``."""
    check_period(from_, to, None)
    user = reader(svc, username)
    reportfacts.refresh(svc)
    start, end = from_.isoformat(), to.isoformat()
    with svc.engine.connect() as conn:
        rows = rq.subsidy_rows(conn, start, end)
        rate = cs.rates(conn)
    per: dict[str, dict[str, Any]] = {}
    for r in rows:
        m = per.setdefault(r["mediator"] or UNASSIGNED, {"cases": {}, "amount_fen": 0,
                                                         "receipt_codes": []})
        grade = r["grade"] or UNGRADED
        m["cases"][grade] = m["cases"].get(grade, 0) + 1
        m["amount_fen"] += rate.get(grade, 0) if r["grade"] else 0
        m["receipt_codes"].append(r["receipt_code"])
    mediators = [{"mediator": name, "cases": dict(sorted(v["cases"].items())),
                  "amount_fen": v["amount_fen"], "receipt_codes": v["receipt_codes"]}
                 for name, v in sorted(per.items())]
    figures = {"from": start, "to": end, "rates": dict(sorted(rate.items())),
               "mediators": mediators}
    digest = hashlib.sha256(json.dumps(figures, sort_keys=True).encode()).hexdigest()
    with svc.engine.connect() as conn:
        approved = cs.approval(conn, start, end, digest)
    if hides(user):  # a statistician: no receipt codes (the digest still covers them)
        figures = {**figures, "mediators": [{k: v for k, v in m.items()
                                             if k != "receipt_codes"} for m in mediators]}
    return {**figures, "total_fen": sum(m["amount_fen"] for m in mediators),
            "digest": digest,
            "approved": None if approved is None else
            {"by": approved["approved_by"], "at_ms": approved["approved_at_ms"]}}


def approve(svc: Services, username: str, from_: date, to: date,
            digest: str | None = None) -> dict[str, Any]:
    """The director approves the period's figures as they stand (or refuses when
    ``digest`` — what they were shown — no longer matches). Audited."""
    user = _director(svc, username, "审批")
    current = report(svc, from_, to)
    if digest is not None and digest != current["digest"]:
        raise ConfigError("digest: the figures changed since they were shown; review them "
                          "again / 数据已变化，请重新核对后审批")
    now = _now_ms(svc)
    with svc.engine.begin() as conn:
        cs.add_approval(conn, current["from"], current["to"], current["digest"],
                        user.username, now)
        audit.append(conn, now, user.username, "subsidy.approve", None,
                     f"{current['from']}..{current['to']} total_fen {current['total_fen']}",
                     None)
    return report(svc, from_, to)

"""Workqueues (CONSOLE.md "Pages" 2): for a user, how many cases wait in each queue and
which, station-scoped for station users and assignment-scoped for mediators.

A queue's count and its list run the same query (``store.casework.queue_where``), so a count
always equals its list's length. Queues over cases: 待分流 ``triage``, 需补正 ``materials``,
疑似重复 ``duplicates``, 同步冲突 ``conflicts``, 我的案件 ``mine``, 3日内到期 ``due_soon``,
已超期 ``overdue``, 待批延期 ``extensions``, 已达成协议待履行 ``agreed_unpaid``, 集体争议
``collective`` (the cases of the collective-dispute alerts), and ``all``. 隔离区
``quarantine`` lists quarantined records (not cases) for those who manage quarantine.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from sync_server.domain import roles
from sync_server.domain.deadlines import today_in_china
from sync_server.errors import ActionRefused
from sync_server.services import accounts, audit, quarantine
from sync_server.services.accounts import StaffUser
from sync_server.services.casework import NotPermitted
from sync_server.services.core import Core
from sync_server.services.projection import refresh, soon
from sync_server.store import cases as cq
from sync_server.store import casework as wq

CASE_QUEUES = wq.QUEUES
QUEUES = (*CASE_QUEUES, "quarantine")
TITLES = {
    "triage": ("待分流", "to triage"), "materials": ("需补正", "waiting for materials"),
    "duplicates": ("疑似重复", "likely duplicates"), "conflicts": ("同步冲突",
                                                                 "conflicting values"),
    "mine": ("我的案件", "assigned to me"), "due_soon": ("3日内到期", "due within 3 days"),
    "overdue": ("已超期", "overdue"), "extensions": ("待批延期", "extensions to approve"),
    "agreed_unpaid": ("已达成协议待履行", "agreed, payment not confirmed"),
    "collective": ("集体争议", "collective groups"), "all": ("全部案件", "all cases"),
    "quarantine": ("隔离区", "quarantine"),
}


class UnknownQueue(ActionRefused):
    """A workqueue name that does not exist."""

    code = "unknown_queue"


def _scope(user: StaffUser, station: str | None) -> tuple[str | None, str | None]:
    """(station, assignee) the user's lists are limited to; ``station`` narrows further."""
    if user.station_id is not None and station not in (None, user.station_id):
        raise NotPermitted(f"站点 {station} 不在您的范围内 / user {user.username} of station "
                           f"{user.station_id} may not list station {station}")
    return (user.station_id or station,
            user.author if roles.only_assigned(user.roles) else None)


def _collective(conn: Connection) -> list[str]:
    return sorted({cid for alert in cq.list_alerts(conn) for cid in alert["case_ids"]})


def _case_queue(conn: Connection, svc: Core, user: StaffUser, name: str,
                station: str | None, *, fresh: bool = False) -> tuple[Any, str | None, str | None]:
    """(where, station, assignee) of a case queue; the projections are brought up to date
    first unless ``fresh`` says the caller just did."""
    today = today_in_china(svc.clock.now())
    if not fresh:
        refresh(conn, svc)
    where = wq.queue_where(name, today.isoformat(), soon(today).isoformat(), user.author,
                           _collective(conn) if name == "collective" else [])
    return (where, *_scope(user, station))


def _check(user: StaffUser, name: str) -> None:
    if name not in QUEUES:
        raise UnknownQueue(f"没有工作队列 {name!r} / no workqueue {name!r} (one of "
                           f"{', '.join(QUEUES)})")
    permission = "quarantine.manage" if name == "quarantine" else "case.list"
    if not roles.may(user.roles, permission):
        raise NotPermitted(f"无权查看该队列 / user {user.username} may not see queue {name} "
                           f"({permission})")


def _quarantine(svc: Core, user: StaffUser, station: str | None) -> list[dict[str, Any]]:
    where, _ = _scope(user, station)
    with svc.engine.connect() as conn:
        rows = quarantine.listing(conn, svc.keys.keyring.private_keys)
    return [r for r in rows if where is None or r["station"] == where]


def counts(svc: Core, username: str, station: str | None = None,
           extra: Mapping[str, Any] | None = None) -> dict[str, int]:
    """queue -> how many, for every queue ``username`` may see, all counted in one pass
    over the projection; ``extra`` (name -> a WHERE clause over the same scope, e.g. the
    home page's deadline rows) is counted in the same pass."""
    user = accounts.require_user(svc, username)
    out: dict[str, int] = {}
    if roles.may(user.roles, "case.list"):
        with svc.engine.begin() as conn:
            refresh(conn, svc)
            wheres: dict[str, Any] = {}
            scope: tuple[str | None, str | None] = (None, None)
            for name in CASE_QUEUES:
                wheres[name], *rest = _case_queue(conn, svc, user, name, station, fresh=True)
                scope = (rest[0], rest[1])
            wheres.update(extra or {})
            out.update(wq.counts(conn, wheres, *scope))
    if roles.may(user.roles, "quarantine.manage"):
        out["quarantine"] = len(_quarantine(svc, user, station))
    return out


def listing(svc: Core, username: str, name: str, station: str | None = None,
            limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
    """The entries of queue ``name`` as ``username`` may see them (no personal data).
    Audited as a list view. Raises UnknownQueue, NotPermitted, UnknownUser, UserDisabled."""
    user = accounts.require_user(svc, username)
    _check(user, name)
    if name == "quarantine":
        rows = _quarantine(svc, user, station)
    else:
        with svc.engine.begin() as conn:
            rows = wq.listing(conn, *_case_queue(conn, svc, user, name, station),
                              limit=limit, offset=offset)
    audit.record(svc, user.username, "queue.view", None, f"{name} {len(rows)} rows", None)
    return rows


def count(svc: Core, username: str, name: str, station: str | None = None) -> int:
    """How many entries ``listing`` gives for the same arguments (no limit)."""
    user = accounts.require_user(svc, username)
    _check(user, name)
    if name == "quarantine":
        return len(_quarantine(svc, user, station))
    with svc.engine.begin() as conn:
        return wq.count(conn, *_case_queue(conn, svc, user, name, station))

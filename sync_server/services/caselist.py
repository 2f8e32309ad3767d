"""The console's case lists and home counts: a workqueue (``services.workqueues``) searched,
filtered and paged, and the home page's rows, each count from the same query as the list it
links to.

Search ``q``: a receipt code, a USCC, or a fragment of an employer's name; ``claimant`` (a
fragment of the claimant's name) only for roles that may read personal data
(``roles.sees_personal_data``; anyone else is refused, not silently ignored). A search by
claimant name is audited (``queue.search``, "claimant name given", never the name).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from shared._errors import ReceiptError
from shared.identity import IdentifierInvalid, check_uscc
from shared.receipt import parse_code
from shared.records import MATTER_TYPES
from sync_server.domain import roles
from sync_server.domain.deadlines import today_in_china
from sync_server.domain.dedupe import normalise_employer_name
from sync_server.domain.errors import IdentifierRefused
from sync_server.errors import ActionRefused
from sync_server.services import accounts, audit, workqueues
from sync_server.services.accounts import StaffUser
from sync_server.services.casework import NotPermitted
from sync_server.services.projection import soon
from sync_server.services.wiring import Services
from sync_server.store import caselist as cl

PER_PAGE = 50
DEADLINE_STATES = cl.DEADLINE_STATES
FILTERS = ("q", "claimant", "matter_type", "station", "status", "route", "filed_from",
           "filed_to", "deadline")
ROUTES = ("mediation", "inspection", "arbitration", "legal_aid", "court")
# the home page's deadline rows: (filter value, zh, en)
DEADLINE_ROWS = (("today", "今日到期", "due today"), ("soon", "3日内到期", "due within 3 days"),
                 ("overdue", "已超期", "overdue"))


class BadFilter(ActionRefused):
    """A search or filter value the list cannot use (the message names the field)."""

    code = "bad_filter"


@dataclass
class Listing:
    """One page of a list: its rows, how many in all, and the filters that made it."""

    queue: str
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int
    filters: dict[str, str] = field(default_factory=dict)


def _iso(name: str, value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise BadFilter(f"{name}: {value!r} 不是日期（YYYY-MM-DD）/ not a date "
                        "(YYYY-MM-DD)") from None


def _terms(user: StaffUser, given: dict[str, str]) -> dict[str, Any]:
    """The store's filter terms from the form's values (checked, naming the field)."""
    terms: dict[str, Any] = {}
    q = given.get("q", "").strip()
    if q:
        try:
            terms["code"] = parse_code(q)
        except ReceiptError:
            try:
                terms["employer_keys"] = ["uscc:" + check_uscc(q)]
            except IdentifierInvalid:
                try:
                    terms["employer_like"] = normalise_employer_name(q)
                except IdentifierRefused:
                    terms["employer_like"] = q.casefold()
                terms["employer_name"] = q
    if given.get("claimant", "").strip():
        if not roles.sees_personal_data(user.roles):
            raise NotPermitted(f"claimant: 您的角色不能按当事人姓名查询 / user {user.username} "
                               "may not search by claimant name")
        terms["claimant"] = given["claimant"].strip()
    for name, allowed in (("matter_type", MATTER_TYPES), ("route", ROUTES),
                          ("deadline", cl.DEADLINE_STATES)):
        value = given.get(name, "")
        if value and value not in allowed:
            raise BadFilter(f"{name}: {value!r} 不是有效值 / not one of {', '.join(allowed)}")
        if value:
            terms[name] = value
    for name in ("station", "status"):
        if given.get(name):
            terms[name] = given[name].strip()[:64]
    for name in ("filed_from", "filed_to"):
        if given.get(name):
            terms[name] = _iso(name, given[name])
    return terms


def search(svc: Services, username: str, queue: str, given: dict[str, str],
           page: int = 1, per_page: int = PER_PAGE, address: str | None = None) -> Listing:
    """Page ``page`` of queue ``queue`` for ``username``, narrowed by ``given`` (keys of
    ``FILTERS``). Raises UnknownQueue, NotPermitted, BadFilter, UnknownUser."""
    user = accounts.require_user(svc, username)
    if queue == "quarantine" or queue not in workqueues.CASE_QUEUES:
        raise workqueues.UnknownQueue(f"没有案件队列 {queue!r} / no case queue {queue!r}")
    workqueues._check(user, queue)
    terms = _terms(user, given)
    today = today_in_china(svc.clock.now())
    page = max(1, page)
    with svc.engine.begin() as conn:
        where, station, assignee = workqueues._case_queue(conn, svc, user, queue,
                                                          terms.get("station"))
        where = cl.narrowed(conn, where, terms, today.isoformat(), soon(today).isoformat())
        total = cl.count(conn, where, station, assignee)
        rows = cl.page(conn, where, station, assignee, per_page, (page - 1) * per_page)
        if "claimant" in terms:
            audit.append(conn, int(svc.clock.now().timestamp() * 1000), user.username,
                         "queue.search", None, f"{queue}: claimant name given", address)
    kept = {k: v for k, v in given.items() if k in FILTERS and v}
    return Listing(queue, rows, total, page, max(1, -(-total // per_page)), kept)


def today(svc: Services) -> str:
    """Today in China, ISO (what "due" and "overdue" are measured against)."""
    return today_in_china(svc.clock.now()).isoformat()


def list_url(queue: str, **filters: str) -> str:
    """The console URL of ``queue`` with ``filters``."""
    query = urlencode({k: v for k, v in filters.items() if v})
    return f"/console/queues/{queue}" + (f"?{query}" if query else "")


def home_rows(svc: Services, username: str, lang: str = "zh"
              ) -> list[tuple[str, str, int, str]]:
    """The home page's rows ``(name, label, count, url)``: every workqueue the user may
    see, then the cases due today, within 3 days and overdue; each count is what its URL
    lists (the same query)."""
    user = accounts.require_user(svc, username)
    zh = lang == "zh"
    now = today_in_china(svc.clock.now())
    deadline = ({f"deadline:{value}": cl.deadline_where(value, now.isoformat(),
                                                        soon(now).isoformat())
                 for value, _, _ in DEADLINE_ROWS}
                if roles.may(user.roles, "case.list") else {})
    counts = workqueues.counts(svc, username, extra=deadline)  # one pass for every row
    out = [(name, workqueues.TITLES[name][0 if zh else 1], n,
            "/console/quarantine" if name == "quarantine" else list_url(name))
           for name, n in counts.items() if name not in deadline]
    for value, title_zh, title_en in DEADLINE_ROWS:
        if f"deadline:{value}" in counts:
            out.append((f"deadline:{value}", title_zh if zh else title_en,
                        counts[f"deadline:{value}"], list_url("all", deadline=value)))
    return out


__all__ = ["BadFilter", "Listing", "home_rows", "list_url", "search", "today"]

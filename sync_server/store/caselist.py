"""The console's case lists: a workqueue's WHERE clause (``store.casework.queue_where``)
narrowed by search and filters, counted and paged by the same SELECT.

Search terms and filters (all optional, ANDed):

* ``code`` — a receipt code (canonical form), exact;
* ``employer_keys`` — employer keys (``uscc:…``, ``domain.dedupe``), exact;
* ``employer_like`` / ``employer_name`` — a fragment of the folded employer name, found in
  ``case_work.employer_search`` (the employer key, then the name as filed, casefolded), so
  a USCC-keyed employer is found by its name too; a literal substring, case-insensitive;
* ``claimant`` — a fragment of the claimant's name (callers allow it only to roles that may
  read personal data);
* ``matter_type``, ``station``, ``status``, ``route`` — exact;
* ``filed_from`` / ``filed_to`` — ISO dates, filing date inclusive;
* ``deadline`` — ``overdue`` · ``today`` · ``soon`` (today … ``soon``) · ``at_risk`` ·
  ``on_track`` · ``none`` (no running clock), against ``today``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, or_, select

from sync_server.store._dialect import json_text
from sync_server.store.casework import _JOIN, _scoped, ordered_ids, source
from sync_server.store.schema import case_work, cases

_W, _C = case_work.c, cases.c
DEADLINE_STATES = ("overdue", "today", "soon", "at_risk", "on_track", "none")


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _contains(conn: Connection, column: Any, fragment: str) -> ColumnElement[bool]:
    """``column`` holds ``fragment`` literally (instr/strpos: no LIKE pattern to escape, and
    several times faster than LIKE over non-ASCII text in SQLite)."""
    found = (func.strpos(column, fragment) if conn.dialect.name == "postgresql"
             else func.instr(column, fragment))
    return found > 0


def deadline_where(state: str, today: str, soon: str) -> ColumnElement[bool]:
    """The cases whose next deadline is in ``state`` (``DEADLINE_STATES``) on ``today``."""
    return _deadline(state, today, soon)


def _deadline(state: str, today: str, soon: str) -> ColumnElement[bool]:
    return {
        "overdue": _W.due_on < today,
        "today": _W.due_on == today,
        "soon": and_(_W.due_on >= today, _W.due_on <= soon),
        "at_risk": and_(_W.due_on >= today, _W.at_risk_on <= today),
        "on_track": and_(_W.due_on >= today,
                         or_(_W.at_risk_on.is_(None), _W.at_risk_on > today)),
        "none": _W.due_on.is_(None),
    }[state]


def narrowed(conn: Connection, where: ColumnElement[bool], f: Mapping[str, Any],
             today: str, soon: str) -> ColumnElement[bool]:
    """``where`` and every search term / filter given in ``f`` (see the module doc)."""
    parts = [where]
    if f.get("code"):
        parts.append(_C.receipt_code == f["code"])
    if f.get("employer_keys"):
        parts.append(_C.employer_key.in_(list(f["employer_keys"])))
    if f.get("employer_like"):  # the folded key (no USCC given) or the name as filed
        parts.append(or_(_contains(conn, _W.employer_search, f["employer_like"]),
                         _contains(conn, _W.employer_search,
                                   f["employer_name"].casefold())))
    if f.get("claimant"):
        parts.append(json_text(conn, _C.record, "claimant", "name")
                     .like(_like(f["claimant"]), escape="\\"))
    if f.get("matter_type"):
        parts.append(json_text(conn, _C.record, "matter_type") == f["matter_type"])
    for name in ("station", "status", "route"):
        if f.get(name):
            column = getattr(_W, name)
            parts.append(column == f[name])
    if f.get("filed_from"):
        parts.append(_W.filed_at >= f["filed_from"])
    if f.get("filed_to"):
        parts.append(_W.filed_at < f["filed_to"] + "T99")  # the whole last day
    if f.get("deadline"):
        parts.append(_deadline(f["deadline"], today, soon))
    return and_(*parts)


def count(conn: Connection, where: ColumnElement[bool], station: str | None,
          assignee: str | None) -> int:
    """How many cases ``where`` selects in this scope."""
    scoped = _scoped(where, station, assignee)
    return int(conn.execute(select(func.count()).select_from(source(scoped))
                            .where(scoped)).scalar_one())


def page(conn: Connection, where: ColumnElement[bool], station: str | None,
         assignee: str | None, limit: int, offset: int) -> list[dict[str, Any]]:
    """One page of the cases ``where`` selects, oldest filing first: the list columns plus
    the employer's name, the matter type and the amount claimed (no claimant identity)."""
    ids = ordered_ids(where, station, assignee, limit, offset).subquery()
    query = (select(_C.case_id, _C.receipt_code, _C.kind, _C.station, _C.filed_at,
                    _C.status, _C.record, _W.route, _W.assignee, _W.next_clock, _W.due_on,
                    _W.at_risk_on, _W.needs_materials)
             .select_from(ids.join(_JOIN, _C.case_id == ids.c.case_id))
             .order_by(ids.c.filed_at, ids.c.case_id))
    out = []
    for r in conn.execute(query):
        row = dict(r._mapping)
        record = json.loads(row.pop("record"))
        employer = record.get("employer") if isinstance(record, dict) else None
        row["employer_name"] = employer.get("name") if isinstance(employer, dict) else None
        row["matter_type"] = record.get("matter_type") if isinstance(record, dict) else None
        row["amount_claimed_fen"] = (record.get("amount_claimed_fen")
                                     if isinstance(record, dict) else None)
        out.append(row)
    return out

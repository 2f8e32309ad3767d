"""Flags on a posting from the rights side (维权): what county staff must see before a posting
is published, and job seekers see on a posting published anyway.

* ``open_wage_complaints``: a wage-arrears complaint against the employer (by USCC or by
  normalised name, the keys of ``domain.dedupe``) that is not settled, closed or withdrawn;
* ``collective_alert``: a collective-dispute alert against the employer with any of its
  cases not yet finished.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from sync_server.domain.dedupe import employer_key, normalise_employer_name
from sync_server.domain.errors import IdentifierRefused
from sync_server.domain.statuses import is_finished
from sync_server.store import jobs as jq

FLAGS = ("open_wage_complaints", "collective_alert")
WARNING = ("提醒：该用人单位有尚未办结的欠薪投诉或群体性纠纷，求职前请到站点咨询。",
           "Warning: this employer has unresolved wage complaints or a collective dispute; "
           "ask at the station before you take the job.")


def employer_keys(employer: dict[str, Any]) -> tuple[str, str | None]:
    """(USCC key, name key or None) of a posting's employer."""
    ukey = employer_key(employer.get("uscc"), employer["name"])
    try:
        nkey: str | None = "name:" + normalise_employer_name(employer["name"])
    except IdentifierRefused:
        nkey = None
    return ukey, nkey


def flags_for(conn: Connection, keys: Sequence[str]) -> list[str]:
    """The flags (sorted) an employer with these keys has now."""
    keys = [k for k in keys if k]
    out = []
    if any(c["record"].get("matter_type") == "wage_arrears" and not is_finished(c["status"])
           for c in jq.complaints_against(conn, keys)):
        out.append("open_wage_complaints")
    found = jq.alerts_against(conn, keys)
    if found:
        statuses = jq.case_statuses(conn, [c for a in found for c in a["case_ids"]])
        if any(not is_finished(s) for s in statuses.values()):
            out.append("collective_alert")
    return sorted(out)


def refresh_flags(conn: Connection, keys: Sequence[str], now_ms: int) -> bool:
    """Recompute the flags of live postings by employers with any of ``keys``. Returns True
    if an open (published) posting's flags changed (kiosks must be told)."""
    changed = False
    for row in jq.postings_of_employer(conn, keys):
        if row["state"] == "closed":
            continue
        flags = flags_for(conn, [row["employer_key"], row["name_key"]])
        if flags != row["flags"]:
            jq.set_flags(conn, row["posting_id"], flags, now_ms)
            changed = changed or row["state"] == "open"
    return changed

"""The employer page (用人单位画像): every case against one employer (by USCC or normalised
name: the store's ``employer_key``), its stations, amounts claimed, agreed and paid, and
the state of its early-warning alerts.

Claimants' identities are left out of the staff view. The ``employer`` and ``inspector``
audiences (what may leave the centre, ``domain.disclosure``) show the claimant's name
except where the worker asked to stay unknown to the employer (不向用人单位透露); such a
view is audited as a view of personal data.
"""

from __future__ import annotations

from typing import Any

from sync_server.domain import disclosure
from sync_server.domain.roles import in_scope, may
from sync_server.errors import NotFound
from sync_server.services import audit
from sync_server.services.accounts import StaffUser
from sync_server.services.alertwork import listing as alert_listing
from sync_server.services.alertwork import local
from sync_server.services.casework import NotPermitted
from sync_server.services.wiring import Services
from sync_server.store import alertwork as q


def _fen(value: Any) -> int:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else 0


def profile(svc: Services, user: StaffUser, employer_key: str, audience: str = "staff", *,
            address: str | None = None) -> dict[str, Any]:
    """The employer's page for ``user`` in ``audience`` (``staff``, ``employer``,
    ``inspector``). Raises NotPermitted, NotFound, ValueError (unknown audience)."""
    if not may(user.roles, "employer.view"):
        raise NotPermitted(f"user {user.username!r} may not view employers / 无权查看")
    if audience not in ("staff", "employer", "inspector"):
        raise ValueError(f"audience {audience!r}: staff, employer or inspector")
    with svc.engine.connect() as conn:
        rows = q.employer_cases(conn, employer_key)
    rows = [r for r in rows if in_scope(user.station_id, r["station"])]
    if not rows:
        raise NotFound(f"employer {employer_key!r}: no cases / 无此用人单位的案件")
    cases, names = [], set()
    totals = {"claimed_fen": 0, "agreed_fen": 0, "paid_fen": 0}
    for r in rows:
        state = r["state"]
        record = state.get("record") or {}
        work = state.get("work") or {}
        employer = record.get("employer") or {}
        names.add(str(employer.get("name") or ""))
        claimed = _fen(record.get("amount_claimed_fen"))
        agreed = _fen((work.get("agreement") or {}).get("fen"))
        paid = _fen(work.get("paid_fen"))
        totals["claimed_fen"] += claimed
        totals["agreed_fen"] += agreed
        totals["paid_fen"] += paid
        conceals = disclosure.conceals(r["kind"], record)
        claimant = None
        if audience != "staff" and not disclosure.hides_identity(audience, r["kind"], record):
            claimant = (record.get("claimant") or {}).get("name")
        cases.append({"receipt_code": r["receipt_code"], "station": r["station"],
                      "filed_at": local(r["filed_at"]), "status": r["status"],
                      "matter_type": record.get("matter_type"), "claimed_fen": claimed,
                      "agreed_fen": agreed, "paid_fen": paid, "conceals": conceals,
                      "claimant": claimant})
    if audience != "staff":
        audit.record(svc, user.username, "employer.view", None,
                     f"employer {employer_key} for audience {audience}: "
                     f"{sum(1 for c in cases if c['claimant'])} names shown", address)
    alerts = [a for a in alert_listing(svc, user) if a["employer_key"] == employer_key]
    return {"employer_key": employer_key, "names": sorted(n for n in names if n),
            "audience": audience, "cases": cases, "stations": sorted({c["station"]
                                                                       for c in cases}),
            "totals": totals, "alerts": alerts}

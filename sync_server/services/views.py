"""Read views a county console needs: the case list (paged, filtered, searched), one case
in full (state, history, conflicting submissions, linked cases), alerts and devices.
Nothing here changes a case (staff actions are ``StaffDesk``'s)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared._errors import ReceiptError
from shared.receipt import parse_code
from sync_server.errors import NotFound
from sync_server.services.core import Core
from sync_server.services.devices import Devices
from sync_server.services.feed import as_of
from sync_server.store import cases as cq
from sync_server.store import views as vq
from sync_server.store.views import CaseFilter

__all__ = ["CaseFilter", "CasePage", "Views"]

MAX_PAGE = 200


@dataclass(frozen=True)
class CasePage:
    """One page of the case list: the rows, the total matching, and where the page starts."""

    total: int
    offset: int
    rows: list[dict[str, Any]]


def _canonical(code: str) -> str | None:
    try:
        return parse_code(code)
    except ReceiptError:
        return None


class Views:
    """Read-only views of one store."""

    def __init__(self, core: Core) -> None:
        self._core = core

    def cases(self, where: CaseFilter | None = None, *, offset: int = 0,
              limit: int = 50) -> CasePage:
        """Cases matching ``where``, newest filing first, ``limit`` (1..200) from
        ``offset``. A ``search`` that reads as a receipt code (any hyphens, any case)
        matches that receipt too. Rows carry ``updated_at`` (RFC 3339). Raises ValueError
        naming ``offset`` or ``limit`` when out of range."""
        if not 1 <= limit <= MAX_PAGE:
            raise ValueError(f"limit: must be 1..{MAX_PAGE}")
        if offset < 0:
            raise ValueError("offset: must be 0 or more")
        where = where or CaseFilter()
        if where.search:
            search = where.search.strip()
            where = CaseFilter(where.station, where.status, where.route, where.matter_type,
                               search, _canonical(search))
        with self._core.engine.connect() as conn:
            total, rows = vq.case_page(conn, where, offset, limit)
        for row in rows:
            row["updated_at"] = as_of(row.pop("updated_at_ms"))
        return CasePage(total, offset, rows)

    def case(self, code: str) -> dict[str, Any]:
        """One case by receipt code: its row (record and state parsed, no PIN verifier),
        ``history`` (the state's), ``conflicts`` (other bytes sent under its record id,
        no bytes) and ``linked`` cases. Raises NotFound for an unknown or malformed code."""
        canonical = _canonical(code)
        with self._core.engine.connect() as conn:
            row = vq.case_row(conn, canonical) if canonical else None
            if row is None:
                raise NotFound(f"receipt code {code!r}: no such case")
            conflicts = vq.conflicts_of(conn, row["record_id"])
            linked = vq.linked_cases(conn, row["case_id"])
        return {**row, "history": row["state"]["history"],
                "updated_at": as_of(row["updated_at_ms"]),
                "conflicts": [{**c, "received_at": as_of(c["received_at_ms"])}
                              for c in conflicts],
                "linked": linked}

    def alerts(self) -> list[dict[str, Any]]:
        """Collective-dispute alerts, oldest first; ``created_at``, and ``updated_at`` when
        the group last grew (None if never)."""
        with self._core.engine.connect() as conn:
            return [{**a, "created_at": as_of(a["created_at_ms"]),
                     "updated_at": None if a["updated_at_ms"] is None
                     else as_of(a["updated_at_ms"])} for a in cq.list_alerts(conn)]

    def devices(self) -> list[dict[str, Any]]:
        """Enrolled devices with chain heads and gaps (``Devices.listing``)."""
        return Devices(self._core).listing()

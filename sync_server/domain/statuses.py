"""The case state machine: statuses, routes and which way a status may move.

Statuses (INTERFACES.md) fall into four stages that only move forward::

    provisional  <  received  <  in_mediation | in_inspection | in_arbitration |
                                 with_legal_aid | in_court
                              <  settled | closed | withdrawn

Moving between the stages' members at the same stage is allowed (a case goes from mediation
to arbitration; a settled case is later closed). Moving to an earlier stage is refused; only a
``reopened`` event takes a finished case back to ``received``.
"""

from __future__ import annotations

from sync_server.domain.errors import UnknownStatus

STATUSES = ("provisional", "received", "in_mediation", "in_inspection", "in_arbitration",
            "with_legal_aid", "in_court", "settled", "closed", "withdrawn")
ROUTES = ("mediation", "inspection", "arbitration", "legal_aid", "court")
ROUTE_STATUS = {"mediation": "in_mediation", "inspection": "in_inspection",
                "arbitration": "in_arbitration", "legal_aid": "with_legal_aid",
                "court": "in_court"}
STAGE = {"provisional": 0, "received": 1,
         "in_mediation": 2, "in_inspection": 2, "in_arbitration": 2, "with_legal_aid": 2,
         "in_court": 2, "settled": 3, "closed": 3, "withdrawn": 3}
HANDLING_STAGE = 2
FINISHED_STAGE = 3


def stage(status: str) -> int:
    """Return the stage (0-3) of ``status``. Raises UnknownStatus for an undefined status."""
    try:
        return STAGE[status]
    except KeyError:
        raise UnknownStatus(f"status {status!r} is not one of {', '.join(STATUSES)}") from None


def is_finished(status: str) -> bool:
    """True for settled, closed and withdrawn. Raises UnknownStatus for an undefined status."""
    return stage(status) == FINISHED_STAGE


def may_move(current: str, new: str) -> bool:
    """True if a status change from ``current`` to ``new`` moves forward or sideways.

    Sideways is allowed among the handling stages and among the finished ones; ``received``
    and ``provisional`` never repeat as a change. Raises UnknownStatus for undefined statuses.
    """
    before, after = stage(current), stage(new)
    if after > before:
        return True
    return after == before and after >= HANDLING_STAGE and new != current

"""Staff review of likely duplicates: the pending pairs side by side, and the decision.

The filing pipeline links a complaint to every complaint by the same claimant (person key)
against the same employer within the window, marking **both** cases ``marked_duplicate``
(``sync_server.services.merge``). Staff then decide per pair:

* confirm (``yizhan-server case duplicate CODE --confirm-of CODE2``): CODE is the duplicate
  of CODE2. CODE gets ``duplicate_confirmed {of}``, CODE2 ``duplicate_confirmed {of, role:
  original}``; the fold closes CODE (handled as part of CODE2) and the station that filed CODE
  is told on its feed, with a next step pointing the worker to the other receipt;
* split (``--split-from CODE2``): both get ``duplicate_split``; a case closed only by its
  confirmation gets its earlier status back, and its station is told again.

The pending list shows what staff need to compare (matter type, employer, amount, station,
filing time, status) and never an ID number: the pair was matched by keyed hash.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from shared.clock import format_millis
from sync_server.domain.fold import CaseState
from sync_server.errors import ActionRefused, NotFound
from sync_server.services.merge import CaseDesk
from sync_server.store import cases as q

DECISIONS = {"confirm": "confirmed", "split": "split"}


def decide(conn: Connection, desk: CaseDesk, code: str, other_code: str, decision: str,
           user: str, now_ms: int) -> tuple[CaseState, CaseState]:
    """Confirm case ``code`` as a duplicate of ``other_code``, or split the two
    (``decision`` = ``confirm`` | ``split``). Returns the new states of (code, other_code).

    Raises NotFound for an unknown code, ActionRefused when the pair's state forbids it
    (the same case twice, the reverse already confirmed, a split of cases never linked).
    """
    if decision not in DECISIONS:
        raise ActionRefused(f"decision {decision!r}: must be confirm or split")
    if code == other_code:
        raise ActionRefused(f"receipt code {code}: a case cannot be a duplicate of itself")
    rows: dict[str, dict[str, Any]] = {}
    for c in sorted((code, other_code)):  # one lock order for every staff process
        row = q.by_code(conn, c, for_update=True)
        if row is None:
            raise NotFound(f"receipt code {c}: no such case")
        rows[c] = row
    case, other = rows[code], rows[other_code]
    cid, oid = case["case_id"], other["case_id"]
    their_links = CaseState.from_wire(other["state"]).duplicate_links
    if decision == "confirm":
        if their_links.get(cid) == "confirmed":
            raise ActionRefused(f"receipt code {other_code} is already confirmed as a "
                                f"duplicate of {code}; split them first")
        changes = [(case, "duplicate_confirmed", {"of": oid}),
                   (other, "duplicate_confirmed", {"of": cid, "role": "original"})]
    else:
        if not any(link["other_case_id"] == oid for link in q.links(conn, cid)):
            raise ActionRefused(f"receipt codes {code} and {other_code} are not linked as "
                                "duplicates; nothing to split")
        changes = [(case, "duplicate_split", {"of": oid}),
                   (other, "duplicate_split", {"of": cid})]
    mine, theirs = desk.staff_events(conn, changes, user)
    q.decide_link(conn, cid, oid, DECISIONS[decision], now_ms)
    return mine, theirs


def _side(case: dict[str, Any]) -> dict[str, Any]:
    record = case["record"]
    employer = record.get("employer") or {}
    return {"case_id": case["case_id"], "receipt_code": case["receipt_code"],
            "kind": case["kind"], "status": case["status"], "station": case["station"],
            "filed_at": case["filed_at"], "matter_type": record.get("matter_type"),
            "employer": {"name": employer.get("name"), "uscc": employer.get("uscc")},
            "amount_claimed_fen": record.get("amount_claimed_fen")}


def pending(conn: Connection) -> list[dict[str, Any]]:
    """Likely-duplicate pairs awaiting a decision, oldest link first: ``earlier`` and
    ``later`` (by filing time) side by side, ``kind`` and ``linked_at``. No ID numbers."""
    pairs = q.open_pairs(conn)
    found = q.by_ids(conn, sorted({p["case_id"] for p in pairs}
                                  | {p["other_case_id"] for p in pairs}))
    out = []
    for p in pairs:
        a, b = found.get(p["case_id"]), found.get(p["other_case_id"])
        if a is None or b is None:  # pragma: no cover - links are made with their cases
            continue
        earlier, later = sorted((a, b), key=lambda c: (c["filed_at"], c["case_id"]))
        out.append({"earlier": _side(earlier), "later": _side(later), "kind": p["kind"],
                    "linked_at": format_millis(p["created_at_ms"])})
    return out


_ROWS: tuple[tuple[str, Callable[[dict[str, Any]], object]], ...] = (
    ("receipt", lambda c: c["receipt_code"]), ("matter", lambda c: c["matter_type"]),
    ("employer", lambda c: c["employer"]["name"]),
    ("USCC", lambda c: c["employer"]["uscc"] or "-"),
    ("amount (fen)", lambda c: "-" if c["amount_claimed_fen"] is None
     else c["amount_claimed_fen"]),
    ("station", lambda c: c["station"]), ("filed at", lambda c: c["filed_at"]),
    ("status", lambda c: c["status"]))


def side_by_side(pairs: list[dict[str, Any]]) -> str:
    """The pending pairs as text for a terminal: one two-column block per pair."""
    if not pairs:
        return "no likely duplicates awaiting a decision"
    blocks = []
    for n, p in enumerate(pairs, 1):
        e, later = p["earlier"], p["later"]
        lines = [f"pair {n} (linked {p['linked_at']}):", f"  {'':<14}{'earlier':<34}later"]
        lines += [f"  {label:<14}{get(e)!s:<34}{get(later)}" for label, get in _ROWS]
        lines.append(f"  decide: yizhan-server case duplicate {later['receipt_code']} "
                     f"--confirm-of {e['receipt_code']}   (or --split-from)")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)

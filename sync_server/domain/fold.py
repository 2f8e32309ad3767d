"""The fold: a case's current state from the set of its events, the same on every replica.

``fold`` drops repeated events (same event_id), sorts the rest by (hlc, event_id) and applies
each field's policy in that order (docs/merge.md):

* status moves forward along the state machine (``statuses.py``); a backward change is
  refused and recorded; ``reopened`` takes a finished case back to ``received``;
* ``routed`` sets the route and its handling status; a finished case cannot be routed;
* a job-seeker registration is not a dispute: routes, handling statuses (mediation, court…)
  and outcomes on it are refused and recorded, so no kiosk tells a job seeker 案件已进入法院诉讼;
* contact fields are last-writer-wins by HLC (the filed record gives the first value); an
  employer staff complete (``employer_completed``) is kept the same way, as
  ``contact["employer.name"]`` / ``["employer.uscc"]``; a complaint whose employer is a
  placeholder ("××") and not yet completed carries the flag ``employer_unknown``;
* notes accumulate; outcome fields keep every recorded value and are flagged when they
  disagree; duplicate links move pending -> confirmed | original | split per linked case;
  a case confirmed as a duplicate is closed, and a split that leaves it confirmed as the
  duplicate of no case gives it back the status it had before;
* every overwritten, refused or conflicting value is kept in ``history``;
* case work (accept, 需补正, assignment, agreement, payment, closure, a kept conflicting
  value, extensions) goes into ``work`` by the policies of ``casework.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sync_server.domain._frozen import EMPTY, freeze, thaw
from sync_server.domain.casework import WORK_APPLY, record_outcome
from sync_server.domain.dedupe import employer_identifiable
from sync_server.domain.errors import EventConflict
from sync_server.domain.events import OUTCOME_FIELDS, Event
from sync_server.domain.statuses import ROUTE_STATUS, is_finished, may_move, stage

_STATUS_ROUTE = {status: route for route, status in ROUTE_STATUS.items()}
# A complaint whose employer the worker could not name ("××", "？？"): still a case, with this
# flag until staff complete the employer.
EMPLOYER_UNKNOWN = "employer_unknown"


@dataclass(frozen=True)
class CaseState:
    """A case as the fold of its events. Deep-immutable; ``to_wire`` gives JSON-ready values.

    ``kind``, ``record``, ``receipt_code``, ``station`` and ``filed_at`` are None until the
    ``filed`` event is known (then ``missing_filed`` is in ``flags``).
    """

    case_id: str
    kind: str | None
    record: Mapping[str, Any] | None
    receipt_code: str | None
    station: str | None
    filed_at: str | None
    status: str
    route: str | None
    contact: Mapping[str, str]
    notes: tuple[Mapping[str, Any], ...]
    outcomes: Mapping[str, Mapping[str, Any]]
    flags: tuple[str, ...]
    duplicate_of: str | None
    history: tuple[Mapping[str, Any], ...]
    last_hlc: str
    # other case -> pending | confirmed (this is its duplicate) | original (it is this one's
    # duplicate) | split
    duplicate_links: Mapping[str, str] = field(default_factory=lambda: EMPTY)
    work: Mapping[str, Any] = field(default_factory=lambda: EMPTY)  # casework.py

    def to_wire(self) -> dict[str, Any]:
        """The state as plain JSON values (no floats; money in integer fen)."""
        return {name: thaw(value) for name, value in self.wire_view().items()}

    def wire_view(self) -> dict[str, Any]:
        """``to_wire`` without the copies: the state's own frozen values, which
        ``json.dumps`` encodes to the same text (for storing; to change it, take ``to_wire()``)."""
        return {"case_id": self.case_id, "kind": self.kind, "record": self.record,
                "receipt_code": self.receipt_code, "station": self.station,
                "filed_at": self.filed_at, "status": self.status, "route": self.route,
                "contact": self.contact, "notes": self.notes, "outcomes": self.outcomes,
                "flags": self.flags, "duplicate_of": self.duplicate_of,
                "history": self.history, "last_hlc": self.last_hlc,
                "duplicate_links": self.duplicate_links} \
            | ({"work": self.work} if self.work else {})  # no work: as stored before

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> CaseState:
        """Rebuild a state from ``to_wire`` output (a stored snapshot).

        Raises KeyError naming a missing field and TypeError for non-JSON values.
        """
        return cls(
            case_id=wire["case_id"], kind=wire["kind"], record=freeze(wire["record"]),
            receipt_code=wire["receipt_code"], station=wire["station"],
            filed_at=wire["filed_at"], status=wire["status"], route=wire["route"],
            contact=freeze(wire["contact"]), notes=freeze(wire["notes"]),
            outcomes=freeze(wire["outcomes"]), flags=tuple(wire["flags"]),
            duplicate_of=wire["duplicate_of"], history=freeze(wire["history"]),
            last_hlc=wire["last_hlc"],
            # snapshots stored before links were kept have none
            duplicate_links=freeze(wire.get("duplicate_links") or {}),
            work=freeze(wire.get("work") or {}))


def unique_events(events: Iterable[Event]) -> list[Event]:
    """Return the distinct events of one case in fold order: sorted by (hlc, event_id).

    Raises EventConflict if two different events share an event_id or the events belong to
    more than one case, and ValueError if there are none.
    """
    by_id: dict[str, Event] = {}
    for event in events:
        known = by_id.setdefault(event.event_id, event)
        if known is not event and known != event:
            raise EventConflict(f"event_id {event.event_id!r} names two different events")
    if not by_id:
        raise ValueError("cannot fold an empty set of events")
    cases = {event.case_id for event in by_id.values()}
    if len(cases) > 1:
        raise EventConflict(f"events of several cases folded together: {sorted(cases)}")
    return sorted(by_id.values(), key=lambda e: e.order_key)


class _Fold:
    """The mutable working state of one fold; only ``fold`` uses it."""

    def __init__(self, case_id: str) -> None:
        self.case_id = case_id
        self.filed: Event | None = None
        self.kind: str | None = None  # of the first filing, known before any event applies
        self.status = "provisional"
        self.route: str | None = None
        self.contact: dict[str, str] = {}
        self.notes: list[dict[str, Any]] = []
        self.outcomes: dict[str, list[dict[str, Any]]] = {}
        self.links: dict[str, str] = {}  # other case -> pending|confirmed|original|split
        self.confirmed_at: dict[str, tuple[str, str]] = {}
        self.closed_from: str | None = None  # status before a duplicate confirmation closed it
        self.flags: set[str] = set()
        self.history: list[dict[str, Any]] = []
        self.work: dict[str, Any] = {}
        self.resolved: dict[str, tuple[Any, str]] = {}  # field -> (kept value, hlc)

    def log(self, event: Event, field: str, old: Any, new: Any, result: str,
            reason: str | None = None) -> None:
        self.history.append({"hlc": event.hlc, "event_id": event.event_id,
                             "author": event.author, "event": event.kind, "field": field,
                             "old": old, "new": new, "result": result, "reason": reason})

    def set_status(self, event: Event, new: str) -> None:
        old = self.status
        if new == old:
            return
        if may_move(old, new):
            self.status = new
            self.closed_from = None
            self.log(event, "status", old, new, "set")
        else:
            self.log(event, "status", old, new, "refused",
                     "a finished case moves only after a reopened event"
                     if is_finished(old) else "status cannot move back to an earlier stage")

    def set_route(self, event: Event, new: str) -> None:
        if new != self.route:
            old, self.route = self.route, new
            self.log(event, "route", old, new, "set" if old is None else "overwritten")

    def set_contact(self, event: Event, name: str, new: str) -> None:
        old = self.contact.get(name)
        if new != old:
            self.contact[name] = new
            self.log(event, f"contact.{name}", old, new, "set" if old is None else "overwritten")

    def note(self, event: Event, text: str) -> None:
        self.notes.append({"hlc": event.hlc, "event_id": event.event_id,
                           "author": event.author, "text": text})


def _record_phone(kind: str, record: Mapping[str, Any]) -> str | None:
    holder = record.get("claimant") if kind == "complaint" else record
    phone = holder.get("phone") if isinstance(holder, Mapping) else None
    return phone if isinstance(phone, str) else None


def _filed(f: _Fold, event: Event) -> None:
    data = event.data
    if f.filed is not None:
        if f.filed.data != data:
            f.flags.add("filed_conflict")
            f.log(event, "filed", None, thaw(data), "conflict",
                  f"case already filed by {f.filed.event_id}; first filing kept")
        return
    f.filed = event
    if stage(f.status) < stage("received"):
        f.set_status(event, "received")
    phone = _record_phone(data["kind"], data["record"])
    if phone is not None:
        f.set_contact(event, "phone", phone)
    for text in data.get("notes", ()):
        f.note(event, text)


_NOT_A_DISPUTE = "a job-seeker registration is not a dispute"
_DISPUTE_STATUSES = frozenset(_STATUS_ROUTE) | {"settled"}


def _registration(f: _Fold) -> bool:
    return f.kind == "jobseeker"


def _routed(f: _Fold, event: Event) -> None:
    to = event.data["to"]
    if _registration(f):
        f.log(event, "route", f.route, to, "refused", _NOT_A_DISPUTE)
        return
    if is_finished(f.status):
        f.log(event, "route", f.route, to, "refused",
              "a finished case is routed only after a reopened event")
        return
    f.set_route(event, to)
    f.set_status(event, ROUTE_STATUS[to])
    for key in ("track", "fast"):
        if key in event.data:
            f.work[key] = event.data[key]


def _status_changed(f: _Fold, event: Event) -> None:
    new = event.data["status"]
    if new in _DISPUTE_STATUSES and _registration(f):
        f.log(event, "status", f.status, new, "refused", _NOT_A_DISPUTE)
        return
    before = f.status
    f.set_status(event, new)
    if f.status != before and new in _STATUS_ROUTE:
        f.set_route(event, _STATUS_ROUTE[new])


def _note_added(f: _Fold, event: Event) -> None:
    f.note(event, event.data["text"])


def _outcome_recorded(f: _Fold, event: Event) -> None:
    name, value = event.data["field"], event.data["value"]
    if _registration(f):
        f.log(event, f"outcomes.{name}", None, value, "refused", _NOT_A_DISPUTE)
        return
    record_outcome(f, event, name, value)


def _contact_updated(f: _Fold, event: Event) -> None:
    f.set_contact(event, "phone", event.data["phone"])


def _employer_completed(f: _Fold, event: Event) -> None:
    if f.kind != "complaint":
        f.log(event, "employer", None, thaw(event.data), "refused",
              "only a complaint names an employer")
        return
    f.set_contact(event, "employer.name", event.data["name"])
    if "uscc" in event.data:
        f.set_contact(event, "employer.uscc", event.data["uscc"])


def _link(state: str) -> Callable[[_Fold, Event], None]:
    def apply(f: _Fold, event: Event) -> None:
        other = event.data["of"]
        new = "original" if event.data.get("role") == "original" else state
        old = f.links.get(other)
        if old == new:
            return
        f.links[other] = new
        if new == "confirmed":
            f.confirmed_at[other] = event.order_key
        f.log(event, f"duplicate.{other}", old, new, "set" if old is None else "overwritten",
              event.data.get("reason"))
        if new == "confirmed" and not is_finished(f.status):
            old_status, f.status = f.status, "closed"  # handled as part of the other case
            f.closed_from = old_status
            f.log(event, "status", old_status, "closed", "set",
                  f"confirmed as a duplicate of {other}")
        elif old == "confirmed" and f.closed_from is not None and f.status == "closed" \
                and "confirmed" not in f.links.values():
            back, f.closed_from = f.closed_from, None
            f.status = back
            f.log(event, "status", "closed", back, "set",
                  f"duplicate link to {other} {new}: the status before its confirmation")
    return apply


def _reopened(f: _Fold, event: Event) -> None:
    if not is_finished(f.status):
        f.log(event, "status", f.status, "received", "refused", "case is not finished")
        return
    old, f.status = f.status, "received"
    f.closed_from = None
    f.log(event, "status", old, "received", "set", event.data["reason"])


_APPLY: dict[str, Callable[[_Fold, Event], None]] = {
    "filed": _filed,
    "routed": _routed,
    "status_changed": _status_changed,
    "note_added": _note_added,
    "outcome_recorded": _outcome_recorded,
    "contact_updated": _contact_updated,
    "employer_completed": _employer_completed,
    "marked_duplicate": _link("pending"),
    "duplicate_confirmed": _link("confirmed"),
    "duplicate_split": _link("split"),
    "reopened": _reopened,
    **WORK_APPLY,
}


def _outcomes(f: _Fold) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in OUTCOME_FIELDS:
        recorded = f.outcomes.get(name)
        if recorded:
            kept = f.resolved.get(name)
            values = {r["value"] for r in recorded if kept is None or r["hlc"] > kept[1]} \
                | ({kept[0]} if kept else set())
            out[name] = {"value": next(iter(values)) if len(values) == 1 else None,
                         "conflict": len(values) > 1, "recorded": recorded}
            if kept is not None:
                out[name]["kept"] = kept[0]
    return out


def _duplicate_of(f: _Fold) -> str | None:
    confirmed = [other for other, state in f.links.items() if state == "confirmed"]
    for other, state in f.links.items():
        if state == "pending":
            f.flags.add(f"duplicate_pending:{other}")
    if len(confirmed) > 1:
        f.flags.add("duplicate_ambiguous")
    if not confirmed:
        return None
    return max(confirmed, key=lambda other: f.confirmed_at[other])


def fold(events: Iterable[Event]) -> CaseState:
    """Return the current state of one case from its events, in any order, with repeats.

    The same set of events always gives an equal CaseState (and equal ``to_wire()``).
    Raises EventConflict if two different events share an event_id or the events belong to
    several cases, and ValueError if there are no events.
    """
    ordered = unique_events(events)
    f = _Fold(ordered[0].case_id)
    # The kind holds from the start: a filing stamped after staff events (a kiosk clock
    # running ahead) still makes those events a registration's.
    f.kind = next((e.data.get("kind") for e in ordered if e.kind == "filed"), None)
    for event in ordered:
        _APPLY[event.kind](f, event)
    duplicate_of = _duplicate_of(f)
    filed = f.filed.data if f.filed is not None else EMPTY
    if f.kind == "complaint" and "employer.name" not in f.contact:
        employer = (filed.get("record") or EMPTY).get("employer") or EMPTY
        if not employer_identifiable(employer.get("uscc"), employer.get("name")):
            f.flags.add(EMPLOYER_UNKNOWN)  # until staff complete it (employer_completed)
    if f.filed is None:
        f.flags.add("missing_filed")
    return CaseState(
        case_id=f.case_id, kind=filed.get("kind"), record=filed.get("record"),
        receipt_code=filed.get("receipt_code"), station=filed.get("station"),
        filed_at=filed.get("filed_at"), status=f.status, route=f.route,
        contact=freeze(f.contact), notes=freeze(f.notes), outcomes=freeze(_outcomes(f)),
        flags=tuple(sorted(f.flags)), duplicate_of=duplicate_of, history=freeze(f.history),
        last_hlc=ordered[-1].hlc, duplicate_links=freeze(dict(sorted(f.links.items()))),
        work=freeze(f.work))

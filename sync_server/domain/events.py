"""Case events: the immutable facts a case's state is folded from.

Every change to a case is one ``Event``: an id (unique per fact; the store keeps the union
of events by id), the case it belongs to, its kind, an HLC stamp (``shared.hlc`` string form,
which sorts as the stamps do) and its author (``device:<id>`` for a kiosk, ``staff:<user>``
for county staff, ``system:<name>`` for the server's own detectors). ``data`` depends on the
kind; every event is validated when it is made, so a fold never meets a malformed one::

    filed               {"kind": "complaint"|"jobseeker", "record": {...}, "receipt_code",
                         "station", "filed_at" (RFC 3339 UTC), "ticket": str|null,
                         "notes": [str, ...] (optional, kiosk notes for staff)}
    routed              {"to": mediation|inspection|arbitration|legal_aid|court,
                         "track": simple|complex (optional, 繁简分流), "fast": bool (optional,
                         速裁 fast track)}
    status_changed      {"status": one of the INTERFACES.md statuses}
    note_added          {"text"}
    outcome_recorded    {"field": "settled_fen"|"award_fen", "value": int fen >= 0}
    contact_updated     {"phone"}  (normalised with shared.identity.check_phone)
    employer_completed  {"name", "uscc" (optional)}  staff complete an employer the worker
                        could not name (a placeholder such as "××"), or correct it
    marked_duplicate    {"of": case_id, "reason"}
    duplicate_confirmed {"of": case_id, "role": "duplicate"|"original" (optional, default
                         "duplicate": this case is the duplicate of ``of``; "original": ``of``
                         is the duplicate of this case)}
    duplicate_split     {"of": case_id}
    reopened            {"reason"}

Case work (the console's actions; ``sync_server.domain.casework`` folds them)::

    accepted            {}  the body the case is with accepts it (受理 / 立案)
    materials_requested {"items"}  需补正: materials missing; clocks pause
    materials_received  {}  the materials are complete; clocks resume or restart
    assigned            {"to": "staff:<user id>", "username"}
    mediation_session   {"on": YYYY-MM-DD, "summary"}
    agreement_recorded  {"fen", "on" (optional)}  a mediation agreement; the case is settled
    payment_recorded    {"fen", "on"}  an amount actually paid (several add up)
    closed              {"status": closed|withdrawn, "grade" (optional), "reason" (optional)}
    conflict_resolved   {"field": an outcome field, "keep": event_id of the value kept}
    extension_requested {"clock", "days" (1..365), "reason"}
    extension_decided   {"request": event_id, "approved": bool, "reason" (optional)}

The ``record`` of a filed event is checked for shape only (a JSON object): the server has
validated it with ``shared.intake.IntakePayload.from_wire`` before making the event.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from shared.clock import parse_utc
from shared.hlc import HLC
from shared.identity import IdentifierInvalid, check_phone, check_uscc
from shared.intake import IntakePayload
from shared.records import KINDS
from sync_server.domain._frozen import freeze, thaw
from sync_server.domain.dedupe import employer_identifiable
from sync_server.domain.errors import EventInvalid
from sync_server.domain.statuses import ROUTES, STATUSES

OUTCOME_FIELDS = ("settled_fen", "award_fen", "agreed_fen")
TRACKS = ("simple", "complex")
GRADES = ("A", "B", "C", "D")  # difficulty grade set at closure (以案定补)
AUTHOR_PREFIXES = ("device:", "staff:", "system:")
MAX_ID = 64  # event_id, case_id and author are String(64) columns (store/schema.py)
MAX_TEXT = 4000
MAX_FEN = 100_000_000_000  # ¥1 billion, as shared.records.MAX_AMOUNT_FEN

Check = Callable[[str, Mapping[str, Any]], dict[str, Any]]


def _text(where: str, data: Mapping[str, Any], key: str, *, limit: int = MAX_TEXT,
          optional: bool = False) -> Any:
    if key not in data:
        if optional:
            return None
        raise EventInvalid(f"{where}.{key}", "required", "is required")
    value = data[key]
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        raise EventInvalid(f"{where}.{key}", "not_text", "must be non-empty text")
    if len(value) > limit:
        raise EventInvalid(f"{where}.{key}", "too_long", f"is longer than {limit} characters")
    return value


def _choice(where: str, data: Mapping[str, Any], key: str, choices: tuple[str, ...]) -> str:
    value = _text(where, data, key, limit=64)
    if value not in choices:
        raise EventInvalid(f"{where}.{key}", "choice", f"must be one of {', '.join(choices)}")
    return str(value)


def _only(where: str, data: Mapping[str, Any], allowed: set[str]) -> None:
    extra = sorted(set(data) - allowed)
    if extra:
        raise EventInvalid(f"{where}.{extra[0]}", "unknown_field", "is not a field of this kind")


def _filed(where: str, data: Mapping[str, Any]) -> dict[str, Any]:
    _only(where, data, {"kind", "record", "receipt_code", "station", "filed_at", "ticket",
                        "notes"})
    out: dict[str, Any] = {"kind": _choice(where, data, "kind", KINDS)}
    record = data.get("record")
    if not isinstance(record, Mapping):
        raise EventInvalid(f"{where}.record", "not_object", "must be a JSON object")
    out["record"] = record
    out["receipt_code"] = _text(where, data, "receipt_code", limit=MAX_ID)
    out["station"] = _text(where, data, "station", limit=MAX_ID)
    filed_at = _text(where, data, "filed_at", limit=64)
    try:
        parse_utc(filed_at)
    except ValueError:
        raise EventInvalid(f"{where}.filed_at", "not_time",
                           "must be an RFC 3339 time with zone") from None
    out["filed_at"] = filed_at
    out["ticket"] = _text(where, data, "ticket", limit=16, optional=True)
    if "notes" in data:
        notes = data["notes"]
        if not isinstance(notes, list | tuple):
            raise EventInvalid(f"{where}.notes", "not_list", "must be a list of text")
        out["notes"] = [_text(f"{where}.notes", {str(i): n}, str(i))
                        for i, n in enumerate(notes)]
    return out


def _routed(where: str, data: Mapping[str, Any]) -> dict[str, Any]:
    _only(where, data, {"to", "track", "fast"})
    out: dict[str, Any] = {"to": _choice(where, data, "to", ROUTES)}
    if "track" in data:
        out["track"] = _choice(where, data, "track", TRACKS)
    if "fast" in data:
        if not isinstance(data["fast"], bool):
            raise EventInvalid(f"{where}.fast", "not_boolean", "must be true or false")
        out["fast"] = data["fast"]
    return out


def _status_changed(where: str, data: Mapping[str, Any]) -> dict[str, Any]:
    _only(where, data, {"status"})
    return {"status": _choice(where, data, "status", STATUSES)}


def _note_added(where: str, data: Mapping[str, Any]) -> dict[str, Any]:
    _only(where, data, {"text"})
    return {"text": _text(where, data, "text")}


def _outcome_recorded(where: str, data: Mapping[str, Any]) -> dict[str, Any]:
    _only(where, data, {"field", "value"})
    name = _choice(where, data, "field", OUTCOME_FIELDS)
    value = data.get("value")
    if isinstance(value, bool) or not isinstance(value, int):
        raise EventInvalid(f"{where}.value", "not_integer", "must be an integer number of fen")
    if not 0 <= value <= MAX_FEN:
        raise EventInvalid(f"{where}.value", "out_of_range", f"must be 0..{MAX_FEN} fen")
    return {"field": name, "value": value}


def _contact_updated(where: str, data: Mapping[str, Any]) -> dict[str, Any]:
    _only(where, data, {"phone"})
    phone = _text(where, data, "phone", limit=32)
    try:
        return {"phone": check_phone(phone)}
    except IdentifierInvalid as exc:
        raise EventInvalid(f"{where}.phone", exc.code, "is not a mainland phone number") from None


def _employer_completed(where: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Staff complete or correct the employer of a complaint ("employer unknown" is a state
    the worker could not avoid, not a dead end)."""
    _only(where, data, {"name", "uscc"})
    out: dict[str, Any] = {"name": _text(where, data, "name", limit=100)}
    uscc = _text(where, data, "uscc", limit=32, optional=True)
    if uscc is not None:
        try:
            out["uscc"] = check_uscc(uscc)
        except IdentifierInvalid as exc:
            raise EventInvalid(f"{where}.uscc", exc.code, "is not a valid USCC") from None
    if not employer_identifiable(out.get("uscc"), out["name"]):
        raise EventInvalid(f"{where}.name", "too_short",
                           "names no employer (give the name or the USCC)")
    return out


DUPLICATE_ROLES = ("duplicate", "original")


def _duplicate_link(with_reason: bool) -> Check:
    def check(where: str, data: Mapping[str, Any]) -> dict[str, Any]:
        _only(where, data, {"of", "reason"} if with_reason else {"of"})
        out = {"of": _text(where, data, "of", limit=MAX_ID)}
        if with_reason:
            out["reason"] = _text(where, data, "reason")
        return out
    return check


def _duplicate_confirmed(where: str, data: Mapping[str, Any]) -> dict[str, Any]:
    _only(where, data, {"of", "role"})
    out = {"of": _text(where, data, "of", limit=MAX_ID)}
    if "role" in data:  # absent means "duplicate" (events made before roles existed)
        out["role"] = _choice(where, data, "role", DUPLICATE_ROLES)
    return out


def _reopened(where: str, data: Mapping[str, Any]) -> dict[str, Any]:
    _only(where, data, {"reason"})
    return {"reason": _text(where, data, "reason")}


def _fen(where: str, data: Mapping[str, Any], key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise EventInvalid(f"{where}.{key}", "not_integer", "must be an integer number of fen")
    if not 0 <= value <= MAX_FEN:
        raise EventInvalid(f"{where}.{key}", "out_of_range", f"must be 0..{MAX_FEN} fen")
    return value


def _day(where: str, data: Mapping[str, Any], key: str, *, optional: bool = False) -> Any:
    value = _text(where, data, key, limit=10, optional=optional)
    if value is None:
        return None
    try:
        date.fromisoformat(value)
    except ValueError:
        raise EventInvalid(f"{where}.{key}", "not_date", "must be a date YYYY-MM-DD") from None
    return value


def _fields(**spec: Callable[[str, Mapping[str, Any], str], Any]) -> Check:
    """A check of a kind whose fields each have one checker (optional ones end in ``_``)."""
    def check(where: str, data: Mapping[str, Any]) -> dict[str, Any]:
        _only(where, data, {k.rstrip("_") for k in spec})
        out = {}
        for key, checker in spec.items():
            name = key.rstrip("_")
            if key.endswith("_") and name not in data:
                continue
            out[name] = checker(where, data, name)
        return out
    return check


def _req_text(where: str, data: Mapping[str, Any], key: str) -> Any:
    return _text(where, data, key)


def _days(where: str, data: Mapping[str, Any], key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 365:
        raise EventInvalid(f"{where}.{key}", "out_of_range", "must be 1..365 days")
    return value


def _bool(where: str, data: Mapping[str, Any], key: str) -> bool:
    if not isinstance(data.get(key), bool):
        raise EventInvalid(f"{where}.{key}", "not_boolean", "must be true or false")
    return bool(data[key])


_CHECKS: dict[str, Check] = {
    "accepted": _fields(),
    "materials_requested": _fields(items=_req_text),
    "materials_received": _fields(),
    "assigned": _fields(to=lambda w, d, k: _text(w, d, k, limit=MAX_ID),
                        username=lambda w, d, k: _text(w, d, k, limit=MAX_ID)),
    "mediation_session": _fields(on=_day, summary=_req_text),
    "agreement_recorded": _fields(fen=_fen, on_=_day),
    "payment_recorded": _fields(fen=_fen, on=_day),
    "closed": _fields(status=lambda w, d, k: _choice(w, d, k, ("closed", "withdrawn")),
                      grade_=lambda w, d, k: _choice(w, d, k, GRADES), reason_=_req_text),
    "conflict_resolved": _fields(field=lambda w, d, k: _choice(w, d, k, OUTCOME_FIELDS),
                                 keep=lambda w, d, k: _text(w, d, k, limit=MAX_ID)),
    "extension_requested": _fields(clock=lambda w, d, k: _text(w, d, k, limit=64),
                                   days=_days, reason=_req_text),
    "extension_decided": _fields(request=lambda w, d, k: _text(w, d, k, limit=MAX_ID),
                                 approved=_bool, reason_=_req_text),
    "filed": _filed,
    "routed": _routed,
    "status_changed": _status_changed,
    "note_added": _note_added,
    "outcome_recorded": _outcome_recorded,
    "contact_updated": _contact_updated,
    "employer_completed": _employer_completed,
    "marked_duplicate": _duplicate_link(True),
    "duplicate_confirmed": _duplicate_confirmed,
    "duplicate_split": _duplicate_link(False),
    "reopened": _reopened,
}
KINDS_OF_EVENT = tuple(sorted(_CHECKS))


def _identifier(name: str, value: object) -> str:
    if not isinstance(value, str) or not value or not value.isprintable() or value != value.strip():
        raise EventInvalid(name, "not_text", "must be non-empty printable text")
    if len(value) > MAX_ID:
        raise EventInvalid(name, "too_long", f"is longer than {MAX_ID} characters")
    return value


@dataclass(frozen=True)
class Event:
    """One immutable fact about a case. Made valid or not at all (raises EventInvalid).

    ``data`` is normalised (phones to digits) and deep-frozen; ``to_wire`` gives plain JSON.
    """

    event_id: str
    case_id: str
    kind: str
    hlc: str
    author: str
    data: Mapping[str, Any] = field(hash=False)

    def __post_init__(self) -> None:
        _identifier("event_id", self.event_id)
        _identifier("case_id", self.case_id)
        if self.kind not in _CHECKS:
            raise EventInvalid("kind", "choice", f"must be one of {', '.join(KINDS_OF_EVENT)}")
        if not isinstance(self.hlc, str):
            raise EventInvalid("hlc", "not_text", "must be an HLC string")
        try:
            stamp = HLC.parse(self.hlc)
        except ValueError as exc:
            raise EventInvalid("hlc", "not_hlc", str(exc)) from None
        if str(stamp) != self.hlc:
            raise EventInvalid("hlc", "not_hlc", "is not in the canonical string form")
        _identifier("author", self.author)
        if not self.author.startswith(AUTHOR_PREFIXES) or self.author.endswith(":"):
            raise EventInvalid("author", "not_author",
                               "must be device:<id>, staff:<user> or system:<name>")
        if not isinstance(self.data, Mapping):
            raise EventInvalid("data", "not_object", "must be a JSON object")
        clean = _CHECKS[self.kind]("data", self.data)
        if self.kind in ("marked_duplicate", "duplicate_confirmed", "duplicate_split") \
                and clean["of"] == self.case_id:
            raise EventInvalid("data.of", "self_reference", "a case cannot duplicate itself")
        try:
            object.__setattr__(self, "data", freeze(clean, "data"))
        except TypeError as exc:
            raise EventInvalid("data", "not_json", str(exc)) from None

    @property
    def order_key(self) -> tuple[str, str]:
        """The total order every replica folds in: (hlc, event_id)."""
        return (self.hlc, self.event_id)

    def to_wire(self) -> dict[str, Any]:
        """The event as plain JSON values (dicts, lists, str, int, bool, None)."""
        return {**self.wire_view(), "data": thaw(self.data)}

    def wire_view(self) -> dict[str, Any]:
        """``to_wire`` without the copy: ``data`` is the event's own frozen value, which
        ``json.dumps`` encodes to the same text (for storing; to change it, take ``to_wire()``)."""
        return {"event_id": self.event_id, "case_id": self.case_id, "kind": self.kind,
                "hlc": self.hlc, "author": self.author, "data": self.data}

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> Event:
        """Build an event from ``to_wire`` output. Raises EventInvalid naming the field."""
        if not isinstance(wire, Mapping):
            raise EventInvalid("event", "not_object", "must be a JSON object")
        names = ("event_id", "case_id", "kind", "hlc", "author", "data")
        for name in names:
            if name not in wire:
                raise EventInvalid(name, "required", "is required")
        extra = sorted(set(wire) - set(names))
        if extra:
            raise EventInvalid(extra[0], "unknown_field", "is not a field of an event")
        return cls(*(wire[name] for name in names))


def filed_event(case_id: str, payload: IntakePayload, *, hlc: str, author: str,
                record: Mapping[str, Any] | None = None) -> Event:
    """Return the ``filed`` event of an opened intake payload.

    Its event_id is ``filed:<case_id>``, so ingesting the same record twice makes the same
    event (idempotent). The PIN verifier is not part of the case; the store keeps it apart.
    ``record``: ``payload.record.to_wire()`` when the caller has already made it.
    Raises EventInvalid naming the field at fault.
    """
    data: dict[str, Any] = {"kind": payload.kind,
                            "record": payload.record.to_wire() if record is None else record,
                            "receipt_code": payload.receipt_code, "station": payload.station,
                            "filed_at": payload.filed_at, "ticket": payload.ticket}
    if payload.notes:
        data["notes"] = list(payload.notes)
    return Event(f"filed:{case_id}", case_id, "filed", hlc, author, data)

"""Merge: opened intake records and staff actions become case events, and the case store
follows — folded state, person and duplicate links, collective-dispute alerts, the feed.

Everything here runs inside the caller's transaction, so a crash leaves either all of a
record's effects or none. The rules themselves live in ``sync_server.domain`` (events, fold,
dedupe keys, alert grouping, next steps); this module only feeds them and stores what they say.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from shared.anyenv import AnyEnvelope as Envelope  # v1 envelopes and stored v2 items
from shared.anyenv import Stored2
from shared.clock import Clock, format_utc, parse_utc, to_millis
from shared.hlc import HLC, HybridClock
from shared.ids import new_record_id
from shared.intake import IntakePayload
from sync_server.config.settings import Settings
from sync_server.domain.casework import REFUSED_ZH as WORK_REFUSED_ZH
from sync_server.domain.deadlines import Clock as DeadlineClock
from sync_server.domain.dedupe import NOTHING_COMPARABLE, employer_key, person_key
from sync_server.domain.errors import DomainError, EventInvalid, IdentifierRefused
from sync_server.domain.events import Event, filed_event
from sync_server.domain.fold import CaseState, fold
from sync_server.domain.nextstep import ACKED_BY, status_change
from sync_server.domain.workerview import extras, feed_words
from sync_server.errors import ActionRefused, NotFound, ServerError
from sync_server.services import jobhooks
from sync_server.services.alerts import raise_alerts
from sync_server.store import cases as q
from sync_server.store import feed

ClockOf = Callable[[Connection, Mapping[str, Any], CaseState], DeadlineClock | None]
# staff events that change what the worker is told without changing the status
WORKER_VISIBLE = frozenset({"materials_requested", "materials_received", "accepted",
                            "extension_decided"})

# A filing time outside [EARLIEST_FILED, county time + MAX_FILED_AHEAD] is quarantined
# ``filed_at_out_of_range``: it would sort and window nonsensically (year 1 or 9999 even
# overflows the date arithmetic of duplicate and alert windows). A kiosk clock reset to
# 2000-01-01 (a flat battery) still files; one a few days fast too (tests/sync/
# test_sync_clock.py): a week is far beyond any clock the kiosk's sync has corrected.
EARLIEST_FILED = datetime(2000, 1, 1, tzinfo=UTC)
MAX_FILED_AHEAD = timedelta(days=7)


class MergeRefused(ServerError):
    """A record cannot become a case; ``reason`` is the quarantine reason."""

    code = "merge_refused"
    http_status = 422

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


_UNCHANGED = "nothing would change: the case already has that status and route"
_REFUSED_ZH = {
    "a finished case moves only after a reopened event": "案件已办结，须先重新开启",
    "a finished case is routed only after a reopened event": "案件已办结，须先重新开启才能分流",
    "status cannot move back to an earlier stage": "状态不能退回到之前的阶段",
    "a job-seeker registration is not a dispute": "求职登记不是劳动纠纷，不能分流、调处或记录结果",
    "case is not finished": "案件尚未办结，不能重新开启",
    "only a complaint names an employer": "只有投诉案件才有用人单位",
    _UNCHANGED: "案件已是该状态，没有任何改变",
    **WORK_REFUSED_ZH,
}


def refusal(state: CaseState, event: Event) -> str | None:
    """Why the fold refused staff ``event`` in ``state`` (folded with it), or None.

    A route or status change that the fold applied without any change counts as refused too:
    telling staff it happened would be a lie."""
    entries = [h for h in state.history if h["event_id"] == event.event_id]
    for entry in entries:
        if entry["result"] == "refused":
            return str(entry["reason"])
    if event.kind in ("routed", "status_changed") and not entries:
        return _UNCHANGED
    return None


@dataclass
class _Filing:
    """One record on its way to becoming a case: what ``file_many`` needs of it."""

    env: Envelope
    intake: IntakePayload
    record: dict[str, Any]
    filed_at: datetime
    filed_text: str  # format_utc(filed_at): the store's form, made once
    pkey: str
    ekey: str | None
    events: list[Event]


@dataclass
class FilingBatch:
    """What filing a batch produced, for the caller's feed append and metrics."""

    feed: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    filed: int = 0
    duplicates_linked: int = 0
    alerts: int = 0
    alerts_updated: int = 0
    # employer key -> (a name it was filed under, [(case id, filed at)]) for raise_alerts
    employers: dict[str, tuple[str, list[tuple[str, Any]]]] = field(default_factory=dict)
    # (kind, case id, person key, employer key) of each case filed, for the jobs hook
    filings: list[tuple[str, str, str, str | None]] = field(default_factory=list)

    def absorb(self, part: FilingBatch) -> None:
        """Add what a part of the batch produced (filed in its own savepoint)."""
        self.feed += part.feed
        self.filed += part.filed
        self.duplicates_linked += part.duplicates_linked
        self.alerts += part.alerts
        self.alerts_updated += part.alerts_updated
        for ekey, (name, filed) in part.employers.items():
            self.employers.setdefault(ekey, (name, []))[1].extend(filed)


class CaseDesk:
    """Files records as cases and applies staff actions, with the county's dedupe secret."""

    def __init__(self, secret: bytes, clock: Clock, settings: Settings) -> None:
        self._secret = secret
        self._clock = clock
        self._settings = settings
        self._hlc = HybridClock("srv" + secrets.token_hex(4), clock)

    # -- filing ----------------------------------------------------------------------------

    def file_many(self, conn: Connection, items: Sequence[tuple[Envelope, IntakePayload]],
                  batch: FilingBatch, now_ms: int) -> dict[str, str]:
        """File opened, validated records as new cases, in the order given.

        One query finds the receipt codes already taken, one the likely-duplicate candidates;
        cases, events and links are inserted in bulk. Returns record id -> quarantine reason
        for every record refused (the others are filed).
        """
        refused: dict[str, str] = {}
        taken = q.receipt_taken(conn, [intake.receipt_code for _, intake in items])
        filings: list[_Filing] = []
        for env, intake in items:
            try:
                filing = self._prepare(env, intake, taken)
            except MergeRefused as exc:
                refused[env.header.id] = exc.reason
                continue
            except DomainError as exc:
                refused[env.header.id] = f"merge_refused: {exc}"
                continue
            taken.add(intake.receipt_code)
            filings.append(filing)
        links, stored_marks = self._duplicates(conn, filings, batch)
        as_of = format_utc(self._clock.now())
        events: list[dict[str, Any]] = []
        rows: list[dict[str, Any]] = []
        for f in filings:
            h = f.env.header
            state = fold(f.events)
            events += [e.wire_view() for e in f.events]
            rows.append({
                "case_id": h.id, "record_id": h.id, "kind": f.intake.kind,
                "station": h.station, "device_id": h.device,
                "receipt_code": f.intake.receipt_code, "pin_verifier": f.intake.pin_verifier,
                "filed_at": f.filed_text, "status": state.status,
                "record": f.record, "state": state.wire_view(), "person_key": f.pkey,
                "employer_key": f.ekey, "created_at_ms": now_ms, "updated_at_ms": now_ms})
            if f.ekey is not None:
                batch.employers.setdefault(f.ekey, (f.record["employer"]["name"], []))[1]\
                    .append((h.id, f.filed_at))
            change = status_change(state, as_of)
            if isinstance(f.env, Stored2):  # the v2 acknowledgement told the filing kiosk
                change[ACKED_BY] = h.device
            batch.feed.append((h.station, change))
            batch.filings.append((f.intake.kind, h.id, f.pkey, f.ekey))
        q.insert_events(conn, events, now_ms)
        q.insert_cases(conn, rows)
        q.add_links(conn, links, "likely_duplicate", to_millis(self._clock.now()))
        self._mark_stored(conn, stored_marks, now_ms)
        batch.filed += len(filings)
        return refused

    def _mark_stored(self, conn: Connection, marks: dict[str, list[Event]],
                     now_ms: int) -> None:
        """Add likely-duplicate marks to cases already stored and store their new fold (a
        pending mark moves no status, so nothing goes on the feed)."""
        if not marks:
            return
        q.insert_events(conn, [e.wire_view() for evs in marks.values() for e in evs], now_ms)
        folded = [fold(Event.from_wire(e) for e in evs)
                  for evs in q.events_of_many(conn, sorted(marks)).values()]
        q.set_states(conn, [(s.case_id, s.status, s.wire_view()) for s in folded], now_ms)

    def _prepare(self, env: Envelope, intake: IntakePayload, taken: set[str]) -> _Filing:
        """The filed event and matching keys of one record. Raises MergeRefused, DomainError."""
        h = env.header
        record = intake.record.to_wire()
        try:
            filed = filed_event(h.id, intake, hlc=h.hlc, author=f"device:{h.device}",
                                record=record)
            filed_at = parse_utc(intake.filed_at)
        except EventInvalid as exc:  # names the field and what is wrong, never its value
            raise MergeRefused(f"invalid_event: {exc.field} {exc.code}") from None
        except (DomainError, ValueError):
            raise MergeRefused("invalid_event: the filed event cannot be made") from None
        if not EARLIEST_FILED <= filed_at <= self._clock.now() + MAX_FILED_AHEAD:
            when = filed_at.isoformat(timespec="seconds")
            raise MergeRefused(
                f"filed_at_out_of_range: filed at {when}, outside {format_utc(EARLIEST_FILED)} "
                f"to {MAX_FILED_AHEAD.days} days ahead of the county's clock (a kiosk clock "
                "far off?); kept for staff review")
        if intake.receipt_code in taken:
            raise MergeRefused("receipt_code_taken: another case holds this receipt code")
        who = record["claimant"]["id_number"] if intake.kind == "complaint" \
            else record["id_number"]
        # the record was validated by IntakePayload.from_wire: its ID number and USCC are
        # already in normal form, so the keys do not check them a second time
        pkey = person_key(who, self._secret, normalised=True)
        ekey = None
        if intake.kind == "complaint":
            uscc, name = record["employer"].get("uscc"), record["employer"]["name"]
            try:
                ekey = employer_key(uscc, name, normalised=True)
            except IdentifierRefused as exc:
                if exc.code not in NOTHING_COMPARABLE:
                    raise
                # A placeholder ("××", "？？") is still a case, flagged employer_unknown by
                # the fold for staff to complete; it just joins no duplicate or alert group.
        return _Filing(env, intake, record, filed_at, format_utc(filed_at), pkey, ekey,
                       [filed])

    def _duplicates(self, conn: Connection, filings: list[_Filing], batch: FilingBatch
                    ) -> tuple[list[tuple[str, str]], dict[str, list[Event]]]:
        """Mark each complaint a likely duplicate of every complaint by the same person
        against the same employer within the window: cases already stored (one query for
        the batch) and earlier ones of this batch. Both cases of a pair get the mark, so
        the earlier one shows the link too. Returns the (new case, other) links and the
        marks for cases already stored (by case id)."""
        complaints = [(f, f.ekey) for f in filings if f.ekey is not None]
        if not complaints:
            return [], {}
        in_batch = {f.env.header.id: f for f, _ in complaints}
        stored_marks: dict[str, list[Event]] = {}
        window = timedelta(days=self._settings.duplicate_window_days)
        known: dict[tuple[str, str], list[tuple[str, str]]] = {}
        times = [f.filed_at for f, _ in complaints]
        for row in q.similar_many(conn, sorted({f.pkey for f, _ in complaints}),
                                  format_utc(min(times) - window),
                                  format_utc(max(times) + window)):
            known.setdefault((row["person_key"], row["employer_key"]), []).append(
                (row["case_id"], row["filed_at"]))
        links: list[tuple[str, str]] = []
        for f, ekey in complaints:
            case_id = f.env.header.id
            since, until = format_utc(f.filed_at - window), format_utc(f.filed_at + window)
            pair = known.setdefault((f.pkey, ekey), [])
            reason = f"same claimant and employer within {window.days} days"
            for other in sorted(c for c, at in pair if since <= at <= until and c != case_id):
                stamp = str(self._hlc.now())
                f.events.append(Event(f"dup-{case_id}-{other}", case_id, "marked_duplicate",
                                      stamp, "system:dedupe", {"of": other, "reason": reason}))
                mark = Event(f"dup-{other}-{case_id}", other, "marked_duplicate", stamp,
                             "system:dedupe", {"of": case_id, "reason": reason})
                if other in in_batch:
                    in_batch[other].events.append(mark)
                else:
                    stored_marks.setdefault(other, []).append(mark)
                links.append((case_id, other))
                batch.duplicates_linked += 1
            pair.append((case_id, f.filed_text))
        return links, stored_marks

    def raise_alerts(self, conn: Connection, batch: FilingBatch, now_ms: int) -> None:
        """Raise new collective-dispute alerts and update the ones whose group grew, once
        per employer the batch filed against (see ``sync_server.services.alerts``)."""
        raised, grown = raise_alerts(conn, batch.employers, self._settings, now_ms)
        batch.alerts += raised
        batch.alerts_updated += grown

    # -- staff -----------------------------------------------------------------------------

    def staff_action(self, conn: Connection, code: str, kind: str, data: dict[str, Any],
                     user: str) -> CaseState:
        """Apply one staff event to the case with receipt ``code``; returns the new state.

        Raises NotFound for an unknown code and DomainError (EventInvalid) for bad data.
        """
        case = q.by_code(conn, code, for_update=True)
        if case is None:
            raise NotFound(f"receipt code {code}: no such case")
        return self.staff_events(conn, [(case, kind, data)], user)[0]

    def staff_events(self, conn: Connection,
                     changes: Sequence[tuple[dict[str, Any], str, dict[str, Any]]],
                     user: str, clock_of: ClockOf | None = None) -> list[CaseState]:
        """Apply staff events, each (case row, kind, data), together: every event is made
        (validated) before any is stored, each case is folded and stored again, and the
        status changes go on the feed in one append, last. Returns the new states in order.

        A change the worker must hear of without a new status (需补正 asked or cleared,
        ``WORKER_VISIBLE``) goes on the feed too. Each entry carries ``domain.workerview``'s
        extras (handling body, 需补正 words, and the next deadline when ``clock_of(conn,
        case, state)`` gives the case's next running clock), folded into its next-step text.

        Raises DomainError (EventInvalid) for bad data, and ActionRefused (naming why, zh-CN
        and English) for an action the case's state or kind refuses or that would change
        nothing; nothing is stored then (the caller's transaction rolls back).
        """
        for case, _, _ in changes:
            with contextlib.suppress(ValueError):  # a kiosk clock far ahead: ours still orders
                self._hlc.observe(HLC.parse(case["state"]["last_hlc"]))
        made = [Event(new_record_id(self._clock), case["case_id"], kind, str(self._hlc.now()),
                      f"staff:{user}", data) for case, kind, data in changes]
        now_ms = to_millis(self._clock.now())
        as_of = format_utc(self._clock.now())
        q.insert_events(conn, [e.wire_view() for e in made], now_ms)
        states: list[CaseState] = []
        moved: list[tuple[str, dict[str, Any]]] = []
        jobs_side: list[tuple[str, str, str, str | None]] = []  # for jobhooks (issue 16)
        for (case, _, _), event in zip(changes, made, strict=True):
            state = fold(Event.from_wire(e) for e in q.events_of(conn, case["case_id"]))
            why = refusal(state, event)
            if why is not None:
                raise ActionRefused(f"receipt code {case['receipt_code']}: "
                                    f"{_REFUSED_ZH.get(why, '操作被拒绝')} / refused: {why} "
                                    f"(status {state.status}, kind {state.kind})")
            q.set_state(conn, case["case_id"], state.status, state.wire_view(), now_ms)
            ekey = case.get("employer_key")
            if event.kind == "employer_completed":
                ekey = employer_key(event.data.get("uscc"), event.data["name"],
                                    normalised=True)
                q.set_employer_key(conn, case["case_id"], ekey)
            if state.status != case["status"] or event.kind in WORKER_VISIBLE:
                clock = clock_of(conn, case, state) if clock_of is not None else None
                moved.append((case["station"], feed_words(
                    status_change(state, as_of) | extras(state, clock))))
            if state.status != case["status"] or event.kind == "employer_completed":
                jobs_side.append((state.kind or "", case["case_id"],
                                  case.get("person_key") or "", ekey))
            states.append(state)
        # a registration closed or reopened, a complaint settled or its employer named:
        # matches, posting flags and placement links follow (services.jobhooks)
        moved += jobhooks.after_filing(conn, [j for j in jobs_side if j[2]], now_ms)
        feed.append(conn, moved, now_ms)
        return states

"""Job postings, matches, placements and the jobs indicators: what county and station staff
do (the CLI ``yizhan-server job`` now; the console's pages should call the same methods).

Adding a posting validates it (``shared.postings``), computes its flags from the rights side
(``services.jobflags``) and matches it against the job seekers (``services.jobmatch``). A
posting with flags is **held** for staff, not published, unless ``publish_anyway``; a
published (``open``) posting goes to every kiosk through the changes feed, its flags with it
(the kiosk then shows the plain warning). Closing takes it off the kiosks.

Console (for whoever builds its pages): ``JobBoard(svc)``: ``add``, ``publish``, ``close``,
``postings``, ``matches``, ``place``, ``placements``, ``indicators``.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from shared._errors import ReceiptError
from shared.clock import format_utc
from shared.ids import new_record_id
from shared.matching import reason_text
from shared.postings import JobPosting
from shared.receipt import parse_code
from sync_server.errors import ActionRefused, NotFound
from sync_server.services import audit as audit_log
from sync_server.services import jobmatch
from sync_server.services.core import Core
from sync_server.services.jobflags import WARNING, employer_keys, flags_for
from sync_server.store import feed
from sync_server.store import jobs as jq

OUTCOMES = ("referred", "hired", "not_hired")
COUNTY = "county"
# (actor, client address) of a console user: their job actions go to the audit log
Audit = tuple[str, str | None] | None


def _audit(conn: Connection, at_ms: int, audit: Audit, action: str, code: str | None,
           detail: str) -> None:
    if audit is not None:
        audit_log.append(conn, at_ms, audit[0], action, code, detail, audit[1])


class JobBoard:
    """Postings, matches and placements over one store (``Core``)."""

    def __init__(self, svc: Core) -> None:
        self._svc = svc

    def _now(self) -> tuple[int, str]:
        now = self._svc.clock.now()
        return int(now.timestamp() * 1000), format_utc(now)

    def _publish_feed(self, conn: Connection, as_of: str,
                      persons: list[str]) -> None:
        items = [jobmatch.postings_change(conn, as_of)]
        items += jobmatch.station_matches_changes(conn, jq.stations_of_persons(conn, persons))
        feed.append(conn, items, int(self._svc.clock.now().timestamp() * 1000))

    def add(self, posting: JobPosting, *, by: str, station: str = COUNTY,
            publish_anyway: bool = False, audit: Audit = None) -> dict[str, Any]:
        """Store one validated posting; returns {posting_id, state, flags, matches}.

        State ``open`` (published) when it has no flags or ``publish_anyway``; else ``held``
        until ``publish``."""
        now_ms, as_of = self._now()
        wire = posting.model_dump(mode="json")
        ukey, nkey = employer_keys(wire["employer"])
        pid = "P" + new_record_id(self._svc.clock)
        with self._svc.engine.begin() as conn:
            flags = flags_for(conn, [ukey, nkey or ""])
            state = "open" if not flags or publish_anyway else "held"
            row = {"posting_id": pid, "state": state, "employer_key": ukey, "name_key": nkey,
                   "posting": wire, "flags": flags, "station": station, "created_by": by,
                   "created_at_ms": now_ms, "updated_at_ms": now_ms}
            jq.insert_posting(conn, row)
            persons = jobmatch.match_posting(conn, row)
            if state == "open":
                self._publish_feed(conn, as_of, persons)
            _audit(conn, now_ms, audit, "job.post", None, f"{pid} {state}")
        return {"posting_id": pid, "state": state, "flags": flags, "matches": len(persons)}

    def _set_state(self, posting_id: str, state: str, allowed: tuple[str, ...],
                   audit: Audit = None) -> dict[str, Any]:
        now_ms, as_of = self._now()
        with self._svc.engine.begin() as conn:
            row = jq.posting(conn, posting_id)
            if row is None:
                raise NotFound(f"posting {posting_id}: no such posting")
            if row["state"] not in allowed:
                raise ActionRefused(f"posting {posting_id}: it is {row['state']}; "
                                    f"岗位当前状态为 {row['state']}，不能改为 {state}")
            flags = flags_for(conn, [row["employer_key"], row["name_key"] or ""])
            jq.set_flags(conn, posting_id, flags, now_ms)
            jq.set_posting_state(conn, posting_id, state, now_ms)
            persons = [m["person_key"] for m in jq.matches_of_posting(conn, posting_id)]
            self._publish_feed(conn, as_of, persons)
            _audit(conn, now_ms, audit, f"job.{state}", None, posting_id)
        return {"posting_id": posting_id, "state": state, "flags": flags}

    def publish(self, posting_id: str, audit: Audit = None) -> dict[str, Any]:
        """Publish a held posting anyway (its flags go with it). Raises NotFound,
        ActionRefused (not held)."""
        return self._set_state(posting_id, "open", ("held",), audit)

    def close(self, posting_id: str, audit: Audit = None) -> dict[str, Any]:
        """Close a posting: off every kiosk at their next sync. Raises NotFound,
        ActionRefused (already closed)."""
        return self._set_state(posting_id, "closed", ("open", "held"), audit)

    def postings(self, states: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
        """Postings (in ``states``), oldest first: id, state, flags, the posting, station."""
        with self._svc.engine.connect() as conn:
            return [{"posting_id": r["posting_id"], "state": r["state"], "flags": r["flags"],
                     "station": r["station"], "warning": list(WARNING) if r["flags"] else None,
                     **r["posting"]} for r in jq.postings(conn, states)]

    def posting(self, posting_id: str) -> dict[str, Any]:
        """One posting (as ``postings`` gives it). Raises NotFound."""
        with self._svc.engine.connect() as conn:
            r = jq.posting(conn, posting_id)
        if r is None:
            raise NotFound(f"posting {posting_id}: no such posting")
        return {"posting_id": r["posting_id"], "state": r["state"], "flags": r["flags"],
                "station": r["station"], "warning": list(WARNING) if r["flags"] else None,
                **r["posting"]}

    def matches(self, posting_id: str, station: str | None = None) -> list[dict[str, Any]]:
        """The job seekers matching a posting, best first, one entry per person however
        many stations they registered at: receipt_code (the latest), receipt_codes,
        stations, score, reasons (codes) and reasons_text (zh-CN / English).

        With ``station`` (a station user): only the job seekers who registered there, and
        only their receipt codes of that station. Raises NotFound."""
        with self._svc.engine.connect() as conn:
            if jq.posting(conn, posting_id) is None:
                raise NotFound(f"posting {posting_id}: no such posting")
            here: dict[str, list[str]] | None = None
            if station is not None:
                here = {}
                for code, key in jq.persons_at_station(conn, station):
                    here.setdefault(key, []).append(code)
            out = []
            for m in jq.matches_of_posting(conn, posting_id):
                codes = m["profile"]["codes"]
                if here is not None:
                    if m["person_key"] not in here:
                        continue
                    codes = sorted(here[m["person_key"]])
                    m["profile"]["stations"] = [station]
                out.append({"receipt_code": codes[-1] if codes else None,
                            "receipt_codes": codes, "stations": m["profile"]["stations"],
                            "score": m["score"], "reasons": m["reasons"],
                            "reasons_text": [f"{reason_text(r)} / {reason_text(r, 'en')}"
                                             for r in m["reasons"]]})
            return out

    def place(self, posting_id: str, code: str, outcome: str, *, by: str,
              station: str | None = None, scope: str | None = None,
              audit: Audit = None) -> dict[str, Any]:
        """Record that the job seeker with registration receipt ``code`` was referred to,
        hired for or not hired for a posting (``scope``: a station user's station, whose
        registrations alone they may place). Raises NotFound (posting, code),
        ActionRefused (not a registration; an unknown outcome)."""
        if outcome not in OUTCOMES:
            raise ActionRefused(f"outcome {outcome!r}: must be one of {', '.join(OUTCOMES)}")
        try:
            code = parse_code(code)
        except ReceiptError as exc:
            raise NotFound(f"receipt code {code!r}: {exc}") from None
        now_ms, as_of = self._now()
        with self._svc.engine.begin() as conn:
            if jq.posting(conn, posting_id) is None:
                raise NotFound(f"posting {posting_id}: no such posting")
            who = jq.person_of_code(conn, code)
            if who is None:
                raise NotFound(f"receipt code {code}: no such case")
            if scope is not None and who["station"] != scope:
                raise ActionRefused(f"receipt code {code}: 不是本站点的求职登记 / not a "
                                    f"registration of station {scope}")
            if who["kind"] != "jobseeker" or not who["person_key"]:
                raise ActionRefused(f"receipt code {code}: 不是求职登记 / not a job-seeker "
                                    "registration")
            old = jq.placement(conn, posting_id, who["person_key"])
            step = {"outcome": outcome, "by": by, "at": as_of}
            row = {"posting_id": posting_id, "person_key": who["person_key"],
                   "receipt_code": code, "station": station or who["station"],
                   "outcome": outcome, "history": [*(old["history"] if old else []), step],
                   "created_at_ms": old["created_at_ms"] if old else now_ms,
                   "updated_at_ms": now_ms}
            jq.put_placement(conn, row, new=old is None)
            _audit(conn, now_ms, audit, "job.place", code, f"{posting_id} {outcome}")
        return {"posting_id": posting_id, "receipt_code": code, "outcome": outcome,
                "station": row["station"]}

    def placements(self, posting_id: str | None = None,
                   station: str | None = None) -> list[dict[str, Any]]:
        """Placements (of one posting; recorded for ``station``), with ``disputed_case_id``
        and ``disputed_receipt_code`` when the person later complained against the
        employer. No person keys."""
        with self._svc.engine.connect() as conn:
            return [{k: v for k, v in p.items() if k != "person_key"}
                    for p in jq.placements(conn, posting_id)
                    if station is None or p["station"] == station]

    def indicators(self, since: datetime, until: datetime) -> list[dict[str, Any]]:
        """Per station, for [since, until): registrations, postings, referrals (any
        placement recorded), placements (hired) and placements later disputed."""
        ms = [int(t.astimezone(UTC).timestamp() * 1000) for t in (since, until)]
        with self._svc.engine.connect() as conn:
            regs = jq.registrations_by_station(conn, format_utc(since), format_utc(until))
            posts = jq.postings_by_station(conn, ms[0], ms[1])
            rows = jq.placements_in(conn, ms[0], ms[1])
        referrals = Counter(r["station"] for r in rows)
        hired = Counter(r["station"] for r in rows if r["outcome"] == "hired")
        disputed = Counter(r["station"] for r in rows if r["disputed"])
        stations = sorted(set(regs) | set(posts) | set(referrals))
        return [{"station": s, "registrations": regs.get(s, 0), "postings": posts.get(s, 0),
                 "referrals": referrals[s], "placements": hired[s],
                 "placements_disputed": disputed[s]} for s in stations]

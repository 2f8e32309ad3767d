"""Jobs on the kiosk (零工驿站): the postings the county pushed, and job seekers' matches.

The county sends the open postings (county data, no personal data) as the configuration key
``jobs`` = ``{"as_of", "postings": [{"posting_id", <shared.postings fields>, "flags"}]}``
and, per station, ``job_matches`` = ``{receipt code: [{"posting_id", "title", "score"}]}``
(its matches for the registrations filed here, one job seeker however many stations they
registered at). Both are kept in the store with the rest of the configuration, so a kiosk
with no link still shows the jobs it last heard of.

After a registration the kiosk matches it itself against the postings it holds, with the
county's rules (``shared.matching``), and remembers only the posting ids per receipt code
(no skills, no area: nothing personal in plaintext). A lookup shows those and the county's
newer ones, for postings still held.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from kiosk.errors import ConfigInvalid
from kiosk.store import Store
from shared._errors import RecordInvalid
from shared.matching import PostingProfile, SeekerProfile, best, reason_text, score
from shared.postings import parse_posting
from shared.records import JobSeekerRegistration

JOBS_KEY = "jobs"
MATCHES_KEY = "job_matches"
LOCAL_KEY = "job_matches_local"
RECEIPT_MATCHES = 3
MAX_REMEMBERED = 20_000  # receipts whose local matches are kept (the oldest go first)
WARNING = ("提醒：该用人单位有尚未办结的欠薪投诉或群体性纠纷，求职前请到站点咨询。",
           "Warning: this employer has unresolved wage complaints or a collective dispute; "
           "ask at the station before you take the job.")
FLAG_NAMES = ("open_wage_complaints", "collective_alert")


def check_jobs_config(config: dict[str, Any]) -> None:
    """Refuse a malformed ``jobs`` or ``job_matches`` configuration key (ConfigInvalid
    naming it); a single posting that does not validate is skipped when read, not here."""
    if JOBS_KEY in config:
        jobs = config[JOBS_KEY]
        if not (isinstance(jobs, dict) and isinstance(jobs.get("postings"), list)
                and all(isinstance(p, dict) and isinstance(p.get("posting_id"), str)
                        for p in jobs["postings"])):
            raise ConfigInvalid("config.jobs must be {as_of, postings: [{posting_id, ...}]}")
    if MATCHES_KEY in config:
        table = config[MATCHES_KEY]
        if not (isinstance(table, dict) and all(
                isinstance(v, list) and all(isinstance(m, dict)
                                            and isinstance(m.get("posting_id"), str)
                                            for m in v) for v in table.values())):
            raise ConfigInvalid("config.job_matches must be {receipt code: [{posting_id}]}")


class KioskJobs:
    """The postings held and the matches of receipts filed here."""

    def __init__(self, store: Store, config_get: Callable[[str], Any],
                 today: Callable[[], date]) -> None:
        self._store = store
        self._get = config_get
        self._today = today

    def postings(self) -> list[dict[str, Any]]:
        """The open postings held, by area, job type and title: the posting's fields plus
        ``posting_id``, ``flags`` and (when flagged) ``warning`` = [zh-CN, English]."""
        jobs = self._get(JOBS_KEY)
        out = []
        today = self._today()
        for entry in (jobs or {}).get("postings", []):
            body = {k: v for k, v in entry.items() if k not in ("posting_id", "flags")}
            try:
                posting = parse_posting(body)
            except RecordInvalid:
                continue  # a posting this kiosk cannot read: skipped, the others shown
            if not posting.open_on(today):
                continue
            flags = [f for f in entry.get("flags") or [] if f in FLAG_NAMES]
            out.append({"posting_id": entry["posting_id"], **posting.model_dump(mode="json"),
                        "flags": flags, "warning": list(WARNING) if flags else None})
        return sorted(out, key=lambda p: (p["area"], p["job_type"], p["title"],
                                          p["posting_id"]))

    def best_for(self, record: JobSeekerRegistration,
                 limit: int = RECEIPT_MATCHES) -> list[dict[str, Any]]:
        """The best postings held for one registration: posting_id, title, score, reasons
        (zh-CN) and flags."""
        held = {p["posting_id"]: p for p in self.postings()}
        seeker = SeekerProfile.from_registrations("receipt", [record.to_wire()])
        found = best((score(seeker, PostingProfile.from_posting(pid, p))
                      for pid, p in held.items()), limit)
        return [{"posting_id": m.posting_id, "title": held[m.posting_id]["title"],
                 "score": m.score, "reasons": [reason_text(r) for r in m.reasons],
                 "flags": held[m.posting_id]["flags"]} for m in found]

    def on_registered(self, code: str, record: JobSeekerRegistration) -> list[dict[str, Any]]:
        """Match a registration just filed and remember the posting ids for ``code`` (call
        inside the filing transaction). Returns the matches for the receipt."""
        found = self.best_for(record)
        table = self._store.get_setting(LOCAL_KEY) or {}
        table[code] = [m["posting_id"] for m in found]
        if len(table) > MAX_REMEMBERED:
            for old in list(table)[: len(table) - MAX_REMEMBERED]:
                del table[old]
        self._store.set_setting(LOCAL_KEY, table)
        return found

    def matches_for(self, code: str) -> list[dict[str, str]] | None:
        """posting_id and title of the postings held that match receipt ``code`` (the
        county's newer matches first, then the kiosk's own at filing); None when ``code``
        is not a job-seeker registration filed here."""
        receipt = self._store.receipt(code)
        if receipt is None or receipt.get("kind") != "jobseeker":
            return None
        held = {p["posting_id"]: p for p in self.postings()}
        county = [m["posting_id"] for m in (self._get(MATCHES_KEY) or {}).get(code, [])]
        local = (self._store.get_setting(LOCAL_KEY) or {}).get(code, [])
        out: list[dict[str, str]] = []
        for pid in [*county, *local]:
            if pid in held and all(m["posting_id"] != pid for m in out):
                out.append({"posting_id": pid, "title": held[pid]["title"]})
        return out

    def seekers_by_posting(self) -> list[dict[str, Any]]:
        """Staff mode: per posting held, the receipt codes of the job seekers registered at
        this kiosk that match it (the county's matches for this station, then the kiosk's
        own at filing), best first as the county ranked them. Each: posting_id, title,
        flags, receipt_codes. Recording referred / hired / not hired is done on the
        console (``/console/jobs/ID``): the kiosk has no record kind for it."""
        held = {p["posting_id"]: p for p in self.postings()}
        codes: dict[str, list[str]] = {pid: [] for pid in held}
        county = sorted(((m.get("score", 0), code, m["posting_id"])
                         for code, ms in (self._get(MATCHES_KEY) or {}).items() for m in ms),
                        key=lambda t: (-t[0], t[1]))
        local = [(0, code, pid) for code, pids in
                 (self._store.get_setting(LOCAL_KEY) or {}).items() for pid in pids]
        for _, code, pid in [*county, *local]:
            if pid in codes and code not in codes[pid]:
                codes[pid].append(code)
        return [{"posting_id": pid, "title": held[pid]["title"], "flags": held[pid]["flags"],
                 "receipt_codes": codes[pid]} for pid in held]

"""The one schema of the central case store (SQLAlchemy Core), for SQLite and PostgreSQL.

Times are integer milliseconds since the Unix epoch (``*_ms``) so both backends compare them
the same way; JSON documents are canonical JSON text. Migrations in ``migrations/`` create
exactly these tables; ``tests/sync_server/test_migrations.py`` checks that they agree.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# Enrolled kiosks and the verified head of each one's record chain.
devices = Table(
    "devices", metadata,
    Column("device_id", String(40), primary_key=True),
    Column("public_key", String(64), nullable=False),
    Column("station", String(64), nullable=False),
    Column("enrolled_at_ms", BigInteger, nullable=False),
    Column("revoked_at_ms", BigInteger, nullable=True),
    # chain_seq when revoked: records beyond it are quarantined ``device_revoked`` (a thief holding
    # the device key can write any ``created`` time into a header, but not an earlier seq
    # than the server has verified)
    Column("revoked_at_seq", BigInteger, nullable=True),
    Column("chain_seq", BigInteger, nullable=False, default=0),
    Column("chain_hash", String(64), nullable=False),
    # JSON [[from_seq, to_seq], ...]: seqs the device said it no longer holds when the county
    # (restored from a backup) asked for them again; the chain is bridged over them
    Column("lost_ranges", Text, nullable=True),
    # the last signed request the device made (push, pull, status): its last sync (0011)
    Column("last_seen_ms", BigInteger, nullable=True),
)

# One-time enrollment tokens; only a SHA-256 of the token is kept.
enroll_tokens = Table(
    "enroll_tokens", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("station", String(64), nullable=False),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("expires_at_ms", BigInteger, nullable=False),
    Column("used_at_ms", BigInteger, nullable=True),
    Column("device_id", String(40), nullable=True),
)

# Request nonces seen inside the replay window.
nonces = Table(
    "nonces", metadata,
    Column("device_id", String(40), primary_key=True),
    Column("nonce", String(64), primary_key=True),
    Column("seen_at_ms", BigInteger, nullable=False),
    Index("ix_nonces_seen", "seen_at_ms"),
)

# Request counters per client and minute (public status lookup); the limit reads the current
# and the previous minute as a sliding window.
rate_limits = Table(
    "rate_limits", metadata,
    Column("bucket", String(128), primary_key=True),
    Column("window_ms", BigInteger, primary_key=True),
    Column("count", Integer, nullable=False),
)

# Wrong PINs at the status lookup, one row each, for the per-receipt sliding window (any
# well-formed code, so the answer is the same whether the receipt exists or not).
pin_failures = Table(
    "pin_failures", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("receipt_code", String(16), nullable=False),
    Column("at_ms", BigInteger, nullable=False),
    Index("ix_pin_failures_code", "receipt_code", "at_ms"),
    Index("ix_pin_failures_at", "at_ms"),
)

# One row per existing receipt that has seen a wrong PIN: the row lock that serialises its
# lookups across processes, the lifetime wrong-PIN count and the lock (423) it leads to,
# and a reissued PIN's verifier, which wins over the filed record's (0009).
receipt_guard = Table(
    "receipt_guard", metadata,
    Column("receipt_code", String(16), primary_key=True),
    Column("wrong_total", Integer, nullable=False),
    Column("last_wrong_ms", BigInteger, nullable=True),
    Column("locked_at_ms", BigInteger, nullable=True),
    Column("pin_verifier", String(128), nullable=True),
    Column("reissued_at_ms", BigInteger, nullable=True),
    Column("reissued_by", String(128), nullable=True),
    Column("reissues", Integer, nullable=False, server_default="0"),
)

# County-wide settings staff set (``yizhan-server settings``), e.g. the public status page
# address kiosks print on receipts. Values are JSON text (0009).
county_settings = Table(
    "county_settings", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at_ms", BigInteger, nullable=False),
    Column("updated_by", String(128), nullable=False),
)

# The durable inbox: raw envelope bytes, stored before anything else happens.
# state: pending (stored, not yet verified) | held (verified alone, waiting for a gap) |
#        verified (on the device's chain, waiting for the merge: a v2 push) | merged |
#        quarantined (authentic but unopenable/invalid; reason says why) |
#        rejected (quarantined, then rejected by staff after review; reason says who, why).
# receipt_code: of a quarantined record whose payload opened far enough to name it, so a
# status lookup can say the county is checking it (set when quarantined).
inbox = Table(
    "inbox", metadata,
    Column("record_id", String(64), primary_key=True),
    Column("device_id", String(40), nullable=False),
    Column("station", String(64), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("envelope_hash", String(64), nullable=False),
    Column("raw", LargeBinary, nullable=False),
    Column("received_at_ms", BigInteger, nullable=False),
    Column("state", String(16), nullable=False),
    Column("reason", Text, nullable=True),
    Column("processed_at_ms", BigInteger, nullable=True),
    Column("receipt_code", String(16), nullable=True),
    Index("ix_inbox_device_seq", "device_id", "seq"),
    Index("ix_inbox_state", "state"),
    Index("ix_inbox_receipt_code", "receipt_code"),
)

# Envelopes kept but not admitted under their record id: other bytes under a stored id
# (conflict), bad signatures, unparseable bytes, another device's records. Nothing is dropped.
rejected = Table(
    "rejected", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("record_id", String(64), nullable=True),
    Column("device_id", String(40), nullable=False),
    Column("envelope_hash", String(64), nullable=False),
    Column("raw", LargeBinary, nullable=False),
    Column("received_at_ms", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    UniqueConstraint("device_id", "envelope_hash", name="uq_rejected_bytes"),
)

# One case per intake record; ``state`` is the fold of its events, ``record`` as submitted.
cases = Table(
    "cases", metadata,
    Column("case_id", String(64), primary_key=True),
    Column("record_id", String(64), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("station", String(64), nullable=False),
    Column("device_id", String(40), nullable=False),
    Column("receipt_code", String(16), nullable=False, unique=True),
    Column("pin_verifier", String(128), nullable=False),
    Column("filed_at", String(32), nullable=False),
    Column("status", String(32), nullable=False),
    Column("record", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("person_key", String(64), nullable=True),
    Column("employer_key", String(128), nullable=True),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("updated_at_ms", BigInteger, nullable=False),
    Index("ix_cases_person", "person_key"),
    Index("ix_cases_employer", "employer_key"),
    Index("ix_cases_filed", "filed_at", "case_id"),  # the console's lists, in filing order
    # covers the stale-projection check every list makes (no read of the large rows)
    Index("ix_cases_updated", "case_id", "updated_at_ms"),
    Index("ix_cases_updated_at", "updated_at_ms"),  # reports: what changed since (0014)
)

# Immutable case events (ARCHITECTURE §4): the union is the truth, the fold is the state.
events = Table(
    "events", metadata,
    Column("event_id", String(64), primary_key=True),
    Column("case_id", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("hlc", String(96), nullable=False),
    Column("author", String(64), nullable=False),
    Column("data", Text, nullable=False),
    Column("recorded_at_ms", BigInteger, nullable=False),
    Index("ix_events_case", "case_id"),
)

# Likely duplicates (same claimant, same employer, within a window) for staff to decide.
case_links = Table(
    "case_links", metadata,
    Column("case_id", String(64), primary_key=True),
    Column("other_case_id", String(64), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("decision", String(16), nullable=False),
    Column("created_at_ms", BigInteger, nullable=False),
)

# Collective-dispute early warnings, one row per employer group and alert. When a group
# grows (more claimants, or an earlier filing arrives late) its row is updated in place:
# claimants, case_ids and window_start follow the group, updated_at_ms says when.
# Queue tickets (``visit`` records, shared/visit.py): counted as visits, never cases.
visits = Table(
    "visits", metadata,
    Column("record_id", String(64), primary_key=True),
    Column("device_id", String(40), nullable=False),
    Column("station", String(64), nullable=False),
    Column("ticket", String(8), nullable=False),
    Column("service_date", String(10), nullable=False),
    Column("taken_at", String(32), nullable=False),
    Column("matter_type", String(32), nullable=True),
    Column("linked_receipt", String(16), nullable=True),
    Column("person_key", String(64), nullable=True),
    Column("filed_at_ms", BigInteger, nullable=False),
    Index("ix_visits_taken", "taken_at"),
)

alerts = Table(
    "alerts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("employer_key", String(128), nullable=False),
    Column("employer_name", Text, nullable=False),
    Column("claimants", Integer, nullable=False),
    Column("case_ids", Text, nullable=False),
    Column("window_start", String(32), nullable=False),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("updated_at_ms", BigInteger, nullable=True),
    # the lifecycle (0011, domain/alertflow.py): open → claimed → assessed → handled → closed
    Column("state", String(16), nullable=False, server_default="open"),
    Column("state_by", String(64), nullable=True),
    Column("state_at_ms", BigInteger, nullable=True),
    Column("outcome", Text, nullable=True),
    Column("escalated_at_ms", BigInteger, nullable=True),
    UniqueConstraint("employer_key", "window_start", name="uq_alerts_group_window"),
)

# The county's own one-time notification checklists (一次性告知), every version kept; the
# newest is in force and sent to kiosks in the station configuration (0011).
checklist_versions = Table(
    "checklist_versions", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("document", Text, nullable=False),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("created_by", String(64), nullable=False),
)

# Each lifecycle step of an alert, who took it and the note they gave (0011).
alert_steps = Table(
    "alert_steps", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, nullable=False),
    Column("step", String(16), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("at_ms", BigInteger, nullable=False),
    Column("note", Text, nullable=True),
    Index("ix_alert_steps_alert", "alert_id"),
)

# The per-station changes feed; station '*' reaches every station.
changes = Table(
    "changes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("station", String(64), nullable=False),
    Column("type", String(16), nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at_ms", BigInteger, nullable=False),
    Index("ix_changes_station_id", "station", "id"),
)

# County console staff (sync_server/services/accounts.py). ``roles`` is a comma-separated
# list of role ids (sync_server/domain/roles.py); ``password_hash`` an argon2id PHC string.
staff_users = Table(
    "staff_users", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("roles", String(256), nullable=False),
    Column("station", String(64), nullable=True),
    Column("password_hash", String(256), nullable=False),
    Column("disabled_at_ms", BigInteger, nullable=True),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("updated_at_ms", BigInteger, nullable=False),
)

# Failed console logins per username (known or not, so the answer does not tell which):
# the lockout with back-off reads them; kept in the store so every serve process agrees.
login_guard = Table(
    "login_guard", metadata,
    Column("username", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure_ms", BigInteger, nullable=False),
    Column("locked_until_ms", BigInteger, nullable=True),
)

# Server-side console sessions: only the SHA-256 of the cookie value is stored.
staff_sessions = Table(
    "staff_sessions", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("last_seen_ms", BigInteger, nullable=False),
    Column("expires_at_ms", BigInteger, nullable=False),
    Column("revoked_at_ms", BigInteger, nullable=True),
    Index("ix_staff_sessions_user", "user_id"),
)

# The audit log: every change and every view of personal data. Append-only: the store has
# no update or delete for it, and migration 0007 adds triggers refusing both.
audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at_ms", BigInteger, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(64), nullable=False),
    Column("case_code", String(16), nullable=True),
    Column("detail", Text, nullable=False),
    Column("address", String(64), nullable=True),
    Index("ix_audit_log_at", "at_ms"),
    Index("ix_audit_log_actor", "actor", "at_ms"),
    Index("ix_audit_log_case", "case_code", "at_ms"),
)

# The working-day calendar: days that differ from Monday-Friday working (holidays on
# weekdays, make-up working days on weekends) and named holidays; seeded from
# ``chinese-calendar`` (source) and editable by the director (source ``staff``).
calendar_days = Table(
    "calendar_days", metadata,
    Column("day", String(10), primary_key=True),  # YYYY-MM-DD
    Column("workday", Integer, nullable=False),  # 1 working day, 0 holiday / rest day
    Column("name", String(64), nullable=True),
    Column("source", String(32), nullable=False),
    Column("updated_by", String(64), nullable=True),
    Column("updated_at_ms", BigInteger, nullable=False),
)

# The case-work projection the workqueues query (services.casework keeps it): one row per
# case, made from its folded state and statutory clocks as of ``synced_ms`` (the case's
# updated_at_ms then; -1 asks for it to be made again, e.g. after a calendar edit).
case_work = Table(
    "case_work", metadata,
    Column("case_id", String(64), primary_key=True),
    Column("station", String(64), nullable=False),
    Column("status", String(32), nullable=False),
    Column("route", String(16), nullable=True),
    Column("assignee", String(64), nullable=True),  # staff:<user id>
    Column("needs_materials", Integer, nullable=False),
    Column("conflicts", Integer, nullable=False),
    Column("duplicate_pending", Integer, nullable=False),
    Column("agreed_unpaid", Integer, nullable=False),
    Column("pending_extensions", Integer, nullable=False),
    Column("next_clock", String(32), nullable=True),
    Column("due_on", String(10), nullable=True),
    Column("at_risk_on", String(10), nullable=True),
    Column("synced_ms", BigInteger, nullable=False),
    # migration 0015: copied from the case so that lists, counts and paging read case_work
    # alone; employer_search = the employer key, a newline, the casefolded name as filed
    Column("kind", String(16), nullable=True),
    Column("filed_at", String(32), nullable=True),
    Column("employer_search", Text, nullable=True),
    Index("ix_case_work_station", "station"),
    Index("ix_case_work_assignee", "assignee"),
    Index("ix_case_work_due", "due_on"),
    Index("ix_case_work_filed", "filed_at", "case_id"),
    Index("ix_case_work_status", "status"),
)

# Cases whose case_work row is missing or outdated (migration 0015): every write to a case
# (store.cases) marks it here in the same transaction; store.casework.put clears the mark.
projection_dirty = Table(
    "projection_dirty", metadata,
    Column("case_id", String(64), primary_key=True),
)


# -- jobs (issue 16): postings, job seekers as matching sees them, matches, placements -----

# Job postings: county data, no personal data. state: held (flagged, waiting for staff to
# publish anyway) | open (published: on every kiosk) | closed. employer_key / name_key are
# the dedupe keys (``uscc:…``, ``name:…``) complaints are compared by.
job_postings = Table(
    "job_postings", metadata,
    Column("posting_id", String(40), primary_key=True),
    Column("state", String(16), nullable=False),
    Column("employer_key", String(128), nullable=False),
    Column("name_key", String(128), nullable=True),
    Column("posting", Text, nullable=False),
    Column("flags", Text, nullable=False),
    Column("station", String(64), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("updated_at_ms", BigInteger, nullable=False),
    Index("ix_job_postings_state", "state"),
    Index("ix_job_postings_employer", "employer_key"),
    Index("ix_job_postings_name", "name_key"),
)

# One row per job seeker (person_key: the same keyed hash as complaints), however many
# stations they registered at: the merged matching profile (no name, ID number or phone).
job_seekers = Table(
    "job_seekers", metadata,
    Column("person_key", String(64), primary_key=True),
    Column("profile", Text, nullable=False),
    Column("updated_at_ms", BigInteger, nullable=False),
)

# Canonical terms (skills, job types) of seekers and postings: the matching index, so one
# new posting is scored only against the seekers sharing a term with it, and back.
job_terms = Table(
    "job_terms", metadata,
    Column("owner", String(8), primary_key=True),  # seeker | posting
    Column("term", String(64), primary_key=True),
    Column("owner_id", String(64), primary_key=True),
)

# Current matches, one row per (posting, person).
job_matches = Table(
    "job_matches", metadata,
    Column("posting_id", String(40), primary_key=True),
    Column("person_key", String(64), primary_key=True),
    Column("score", Integer, nullable=False),
    Column("reasons", Text, nullable=False),
    Index("ix_job_matches_person", "person_key"),
)

# Referrals and placements through a station: one row per (posting, person), its latest
# outcome (referred | hired | not_hired) and history; disputed_case_id is a complaint the
# person later filed against the posting's employer.
job_placements = Table(
    "job_placements", metadata,
    Column("posting_id", String(40), primary_key=True),
    Column("person_key", String(64), primary_key=True),
    Column("receipt_code", String(16), nullable=False),
    Column("station", String(64), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("history", Text, nullable=False),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("updated_at_ms", BigInteger, nullable=False),
    Column("disputed_case_id", String(64), nullable=True),
    Column("disputed_at_ms", BigInteger, nullable=True),
    Index("ix_job_placements_person", "person_key"),
)


# -- reports (issue 14): the indicators' projection, county settings, the subsidy -------

# One row per case with the facts the indicators count (services.reportfacts keeps it, as
# case_work: ``synced_ms`` is the case's updated_at_ms it was made from). Days are
# China-local YYYY-MM-DD strings, so month = the first 7 characters.
report_cases = Table(
    "report_cases", metadata,
    Column("case_id", String(64), primary_key=True),
    Column("receipt_code", String(16), nullable=False),
    Column("station", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("matter_type", String(32), nullable=False),
    Column("status", String(32), nullable=False),
    Column("filed_day", String(10), nullable=False),
    Column("visitor", String(72), nullable=False),  # person_key, else "case:<case_id>"
    Column("merged", Integer, nullable=False),  # 1: a confirmed duplicate of another case
    Column("workers", Integer, nullable=False),  # workers a (collective) case stands for
    Column("accepted_on", String(10), nullable=True),
    Column("mediation_on", String(10), nullable=True),
    Column("settled_on", String(10), nullable=True),  # agreement date, when settled
    Column("agreed_fen", BigInteger, nullable=True),
    Column("local", Integer, nullable=False),  # 1: never sent on to arbitration or court
    Column("grade", String(8), nullable=True),
    Column("mediator", String(64), nullable=True),  # username of the assignee
    Column("synced_ms", BigInteger, nullable=False),
    Index("ix_report_cases_filed", "filed_day"),
    Index("ix_report_cases_accepted", "accepted_on"),
    Index("ix_report_cases_mediation", "mediation_on"),
    Index("ix_report_cases_settled", "settled_on"),
)

# Amounts actually paid, one row per payment event (by payment date).
report_payments = Table(
    "report_payments", metadata,
    Column("event_id", String(64), primary_key=True),
    Column("case_id", String(64), nullable=False),
    Column("paid_on", String(10), nullable=False),
    Column("fen", BigInteger, nullable=False),
    Index("ix_report_payments_paid", "paid_on"),
    Index("ix_report_payments_case", "case_id"),
)

# 以案定补: the rate per difficulty grade, and approvals of a period's subsidy report.
subsidy_rates = Table(
    "subsidy_rates", metadata,
    Column("grade", String(8), primary_key=True),
    Column("rate_fen", BigInteger, nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("updated_at_ms", BigInteger, nullable=False),
)

subsidy_approvals = Table(
    "subsidy_approvals", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("period_from", String(10), nullable=False),
    Column("period_to", String(10), nullable=False),
    Column("digest", String(64), nullable=False),  # SHA-256 of the figures approved
    Column("approved_by", String(64), nullable=False),
    Column("approved_at_ms", BigInteger, nullable=False),
)

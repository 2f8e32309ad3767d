"""The merge domain of the county case store: pure Python, no SQL, no HTTP.

Events and their fold into a case state (``events``, ``fold``, ``statuses``), deduplication
keys (``dedupe``), collective-dispute alerts (``alerts``) and the worker's next step
(``nextstep``). The model and each policy: docs/merge.md. Errors: ``errors`` (tree there).
"""

from sync_server.domain.alerts import ComplaintSummary, Group, collective_groups
from sync_server.domain.dedupe import (
    employer_key,
    likely_duplicate,
    normalise_employer_name,
    person_key,
)
from sync_server.domain.errors import (
    DomainError,
    EventConflict,
    EventInvalid,
    IdentifierRefused,
    UnknownStatus,
)
from sync_server.domain.events import KINDS_OF_EVENT, OUTCOME_FIELDS, Event, filed_event
from sync_server.domain.fold import CaseState, fold, unique_events
from sync_server.domain.nextstep import next_step
from sync_server.domain.statuses import ROUTE_STATUS, ROUTES, STATUSES, is_finished, may_move

__all__ = [
    "KINDS_OF_EVENT",
    "OUTCOME_FIELDS",
    "ROUTES",
    "ROUTE_STATUS",
    "STATUSES",
    "CaseState",
    "ComplaintSummary",
    "DomainError",
    "Event",
    "EventConflict",
    "EventInvalid",
    "Group",
    "IdentifierRefused",
    "UnknownStatus",
    "collective_groups",
    "employer_key",
    "filed_event",
    "fold",
    "is_finished",
    "likely_duplicate",
    "may_move",
    "next_step",
    "normalise_employer_name",
    "person_key",
    "unique_events",
]

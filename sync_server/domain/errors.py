"""The error tree of the merge domain (``sync_server.domain``).

::

    YizhanError (shared)
    └── DomainError              base of everything the merge domain raises on purpose
        ├── EventInvalid         an event or the data of its kind is malformed; .field, .code
        ├── EventConflict        events that cannot be folded together: two different events
        │                        under one event_id, or events of different cases
        ├── IdentifierRefused    a dedupe key was asked of an unusable ID number, USCC, employer
        │                        name or secret; .field, .code (never the value itself)
        └── UnknownStatus        a status or route that INTERFACES.md does not define

Every message names the field or thing at fault. ``IdentifierRefused`` never repeats the
identifier it refused, because that would put an ID number into a log line.
"""

from __future__ import annotations

from shared._errors import YizhanError


class DomainError(YizhanError):
    """Base of every error the merge domain raises on purpose."""


class EventInvalid(DomainError):
    """An event, or the data of its kind, is malformed. ``field`` names the part at fault."""

    def __init__(self, field: str, code: str, message: str) -> None:
        self.field = field
        self.code = code
        super().__init__(f"{field}: {message}")


class EventConflict(DomainError):
    """Events that cannot be folded together (same event_id with other content, mixed cases)."""


class IdentifierRefused(DomainError):
    """A dedupe key cannot be made from what was given. The value itself is never repeated."""

    def __init__(self, field: str, code: str) -> None:
        self.field = field
        self.code = code
        super().__init__(f"{field}: cannot make a dedupe key ({code})")


class UnknownStatus(DomainError):
    """A case status or route that INTERFACES.md does not define."""

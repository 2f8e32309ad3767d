"""The errors of the merge domain (``sync_server.domain``): the ``DomainError`` branch of
the one error tree drawn in ``shared/_errors.py``.

Every message names the field or thing at fault. ``IdentifierRefused`` never repeats the
identifier it refused, because that would put an ID number into a log line. At the HTTP
edge a DomainError is a 422 (an EventConflict a 409): the request asked for something the
rules do not allow.
"""

from __future__ import annotations

from shared._errors import YizhanError


class DomainError(YizhanError):
    """Base of every error the merge domain raises on purpose."""

    code = "domain_error"
    http_status = 422


class EventInvalid(DomainError):
    """An event, or the data of its kind, is malformed. ``field`` names the part at fault."""

    code = "event_invalid"

    def __init__(self, field: str, code: str, message: str) -> None:
        self.field = field
        self.code = code
        super().__init__(f"{field}: {message}")


class EventConflict(DomainError):
    """Events that cannot be folded together (same event_id with other content, mixed cases)."""

    code = "event_conflict"
    http_status = 409


class IdentifierRefused(DomainError):
    """A dedupe key cannot be made from what was given. The value itself is never repeated."""

    code = "identifier_refused"

    def __init__(self, field: str, code: str) -> None:
        self.field = field
        self.code = code
        super().__init__(f"{field}: cannot make a dedupe key ({code})")


class UnknownStatus(DomainError):
    """A case status or route that INTERFACES.md does not define."""

    code = "unknown_status"

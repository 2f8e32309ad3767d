"""Sync errors: whose fault it is decides whether it is retried (see the package docstring)."""

from __future__ import annotations

from typing import Any

from kiosk.errors import KioskError


class SyncError(KioskError):
    """Base of every error the sync client raises on purpose. ``summary`` is what the sync
    had done before the error, when a sync was under way."""

    code = "sync_error"
    summary: Any = None


class TransientError(SyncError):
    """The outside world failed; trying again later may work."""

    code = "sync_transient"

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class PermanentError(SyncError):
    """The server refused us for a reason that retrying cannot fix; ``code`` is its problem
    code when it sent one (``sync_refused`` when it did not)."""

    code = "sync_refused"

    def __init__(self, message: str, code: str | None = None) -> None:
        if code is not None:
            self.code = code
        super().__init__(message)


class UnverifiedAnswer(PermanentError):
    """An answer that claims to come from the county failed verification against the keys
    this kiosk trusts (forged, altered, replayed or for another kiosk); nothing was
    changed. Not retried at once: staff are told, and the next scheduled sync tries again."""

    code = "answer_unverified"

    def __init__(self, what: str) -> None:
        super().__init__("county answer failed verification (县级服务器的回复未通过验证): "
                         f"{what}; nothing on this kiosk was changed", "answer_unverified")

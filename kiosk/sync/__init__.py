"""The kiosk side of sync: HTTP client, schedule and background worker, USB bundles.

Error tree::

    SyncError                    base of everything sync raises on purpose
    ├── TransientError           the outside world failed (network, 5xx, 429, captive portal):
    │                            retried with backoff; ``retry_after`` when the server said so
    └── PermanentError           refused for a reason retrying cannot fix (revoked device,
        │                        malformed request): reported to staff
        └── UnverifiedAnswer     an answer failed verification with the trusted server key
                                 (forged ack, page, key statement or ack bundle): nothing
                                 changed, staff are warned (``answer_unverified``)
"""

from kiosk.sync.client import SummaryWire, SyncClient, SyncSummary
from kiosk.sync.errors import PermanentError, SyncError, TransientError

__all__ = ["PermanentError", "SummaryWire", "SyncClient", "SyncError", "SyncSummary",
           "TransientError"]

"""The kiosk core: intake, outbox, receipts and status, queue tickets, checklists, identity.

Everything the touchscreen and the CLI call, testable with no window. ``KioskServices`` is
the facade; the modules below it are plain classes over one ``kiosk.store.Store``.
Errors: see ``kiosk.errors``.
"""

from kiosk.services.facade import KioskServices
from kiosk.services.identity import Identity, enroll_with, init_kiosk
from kiosk.services.intake import Intake, Receipt, Result
from kiosk.services.outbox import Outbox, OutboxItem
from kiosk.services.status import StatusCache

__all__ = [
    "Identity",
    "Intake",
    "KioskServices",
    "Outbox",
    "OutboxItem",
    "Receipt",
    "Result",
    "StatusCache",
    "enroll_with",
    "init_kiosk",
]

"""The kiosk core: intake, outbox, receipts and status, queue tickets, checklists, identity.

Plain classes over one ``kiosk.store.Store``, testable with no window. The touchscreen and
the CLI reach them through the root, ``kiosk.root.KioskServices``, which wires them with
sync; nothing here imports the root or ``kiosk.sync``.
Errors: see ``kiosk.errors``.
"""

from kiosk.services.identity import Identity, enroll_with, init_kiosk
from kiosk.services.intake import Intake, Receipt, Result
from kiosk.services.outbox import Outbox, OutboxItem
from kiosk.services.status import StatusCache

__all__ = [
    "Identity",
    "Intake",
    "Outbox",
    "OutboxItem",
    "Receipt",
    "Result",
    "StatusCache",
    "enroll_with",
    "init_kiosk",
]

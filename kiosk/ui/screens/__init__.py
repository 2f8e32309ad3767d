"""The kiosk screens: one module (behaviour) and one ``.kv`` file (layout) per screen."""

from kiosk.ui.screens.base import HOME, KioskScreen, KioskScreenManager, wipe_inputs
from kiosk.ui.screens.complaint import ComplaintScreen
from kiosk.ui.screens.home import HomeScreen
from kiosk.ui.screens.jobs import JobsScreen
from kiosk.ui.screens.jobseeker import JobSeekerScreen
from kiosk.ui.screens.lookup import LookupScreen
from kiosk.ui.screens.receipt import ReceiptScreen
from kiosk.ui.screens.staff import StaffScreen
from kiosk.ui.screens.ticket import TicketScreen

__all__ = [
    "HOME",
    "ComplaintScreen",
    "HomeScreen",
    "JobSeekerScreen",
    "JobsScreen",
    "KioskScreen",
    "KioskScreenManager",
    "LookupScreen",
    "ReceiptScreen",
    "StaffScreen",
    "TicketScreen",
    "wipe_inputs",
]

"""Queue number (取号): one tap takes the next number, shown in very large type."""

from __future__ import annotations

from kivy.logger import Logger
from kivy.properties import ObjectProperty, StringProperty

from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.services_api import Ticket

__all__ = ["TicketScreen"]


class TicketScreen(KioskScreen):
    """Ids: ``take_button``, ``number_label``, ``ahead_label``."""

    ticket = ObjectProperty(None, allownone=True)
    message_key = StringProperty("")

    def take(self, linked_receipt: str | None = None) -> None:
        """Ask the services for the next number (on the worker thread)."""
        if self.ticket is not None or self.message_key == "common.busy":
            return  # one number per visit; a double tap must not take two
        self.message_key = "common.busy"
        self.runner.call(
            self.services.take_ticket, linked_receipt, on_result=self._show, on_error=self._fail
        )

    def _show(self, ticket: Ticket) -> None:
        self.message_key = ""
        self.ticket = ticket

    def _fail(self, exc: BaseException) -> None:
        Logger.error("TicketScreen: take_ticket failed: %r", exc, exc_info=exc)
        self.message_key = "common.error"

    def wipe(self) -> None:
        super().wipe()
        self.ticket = None
        self.message_key = ""

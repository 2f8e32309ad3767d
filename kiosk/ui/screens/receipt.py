"""Receipt: a large QR, code and PIN in big type, the provisional notice and the checklist.

:meth:`ReceiptScreen.show` takes the receipt the services returned after the record was
committed locally. The QR PNG is made on the service worker and turned into a texture on the
Kivy thread. The checklist (一次性告知清单) is fetched for the matter type in the current
language, and fetched again when the language changes. Printing (``print_button``) runs on
the service worker through :mod:`kiosk.ui.printing`; without a printer, or when it fails,
the screen says so and the receipt stays on screen.
"""

from __future__ import annotations

from typing import Any

from kivy.logger import Logger
from kivy.properties import ListProperty, ObjectProperty, StringProperty

from kiosk.ui.display import shown_code
from kiosk.ui.i18n import service_lang, translator
from kiosk.ui.printing import print_receipt
from kiosk.ui.qr import qr_png, qr_texture
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.services_api import ReceiptWire
from kiosk.ui.voice import spell_code, voice_prompts

__all__ = ["ReceiptScreen"]


class ReceiptScreen(KioskScreen):
    """Ids: ``qr_image``, ``code_label``, ``pin_label``, ``checklist_label``, ``done_button``,
    ``ticket_button`` (a queue number linked to this receipt), ``ticket_label``,
    ``print_button``, ``print_label``."""

    receipt = ObjectProperty(None, allownone=True)
    matter_type = StringProperty("")
    kind = StringProperty("complaint")
    qr = ObjectProperty(None, allownone=True)  # Kivy texture of the receipt QR
    checklist = ListProperty([])
    checklist_text = StringProperty("")
    printer = ObjectProperty(None, allownone=True)  # printing.PrinterFactory, None: no printer
    print_message = StringProperty("")  # i18n key: printing / printed / failed / no printer
    ticket = ObjectProperty(None, allownone=True)  # queue number taken in this visit
    ticket_message = StringProperty("")  # i18n key while taking one / after a failure

    def on_kv_post(self, base_widget: Any) -> None:
        translator.bind(lang=self._on_lang)
        self.bind(checklist=self._render_checklist)

    def show(self, receipt: ReceiptWire, matter_type: str = "", kind: str = "complaint") -> None:
        """Display ``receipt``; with ``matter_type`` also its document checklist."""
        self.kind = kind
        self.receipt = receipt
        self.matter_type = matter_type
        self.qr = None
        self.checklist = []
        self._render_checklist()
        self.runner.call(qr_png, receipt["qr_payload"], on_result=self._set_qr)
        self._fetch_checklist()
        # The receipt code and where to go, aloud if voice prompts are on; never the PIN.
        voice_prompts.say("voice.receipt", code=spell_code(shown_code(receipt["receipt_code"])))

    def print_receipt(self) -> None:
        """Print the receipt on the worker thread; the screen says how it went."""
        if self.receipt is None or self.print_message == "receipt.printing":
            return
        if self.printer is None:
            self.print_message = "receipt.no_printer"
            return
        self.print_message = "receipt.printing"
        self.runner.call(print_receipt, self.printer, dict(self.receipt),
                         checklist=list(self.checklist), lang=translator.lang, kind=self.kind,
                         on_result=self._printed, on_error=self._print_failed)

    def _printed(self, _printer: Any) -> None:
        self.print_message = "receipt.printed"

    def _print_failed(self, exc: BaseException) -> None:
        Logger.error("ReceiptScreen: printing failed: %s", exc)
        self.print_message = "receipt.print_failed"

    def take_ticket(self) -> None:
        """Take a queue number linked to this receipt (one per visit)."""
        if self.receipt is None or self.ticket is not None or self.ticket_message == "common.busy":
            return
        self.ticket_message = "common.busy"
        self.runner.call(self.services.take_ticket, self.receipt["receipt_code"],
                         on_result=self._set_ticket, on_error=self._ticket_failed)

    def _set_ticket(self, ticket: Any) -> None:
        self.ticket_message = ""
        self.ticket = ticket

    def _ticket_failed(self, exc: BaseException) -> None:
        Logger.error("ReceiptScreen: take_ticket failed: %r", exc)
        self.ticket_message = "common.error"

    def _set_qr(self, png: bytes) -> None:
        self.qr = qr_texture(png)

    def _fetch_checklist(self) -> None:
        if self.receipt is None or not self.matter_type:
            return
        self.runner.call(
            self.services.checklist,
            self.matter_type,
            service_lang(translator.lang),
            on_result=self._set_checklist,
            on_error=self._checklist_failed,
        )

    def _set_checklist(self, items: list[str]) -> None:
        self.checklist = list(items)

    def _checklist_failed(self, exc: BaseException) -> None:
        Logger.error("ReceiptScreen: checklist failed: %r", exc, exc_info=exc)
        self.checklist_text = translator.t("common.error")

    def _on_lang(self, *_args: Any) -> None:
        self._render_checklist()
        self._fetch_checklist()

    def _render_checklist(self, *_args: Any) -> None:
        if self.receipt is None:
            self.checklist_text = ""
        elif self.checklist:
            self.checklist_text = "\n".join(f"• {item}" for item in self.checklist)
        elif self.matter_type:
            self.checklist_text = translator.t("common.busy")
        elif self.kind == "jobseeker" and self.receipt.get("matches"):
            # issue 16: the best current jobs for this registration (kiosk.services.jobs)
            self.checklist_text = "\n".join(
                f"• {m['title']}" + ("  ⚠" if m.get("flags") else "")
                for m in self.receipt["matches"])
        else:
            self.checklist_text = translator.t("receipt.checklist_empty")

    def wipe(self) -> None:
        super().wipe()
        self.receipt = None
        self.matter_type = ""
        self.qr = None
        self.checklist = []
        self.checklist_text = ""
        self.ticket = None
        self.ticket_message = ""
        self.print_message = ""

    def detach(self) -> None:
        translator.unbind(lang=self._on_lang)

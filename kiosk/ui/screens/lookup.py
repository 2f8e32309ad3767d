"""Status lookup: the worker types the receipt code and PIN on a large keypad, or scans the
receipt QR with the kiosk's camera when it has one.

The lookup runs on the service worker; the answer (status, next step, as-of time of the last
sync) is rendered in the current language and re-rendered when the language changes.

Scanning (:mod:`kiosk.ui.camera`): ``camera_factory`` is set by the app when a camera opened
at start (else None, and the scan button is hidden). The preview replaces the keypad while
scanning; a receipt QR fills in the code (the QR does not hold the PIN, which the worker
then types).
"""

from __future__ import annotations

from typing import Any

from kivy.logger import Logger
from kivy.properties import (
    AliasProperty,
    BooleanProperty,
    ListProperty,
    ObjectProperty,
    StringProperty,
)

from kiosk.errors import LookupRefused
from kiosk.ui.display import local_time
from kiosk.ui.i18n import service_lang, translator
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.services_api import Status

__all__ = ["LookupScreen"]


class LookupScreen(KioskScreen):
    """Ids: ``code_input``, ``pin_input``, ``keyboard``, ``submit_button``, ``result_label``,
    ``scan_button``, ``camera_preview``, ``scan_cancel``."""

    result = ObjectProperty(None, allownone=True)  # the last Status, or None
    message_key = StringProperty("")  # i18n key of a message in place of a result
    result_text = StringProperty("")
    matches = ListProperty([])  # a registration's job matches: [{posting_id, title}]
    camera_factory = ObjectProperty(None, allownone=True)  # () -> camera, None: no camera
    scanning = BooleanProperty(False)
    scanner = ObjectProperty(None, allownone=True)  # kiosk.ui.camera.QrScanner once used

    def _has_camera(self) -> bool:
        return self.camera_factory is not None

    camera_present = AliasProperty(_has_camera, bind=["camera_factory"])

    def on_kv_post(self, base_widget: Any) -> None:
        self.ids.keyboard.attach(self.ids.code_input, "letters")
        self.ids.keyboard.attach(self.ids.pin_input, "digits")
        self.ids.keyboard.target = self.ids.code_input
        translator.bind(lang=self._render)
        self.bind(result=self._render, message_key=self._render, matches=self._render)

    def submit(self) -> None:
        """Look up the typed code and PIN on the worker thread."""
        self.stop_scan()
        code = self.ids.code_input.text.strip()
        pin = self.ids.pin_input.text.strip()
        self.result = None
        if not code or not pin:
            self.message_key = "lookup.missing"
            return
        self.message_key = "common.busy"
        self.runner.call(
            self.services.lookup_status, code, pin, service_lang(translator.lang),
            on_result=self._show, on_error=self._fail
        )

    # -- scanning ------------------------------------------------------------------------------

    def start_scan(self) -> None:
        """Show the camera preview and look for a receipt QR (no-op without a camera)."""
        if self.camera_factory is None or self.scanning:
            return
        if self.scanner is None:
            from kiosk.ui.camera import QrScanner, receipt_code

            self.scanner = QrScanner(self.camera_factory(), self.runner, receipt_code)
            self.scanner.bind(on_code=self._scanned, on_frame=self._redraw_preview)
        self.result = None
        self.message_key = "lookup.scan_hint"
        self.scanning = True
        self.scanner.start()

    def stop_scan(self) -> None:
        """Stop the camera and bring the keypad back."""
        if self.scanner is not None:
            self.scanner.stop()
        self.scanning = False
        if self.message_key == "lookup.scan_hint":
            self.message_key = ""

    def _scanned(self, _scanner: Any, code: str) -> None:
        self.stop_scan()
        self.ids.code_input.text = code
        self.message_key = "lookup.scanned"
        self.ids.pin_input.focus = True  # the keypad follows, on digits

    def _redraw_preview(self, scanner: Any) -> None:
        preview = self.ids.camera_preview
        if preview.texture is not scanner.texture:
            preview.texture = scanner.texture
        preview.canvas.ask_update()

    # -- results -------------------------------------------------------------------------------

    def _show(self, status: Status | None) -> None:
        if status is None:
            self.message_key = "lookup.not_found"
        else:
            self.message_key = ""
            self.matches = []
            self.result = status
            # a registration's job matches (issue 16), now that code and PIN matched
            self.runner.call(self.services.jobs.matches_for, status["receipt_code"],
                             on_result=self._set_matches, on_error=self._no_matches)

    def _set_matches(self, matches: list[dict[str, str]] | None) -> None:
        self.matches = list(matches or [])

    def _no_matches(self, exc: BaseException) -> None:
        Logger.error("LookupScreen: job matches failed: %r", exc, exc_info=exc)

    def _fail(self, exc: BaseException) -> None:
        if isinstance(exc, LookupRefused):  # another station's receipt: offline, locked...
            self.message_key = f"lookup.{exc.code}"
            return
        if isinstance(exc, ValueError):  # a malformed code (a typing slip), not a fault
            self.message_key = "lookup.bad_code"
            return
        Logger.error("LookupScreen: status lookup failed: %r", exc, exc_info=exc)
        self.message_key = "common.error"

    def _render(self, *_args: Any) -> None:
        if self.message_key:
            self.result_text = translator.t(self.message_key)
        elif self.result:
            status = self.result
            lines = [translator.t("lookup.status", status=translator.status_name(status["status"]))]
            if status.get("next_step"):
                lines.append(translator.t("lookup.next_step", next_step=status["next_step"]))
            if status.get("as_of"):
                lines.append(translator.t("lookup.as_of",
                                          as_of=local_time(status["as_of"], translator.lang)))
            if self.matches:
                lines.append(translator.t("lookup.matches", titles="、".join(
                    m["title"] for m in self.matches)))
            self.result_text = "\n".join(lines)
        else:
            self.result_text = ""

    def wipe(self) -> None:
        self.stop_scan()
        super().wipe()
        self.result = None
        self.matches = []
        self.message_key = ""
        self.ids.keyboard.target = self.ids.code_input
        self.ids.keyboard.layout = "letters"

    def detach(self) -> None:
        translator.unbind(lang=self._render)

"""Staff mode behind a PIN: the waiting queue, the outbox, sync now, USB export, enrollment,
device information.

The PIN is checked by the services (``check_staff_pin``) on the worker thread; nothing of
staff mode is shown before it succeeds. Queue details (name, phone) need the station key,
unlocked with the staff passphrase (``unlock_station``). Sync runs on the worker and reports
progress back through ``ServiceRunner.progress``, so the bar moves and the screen never
freezes. Leaving staff mode (Exit, Home, idle timeout) wipes it and locks the station key.

The PIN (the staff passphrase) is typed on ``pin_keyboard`` in its ``text`` layout: digits,
letters in both cases (a caps key switches) and ``: / . - _ @``, so a strong passphrase can be
typed on the touchscreen. The passphrase, export path and enrollment fields are typed on the
on-screen ``text`` keyboard (``staff_keyboard``), shown on the pages that have them. The
device page also says which Chinese input methods and voice prompts work on this kiosk, and
switches fuzzy pinyin (``fuzzy_toggle``; on at every start).
What the screen says is written by :mod:`kiosk.ui.staff_text`: labelled lines and sentences
in the staff's language.

Enrollment can also scan the token QR from ``yizhan-server enroll-token --qr-png`` with the
kiosk's camera (``camera_factory``, set by the app when a camera opened; None hides the scan
button). The preview replaces the form while scanning; the QR is read by
``shared.enrollment.read_enrollment_qr`` on the worker (:class:`kiosk.ui.camera.QrScanner`).
A good QR fills the token and (if it has one) the server URL, and the page shows the QR's
station and expiry, warning when the token is for another station than this kiosk's or has
expired by ``clock``; staff still press Enroll. Any other QR (a receipt, say) is named as not
an enrollment token and scanning goes on.
"""

from __future__ import annotations

from typing import Any

from kivy.logger import Logger
from kivy.properties import (
    AliasProperty,
    BooleanProperty,
    DictProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)

from kiosk.ui import staff_text
from kiosk.ui.i18n import translator
from kiosk.ui.screens.base import KioskScreen
from shared.clock import SystemClock
from shared.enrollment import EnrollmentToken, read_enrollment_qr

__all__ = ["PAGES", "StaffScreen"]

PAGES = ("queue", "outbox", "sync", "export", "enroll", "device")
DEFAULT_EXPORT_PATH = "/media/usb/yizhan-bundle.zip"


class StaffScreen(KioskScreen):
    """Ids: ``staff_pin``, ``pin_keyboard``, ``unlock_button``, page buttons ``page_<name>``,
    ``call_next_button``, ``served_button``, ``no_show_button``, ``passphrase_input``,
    ``details_button``, ``queue_label``, ``outbox_label``, ``sync_button``,
    ``sync_progress``, ``sync_label``, ``export_path``, ``export_button``, ``enroll_url``,
    ``enroll_token``, ``enroll_button``, ``enroll_scan_button``, ``enroll_preview``,
    ``enroll_scan_cancel``, ``enroll_qr_label``, ``enroll_warning_label``, ``device_label``,
    ``input_status_label``, ``fuzzy_toggle``, ``staff_message``, ``exit_button``,
    ``staff_keyboard``."""

    unlocked = BooleanProperty(False)
    page = StringProperty("queue")
    message = StringProperty("")  # text of the last result or error (already translated)
    queue_entries = ListProperty([])
    current_ticket = ObjectProperty(None, allownone=True)
    details = ObjectProperty(None, allownone=True)  # None: not shown; {}: none were given
    outbox = DictProperty({})
    quarantined = ListProperty([])
    device = DictProperty({})
    sync_done = NumericProperty(0)
    sync_total = NumericProperty(1)
    syncing = BooleanProperty(False)
    sync_phase = StringProperty("")  # "" | push | pull | done | failed
    last_summary = DictProperty({})  # what the last sync_now returned
    camera_factory = ObjectProperty(None, allownone=True)  # () -> camera, None: no camera
    scanning = BooleanProperty(False)  # the enrollment page is looking for a token QR
    scanner = ObjectProperty(None, allownone=True)  # kiosk.ui.camera.QrScanner once used
    enroll_qr = ObjectProperty(None, allownone=True)  # the scanned EnrollmentToken
    clock = ObjectProperty(SystemClock())  # the kiosk clock a token's expiry is judged by

    def _has_camera(self) -> bool:
        return self.camera_factory is not None

    camera_present = AliasProperty(_has_camera, bind=["camera_factory"])

    # -- the PIN ---------------------------------------------------------------------------

    def on_kv_post(self, base_widget: Any) -> None:
        self.ids.pin_keyboard.attach(self.ids.staff_pin, "text")
        self.ids.pin_keyboard.target = self.ids.staff_pin
        keyboard = self.ids.staff_keyboard
        for name in ("passphrase_input", "export_path", "enroll_url", "enroll_token"):
            keyboard.attach(self.ids[name], "text")
        self.ids.export_path.text = DEFAULT_EXPORT_PATH
        self.ids.enroll_token.bind(text=self._token_edited)

    def check_pin(self) -> None:
        pin = self.ids.staff_pin.text
        self.ids.staff_pin.text = ""
        if not pin:
            return
        self._call(self.services.check_staff_pin, pin, done=self._pin_checked)

    def _pin_checked(self, ok: bool) -> None:
        if not ok:
            self.message = translator.t("staff.wrong_pin")
            return
        self.message = ""
        self.unlocked = True
        self.show_page("queue")

    # -- pages -----------------------------------------------------------------------------

    def show_page(self, name: str) -> None:
        """Show page ``name`` and load what it shows."""
        if not self.unlocked:
            return
        self.stop_enroll_scan()  # any page button, this one too, ends a scan
        self.page = name
        self.ids.pages.current = name
        self.message = ""
        field = {"queue": "passphrase_input", "export": "export_path",
                 "enroll": "enroll_url"}.get(name)
        self.ids.staff_keyboard.target = self.ids[field] if field else None
        if name == "queue":
            self._call(self.services.queue, done=self._set_queue)
        elif name == "outbox":
            self._call(self.services.outbox_counts, done=self._set_outbox)
            self._call(self.services.quarantined, done=self._set_quarantined)
        elif name in ("device", "enroll"):  # enroll: this kiosk's station, to compare
            self._call(self.services.device_info, done=self._set_device)

    def _set_queue(self, entries: list[dict[str, Any]]) -> None:
        self.queue_entries = list(entries)

    def _set_outbox(self, counts: dict[str, Any]) -> None:
        self.outbox = dict(counts)

    def _set_quarantined(self, items: list[dict[str, Any]]) -> None:
        self.quarantined = list(items)

    def _set_device(self, info: dict[str, Any]) -> None:
        self.device = dict(info)

    # -- queue -----------------------------------------------------------------------------

    def call_next(self) -> None:
        self.details = None
        self._call(self.services.call_next, done=self._called)

    def _called(self, entry: dict[str, Any] | None) -> None:
        self.current_ticket = entry
        self.message = (translator.t("staff.called", number=entry["number"]) if entry
                        else translator.t("staff.nobody_waiting"))
        self._call(self.services.queue, done=self._set_queue)

    def mark(self, state: str) -> None:
        """Mark the called number ``served`` or ``no_show``."""
        if self.current_ticket is None:
            return
        number = self.current_ticket["number"]
        self._call(self.services.mark_ticket, number, state, done=lambda _r: self._marked())

    def _marked(self) -> None:
        self.current_ticket = None
        self.details = None
        self._call(self.services.queue, done=self._set_queue)

    def show_details(self) -> None:
        """Unlock the station key with the typed passphrase, then show the called ticket's
        details."""
        if self.current_ticket is None:
            return
        passphrase = self.ids.passphrase_input.text
        self.ids.passphrase_input.text = ""
        number = self.current_ticket["number"]

        def unlocked(_r: Any) -> None:
            self.message = ""
            self._call(self.services.ticket_details, number,
                       done=lambda d: setattr(self, "details", dict(d or {})))

        self._call(self.services.unlock_station, passphrase, done=unlocked)

    def details_text(self, details: dict[str, Any] | None, _lang: str) -> str:
        """The unlocked details of the called ticket, one labelled line each."""
        return staff_text.details_text(details)

    def queue_text(self, entries: list[dict[str, Any]], _lang: str) -> str:
        """One line per ticket: number and state."""
        return "\n".join(f"{e['number']}  {translator.t('ticket_state.' + e['state'])}"
                         for e in entries) or translator.t("staff.queue_empty")

    # -- outbox, sync, export, enroll, device ----------------------------------------------

    def outbox_text(self, counts: dict[str, Any], quarantined: list[dict[str, Any]],
                    _lang: str) -> str:
        return staff_text.outbox_text(counts, quarantined)

    def sync_text(self, phase: str, done: int, total: int, _lang: str) -> str:
        """What the running sync is doing."""
        return staff_text.sync_progress_text(phase, done, total)

    def sync_now(self) -> None:
        if self.syncing:
            return
        self.syncing = True
        self.sync_phase = ""
        self.last_summary = {}
        self.sync_done, self.sync_total = 0, 1
        report = self.runner.progress(self._sync_progress)
        self._call(self.services.sync_now, report, done=self._synced,
                   failed=self._sync_failed)

    def _sync_progress(self, progress: dict[str, Any]) -> None:
        if not self.syncing:
            return  # a late report after a wipe or a failure
        self.sync_phase = str(progress.get("phase", ""))
        self.sync_total = max(1, int(progress.get("total", 1)))
        self.sync_done = int(progress.get("done", 0))

    def _synced(self, summary: dict[str, Any]) -> None:
        self.last_summary = dict(summary)
        self.sync_phase = "done"
        self.syncing = False
        self.sync_done = self.sync_total
        self.message = staff_text.synced_text(summary)

    def _sync_failed(self, exc: BaseException) -> None:
        self.sync_phase = "failed"
        self.syncing = False
        self._failed(exc)

    def export(self) -> None:
        path = self.ids.export_path.text.strip()
        if not path:
            self.message = translator.t("staff.need_path")
            return
        self.message = translator.t("common.busy")
        self._call(self.services.export_bundle, path, done=lambda r: setattr(
            self, "message", staff_text.exported_text(r or {}, path)),
            failed=lambda exc: self._failed(exc, "export"))

    def enroll(self) -> None:
        url, token = self.ids.enroll_url.text.strip(), self.ids.enroll_token.text.strip()
        if not url or not token:
            self.message = translator.t("staff.need_url_token")
            return
        self.ids.enroll_token.text = ""
        self.message = translator.t("common.busy")
        self._call(self.services.enroll, url, token, done=lambda r: setattr(
            self, "message", staff_text.enrolled_text(r or {}, url)))

    # -- scanning the enrollment token QR -------------------------------------------------

    def start_enroll_scan(self) -> None:
        """Show the camera preview in place of the enrollment form and look for a token QR
        (no-op without a camera)."""
        if self.camera_factory is None or self.scanning or self.page != "enroll":
            return
        if self.scanner is None:
            from kiosk.ui.camera import QrScanner

            self.scanner = QrScanner(self.camera_factory(), self.runner, read_enrollment_qr)
            self.scanner.bind(on_code=self._token_scanned, on_refused=self._token_refused,
                              on_frame=self._redraw_preview)
        self.message = translator.t("staff.scan_token_hint")
        self.scanning = True
        self.ids.staff_keyboard.target = None
        self.scanner.start()

    def stop_enroll_scan(self) -> None:
        """Stop the camera and bring the enrollment form back."""
        if self.scanner is not None:
            self.scanner.stop()
        if not self.scanning:
            return
        self.scanning = False
        self.message = ""
        self.ids.staff_keyboard.target = self.ids.enroll_url

    def _token_scanned(self, _scanner: Any, token: EnrollmentToken) -> None:
        self.stop_enroll_scan()
        self.ids.enroll_token.text = token.token
        if token.server is not None:
            self.ids.enroll_url.text = token.server
        self.enroll_qr = token  # after the token field: editing it drops the QR

    def _token_refused(self, _scanner: Any, exc: BaseException) -> None:
        self.message = staff_text.refused_qr_text(exc)

    def _token_edited(self, _input: Any, text: str) -> None:
        if self.enroll_qr is not None and text.strip() != self.enroll_qr.token:
            self.enroll_qr = None  # what the page says about the QR is about another token

    def _redraw_preview(self, scanner: Any) -> None:
        preview = self.ids.enroll_preview
        if preview.texture is not scanner.texture:
            preview.texture = scanner.texture
        preview.canvas.ask_update()

    def enroll_qr_text(self, token: EnrollmentToken | None, _lang: str) -> str:
        """The scanned QR's station and expiry ('' when none was scanned)."""
        return staff_text.enroll_qr_text(token)

    def enroll_warning_text(self, token: EnrollmentToken | None, device: dict[str, Any],
                            _lang: str) -> str:
        """Another station's token, or an expired one, said before staff press Enroll."""
        return staff_text.enroll_qr_warnings(token, device.get("station"), self.clock.now())

    def device_text(self, info: dict[str, Any], _lang: str) -> str:
        return staff_text.device_text(info)

    def input_status_text(self, _lang: str, *_watched: Any) -> str:
        """What works of Chinese input and voice prompts (``_watched``: what the kv rule
        re-renders on — the engines' states, the voice switch)."""
        return staff_text.input_status_text()

    # -- plumbing --------------------------------------------------------------------------

    def _call(self, fn: Any, *args: Any, done: Any, failed: Any = None) -> None:
        self.runner.call(fn, *args, on_result=done, on_error=failed or self._failed)

    def _failed(self, exc: BaseException, action: str = "") -> None:
        Logger.error("StaffScreen: %s: %s", type(exc).__name__, exc)
        self.message = staff_text.failure_text(exc, action)

    def wipe(self) -> None:
        self.stop_enroll_scan()
        super().wipe()
        self.enroll_qr = None
        if self.unlocked and self.services is not None:
            self.runner.call(self.services.lock_station)
        self.unlocked = False
        self.page = "queue"
        self.ids.pages.current = "queue"  # not the page the last staff member left open
        self.message = ""
        self.queue_entries = []
        self.current_ticket = None
        self.details = None
        self.ids.export_path.text = DEFAULT_EXPORT_PATH
        self.outbox = {}
        self.quarantined = []
        self.device = {}
        self.syncing = False
        self.sync_phase = ""
        self.last_summary = {}
        self.sync_done, self.sync_total = 0, 1

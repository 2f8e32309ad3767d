"""Staff mode behind a PIN: the waiting queue, the outbox, sync now, USB export, enrollment,
device information.

The PIN is checked by the services (``check_staff_pin``) on the worker thread; nothing of
staff mode is shown before it succeeds. Queue details (name, phone) need the station key,
unlocked with the staff passphrase (``unlock_station``). Sync runs on the worker and reports
progress back through ``ServiceRunner.progress``, so the bar moves and the screen never
freezes. Leaving staff mode (Exit, Home, idle timeout) wipes it and locks the station key.

The passphrase, export path and enrollment fields are typed on the on-screen ``text``
keyboard (``staff_keyboard``), shown on the pages that have them. What the screen says is
written by :mod:`kiosk.ui.staff_text`: labelled lines and sentences in the staff's language.
"""

from __future__ import annotations

from typing import Any

from kivy.logger import Logger
from kivy.properties import (
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

__all__ = ["PAGES", "StaffScreen"]

PAGES = ("queue", "outbox", "sync", "export", "enroll", "device")
DEFAULT_EXPORT_PATH = "/media/usb/yizhan-bundle.zip"


class StaffScreen(KioskScreen):
    """Ids: ``staff_pin``, ``pin_keyboard``, ``unlock_button``, page buttons ``page_<name>``,
    ``call_next_button``, ``served_button``, ``no_show_button``, ``passphrase_input``,
    ``details_button``, ``queue_label``, ``outbox_label``, ``sync_button``,
    ``sync_progress``, ``sync_label``, ``export_path``, ``export_button``, ``enroll_url``,
    ``enroll_token``, ``enroll_button``, ``device_label``, ``staff_message``, ``exit_button``,
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

    # -- the PIN ---------------------------------------------------------------------------

    def on_kv_post(self, base_widget: Any) -> None:
        self.ids.pin_keyboard.attach(self.ids.staff_pin, "digits")
        self.ids.pin_keyboard.target = self.ids.staff_pin
        keyboard = self.ids.staff_keyboard
        for name in ("passphrase_input", "export_path", "enroll_url", "enroll_token"):
            keyboard.attach(self.ids[name], "text")
        self.ids.export_path.text = DEFAULT_EXPORT_PATH

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
        elif name == "device":
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

    def device_text(self, info: dict[str, Any], _lang: str) -> str:
        return staff_text.device_text(info)

    # -- plumbing --------------------------------------------------------------------------

    def _call(self, fn: Any, *args: Any, done: Any, failed: Any = None) -> None:
        self.runner.call(fn, *args, on_result=done, on_error=failed or self._failed)

    def _failed(self, exc: BaseException, action: str = "") -> None:
        Logger.error("StaffScreen: %s: %s", type(exc).__name__, exc)
        self.message = staff_text.failure_text(exc, action)

    def wipe(self) -> None:
        super().wipe()
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

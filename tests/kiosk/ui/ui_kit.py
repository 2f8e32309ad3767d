"""What the kiosk UI tests share besides fixtures: the fakes, the window driver, the app.

A module of its own (not ``conftest``): test modules import these by their full name,
``tests.kiosk.ui.ui_kit``, because a bare ``from conftest import ...`` picks whichever of the
repository's conftest files was imported first when the whole suite runs.

* :class:`FakeServices` — an in-memory ``ScreenServices`` that records calls.
* :class:`ManualTime` — the idle timer's time source; ``advance(seconds)``.
* :class:`UiDriver` — ``find``, ``tap``, ``type``, ``pump``, ``pump_until``, ``screenshot``.
* :func:`start_app` / :func:`stop_app` — build and tear down a KioskApp (once a session).
* :func:`use_app` / :func:`release_app` — hand the session's app to one test and take it back.

Nothing here imports Kivy at module level: ``conftest`` configures Kivy's environment first.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

WINDOW_SIZE = (1280, 800)
DEFAULT_TIMEOUT = 20.0  # seconds a condition may take (worker threads, a loaded CI machine)


REAL_STATION = "S001"  # the kiosk of the ``kiosk_services`` fixture
REAL_STAFF_PIN = "4729058163"  # its staff passphrase: digits (>= 8, not guessable), PIN keypad

# -- test doubles ----------------------------------------------------------------------------


class ManualTime:
    """A monotonic time source that moves only when told to."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeSettings:
    """In-memory station settings (``ScreenServices.config``): voice prompts off at first."""

    def __init__(self) -> None:
        self.voice = False

    def voice_prompts(self) -> bool:
        return self.voice

    def set_voice_prompts(self, on: bool) -> None:
        self.voice = bool(on)


class FakeJobs:
    """The job postings a fake kiosk holds (``kiosk.services.jobs.KioskJobs.postings``)."""

    def __init__(self) -> None:
        self.held: list[dict[str, Any]] = []
        self.matches: dict[str, list[dict[str, str]]] = {}

    def postings(self) -> list[dict[str, Any]]:
        return list(self.held)

    def matches_for(self, code: str) -> list[dict[str, str]] | None:
        return self.matches.get(code)


class FakeServices:
    """In-memory ``ScreenServices`` for UI tests. Records every call with its thread."""

    def __init__(self) -> None:
        self.config = FakeSettings()
        self.jobs = FakeJobs()
        self.calls: list[tuple[str, tuple[Any, ...], str]] = []
        self.receipts: dict[tuple[str, str], dict[str, str]] = {}
        self.tickets = 0
        self.staff_pin = "2468"
        self.passphrase = "station-pass"  # noqa: S105  (a test fake's passphrase)
        self.station_unlocked = False
        self.states: dict[str, str] = {}
        self.submit_errors: list[Any] = []  # FieldErrors the next submit raises
        self.submit_fault: BaseException | None = None  # a fault the next submit raises

    def _record(self, name: str, *args: Any) -> None:
        self.calls.append((name, args, threading.current_thread().name))

    def make_receipt(self, code: str = "K7Q2M9XPA34", pin: str = "482913") -> dict[str, str]:
        receipt = {
            "receipt_code": code,
            "pin": pin,
            "record_id": f"rec-{code.lower()}",
            "filed_at": "2026-11-21T10:00:00Z",
            "qr_payload": f"YZR1:{code}:20261121T100000Z:9f2c1a7e5b3d4c6a:sig-AbCdEf0123456789",
        }
        self.receipts[(code, pin)] = receipt
        return receipt

    def submit_complaint(self, record: Mapping[str, Any]) -> dict[str, str]:
        self._record("submit_complaint", dict(record))
        self._check("complaint", record)
        return self.make_receipt()

    def submit_jobseeker(self, record: Mapping[str, Any]) -> dict[str, str]:
        self._record("submit_jobseeker", dict(record))
        self._check("jobseeker", record)
        return self.make_receipt("J4H8W2RCB6Y", "771204")

    def _check(self, kind: str, record: Mapping[str, Any]) -> None:
        """Validate as the real services do; then raise ``submit_errors`` if a test set them."""
        from shared._errors import RecordInvalid
        from shared.records import parse_record

        parse_record(kind, dict(record))
        if self.submit_errors:
            raise RecordInvalid(self.submit_errors)
        if self.submit_fault is not None:
            raise self.submit_fault

    def lookup_status(self, code: str, pin: str, lang: str = "zh") -> dict[str, str] | None:
        self._record("lookup_status", code, pin)
        if (code, pin) not in self.receipts:
            return None
        return {
            "receipt_code": code,
            "status": "in_mediation",
            "as_of": "2026-11-22 08:30",
            "next_step": "调解员将在3个工作日内电话联系您",
        }

    def take_ticket(self, linked_receipt: str | None = None) -> dict[str, Any]:
        self._record("take_ticket", linked_receipt)
        self.tickets += 1
        return {
            "number": f"A{self.tickets:03d}",
            "ahead": 3,
            "issued_at": "2026-11-21T10:00:00Z",
            "linked_receipt": linked_receipt,
        }

    def checklist(self, matter_type: str, lang: str) -> list[str]:
        self._record("checklist", matter_type, lang)
        if lang == "en":
            return ["Your resident ID card", "Labour contract or proof of work", "Pay records"]
        return [
            "居民身份证原件",
            "劳动合同或工作证明（工牌、考勤记录）",
            "工资条、银行流水等欠薪证据",
        ]

    def check_staff_pin(self, pin: str) -> bool:
        self._record("check_staff_pin", pin)
        return pin == self.staff_pin

    def queue(self) -> list[dict[str, Any]]:
        self._record("queue")
        return [
            {"number": f"A{i:03d}", "state": self.states.get(f"A{i:03d}", "waiting"),
             "issued_at": "2026-11-21T10:00:00Z"}
            for i in range(1, self.tickets + 1)
        ]

    def call_next(self) -> dict[str, Any] | None:
        self._record("call_next")
        for entry in self.queue():
            if entry["state"] == "waiting":
                self.states[entry["number"]] = "called"
                return {**entry, "state": "called"}
        return None

    def mark_ticket(self, number: str, state: str) -> None:
        self._record("mark_ticket", number, state)
        self.states[number] = state

    def unlock_station(self, passphrase: str) -> None:
        self._record("unlock_station", passphrase)
        if passphrase != self.passphrase:
            from kiosk.errors import WrongPassphrase

            raise WrongPassphrase("the staff passphrase does not open the station key")
        self.station_unlocked = True

    def lock_station(self) -> None:
        self._record("lock_station")
        self.station_unlocked = False

    def ticket_details(self, number: str) -> dict[str, Any] | None:
        self._record("ticket_details", number)
        if not self.station_unlocked:
            raise RuntimeError("unlock the station with the staff passphrase first")
        return {"name": "王五", "phone": "13900139000", "matter": "wage_arrears"}

    def quarantined(self) -> list[dict[str, Any]]:
        self._record("quarantined")
        return [{"record_id": "01JQ0000000000000000000000", "reason": "signature mismatch"}]

    def export_bundle(self, path: str) -> dict[str, Any]:
        self._record("export_bundle", path)
        return {"path": path, "records": 3, "first_seq": 1, "last_seq": 3, "bytes": 5120}

    def enroll(self, server_url: str, token: str) -> dict[str, Any]:
        self._record("enroll", server_url, token)
        return {"device_id": "dev-7f3a", "station": "zengdu-01", "county": "曾都区"}

    def device_info(self) -> dict[str, Any]:
        self._record("device_info")
        return {"device_id": "dev-7f3a", "station": "zengdu-01", "county": "曾都区",
                "server_url": "https://county.example", "last_sync": "2026-11-21T02:10:00Z"}

    def revoked(self) -> bool:
        return False

    def outbox_counts(self) -> dict[str, Any]:
        self._record("outbox_counts")
        return {
            "pending": 0,
            "sent": 0,
            "acknowledged": 0,
            "quarantined": 0,
            "last_sync": None,
            "last_error": None,
        }

    def sync_now(self, progress_cb: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        self._record("sync_now")
        for done in range(1, 4):
            progress_cb({"phase": "push", "done": done, "total": 3})
        return {"pushed": 3, "accepted": 3, "duplicates": 0, "conflicts": 0, "acknowledged": 3,
                "quarantined": 0, "pulled": 1, "errors": []}


# -- driving the window ----------------------------------------------------------------------


class UiDriver:
    """Taps, types and waits on the running kiosk app."""

    def __init__(self, app: Any, shots_dir: Path) -> None:
        self.app = app
        self.shots_dir = shots_dir

    @property
    def current(self) -> str:
        """Name of the screen on show."""
        return str(self.app.screens.current)

    def screen(self, name: str | None = None) -> Any:
        """The screen called ``name`` (default: the one on show)."""
        return self.app.screen(name or self.current)

    def find(self, widget_id: str, screen: str | None = None) -> Any:
        """The widget with kv id ``widget_id`` on ``screen`` (default: current one).

        Searches the ids of every widget under the screen, so ids inside reusable widgets
        (``lang_toggle`` in the header) are found too. Fails on zero or several matches.
        """
        root = self.screen(screen)
        found = [
            w.ids[widget_id] for w in root.walk(restrict=True) if widget_id in getattr(w, "ids", {})
        ]
        unique = list({id(w): w for w in found}.values())
        assert len(unique) == 1, f"{len(unique)} widgets with id {widget_id!r} on {root.name}"
        return unique[0]

    def pump(self, frames: int = 1) -> None:
        """Run ``frames`` Kivy frames (clock, input, graphics)."""
        from kivy.base import EventLoop

        for _ in range(frames):
            EventLoop.idle()

    def pump_until(
        self, condition: Callable[[], object], what: str = "", timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        """Pump frames until ``condition()`` is true; fail after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        frames = 0
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"not reached after {timeout} s ({frames} frames): {what or condition}")
            self.pump()
            frames += 1

    def tap(self, target: Any, screen: str | None = None) -> Any:
        """Press and release at the centre of ``target`` (a widget or an id); return it."""
        from kivy.tests.common import UnitTestTouch

        widget = self.find(target, screen) if isinstance(target, str) else target
        assert widget.get_root_window() is not None, f"{widget!r} is not on screen"
        assert not widget.disabled, f"{widget!r} is disabled"
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()  # both dispatched at once: press and release need no frame between
        touch.touch_up()
        self.pump()
        return widget

    def type(self, text: str, into: Any = None) -> None:
        """Type ``text`` as keyboard text input into ``into`` (a TextInput or an id), which
        gets focus first; without ``into``, into whatever input has focus."""
        from kivy.core.window import Window

        if into is not None:
            widget = self.find(into) if isinstance(into, str) else into
            widget.focus = True
            self.pump()
        Window.dispatch("on_textinput", text)
        self.pump()

    def type_staff_pin(self, pin: str) -> Any:
        """Home -> Staff -> ``pin`` typed on its keypad -> Unlock pressed; returns the staff
        screen (unlocked or not: the caller decides what it expects)."""
        self.tap("btn_staff")
        self.pump_until(lambda: self.current == "staff")
        self.pump(2)
        keyboard = self.find("pin_keyboard")
        for ch in pin:
            self.tap(keyboard.key(ch))
        self.tap("unlock_button")
        return self.screen("staff")

    def unlock_staff(self, pin: str) -> Any:
        """:meth:`type_staff_pin`, then wait until staff mode is unlocked; returns the screen."""
        screen = self.type_staff_pin(pin)
        self.pump_until(lambda: screen.unlocked, f"staff mode unlocked ({screen.message})")
        self.pump(2)
        return screen

    def screenshot(self, widget: Any, name: str) -> Path:
        """Save an exact PNG of ``widget`` (after one more frame) and return its path."""
        self.pump(2)
        self.shots_dir.mkdir(parents=True, exist_ok=True)
        path = self.shots_dir / f"{name}.png"
        widget.export_to_png(str(path))
        return path


# -- the app ---------------------------------------------------------------------------------


def start_app(window: Any, services: Any, time_source: ManualTime, **kwargs: Any) -> Any:
    """Build and start a KioskApp over ``services`` in ``window``; return it."""
    from kivy.base import EventLoop

    from kiosk.ui.app import KioskApp
    from kiosk.ui.i18n import translator

    translator.reset()
    kwargs.setdefault("printer", None)
    kwargs.setdefault("camera", None)  # tests that scan bring their own camera
    app = KioskApp(services, time_source=time_source, **kwargs)
    app._run_prepare()
    for _ in range(3):
        EventLoop.idle()
    return app


def stop_app(window: Any, app: Any) -> None:
    """Stop ``app`` (wipe, worker shut down) and empty ``window``."""
    from kivy.app import App

    from kiosk.ui.i18n import translator

    app.dispatch("on_stop")
    for child in list(window.children):
        window.remove_widget(child)
    App._running_app = None
    translator.reset()


def use_app(app: Any, services: Any) -> Any:
    """Make ``app`` a fresh kiosk over ``services``: wipe (any staff mode is locked through
    the last services), no printer, no camera, the system clock, no extra wipe hooks,
    Chinese, home, the idle countdown restarted. Returns ``app``."""
    from kivy.base import EventLoop

    from shared.clock import SystemClock

    app.wipe()
    app.services = services
    for screen in app.screens.screens:
        screen.services = services
    app.screen("receipt").printer = None
    for scanning in (app.screen("lookup"), app.screen("staff")):
        scanning.camera_factory = None
        scanning.scanner = None
    app.screen("staff").clock = SystemClock()
    app.wipe_hooks.clear()
    app.idle.poke()
    for _ in range(2):
        EventLoop.idle()
    return app


def release_app(app: Any) -> None:
    """End the test's visit and let the worker finish what the test started, so nothing of
    it runs against services the test is about to close."""
    from kivy.base import EventLoop

    app.wipe()
    deadline = time.monotonic() + DEFAULT_TIMEOUT
    while app.runner.busy:
        if time.monotonic() > deadline:
            raise AssertionError("the service worker is still busy after the test")
        EventLoop.idle()


def shots_dir(tmp_path: Path) -> Path:
    """Where screenshots go: ``$YIZHAN_UI_SHOTS`` if set (scripts/screens.py), else tmp."""
    shots = os.environ.get("YIZHAN_UI_SHOTS")
    return Path(shots) if shots else tmp_path / "shots"

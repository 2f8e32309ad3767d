"""Harness for kiosk UI tests: a real Kivy window, offscreen, driven by taps and typing.

Kivy reads its environment on first import, so this module sets it before anything imports
Kivy: ``SDL_VIDEODRIVER=offscreen`` (Mesa/EGL, no X server), no argument parsing, no config
file, no file log, and a throw-away ``KIVY_HOME``. Kivy allows one window per process; the
session fixtures open it and build one app in it, which every test borrows (the helpers
live in ``tests.kiosk.ui.ui_kit``).

Fixtures:
* ``fake_services`` — :class:`FakeServices`, an in-memory ``ScreenServices`` that records calls.
* ``manual_time`` — :class:`ManualTime`, the idle timer's time source; ``advance(seconds)``.
* ``kiosk_app`` — the session's started :class:`~kiosk.ui.app.KioskApp` (``shared_app``),
  wiped and over this test's services (:func:`use_app`); ``release_app`` after the test.
* ``kiosk_services`` / ``real_ui`` — the real kiosk services over a fresh, unenrolled data
  folder (station ``REAL_STATION``, staff passphrase ``REAL_STAFF_PIN``) and the app over them.
* ``ui`` — :class:`UiDriver`: ``find``, ``tap``, ``type``, ``pump``, ``pump_until``,
  ``screenshot`` (PNG files under ``$YIZHAN_UI_SHOTS`` if set, else the test's tmp dir).

Frames are pumped with ``EventLoop.idle()`` until a condition holds, bounded by a deadline;
nothing sleeps but Kivy's own frame pacing, raised to 120 frames/s: a frame that redraws
costs more than that anyway, and while a test waits for the worker or a server the frames
still pause, leaving the CPU to them (an uncapped loop starves them on 2 cores).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ["KIVY_NO_ARGS"] = "1"
os.environ["KIVY_NO_CONFIG"] = "1"
os.environ["KIVY_NO_FILELOG"] = "1"
os.environ["KIVY_HOME"] = tempfile.mkdtemp(prefix="yizhan-kivy-home-")

from kivy.config import Config  # must follow the environment above

Config.set("graphics", "maxfps", "120")
# A tap presses and releases within one frame; without this, Kivy keeps a released button's
# "down" look for 35 ms more, and screenshots would show the last button tapped as pressed.
Config.set("graphics", "min_state_time", "0")
Config.set("graphics", "width", "1280")
Config.set("graphics", "height", "800")

from tests.kiosk.ui.ui_kit import (  # noqa: E402  (after Kivy's environment)
    REAL_STAFF_PIN,
    REAL_STATION,
    WINDOW_SIZE,
    FakeServices,
    ManualTime,
    UiDriver,
    release_app,
    shots_dir,
    start_app,
    stop_app,
    use_app,
)

# -- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def kivy_window() -> Any:
    """The one offscreen Kivy window of this test process, with the event loop started."""
    from kivy.base import runTouchApp
    from kivy.core.window import Window

    runTouchApp(embedded=True)
    Window.size = WINDOW_SIZE
    return Window


@pytest.fixture(scope="session")
def session_time() -> ManualTime:
    """The idle timer's time source for the whole session (it only moves forward)."""
    return ManualTime()


@pytest.fixture
def manual_time(session_time: ManualTime) -> ManualTime:
    return session_time


@pytest.fixture
def fake_services() -> FakeServices:
    return FakeServices()


@pytest.fixture(scope="session")
def shared_app(kivy_window: Any, session_time: ManualTime) -> Iterator[Any]:
    """The one KioskApp of the session (idle timeout 90 s, countdown for the last 20 s).

    Building the app is most of what a UI test would otherwise cost (~900 widgets, and the
    garbage collector walking the widgets of every earlier build), so tests share it: each
    gets it through :func:`use_app`, which ends the last visit with the app's own wipe (the
    very thing a kiosk relies on between two people) and swaps in the test's services.
    """
    app = start_app(kivy_window, FakeServices(), session_time, idle_timeout=90, idle_warn=20)
    yield app
    stop_app(kivy_window, app)


@pytest.fixture
def kiosk_app(shared_app: Any, fake_services: FakeServices) -> Iterator[Any]:
    """The session's KioskApp over this test's ``fake_services``, on the home screen."""
    yield use_app(shared_app, fake_services)
    release_app(shared_app)


@pytest.fixture
def ui(kiosk_app: Any, tmp_path: Path) -> UiDriver:
    return UiDriver(kiosk_app, shots_dir(tmp_path))


@pytest.fixture
def kiosk_services(tmp_path: Path) -> Iterator[Any]:
    """The real ``KioskServices`` over a fresh data folder for station ``REAL_STATION`` with
    staff passphrase ``REAL_STAFF_PIN``, not yet enrolled (the staff screen enrolls it)."""
    from kiosk.root import KioskServices
    from kiosk.services import init_kiosk
    from shared.clock import SystemClock

    init_kiosk(tmp_path / "kiosk", REAL_STATION, REAL_STAFF_PIN.encode(), SystemClock())
    services = KioskServices.open(tmp_path / "kiosk")
    yield services
    services.close()


@pytest.fixture
def real_ui(shared_app: Any, kiosk_services: Any, tmp_path: Path) -> Iterator[UiDriver]:
    """The session's app over ``kiosk_services``."""
    yield UiDriver(use_app(shared_app, kiosk_services), shots_dir(tmp_path))
    release_app(shared_app)

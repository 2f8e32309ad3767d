"""The kiosk touchscreen application: font, screens, idle timeout, service worker.

``KioskApp(services)`` builds a :class:`KioskRoot`: a :class:`KioskScreenManager` holding the
screens (``home``, ``complaint``, ``jobseeker``, ``lookup``, ``ticket``, ``receipt``) with the
idle-countdown banner on top. Every touch, key press and text input pokes the
:class:`~kiosk.ui.idle.IdleTimeout`; when it fires, :meth:`KioskApp.wipe` wipes every screen,
drops late service results, resets the language and shows home.

The CJK font is registered when the app is constructed, before any widget exists. The Chinese
input engines (:data:`kiosk.ui.engines.input_engines`) start loading on their own thread when
the app is built, so the first screen shows at once; a wipe silences any voice prompt.
``run(services, fullscreen=...)`` is what ``yizhan-kiosk run`` calls.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import ObjectProperty
from kivy.uix.floatlayout import FloatLayout

from kiosk.ui.fonts import register_cjk_font
from kiosk.ui.services_api import ScreenServices

__all__ = ["SCREEN_NAMES", "KioskApp", "KioskRoot", "load_kv_files", "run"]

UI_DIR = Path(__file__).parent
KV_FILES = (
    UI_DIR / "widgets.kv",
    UI_DIR / "formwidgets.kv",
    UI_DIR / "root.kv",
    *sorted((UI_DIR / "screens").glob("*.kv")),
)
SCREEN_NAMES = ("home", "complaint", "jobseeker", "lookup", "ticket", "receipt", "staff")
BACKGROUND = (0.97, 0.97, 0.95, 1)


def load_kv_files() -> None:
    """Load the layout rules once per process (Kivy's Builder is global)."""
    from kivy.lang import Builder

    import kiosk.ui.formwidgets
    import kiosk.ui.keyboard
    import kiosk.ui.screens
    import kiosk.ui.widgets  # noqa: F401  (registers the widget classes the rules name)

    loaded = {str(Path(f).resolve()) for f in Builder.files}
    for path in KV_FILES:
        if str(path.resolve()) not in loaded:
            Builder.load_file(str(path))


class KioskRoot(FloatLayout):  # type: ignore[misc]
    """Window content: the screen manager (id ``sm``) and the countdown banner (``countdown``)."""

    idle = ObjectProperty(None)


class KioskApp(App):  # type: ignore[misc]
    """The touchscreen app.

    Args:
        services: the kiosk core (:class:`~kiosk.ui.services_api.ScreenServices`).
        idle_timeout: seconds without activity before the wipe (default 90).
        idle_warn: the countdown is shown for this many last seconds (default 20).
        time_source: monotonic seconds for the idle timer; tests pass a manual one.
        clock: the Kivy clock the idle timer and service results are scheduled on.
        wipe_hooks: extra callables run on every wipe (e.g. clear a printer buffer).
        fullscreen: fill the screen (kiosk hardware).
        printer: a factory opening the receipt printer (``kiosk.ui.printing.parse_printer``),
            None for no printer; by default read from ``YIZHAN_KIOSK_PRINTER``.
        camera: ``"auto"`` (default): scan receipt and enrollment-token QRs with camera 0 if
            Kivy has a camera provider and the device opens (``kiosk.ui.camera.open_camera``);
            None: no camera (the scan buttons are hidden); or a callable returning a Kivy
            core camera.
    """

    title = "yizhan 一站"

    def __init__(
        self,
        services: ScreenServices,
        *,
        idle_timeout: float = 90.0,
        idle_warn: float = 20.0,
        time_source: Callable[[], float] = time.monotonic,
        clock: Any = Clock,
        wipe_hooks: tuple[Callable[[], None], ...] = (),
        fullscreen: bool = False,
        printer: Callable[[], Any] | str | None = "env",
        camera: Callable[[], Any] | str | None = "auto",
        **kwargs: Any,
    ) -> None:
        self.font_path = register_cjk_font()  # before any widget is created
        super().__init__(**kwargs)
        self.services = services
        self._idle_args = {
            "timeout": idle_timeout,
            "warn_seconds": idle_warn,
            "time_source": time_source,
            "clock": clock,
        }
        self._clock = clock
        self.wipe_hooks = list(wipe_hooks)
        self.fullscreen = fullscreen
        if printer == "env":
            from kiosk.ui.printing import printer_from_env

            printer = printer_from_env()
        self.printer = printer
        self.camera = camera
        self.idle: Any = None
        self.runner: Any = None

    # -- building ------------------------------------------------------------------------------

    def build(self) -> KioskRoot:
        from kivy.core.window import Window

        from kiosk.ui.engines import input_engines
        from kiosk.ui.idle import IdleTimeout
        from kiosk.ui.screens import (
            ComplaintScreen,
            HomeScreen,
            JobSeekerScreen,
            JobsScreen,
            LookupScreen,
            ReceiptScreen,
            StaffScreen,
            TicketScreen,
        )
        from kiosk.ui.worker import ServiceRunner

        input_engines.start()  # off the UI thread: the keyboards use them once ready
        load_kv_files()
        Window.clearcolor = BACKGROUND
        if self.fullscreen:
            Window.fullscreen = "auto"
        self.runner = ServiceRunner(clock=self._clock)
        self.idle = IdleTimeout(**self._idle_args)
        self.idle.bind(on_timeout=lambda *_a: self.wipe())
        root = KioskRoot(idle=self.idle)
        sm = root.ids.sm
        common = {"services": self.services, "runner": self.runner}
        sm.add_widget(HomeScreen(name="home", **common))
        sm.add_widget(ComplaintScreen(name="complaint", **common))
        sm.add_widget(JobSeekerScreen(name="jobseeker", **common))
        sm.add_widget(JobsScreen(name="jobs", **common))
        camera = self._camera_factory()  # one camera, for whichever screen scans
        sm.add_widget(LookupScreen(name="lookup", camera_factory=camera, **common))
        sm.add_widget(TicketScreen(name="ticket", **common))
        sm.add_widget(ReceiptScreen(name="receipt", printer=self.printer, **common))
        sm.add_widget(StaffScreen(name="staff", camera_factory=camera, **common))
        sm.current = "home"
        sm.bind(current=self._on_screen, on_end_visit=self._on_end_visit)
        from kiosk.ui.i18n import translator

        translator.bind(lang=self._on_screen)
        return root

    def _camera_factory(self) -> Callable[[], Any] | None:
        """What opens the QR-scanning camera, or None when there is none."""
        if self.camera != "auto":
            return self.camera  # type: ignore[return-value]
        from kiosk.ui.camera import open_camera

        camera = open_camera()
        return None if camera is None else (lambda: camera)

    def on_start(self) -> None:
        from kivy.core.window import Window

        Window.bind(
            on_touch_down=self._activity, on_key_down=self._activity, on_textinput=self._activity
        )
        Window.bind(on_keyboard=self._on_key)
        self.idle.start()

    def on_stop(self) -> None:
        from kivy.core.window import Window

        if self.root is not None:
            self.wipe()  # nothing of the last visit stays in memory
            for screen in self.screens.screens:
                screen.detach()

        Window.unbind(
            on_touch_down=self._activity, on_key_down=self._activity, on_textinput=self._activity
        )
        Window.unbind(on_keyboard=self._on_key)
        from kiosk.ui.i18n import translator

        translator.unbind(lang=self._on_screen)
        if self.idle is not None:
            self.idle.stop()
        if self.runner is not None:
            self.runner.shutdown()
        from kiosk.ui.engines import input_engines
        from kiosk.ui.voice import voice_prompts

        input_engines.shutdown()
        voice_prompts.shutdown()

    # -- behaviour -----------------------------------------------------------------------------

    @property
    def screens(self) -> Any:
        """The screen manager."""
        return self.root.ids.sm

    def screen(self, name: str) -> Any:
        """The screen called ``name``."""
        return self.screens.get_screen(name)

    def show_receipt(self, receipt: Any, matter_type: str = "", kind: str = "complaint") -> None:
        """Show ``receipt`` on the receipt screen (called after a submit succeeded)."""
        self.screen("receipt").show(receipt, matter_type, kind)
        self.screens.current = "receipt"

    def wipe(self) -> None:
        """Forget the current visit on every screen and go home (the idle timeout calls this)."""
        self.screens.end_visit()

    def _on_end_visit(self, *_args: Any) -> None:
        from kiosk.ui.i18n import translator
        from kiosk.ui.voice import voice_prompts

        self.runner.invalidate()
        voice_prompts.stop()
        translator.reset()
        for hook in self.wipe_hooks:
            hook()

    def _on_screen(self, *_args: Any) -> None:
        # Home holds nothing to wipe, so the countdown only runs elsewhere, or on home when
        # the last person switched the language (the next one must find Chinese).
        from kiosk.ui.i18n import DEFAULT_LANG, translator

        self.idle.enabled = self.screens.current != "home" or translator.lang != DEFAULT_LANG

    def _on_key(self, _window: Any, key: int, *_args: Any) -> bool:
        # Escape (and Android's back key) would close a Kivy app: on a kiosk it must not, and
        # it must never lead back into a form. Swallow it.
        return key == 27

    def _activity(self, *_args: Any) -> None:
        self.idle.poke()


def run(services: ScreenServices, *, fullscreen: bool = False, **app_kwargs: Any) -> None:
    """Run the kiosk app until it is closed; ``fullscreen`` for kiosk hardware."""
    KioskApp(services, fullscreen=fullscreen, **app_kwargs).run()

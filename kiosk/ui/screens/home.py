"""Home: the four big choices (each with a pictogram), the language toggle and the voice
prompts switch (语音提示). Holds no personal data.

Voice prompts are a station setting (``services.config``): read when home is shown or the
services change, written when the switch is tapped, both on the service worker. Switching on
says so aloud; home's own prompt is said whenever home is shown with prompts on.

A kiosk the county revoked (``services.revoked()``, read with the settings) shows that it is
out of service and where to go instead, and its two intake buttons are disabled; lookup and
queue numbers still work.
"""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty

from kiosk.ui.icons import HOME_ICONS, home_icon_texture
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.voice import voice_prompts

__all__ = ["HomeScreen"]


class HomeScreen(KioskScreen):
    """Buttons ``btn_complaint``, ``btn_jobseeker``, ``btn_lookup``, ``btn_ticket`` open the
    screens named ``complaint``, ``jobseeker``, ``lookup`` and ``ticket``; ``voice_toggle``
    switches voice prompts."""

    voice_available = BooleanProperty(False)  # espeak-ng is installed
    revoked = BooleanProperty(False)  # the county revoked this kiosk: no new intake

    def on_kv_post(self, base_widget: Any) -> None:
        for tile in HOME_ICONS:
            self.ids[f"btn_{tile}"].icon = home_icon_texture(tile)
        self.voice_available = voice_prompts.available
        self.bind(services=lambda *_a: Clock.schedule_once(lambda _dt: self.load_settings()))

    def on_pre_enter(self, *_args: Any) -> None:
        self.load_settings()

    def load_settings(self) -> None:
        """Read the station's voice prompt setting (on the service worker)."""
        if self.services is None or self.runner is None:
            return
        self.runner.call(self.services.config.voice_prompts, on_result=self._set_voice)
        self.runner.call(self.services.revoked, on_result=self._set_revoked)

    def _set_revoked(self, revoked: bool) -> None:
        self.revoked = bool(revoked)

    def _set_voice(self, on: bool) -> None:
        voice_prompts.enabled = bool(on)
        if self.manager is not None and self.manager.current == self.name:
            voice_prompts.say("voice.home")

    def toggle_voice(self) -> None:
        """Switch voice prompts for this station; the setting is stored on the worker."""
        on = not voice_prompts.enabled
        voice_prompts.enabled = on
        self.runner.call(self.services.config.set_voice_prompts, on)
        if on:
            voice_prompts.say("voice.on")
        else:
            voice_prompts.stop()

"""Voice prompts: the screen's questions read aloud with espeak-ng, offline.

:data:`voice_prompts` (one per process, like the translator) says a prompt when ``enabled``
(the station setting 语音提示, switched on the home screen) and ``espeak-ng`` is installed.
Prompts are i18n keys of :data:`kiosk.ui.strings.STRINGS` under ``voice.`` — each wizard
step's question, the home screen's choices, the receipt's code and where to go — said in
Mandarin (voice ``cmn``) or English (``en``) as the screen's language is.

**Never personal data aloud.** :meth:`VoicePrompter.say` takes a key, not text, and fills
only the placeholders named in :data:`SPOKEN_FIELDS` (the receipt code, spelled out); what a
worker typed has no way in. ``tests/kiosk/ui/test_ui_voice.py`` checks every text spoken
during a filed complaint against what was typed.

espeak-ng runs as a subprocess on a background thread, never on the Kivy thread; a new prompt
cuts the one still speaking short (the worker has moved on), and :meth:`stop` (on every wipe)
silences it. ``command`` builds the argv and is the one seam: tests give one that writes a
WAV file instead of playing it.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kivy.event import EventDispatcher
from kivy.logger import Logger
from kivy.properties import BooleanProperty

from kiosk.ui.i18n import translator
from kiosk.ui.strings import STRINGS

__all__ = ["PROGRAM", "SPOKEN_FIELDS", "VOICES", "VoicePrompter", "spell_code", "voice_prompts"]

PROGRAM = "espeak-ng"
VOICES = {"zh-CN": "cmn", "en": "en"}
SPOKEN_FIELDS = frozenset({"code"})  # the only placeholders a prompt may fill


def spell_code(code: str) -> str:
    """A receipt code as separate characters, groups apart: ``K7Q2-M9XP`` -> ``K 7 Q 2, M 9 X
    P`` (said one by one, as the worker reads them off the screen)."""
    groups = [g for g in code.replace(" ", "-").split("-") if g]
    return ", ".join(" ".join(group) for group in groups)


def espeak_command(text: str, voice: str) -> list[str]:
    """The argv that says ``text`` with espeak-ng's ``voice`` on the default audio device."""
    return [PROGRAM, "-v", voice, "--", text]


class VoicePrompter(EventDispatcher):  # type: ignore[misc]
    """Says prompts; see the module docstring."""

    enabled = BooleanProperty(False)

    def __init__(self, command: Callable[[str, str], list[str]] = espeak_command,
                 program: str = PROGRAM, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.command = command
        self.program = program
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._generation = 0

    @property
    def available(self) -> bool:
        """True when espeak-ng is installed (on PATH)."""
        return shutil.which(self.program) is not None

    def text(self, key: str, lang: str | None = None, **fields: str) -> str:
        """The words of prompt ``key`` in ``lang`` (default: the screen's language).

        Raises KeyError for a key outside ``voice.`` and ValueError for a placeholder not in
        :data:`SPOKEN_FIELDS`: a prompt cannot carry anything else.
        """
        if not key.startswith("voice.") or key not in STRINGS:
            raise KeyError(f"no voice prompt {key!r}")
        extra = set(fields) - SPOKEN_FIELDS
        if extra:
            raise ValueError(f"voice prompts may not say {sorted(extra)}")
        return translator.t(key, lang, **fields)

    def say(self, key: str, **fields: str) -> bool:
        """Say prompt ``key`` in the screen's language if prompts are on and espeak-ng is
        installed; returns whether it was sent to be spoken. Raises as :meth:`text`."""
        lang = translator.lang
        text = self.text(key, lang, **fields)
        if not self.enabled or not self.available:
            return False
        with self._lock:
            self._generation += 1
            generation = self._generation
            self._silence()
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-voice")
        self._pool.submit(self._speak, generation, text, VOICES[lang])
        return True

    def _speak(self, generation: int, text: str, voice: str) -> None:
        with self._lock:
            if generation != self._generation:
                return  # a newer prompt came first
            try:
                self._proc = subprocess.Popen(  # noqa: S603  (fixed program, text as one argv)
                    self.command(text, voice), stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            except OSError as exc:  # uninstalled while running: prompts stop, the kiosk goes on
                Logger.warning("VoicePrompter: cannot start %s: %s", self.program, exc)
                return
            proc = self._proc
        _out, err = proc.communicate()
        if proc.returncode not in (0, -15):  # -15: cut short by a newer prompt
            Logger.warning("VoicePrompter: %s exited %s: %s", self.program, proc.returncode,
                           err.decode(errors="replace").strip()[:200])

    def _silence(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
        self._proc = None

    def stop(self) -> None:
        """Silence the prompt being spoken and drop those waiting."""
        with self._lock:
            self._generation += 1
            self._silence()

    def wait_idle(self) -> None:
        """Block until every prompt sent so far has been spoken or dropped (tests)."""
        if self._pool is not None:
            self._pool.submit(lambda: None).result()

    def shutdown(self) -> None:
        """Stop speaking and end the background thread."""
        self.stop()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


voice_prompts = VoicePrompter()

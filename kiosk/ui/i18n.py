"""Every worker-visible string of the kiosk screen, in zh-CN (default) and English.

One table, :data:`STRINGS` (in :mod:`kiosk.ui.strings`), keyed by a dotted name. Screens
never hold literal text: a ``.kv`` rule writes ``text: T.t("home.complaint", T.lang)``
(``#:import T kiosk.ui.i18n.translator``), and because the rule reads ``T.lang`` Kivy
re-evaluates it when the language changes, so the whole screen re-labels live. Python code
calls ``translator.t(key, **fields)``.

A missing key raises :class:`KeyError` (our bug, caught by the tests), never shows the key.
"""

from __future__ import annotations

from typing import Any

from kivy.event import EventDispatcher
from kivy.properties import OptionProperty

from kiosk.ui.strings import STRINGS

__all__ = ["DEFAULT_LANG", "LANGS", "STRINGS", "Translator", "service_lang", "translator"]

LANGS: tuple[str, ...] = ("zh-CN", "en")
DEFAULT_LANG = "zh-CN"


class Translator(EventDispatcher):  # type: ignore[misc]
    """The current language and the lookup into :data:`STRINGS`.

    Bind to ``lang`` (or read it in a ``.kv`` expression) to re-label when it changes.
    """

    lang = OptionProperty(DEFAULT_LANG, options=list(LANGS))

    def t(self, key: str, lang: str | None = None, **fields: Any) -> str:
        """Return the text for ``key`` in ``lang`` (default: the current language).

        ``fields`` fill the ``{name}`` placeholders. Raises :class:`KeyError` for an unknown key.
        """
        text = STRINGS[key][LANGS.index(lang or self.lang)]
        return text.format(**fields) if fields else text

    def pair(self, key: str) -> tuple[str, str]:
        """``(zh-CN, English)`` text of ``key`` (chips show both). KeyError if unknown."""
        return STRINGS[key]

    def status_name(self, status: str, lang: str | None = None) -> str:
        """The worker-facing name of a case status; an unknown (newer) status shows as is."""
        key = f"status.{status}"
        return self.t(key, lang) if key in STRINGS else status

    def toggle(self) -> str:
        """Switch to the other language and return the new language code."""
        self.lang = LANGS[(LANGS.index(self.lang) + 1) % len(LANGS)]
        return str(self.lang)

    def reset(self) -> None:
        """Back to the default language (after a wipe, for the next person)."""
        self.lang = DEFAULT_LANG


def service_lang(lang: str) -> str:
    """The services' language code (``zh``/``en``) for a screen language (``zh-CN``/``en``)."""
    return "en" if lang == "en" else "zh"


translator = Translator()

"""Station configuration from the county server, and the checklists (一次性告知清单) it holds.

Until the server sends its own, the kiosk uses the built-in set (``shared/checklists``).
``apply_config`` stores what the server sends; known keys:

* ``checklists``: ``{"version": int, "matters": {MATTER: SHEET}}`` replacing the defaults,
  where SHEET = ``{"title": T, "documents": [T], "where": [T], "next_steps": [T],
  "time_limits": [T + {"basis_zh", "basis_en"}]}`` and T = ``{"zh": str, "en": str}``.
* ``utc_offset_minutes``: the station's civil time (default 480, China Standard Time), which
  decides the service day of queue numbers.
* ``ticket_prefix``: one capital letter for queue numbers (default ``A``).
* ``jobs``, ``job_matches``: the county's open postings and this station's receipts'
  matches (``kiosk.services.jobs``).
* ``public_url``: the county's public status page address (``https://…``, or "" for
  none): receipts print the v2 link ``<public_url>/r#YZR2.…``, else the v1 payload.
* ``accepts_visits``: true when the county files ``visit`` records (queue tickets); until
  then tickets are held on the kiosk, not sealed (``kiosk.services.visits``).
* ``voice_prompts``: true to read the screen's questions aloud (default false). Also switched
  at the station itself, on the kiosk's home screen (:meth:`StationConfig.set_voice_prompts`);
  the last one to set it wins.
"""

from __future__ import annotations

from datetime import date, timedelta, timezone
from typing import Any

from kiosk.errors import ConfigInvalid
from kiosk.services.jobs import check_jobs_config
from kiosk.store import Store
from shared.checklists import (
    LANGS,
    SECTIONS,
    ChecklistInvalid,
    check_checklists,
    default_checklists,
)
from shared.clock import Clock

DEFAULT_UTC_OFFSET = 480
CONFIG_KEY = "config"
VOICE_KEY = "voice_prompts"


class StationConfig:
    """Reads and replaces the configuration the server sent."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._defaults: dict[str, Any] | None = None

    def _config(self) -> dict[str, Any]:
        value = self._store.get_setting(CONFIG_KEY)
        return value if isinstance(value, dict) else {}

    def apply_config(self, config: dict[str, Any]) -> None:
        """Store configuration from the server, replacing the keys it names.

        Raises ConfigInvalid (and stores nothing) if any known key is malformed.
        """
        if not isinstance(config, dict):
            raise ConfigInvalid("config must be a JSON object")
        if "checklists" in config:
            try:
                check_checklists(config["checklists"])
            except ChecklistInvalid as exc:
                raise ConfigInvalid(str(exc)) from None
        offset = config.get("utc_offset_minutes", DEFAULT_UTC_OFFSET)
        if not isinstance(offset, int) or isinstance(offset, bool) or abs(offset) > 14 * 60:
            raise ConfigInvalid("config.utc_offset_minutes must be whole minutes within ±14 h")
        prefix = config.get("ticket_prefix", "A")
        if not (isinstance(prefix, str) and len(prefix) == 1 and "A" <= prefix <= "Z"):
            raise ConfigInvalid("config.ticket_prefix must be one capital letter A-Z")
        url = config.get("public_url", "")
        if not (isinstance(url, str) and len(url) <= 200 and (
                url == "" or url.startswith("https://")
                or url.startswith(("http://127.0.0.1", "http://localhost")))
                and all(33 <= ord(c) <= 126 for c in url) and "#" not in url):
            raise ConfigInvalid("config.public_url must be an https:// address (or empty)")
        if not isinstance(config.get("accepts_visits", False), bool):
            raise ConfigInvalid("config.accepts_visits must be true or false")
        if not isinstance(config.get(VOICE_KEY, False), bool):
            raise ConfigInvalid("config.voice_prompts must be true or false")
        check_jobs_config(config)
        self._store.set_setting(CONFIG_KEY, {**self._config(), **config})

    def get(self, key: str, default: Any = None) -> Any:
        """A configuration value the server sent (e.g. ``sync_interval_s``), or ``default``."""
        return self._config().get(key, default)

    def public_url(self) -> str | None:
        """The county's status page address receipts link to, or None (v1 receipts)."""
        url = self._config().get("public_url")
        return url if isinstance(url, str) and url else None

    def accepts_visits(self) -> bool:
        """True once the county announced it files ``visit`` records (queue tickets)."""
        return self._config().get("accepts_visits") is True

    def voice_prompts(self) -> bool:
        """True when the station reads its questions aloud (the 语音提示 setting)."""
        return self._config().get(VOICE_KEY) is True

    def set_voice_prompts(self, on: bool) -> None:
        """Switch voice prompts on or off for this station; kept across restarts."""
        self._store.set_setting(CONFIG_KEY, {**self._config(), VOICE_KEY: bool(on)})

    def checklists(self) -> dict[str, Any]:
        """The checklist set in force: the server's if it sent one, else the built-in one."""
        sent = self._config().get("checklists")
        if sent is not None:
            return dict(sent)
        if self._defaults is None:
            self._defaults = default_checklists()
        return self._defaults

    def checklist_sheet(self, matter_type: str, lang: str = "zh") -> dict[str, Any]:
        """One matter's checklist in ``lang`` (``zh`` or ``en``): title and section lists.

        Unknown matter types get the ``other`` sheet. Raises ConfigInvalid for an unknown
        language.
        """
        if lang not in LANGS:
            raise ConfigInvalid(f"language must be one of {', '.join(LANGS)}, not {lang!r}")
        matters = self.checklists()["matters"]
        sheet = matters.get(matter_type) or matters.get("other") or next(iter(matters.values()))
        out: dict[str, Any] = {"matter_type": matter_type, "title": sheet["title"][lang]}
        for section in SECTIONS:
            items = []
            for item in sheet[section]:
                text = item[lang]
                basis = item.get(f"basis_{lang}")
                items.append(f"{text}（{basis}）" if basis and lang == "zh"
                             else f"{text} ({basis})" if basis else text)
            out[section] = items
        return out

    def checklist(self, matter_type: str, lang: str = "zh") -> list[str]:
        """The documents to bring for ``matter_type``, in ``lang``."""
        docs: list[str] = self.checklist_sheet(matter_type, lang)["documents"]
        return docs

    def zone(self) -> timezone:
        offset = self._config().get("utc_offset_minutes", DEFAULT_UTC_OFFSET)
        return timezone(timedelta(minutes=int(offset)))

    def service_date(self) -> date:
        """Today's date at the station (for queue numbers and date checks)."""
        return self._clock.now().astimezone(self.zone()).date()

    def ticket_prefix(self) -> str:
        return str(self._config().get("ticket_prefix", "A"))

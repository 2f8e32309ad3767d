"""找工作: the job postings this kiosk holds, by area and job type, with large touch targets.

The postings come from ``services.jobs.postings()`` (on the service worker): county data,
no personal data, kept on the kiosk so they show with no link. Two rows of filter buttons
(area, job type; "all" first) narrow the list; each posting is one large block (title, area,
pay, headcount, gig or long-term, employer) and a flagged employer's posting carries the
plain warning in the current language. Voice prompts (where on) say what the screen is.
"""

from __future__ import annotations

from typing import Any

from kivy.logger import Logger
from kivy.metrics import dp, sp
from kivy.properties import ListProperty, StringProperty

from kiosk.ui.i18n import translator
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.voice import voice_prompts
from kiosk.ui.widgets import TButton, TLabel

__all__ = ["JobsScreen", "describe"]

ROW_HEIGHT = 132  # dp: a posting is one large touch target
FILTER_HEIGHT = 64


def describe(p: dict[str, Any], lang: str) -> str:
    """One posting as the screen shows it, in ``lang`` (``zh`` or ``en``)."""
    yuan = f"{p['pay_fen'] / 100:.2f}".rstrip("0").rstrip(".")
    zh = lang != "en"
    per = {"day": "天", "month": "月"} if zh else {"day": "day", "month": "month"}
    emp = {"gig": "零工", "long_term": "长期"} if zh else {"gig": "gig",
                                                         "long_term": "long-term"}
    lines = [p["title"],
             f"{p['area']} · {p['job_type']} · {yuan}{'元/' if zh else ' yuan/'}"
             f"{per.get(p['pay_period'], p['pay_period'])} · "
             + (f"招{p['headcount']}人" if zh else f"{p['headcount']} wanted")
             + f" · {emp.get(p['employment'], p['employment'])}",
             p["employer"]["name"]]
    if p.get("warning"):
        lines.append("⚠ " + p["warning"][1 if not zh else 0])
    return "\n".join(lines)


class JobsScreen(KioskScreen):
    """Ids: ``area_row``, ``type_row`` (filter buttons ``area_<n>``, ``type_<n>``; ``_0`` is
    "all"), ``job_list`` (one ``job_<posting_id>`` label per posting shown), ``empty_label``."""

    postings = ListProperty([])
    area = StringProperty("")
    job_type = StringProperty("")
    message_key = StringProperty("")

    def on_pre_enter(self, *_args: Any) -> None:
        self.message_key = "common.busy"
        if voice_prompts.enabled:
            voice_prompts.say("voice.jobs")
        self.runner.call(self.services.jobs.postings, on_result=self._loaded,
                         on_error=self._fail)

    def _loaded(self, postings: list[dict[str, Any]]) -> None:
        self.message_key = "" if postings else "jobs.none"
        self.postings = postings
        self.area = self.job_type = ""
        self._filters()
        self.render()

    def _fail(self, exc: BaseException) -> None:
        Logger.error("JobsScreen: postings failed: %r", exc, exc_info=exc)
        self.message_key = "common.error"

    def _filters(self) -> None:
        for row, field, values in (
                (self.ids.area_row, "area", sorted({p["area"] for p in self.postings})),
                (self.ids.type_row, "job_type", sorted({p["job_type"] for p in self.postings}))):
            row.clear_widgets()
            prefix = "area" if field == "area" else "type"
            for n, value in enumerate(["", *values]):
                b = TButton(tkey="jobs.all" if not value else "", font_size=sp(22),
                            size_hint_x=None, width=dp(150), height=dp(FILTER_HEIGHT))
                if value:
                    b.text = value
                b.bind(on_release=lambda _b, f=field, v=value: self.choose(f, v))
                self.ids[f"{prefix}_{n}"] = b
                row.add_widget(b)

    def choose(self, field: str, value: str) -> None:
        """Show only postings with this area or job type (``""``: all)."""
        setattr(self, field, value)
        self.render()

    def shown(self) -> list[dict[str, Any]]:
        """The postings the filters let through, in the order held (area, type, title)."""
        return [p for p in self.postings if (not self.area or p["area"] == self.area)
                and (not self.job_type or p["job_type"] == self.job_type)]

    def render(self) -> None:
        box = self.ids.job_list
        box.clear_widgets()
        for p in self.shown():
            label = TLabel(text=describe(p, translator.lang), font_size=sp(24),
                           size_hint_y=None, height=dp(ROW_HEIGHT), halign="left",
                           valign="middle",
                           color=(0.62, 0.14, 0.12, 1) if p.get("warning") else (0, 0, 0, 1))
            label.bind(size=lambda w, _s: setattr(w, "text_size", (w.width - dp(24), None)))
            self.ids[f"job_{p['posting_id']}"] = label
            box.add_widget(label)

    def wipe(self) -> None:
        super().wipe()
        self.area = self.job_type = ""

"""Job-seeker wizard (求职登记): identity -> skills -> jobs wanted -> availability, area and
kind of work -> review and submit. Shared behaviour is in :mod:`kiosk.ui.screens.wizard`;
layout in ``jobseeker.kv``.

Skills and wanted jobs are tap-to-choose chips plus free text; a chip stores its Chinese
label (what the county's job matching reads), whatever language the worker uses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.properties import StringProperty

from kiosk.ui.forms import build_jobseeker
from kiosk.ui.i18n import translator
from kiosk.ui.screens.wizard import WizardScreen
from shared._errors import RecordInvalid
from shared.messages import FIELD_LABELS
from shared.records import parse_jobseeker

__all__ = ["AVAILABILITY", "EMPLOYMENT_OPTIONS", "JOBS", "SKILLS", "JobSeekerScreen"]

STEPS = ("identity", "skills", "jobs", "work", "review")

# (value stored, zh-CN, English)
SKILLS = [(zh, zh, en) for zh, en in (
    ("电工", "Electrician"), ("焊工", "Welder"), ("木工", "Carpenter"), ("瓦工", "Bricklayer"),
    ("水管工", "Plumber"), ("油漆工", "Painter"), ("钢筋工", "Rebar worker"),
    ("保洁", "Cleaner"), ("家政", "Housekeeping"), ("厨师", "Cook"), ("司机", "Driver"),
    ("快递/外卖", "Courier"), ("保安", "Security guard"), ("搬运", "Mover"),
    ("普工", "General labour"),
)]
JOBS = [(zh, zh, en) for zh, en in (
    ("装修", "Renovation"), ("建筑工地", "Building site"), ("工厂", "Factory"),
    ("物流仓储", "Logistics"), ("餐饮", "Catering"), ("家政服务", "Domestic work"),
    ("保洁", "Cleaning"), ("安保", "Security"), ("农业", "Farming"), ("零工", "Odd jobs"),
)]
AVAILABILITY = [
    ("weekdays", "工作日", "Weekdays"), ("weekends", "周末", "Weekends"),
    ("anytime", "随时", "Any time"), ("evenings", "晚上", "Evenings"),
]
EMPLOYMENT_OPTIONS = [("gig", "零工/日结", "Gig / by the day"),
                      ("long_term", "长期工作", "Long-term job")]


class JobSeekerScreen(WizardScreen):
    """Ids: ``js_name``, ``js_id_number``, ``js_phone``, ``skills``, ``skills_text``,
    ``wanted_jobs``, ``wanted_jobs_text``, ``availability``, ``area``, ``employment``,
    ``review_label``, ``submit_button``, ``back_button``, ``next_button``, ``keyboard``."""

    kind = "jobseeker"
    step_names = STEPS
    form_steps = ("identity", "skills", "jobs", "work")

    review_text = StringProperty("")
    skill_options = SKILLS
    job_options = JOBS
    availability_options = AVAILABILITY
    employment_options = EMPLOYMENT_OPTIONS

    def on_kv_post(self, base_widget: Any) -> None:
        translator.bind(lang=self._on_lang)
        super().on_kv_post(base_widget)

    def build_record(self) -> dict[str, Any]:
        return build_jobseeker(self.values())

    def submit_fn(self) -> Callable[..., Any]:
        return self.services.submit_jobseeker  # type: ignore[no-any-return]

    def enter_step(self, name: str) -> None:
        if name == "review":
            self._review()

    def _on_lang(self, *_args: Any) -> None:
        if self.step_name == "review":
            self._review()

    def _review(self) -> None:
        try:
            record = parse_jobseeker(self.build_record()).to_wire()
        except RecordInvalid as exc:
            self.review_text = ""
            self.show_errors(exc.errors)
            return
        self.general_error = []
        self.review_text = review_text(record, translator.lang)

    def wipe(self) -> None:
        self.review_text = ""
        super().wipe()

    def detach(self) -> None:
        translator.unbind(lang=self._on_lang)


def _choice_label(options: list[tuple[str, str, str]], value: str, i: int) -> str:
    return next((o[1 + i] for o in options if o[0] == value), value)


def review_text(record: dict[str, Any], lang: str) -> str:
    """The review page: one ``label: value`` line per field."""
    i = 0 if lang == "zh-CN" else 1
    sep, comma = ("：", "、") if i == 0 else (": ", ", ")

    def line(path: str, value: str) -> str:
        return f"{FIELD_LABELS[path][i]}{sep}{value}"

    return "\n".join([
        line("name", record["name"]),
        line("id_number", record["id_number"]),
        line("phone", record["phone"]),
        line("skills", comma.join(record.get("skills", [])) or "-"),
        line("wanted_jobs", comma.join(record.get("wanted_jobs", [])) or "-"),
        line("availability", _choice_label(AVAILABILITY, record["availability"], i)),
        line("area", record["area"]),
        line("employment", _choice_label(EMPLOYMENT_OPTIONS, record["employment"], i)),
    ])

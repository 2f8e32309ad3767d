"""Complaint wizard (我要维权/投诉): matter type -> checklist -> claimant -> employer -> claim
-> details -> review -> consent -> submit. Behaviour shared with the job-seeker wizard is in
:mod:`kiosk.ui.screens.wizard`; the layout is ``complaint.kv``.

The checklist of the chosen matter type (一次性告知) is fetched from the services in the
worker's language and fetched again when the language changes. The review page shows the
normalised record the services will seal, with the amount back in yuan.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.logger import Logger
from kivy.properties import ListProperty, StringProperty

from kiosk.ui.forms import HANDLING, MATTER_TYPES, build_complaint, format_fen
from kiosk.ui.i18n import service_lang, translator
from kiosk.ui.icons import matter_icon_texture
from kiosk.ui.screens.wizard import WizardScreen
from shared._errors import RecordInvalid
from shared.messages import FIELD_LABELS
from shared.records import parse_complaint

__all__ = ["ComplaintScreen"]

STEPS = ("matter", "checklist", "claimant", "employer", "claim", "details", "review", "consent")


class ComplaintScreen(WizardScreen):
    """Ids: ``matter_<type>`` buttons, ``checklist_label``, the inputs ``claimant_name``,
    ``claimant_id_number``, ``claimant_phone``, ``conceal_identity``, ``employer_name``,
    ``employer_uscc``, ``employer_address``, ``amount``, ``period_start``, ``period_end``,
    ``coworkers``, ``description``, ``handling``, ``consent``; ``review_label``,
    ``submit_button``, ``back_button``, ``next_button``, ``keyboard``."""

    kind = "complaint"
    step_names = STEPS
    form_steps = ("claimant", "employer", "claim", "details")

    matter_type = StringProperty("")
    checklist = ListProperty([])
    checklist_text = StringProperty("")
    review_text = StringProperty("")
    handling_options = ListProperty([(h, *translator.pair(f"handling.{h}")) for h in HANDLING])

    def on_kv_post(self, base_widget: Any) -> None:
        for matter in MATTER_TYPES:
            self.ids[f"matter_{matter}"].icon = matter_icon_texture(matter)
        translator.bind(lang=self._on_lang)
        super().on_kv_post(base_widget)

    def choose_matter(self, matter_type: str) -> None:
        """The worker tapped a matter type: remember it and show its checklist."""
        if matter_type != self.matter_type:
            self.checklist = []
        self.matter_type = matter_type
        self.step = STEPS.index("checklist")

    def build_record(self) -> dict[str, Any]:
        return build_complaint({**self.values(), "matter_type": self.matter_type})

    def submit_fn(self) -> Callable[..., Any]:
        return self.services.submit_complaint  # type: ignore[no-any-return]

    def receipt_matter(self) -> str:
        return str(self.matter_type)

    # -- steps -----------------------------------------------------------------------------

    def enter_step(self, name: str) -> None:
        if name == "checklist":
            self._fetch_checklist()
        elif name == "review":
            self._review()

    def _fetch_checklist(self) -> None:
        self._render_checklist()
        if not self.matter_type:
            return
        self.runner.call(self.services.checklist, self.matter_type,
                         service_lang(translator.lang), on_result=self._set_checklist,
                         on_error=self._checklist_failed)

    def _set_checklist(self, items: list[str]) -> None:
        self.checklist = list(items)
        self._render_checklist()

    def _checklist_failed(self, exc: BaseException) -> None:
        Logger.error("ComplaintScreen: checklist failed: %r", exc)
        self.checklist_text = translator.t("common.error")

    def _render_checklist(self) -> None:
        if not self.matter_type:
            self.checklist_text = ""
        elif self.checklist:
            self.checklist_text = "\n".join(f"• {item}" for item in self.checklist)
        else:
            self.checklist_text = translator.t("common.busy")

    def _on_lang(self, *_args: Any) -> None:
        if self.step_name == "checklist":
            self.checklist = []
            self._fetch_checklist()
        elif self.step_name == "review":
            self._review()

    def _review(self) -> None:
        try:
            # Consent is the next step's business; everything else must be right by now.
            record = parse_complaint({**self.build_record(), "consent": True}).to_wire()
        except RecordInvalid as exc:
            self.review_text = ""
            self.show_errors(exc.errors)
            return
        self.general_error = []
        self.review_text = review_text(record, translator.lang)

    def wipe(self) -> None:
        self.matter_type = ""
        self.checklist = []
        self.checklist_text = ""
        self.review_text = ""
        super().wipe()

    def detach(self) -> None:
        translator.unbind(lang=self._on_lang)


def review_text(record: dict[str, Any], lang: str) -> str:
    """The review page: one ``label: value`` line per field the worker filled."""
    i = 0 if lang == "zh-CN" else 1
    yes, no = translator.t("common.yes", lang), translator.t("common.no", lang)

    def line(path: str, value: object) -> str:
        return f"{FIELD_LABELS[path][i]}{'：' if i == 0 else ': '}{value}"

    claimant, employer = record["claimant"], record["employer"]
    lines = [
        line("matter_type", translator.t(f"matter.{record['matter_type']}", lang)),
        line("claimant.name", claimant["name"]),
        line("claimant.id_number", claimant["id_number"]),
        line("claimant.phone", claimant["phone"]),
        line("claimant.conceal_identity", yes if claimant.get("conceal_identity") else no),
        line("employer.name", employer["name"]),
    ]
    if employer.get("uscc"):
        lines.append(line("employer.uscc", employer["uscc"]))
    if employer.get("address"):
        lines.append(line("employer.address", employer["address"]))
    if "amount_claimed_fen" in record:
        lines.append(line("amount_claimed_fen", f"￥{format_fen(record['amount_claimed_fen'])}"))
    if "period" in record:
        lines.append(line("period", f"{record['period']['start']} – {record['period']['end']}"))
    if "coworkers_affected" in record:
        lines.append(line("coworkers_affected", record["coworkers_affected"]))
    lines.append(line("preferred_handling",
                      translator.t(f"handling.{record['preferred_handling']}", lang)))
    lines.append(line("description", record["description"]))
    return "\n".join(lines)

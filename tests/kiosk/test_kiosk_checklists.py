"""One-time notification checklists (一次性告知清单): built-in set and server replacement."""

from __future__ import annotations

import pytest

from kiosk.errors import ConfigInvalid
from kiosk.root import KioskServices
from kiosk.services.config import SECTIONS, default_checklists
from shared.records import MATTER_TYPES


@pytest.mark.parametrize("matter", [*MATTER_TYPES, "jobseeker"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_built_in_sheet_for_every_matter_in_both_languages(services: KioskServices,
                                                           matter: str, lang: str) -> None:
    sheet = services.checklist_sheet(matter, lang)
    assert sheet["title"]
    assert sheet["documents"]
    assert sheet["where"]
    assert sheet["next_steps"]
    assert all(isinstance(s, str) and s for sec in SECTIONS for s in sheet[sec])
    assert services.checklist(matter, lang) == sheet["documents"]
    if matter != "jobseeker":
        assert sheet["time_limits"]


def test_legal_time_limits_cite_their_sources() -> None:
    matters = default_checklists()["matters"]
    arb = [t for t in matters["wage_arrears"]["time_limits"] if "第二十七条" in t["basis_zh"]]
    assert arb
    assert "一年" in arb[0]["zh"]
    assert "one year" in arb[0]["en"]
    assert "art. 27" in arb[0]["basis_en"]
    injury = matters["work_injury"]["time_limits"][0]
    assert "第十七条" in injury["basis_zh"]
    assert "1年" in injury["zh"]
    assert "art. 17" in injury["basis_en"]
    assert "1 year" in injury["en"]


def test_server_checklists_replace_the_defaults(services: KioskServices) -> None:
    text = {"zh": "带上身份证", "en": "Bring your ID card"}
    sheet = {"title": {"zh": "欠薪", "en": "Unpaid wages"}, "documents": [text],
             "where": [text], "next_steps": [text], "time_limits": []}
    services.apply_config({"checklists": {"version": 2, "matters": {"other": sheet}}})
    assert services.checklist("wage_arrears", "en") == ["Bring your ID card"]  # falls to other
    assert services.checklist_sheet("other", "zh")["title"] == "欠薪"


@pytest.mark.parametrize(("config", "message"), [
    ({"checklists": {"matters": {}}}, "non-empty"),
    ({"checklists": {"matters": {"other": {"title": {"zh": "x"}}}}}, "title"),
    ({"utc_offset_minutes": 2000}, "utc_offset_minutes"),
    ({"ticket_prefix": "ab"}, "ticket_prefix"),
])
def test_bad_config_is_refused_and_changes_nothing(services: KioskServices, config: dict,  # type: ignore[type-arg]
                                                   message: str) -> None:
    before = services.checklist("wage_arrears", "zh")
    with pytest.raises(ConfigInvalid, match=message):
        services.apply_config(config)
    assert services.checklist("wage_arrears", "zh") == before


def test_unknown_language_is_refused(services: KioskServices) -> None:
    with pytest.raises(ConfigInvalid, match="language"):
        services.checklist("wage_arrears", "fr")

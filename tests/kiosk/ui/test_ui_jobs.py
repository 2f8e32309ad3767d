"""找工作 (issue 16): the postings the kiosk holds, filtered by area and job type, in large
blocks; a flagged employer's posting carries the warning."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.ui


def _posting(pid: str, title: str, area: str, job_type: str, **over: Any) -> dict[str, Any]:
    return {"posting_id": pid, "title": title, "area": area, "job_type": job_type,
            "employer": {"name": "随州市某某有限公司", "uscc": "x"}, "skills": [],
            "pay_fen": 25000, "pay_period": "day", "start": "2026-12-01", "end": None,
            "headcount": 2, "employment": "gig", "contact": None, "flags": [],
            "warning": None, **over}


def test_jobs_listed_filtered_and_warned(ui, fake_services):
    fake_services.jobs.held = [
        _posting("P1", "水电安装", "曾都区", "装修"),
        _posting("P2", "家政保洁", "曾都区", "保洁",
                 flags=["open_wage_complaints"],
                 warning=["提醒：该用人单位有尚未办结的欠薪投诉",
                          "Warning: unresolved wage complaints"]),
        _posting("P3", "电焊工", "随县", "焊接"),
    ]
    ui.tap("btn_jobs")
    ui.pump_until(lambda: ui.current == "jobs")
    ui.pump_until(lambda: "job_P3" in ui.screen("jobs").ids, "postings shown")
    screen = ui.screen("jobs")
    assert len(screen.ids.job_list.children) == 3
    assert "250元/天" in screen.ids.job_P1.text
    assert "⚠ 提醒" in screen.ids.job_P2.text
    # every posting and filter is a large touch target
    assert all(w.height >= 100 for w in screen.ids.job_list.children)
    ui.screenshot(ui.app.root, "jobs-zh-CN")
    ui.tap(screen.ids.area_2)                # 随县 (areas sorted; _0 is "all")
    ui.pump_until(lambda: len(screen.ids.job_list.children) == 1, "one area")
    assert screen.ids.job_list.children[0] is screen.ids.job_P3
    ui.tap(screen.ids.area_0)
    ui.tap(screen.ids.type_1)                # 保洁
    ui.pump_until(lambda: len(screen.ids.job_list.children) == 1, "one type")
    assert "家政保洁" in screen.ids.job_list.children[0].text


def test_no_jobs_says_so(ui, fake_services):
    fake_services.jobs.held = []
    ui.tap("btn_jobs")
    ui.pump_until(lambda: ui.current == "jobs")
    # "please wait" first, while the worker reads the postings; then the empty message
    ui.pump_until(lambda: "暂无招工信息" in ui.find("empty_label").text, "empty message")
    assert ui.find("empty_label").opacity == 1


def test_a_registration_receipt_lists_its_matches(ui, fake_services):
    receipt = {**fake_services.make_receipt(),
               "matches": [{"posting_id": "P1", "title": "水电安装", "score": 95,
                            "reasons": [], "flags": []},
                           {"posting_id": "P2", "title": "家政保洁", "score": 70,
                            "reasons": [], "flags": ["open_wage_complaints"]}]}
    ui.app.show_receipt(receipt, "", "jobseeker")
    ui.pump_until(lambda: ui.current == "receipt")
    screen = ui.screen("receipt")
    ui.pump_until(lambda: "水电安装" in screen.checklist_text, "matches listed")
    assert "家政保洁  ⚠" in screen.checklist_text
    ui.screenshot(ui.app.root, "receipt-jobseeker-zh-CN")


def test_looking_up_a_registration_shows_its_matches(ui, fake_services):
    fake_services.make_receipt("K7Q2M9XPA34", "482913")
    fake_services.jobs.matches = {"K7Q2M9XPA34": [{"posting_id": "P1", "title": "水电安装"}]}
    ui.tap("btn_lookup")
    ui.type("K7Q2M9XPA34", into="code_input")
    ui.type("482913", into="pin_input")
    ui.tap("submit_button")
    ui.pump_until(lambda: "水电安装" in ui.find("result_label").text, "matches shown")
    assert "为您推荐的岗位" in ui.find("result_label").text

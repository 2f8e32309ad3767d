"""The early-warning lifecycle through the real CLI (``yizhan-server alerts …`` processes)
on SQLite and PostgreSQL: filings from two stations raise one alert, listed in zh-CN with
China local times, stations and receipt codes; named users move it 认领 → 研判 → 处置 → 销号;
steps out of order, a close without outcome and a user without the role are refused; every
step is in the audit log."""

from __future__ import annotations

import json
from typing import Any

import httpx

from shared.clock import ManualClock
from sync_server.config.settings import Settings
from sync_server.services.staff import StaffDesk
from tests.sync_server.conftest import new_token
from tests.sync_server.server_kit import TestKiosk, add_staff, complaint, server_cli


def _cli(settings: Settings, *args: str, check: bool = True) -> Any:
    done = server_cli(*args, "--data", str(settings.data_dir), "--db",
                      settings.database_url, check=check)
    return done


def _alerts(settings: Settings) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = json.loads(_cli(settings, "alerts", "--json").stdout)
    return out


def test_alert_lifecycle_through_the_cli(client: httpx.Client, staff: StaffDesk,
                                         kiosk: TestKiosk, server_settings: Settings,
                                         manual_clock: ManualClock) -> None:
    other = TestKiosk(manual_clock, station="S002")
    other.enroll(client, new_token(staff, "S002"))
    envs = [kiosk.file(record=complaint(n)) for n in range(3)]
    assert kiosk.push(client, envs).status_code == 201
    more = [other.file(record=complaint(n)) for n in range(3, 5)]
    assert other.push(client, more).status_code == 201

    [alert] = _alerts(server_settings)
    codes = sorted(k.receipts[e.header.id][0] for k, batch in ((kiosk, envs), (other, more))
                   for e in batch)
    assert sorted(c["receipt_code"] for c in alert["cases"]) == codes
    assert alert["stations"] == ["S001", "S002"]
    assert (alert["level"], alert["state"], alert["claimants"]) == ("emerging", "open", 5)
    assert alert["since"] == "2026-11-21 10:00"  # 02:00 UTC in China
    text = _cli(server_settings, "alerts").stdout
    assert f"#{alert['id']} [苗头·待认领]" in text
    assert "5 名投诉人" in text
    assert codes[0] in text
    assert "S002" in text
    assert "张三" not in text
    assert "13800138000" not in text

    aid = str(alert["id"])
    wang = add_staff(server_settings.data_dir, "wang", "triage",
                     db=server_settings.database_url)
    med = add_staff(server_settings.data_dir, "li", "mediator",
                    db=server_settings.database_url)
    refused = _cli(server_settings, "alerts", "ack", aid, *med, check=False)
    assert refused.returncode == 1
    assert "may not work alerts" in refused.stderr
    early = _cli(server_settings, "alerts", "close", aid, *wang, "--outcome", "x",
                 check=False)
    assert early.returncode == 1
    assert "待认领" in early.stderr
    assert "open" not in early.stdout

    for verb, note in (("ack", None), ("assess", "同一工地欠薪"), ("handle", "约谈企业")):
        args = ["alerts", verb, aid, *wang] + (["--note", note] if note else [])
        _cli(server_settings, *args)
    no_outcome = _cli(server_settings, "alerts", "close", aid, *wang, check=False)
    assert no_outcome.returncode == 1
    assert "outcome" in no_outcome.stderr
    _cli(server_settings, "alerts", "escalate", aid, *wang, "--note", "移送监察大队")
    closed = json.loads(_cli(server_settings, "alerts", "close", aid, *wang, "--outcome",
                             "企业已补发工资", "--json").stdout)
    assert (closed["state"], closed["state_zh"], closed["outcome"]) == \
        ("closed", "已销号", "企业已补发工资")
    assert closed["escalated_at"] is not None
    assert [s["step"] for s in closed["steps"]] == ["ack", "assess", "handle", "escalate",
                                                     "close"]
    again = _cli(server_settings, "alerts", "ack", aid, *wang, check=False)
    assert again.returncode == 1
    assert "已销号" in again.stderr

    log = json.loads(_cli(server_settings, "audit", "--user", "wang", "--json").stdout)
    actions = [e["action"] for e in log]
    for verb in ("ack", "assess", "handle", "escalate", "close"):
        assert f"alert.{verb}" in actions
    assert any("企业已补发工资" in (e["detail"] or "") for e in log)
    assert _cli(server_settings, "alerts", "--state", "closed", "--json").stdout.count(
        '"id"') == 1

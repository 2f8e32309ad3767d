"""The workbench pages over HTTP against a real uvicorn on SQLite and PostgreSQL: every home
count equals the list it links to; search (receipt code, employer name, USCC, claimant name
only for roles that may read personal data) and filters; bad filters and amounts named;
scope (station, role) decided on the server; refused actions answered with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from sync_server.config.settings import Settings
from sync_server.services import accounts
from sync_server.services.wiring import Services
from tests.console.conftest import PASSWORD
from tests.sync_server.conftest import (  # noqa: F401 - fixtures
    client,
    db_url,
    kiosk,
    new_token,
    server_settings,
    staff,
)
from tests.sync_server.server_kit import TestKiosk, complaint, employer_uscc

USERS = {"tri": (["triage"], None), "zhu": (["director"], None), "adm": (["admin"], None),
         "stat": (["statistician"], None), "s2": (["intake"], "S002")}


@pytest.fixture
def filed(client: httpx.Client, staff: Any, kiosk: TestKiosk,  # noqa: F811 - fixtures
          manual_clock: Any, server_settings: Settings) -> dict[str, str]:  # noqa: F811
    svc = Services.open(server_settings, manual_clock)
    try:
        for name, (roles, station) in USERS.items():
            accounts.add_user(svc, name, roles, station, PASSWORD)
    finally:
        svc.close()
    envs = [kiosk.file("complaint", complaint(1)), kiosk.file("complaint", complaint(2)),
            kiosk.file("complaint", complaint(3, employer=7, claimant={
                "name": "王五", "id_number": complaint(3)["claimant"]["id_number"],
                "phone": "13700137000", "conceal_identity": True}))]
    assert kiosk.push(client, envs).status_code == 201
    other = TestKiosk(manual_clock, station="S002")
    other.enroll(client, new_token(staff, "S002"))
    env2 = other.file("complaint", complaint(4))
    assert other.push(client, [env2]).status_code == 201
    codes = [kiosk.receipts[e.header.id][0] for e in envs]
    return {"a": codes[0], "b": codes[1], "hidden": codes[2],
            "s2": other.receipts[env2.header.id][0]}


@pytest.fixture
def login(client: httpx.Client  # noqa: F811 - the fixture
          ) -> Iterator[Callable[[str], httpx.Client]]:
    """Log ``username`` in with a client of their own (closed after the test)."""
    opened: list[httpx.Client] = []

    def make(username: str) -> httpx.Client:
        http = httpx.Client(base_url=str(client.base_url), timeout=30)
        opened.append(http)
        return _login(http, username)
    yield make
    for http in opened:
        http.close()


def _login(http: httpx.Client, username: str) -> httpx.Client:
    form = http.get("/console/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    done = http.post("/console/login", data={"csrf_token": token.group(1),
                                             "username": username, "password": PASSWORD})
    assert done.status_code == 303, done.text
    return http


def codes(page: str) -> list[str]:
    return re.findall(r'<tr data-code="([^"]+)"', page)


def csrf(page: str) -> str:
    found = re.search(r'"X-CSRF-Token": "([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_home_counts_equal_their_lists_and_search_filters(
        login: Callable[[str], httpx.Client], filed: dict[str, str]) -> None:
    tri = login("tri")
    home = tri.get("/console/").text
    rows = re.findall(r'<tr data-queue="([^"]+)"><td><a href="([^"]+)">[^<]*</a></td>'
                      r'<td class="num"><a href="[^"]+">(\d+)</a>', home)
    assert {r[0] for r in rows} >= {"triage", "mine", "all", "deadline:today",
                                    "deadline:soon", "deadline:overdue"}
    for name, url, count in rows:
        listed = tri.get(url.replace("&amp;", "&"))
        assert listed.status_code == 200, (name, listed.text)
        assert f"共 {count} 件" in listed.text, name
        assert len(codes(listed.text)) == int(count), name
    assert dict((r[0], int(r[2])) for r in rows)["triage"] == 4

    def search(**params: str) -> list[str]:
        answer = tri.get("/console/queues/all", params=params)
        assert answer.status_code == 200, answer.text
        return sorted(codes(answer.text))

    a, _b, hidden = filed["a"], filed["b"], filed["hidden"]
    assert search(q=a.lower()) == [a]
    assert search(q="建筑劳务有限公司7") == [hidden]  # the name as filed (its key is a USCC)
    assert search(q=employer_uscc(7)) == [hidden]
    assert search(claimant="王五") == [hidden]
    assert search(matter_type="dismissal") == []
    assert search(station="S002") == [filed["s2"]]
    assert len(search(matter_type="wage_arrears", deadline="on_track")) == 4
    bad = tri.get("/console/queues/all", params={"filed_from": "2026-13-01"})
    assert bad.status_code == 422
    assert "filed_from" in bad.text
    # a statistician sees aggregates only: no case list, so no search by name either
    stat = login("stat")
    assert stat.get("/console/queues/all", params={"claimant": "王五"}).status_code == 403


def test_scope_and_refusals_are_decided_on_the_server(
        login: Callable[[str], httpx.Client], filed: dict[str, str]) -> None:
    s2 = login("s2")
    assert codes(s2.get("/console/queues/all").text) == [filed["s2"]]
    assert s2.get(f"/console/cases/{filed['a']}").status_code == 403
    assert s2.get("/console/queues/all", params={"station": "S001"}).status_code == 403
    adm = login("adm")  # users and roles, no case content
    assert adm.get("/console/queues/all").status_code == 403
    assert adm.get(f"/console/cases/{filed['a']}").status_code == 403

    tri = login("tri")
    page = tri.get(f"/console/cases/{filed['a']}").text
    assert "张三" not in page
    assert "已封存" in page
    token = csrf(page)
    # triage may not record a payment: the page says why, in Chinese and English
    paid = tri.post(f"/console/cases/{filed['a']}/act/payment",
                    data={"csrf_token": token, "yuan": "100", "on": "2026-11-20"})
    assert paid.status_code == 403
    assert "无权执行此操作" in paid.text
    assert "may not do case.outcome" in paid.text
    zhu = login("zhu")
    token = csrf(zhu.get(f"/console/cases/{filed['a']}").text)
    for forged in ({}, {"csrf_token": "forged" * 8}):  # refused before anything is done
        assert zhu.post(f"/console/cases/{filed['a']}/act/accept",
                        data=forged).status_code == 403
    assert 'data-kind="accepted"' not in zhu.get(f"/console/cases/{filed['a']}").text
    # the fold refuses a mediation session before the case is in mediation
    session = zhu.post(f"/console/cases/{filed['a']}/act/session",
                       data={"csrf_token": token, "on": "2026-11-20", "summary": "到场"})
    assert session.status_code == 409
    assert "只有调解中的案件才能记录调解" in session.text
    odd = zhu.post(f"/console/cases/{filed['a']}/act/agreement",
                   data={"csrf_token": token, "yuan": "12.345"})
    assert odd.status_code == 422
    assert "yuan" in odd.text
    assert "not an amount" in odd.text

    # a print for the employer omits a concealed claimant; the staff view seals it
    printed = zhu.get(f"/console/cases/{filed['hidden']}", params={"audience": "employer"})
    assert printed.status_code == 200
    assert "王五" not in printed.text
    assert 'id="identity-omitted"' in printed.text
    opened = zhu.post(f"/console/cases/{filed['hidden']}/identity",
                      data={"csrf_token": token, "reason": "核对身份"})
    assert "王五" in opened.text
    empty = zhu.post(f"/console/cases/{filed['hidden']}/identity",
                     data={"csrf_token": token, "reason": " "})
    assert "王五" not in empty.text
    assert "reason" in empty.text

"""A real kiosk refuses an employer name that NFKC spells out too long, naming the field in
both languages, and stores nothing of it; its next record syncs (docs/security.md "Poison
records"; the county's side is tests/sync_server/test_server_poison.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.kiosk.kiosk_kit import complaint
from tests.sync.conftest import kiosk_cli
from tests.sync_server.server_kit import ServerProcess


def test_the_kiosk_refuses_an_employer_name_that_folds_too_long(
        make_kiosk: Callable[[str], Path], server: ServerProcess) -> None:
    data = make_kiosk("S001")
    record = complaint(5)
    record["employer"] = {"name": "㍿" * 50}  # 50 characters; NFKC: 株式会社 × 50 = 200
    refused = kiosk_cli(data, "submit", "complaint", "--json", "-", check=False,
                        input_text=json.dumps(record, ensure_ascii=False))
    assert refused.returncode == 1
    [line] = [json.loads(x) for x in refused.stdout.splitlines()]
    [error] = line["errors"]
    assert (error["field"], error["code"]) == ("employer.name", "too_long_folded")
    assert error["zh"].startswith("用人单位名称：含有会展开")  # zh-CN first, naming the field
    assert error["en"].startswith("Employer name: contains compound characters")
    assert "employer.name" in refused.stderr
    assert json.loads(kiosk_cli(data, "outbox", "--json").stdout)["pending"] == 0

    kiosk_cli(data, "submit", "complaint", "--json", "-",
              input_text=json.dumps(complaint(6), ensure_ascii=False))
    assert json.loads(kiosk_cli(data, "sync", "--json").stdout)["acknowledged"] == 1

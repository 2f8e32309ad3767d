"""Schemathesis against the served /openapi.json: no generated request gets a 5xx, and every
refusal is a JSON problem body. Bounded: at most 50 examples per operation.

Driven through hypothesis directly (``operation.as_strategy()``) because schemathesis's pytest
plugin does not run under pytest 9.
"""

from __future__ import annotations

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings

from sync_server.app import create_app
from sync_server.config import keystore
from sync_server.config.settings import Settings
from tests.sync_server.server_kit import ServerThread

MAX_EXAMPLES = 50


def test_no_generated_request_gets_a_server_error(tmp_path: Path) -> None:
    data = tmp_path / "server"
    data.mkdir()
    keystore.create(data, "X", None)
    seen: dict[str, int] = {}
    with ServerThread(create_app(Settings(data_dir=data, status_rate_per_minute=10_000))) \
            as base_url:
        schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) == 8  # GET /r/keys (the status page's device keys), POST /v2/push
        for operation in operations:

            @given(case=operation.as_strategy())
            @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            def check(case: schemathesis.Case) -> None:
                response = case.call(base_url=base_url)
                label = f"{case.method} {case.path} -> {response.status_code}"
                seen[label] = seen.get(label, 0) + 1
                assert response.status_code < 500, f"{label}: {response.text}"
                if response.status_code >= 400:
                    ctype = response.headers["content-type"]
                    ctype = ctype[0] if isinstance(ctype, list) else ctype
                    assert ctype.startswith("application/problem+json"), label
                    assert isinstance(response.json()["code"], str), label

            check()
    assert sum(seen.values()) >= len(operations)

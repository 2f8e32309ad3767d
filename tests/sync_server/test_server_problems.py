"""The HTTP edge maps the whole error tree to JSON problem bodies, once
(``sync_server.api.problems.install``): a route that lets any YizhanError through answers
with the class's status and stable ``code``, never a bare 500 page.

The app is built inline (as Starlette's own tests do) with the real ``install`` and served
by a real uvicorn on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from shared._errors import FieldError, RecordInvalid, YizhanError
from sync_server.api.problems import PROBLEM_JSON, install, problem
from sync_server.domain.errors import EventConflict, EventInvalid, UnknownStatus
from sync_server.errors import ActionRefused, ConfigError, NotFound, StoreFault
from tests.sync_server.server_kit import ServerThread


class _NewKind(YizhanError):
    """A subclass the edge has never heard of: its class attribute decides the answer."""

    code = "new_kind"
    http_status = 418


RAISED: dict[str, YizhanError] = {
    "not-found": NotFound("receipt ABCD-EFGH does not exist"),
    "refused": ActionRefused("case c1 and c2 were never linked"),
    "domain": UnknownStatus("status 'lost' is not defined"),
    "event-invalid": EventInvalid("data.status", "unknown_status", "not a status"),
    "conflict": EventConflict("two events under one event_id"),
    "record": RecordInvalid([FieldError("claimant.phone", "phone", "电话号码无效",
                                        "not a phone number")]),
    "store": StoreFault("OperationalError", "53100", "cases"),
    "config": ConfigError("/srv/yizhan/county.key: unreadable"),
    "new-kind": _NewKind("teapot"),
    "problem": problem("rate_limited", "too many lookups", retry_after=7),
}


@pytest.fixture(scope="module")
def edge() -> Iterator[httpx.Client]:
    app = FastAPI()
    install(app)

    @app.get("/raise/{name}")
    def raise_it(name: str) -> None:
        raise RAISED[name]

    with ServerThread(app) as base_url, httpx.Client(base_url=base_url, timeout=30) as c:
        yield c


@pytest.mark.parametrize(("name", "status", "code"), [
    ("not-found", 404, "not_found"),            # NotFound: the thing named does not exist
    ("refused", 409, "action_refused"),         # ActionRefused: the state does not allow it
    ("domain", 422, "unknown_status"),          # DomainError: the rules do not allow it
    ("event-invalid", 422, "unknown_status"),   # an instance's finer code wins
    ("conflict", 409, "event_conflict"),        # EventConflict: a conflict, not bad input
    ("record", 422, "record_invalid"),          # RecordInvalid, with its field errors
    ("store", 500, "store_fault"),              # our side failed: 500, code only
    ("config", 500, "config_unusable"),         # same
    ("new-kind", 418, "new_kind"),              # unknown subclass: its http_status decides
    ("problem", 429, "rate_limited"),           # Problem keeps its own status and code
])
def test_every_error_of_the_tree_is_a_problem_body(edge: httpx.Client, name: str, status: int,
                                                   code: str) -> None:
    r = edge.get(f"/raise/{name}")
    assert r.status_code == status
    assert r.headers["content-type"] == PROBLEM_JSON
    body = r.json()
    assert body["code"] == code
    assert body["status"] == status
    assert body["type"].endswith(f"/problems/{code}")
    assert body["title"]
    assert body["detail"]


def test_a_refusal_says_what_was_refused(edge: httpx.Client) -> None:
    assert edge.get("/raise/not-found").json()["detail"] == "receipt ABCD-EFGH does not exist"
    body = edge.get("/raise/record").json()
    assert body["errors"][0]["field"] == "claimant.phone"


def test_a_server_fault_keeps_its_message_for_the_log(edge: httpx.Client) -> None:
    body = edge.get("/raise/config").json()
    assert "/srv/yizhan" not in body["detail"]
    assert "53100" not in edge.get("/raise/store").json()["detail"]


def test_a_problem_keeps_its_retry_after(edge: httpx.Client) -> None:
    assert edge.get("/raise/problem").headers["retry-after"] == "7"

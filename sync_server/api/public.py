"""Public routes: receipt status lookup (rate-limited), health, Prometheus metrics."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import text

from shared._errors import ReceiptError
from shared.receipt import parse_code, pin_matches
from sync_server.api import models
from sync_server.api.models import PROBLEMS
from sync_server.api.problems import problem
from sync_server.domain.fold import CaseState
from sync_server.merge import status_change
from sync_server.metrics import Key
from sync_server.service import Services
from sync_server.store import cases as cq
from sync_server.store import devices as dq
from sync_server.store import feed
from sync_server.store import inbox as iq

router = APIRouter()
_DUMMY_VERIFIER = "0" * 64
_NOT_FOUND = "no receipt with this code and PIN"


def _svc(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


def client_ip(request: Request, trust_forwarded: bool) -> str:
    """The client address the rate limit counts against."""
    if trust_forwarded:
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:64]
    return request.client.host if request.client else "unknown"


@router.post("/v1/status", response_model=models.StatusAnswer, responses=PROBLEMS,
             tags=["public"])
def status(body: models.StatusRequest, request: Request) -> models.StatusAnswer:
    """Where a receipt stands, by code + PIN. Wrong PIN and unknown code answer the same."""
    svc = _svc(request)
    now = svc.clock.now()
    window = int(now.timestamp()) // 60 * 60_000
    with svc.engine.begin() as conn:
        count = feed.hit(conn, "status:" + client_ip(request, svc.settings.trust_forwarded_for),
                         window)
        if count == 1:
            feed.purge_rate_limits(conn, window)
    if count > svc.settings.status_rate_per_minute:
        raise problem("rate_limited", "too many status lookups from this address; wait a "
                      "minute", retry_after=60 - int(now.timestamp()) % 60)
    try:
        code = parse_code(body.code)
    except ReceiptError:
        code = None
    with svc.engine.connect() as conn:
        case = cq.by_code(conn, code) if code else None
    verifier = case["pin_verifier"] if case else _DUMMY_VERIFIER
    matches = pin_matches(code or "", body.pin, verifier)  # same work either way
    if case is None or not matches:
        raise problem("not_found", _NOT_FOUND)
    state = CaseState.from_wire(case["state"])
    change = status_change(state, as_of=_as_of(case["updated_at_ms"]))
    return models.StatusAnswer(receipt_code=change["receipt_code"], status=change["status"],
                               as_of=change["as_of"], next_step_zh=change["next_step_zh"],
                               next_step_en=change["next_step_en"])


def _as_of(ms: int) -> str:
    from datetime import UTC, datetime

    from shared.clock import format_utc
    return format_utc(datetime.fromtimestamp(ms / 1000, UTC))


@router.get("/v1/health", response_model=models.Health, responses=PROBLEMS, tags=["public"])
def health(request: Request) -> JSONResponse:
    """Liveness and store reachability."""
    svc = _svc(request)
    try:
        with svc.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        raise problem("unavailable", f"database unreachable: {type(exc).__name__}") from None
    return JSONResponse({"status": "ok", "county": svc.keys.county,
                         "database": svc.engine.dialect.name})


@router.get("/metrics", response_class=PlainTextResponse, tags=["public"])
def metrics(request: Request) -> PlainTextResponse:
    """Prometheus text exposition."""
    svc = _svc(request)
    started = time.perf_counter()
    with svc.engine.connect() as conn:
        gauges: dict[Key, float] = {("yizhan_inbox_records", (("state", k),)): float(v)
                  for k, v in iq.counts(conn).items()}
        gauges[("yizhan_cases", ())] = float(cq.count(conn))
        gauges[("yizhan_devices", ())] = float(dq.count(conn))
    gauges[("yizhan_scrape_seconds", ())] = time.perf_counter() - started
    return PlainTextResponse(svc.metrics.render(gauges),
                             media_type="text/plain; version=0.0.4; charset=utf-8")

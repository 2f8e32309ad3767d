"""Public routes: receipt status lookup (rate-limited), health, Prometheus metrics."""

from __future__ import annotations

import ipaddress
import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import text

from shared._errors import ReceiptError
from shared.receipt import decoy_verifier, parse_code, pin_matches
from sync_server.api import models
from sync_server.api.models import PROBLEMS
from sync_server.api.problems import problem
from sync_server.domain.fold import CaseState
from sync_server.metrics import Key
from sync_server.services import countysettings, pinguard, quarantine
from sync_server.services.merge import status_change
from sync_server.services.wiring import Services
from sync_server.store import cases as cq
from sync_server.store import devices as dq
from sync_server.store import inbox as iq
from sync_server.store import limits

router = APIRouter()
_NOT_FOUND = "no receipt with this code and PIN"
_DECOY: list[str] = []  # one s1 verifier per process, made on first use (costs one scrypt)


def _svc(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


def _decoy() -> str:
    if not _DECOY:
        _DECOY.append(decoy_verifier())
    return _DECOY[0]


def _trusted(address: str, proxies: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
        return any(ip in ipaddress.ip_network(p, strict=False) for p in proxies)
    except ValueError:
        return False


def client_ip(request: Request, trusted_proxies: tuple[str, ...]) -> str:
    """The client address the per-address limit counts against.

    The peer address, unless the peer is one of ``trusted_proxies`` (``serve
    --trusted-proxy``): then X-Forwarded-For is read from the right, skipping trusted
    proxies, and the first address no trusted proxy vouches for is the client. A header
    from anyone else is ignored, so a client cannot give itself a fresh allowance.
    """
    peer = request.client.host if request.client else "unknown"
    if not _trusted(peer, trusted_proxies):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",")]
    for hop in reversed([h for h in hops if h]):
        if not _trusted(hop, trusted_proxies):
            return hop[:64]
    return peer


def _retry_after(now_ms: int) -> int:
    """Seconds until this minute ends: by then the burst that tripped the per-address limit
    is weighted less and less, and a single lookup fits again (>= 1)."""
    return max(1, int(60 - (now_ms % limits.MINUTE_MS) / 1000))


@router.post("/v1/status", response_model=models.StatusAnswer, responses=PROBLEMS,
             tags=["public"])
def status(body: models.StatusRequest, request: Request) -> models.StatusAnswer:
    """Where a receipt stands, by code + PIN. Wrong PIN and unknown code answer the same.

    Two limits, both sliding windows kept in the store: lookups per client address
    (``status_rate_per_minute`` in 60 s) and wrong PINs per receipt code
    (``status_wrong_pins_per_receipt`` in ``status_receipt_window_s``), counted for any
    well-formed code so a 429 says nothing about whether the receipt exists.
    """
    svc = _svc(request)
    cfg = svc.settings
    decoy = _decoy()  # before any branch: the first lookup of either kind pays for it
    now_ms = int(svc.clock.now().timestamp() * 1000)
    window_ms = cfg.status_receipt_window_s * 1000
    with svc.engine.begin() as conn:
        count = limits.address_hit(conn, "status:" + client_ip(request, cfg.trusted_proxies),
                                   now_ms)
        limits.purge(conn, now_ms, window_ms)
    if count > cfg.status_rate_per_minute:
        raise problem("rate_limited", "too many status lookups from this address; wait a "
                      "minute", retry_after=_retry_after(now_ms))
    try:
        code: str | None = parse_code(body.code)
    except ReceiptError:
        code = None
    if code is None:
        pin_matches("0" * 11, body.pin, decoy)  # same work as a real lookup
        raise problem("not_found", _NOT_FOUND)
    private = svc.keys.keyring.private_keys
    with svc.engine.begin() as conn:
        case = cq.by_code(conn, code)
        if case is None:  # a record the county keeps aside (quarantined) answers too
            aside = quarantine.status_of(conn, code, private)
            if aside is not None and aside[4] is not None:
                case = {"pin_verifier": aside[4], "aside": aside}
        county = countysettings.current(conn, cfg)
        if case is not None:  # one lookup of this receipt at a time, in any process
            try:
                case = {**case, "pin_verifier": pinguard.effective_verifier(
                    conn, code, case["pin_verifier"])}
            except pinguard.ReceiptLocked as exc:
                raise problem("receipt_locked", str(exc)) from None
        failures, oldest = limits.failures_since(conn, code, now_ms - window_ms)
        if failures >= county.pin_window_limit:
            retry = max(1, (int(oldest or now_ms) + window_ms - now_ms + 999) // 1000)
            raise problem("rate_limited", "too many wrong PINs for this receipt; wait and "
                          "try again", retry_after=retry)
        if case is not None and pin_matches(code, body.pin, case["pin_verifier"]):
            found = case
        else:
            if case is None:
                pin_matches(code, body.pin, decoy)  # same work either way
            pinguard.wrong_pin(conn, code, now_ms, exists=case is not None,
                               lock_after=county.pin_lock_after)
            found = None
    if found is None:
        raise problem("not_found", _NOT_FOUND)
    if "aside" in found:
        status_, zh, en, at_ms, _ = found["aside"]
        return models.StatusAnswer(receipt_code=code, status=status_, as_of=_as_of(at_ms),
                                   next_step_zh=zh, next_step_en=en)
    state = CaseState.from_wire(found["state"])
    change = status_change(state, as_of=_as_of(found["updated_at_ms"]))
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
    return JSONResponse({"status": "ok", "county": svc.fresh_keys().county,
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

"""Public routes: receipt status lookup (rate-limited), health, Prometheus metrics."""

from __future__ import annotations

import ipaddress

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from sync_server.api import models
from sync_server.api.models import PROBLEMS
from sync_server.services.wiring import Services

router = APIRouter()


def _svc(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


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


@router.post("/v1/status", response_model=models.StatusAnswer, responses=PROBLEMS,
             response_model_exclude_none=True, tags=["public"])
def status(body: models.StatusRequest, request: Request) -> models.StatusAnswer:
    """Where a receipt stands, by code + PIN. Wrong PIN and unknown code answer the same.

    Two limits, both sliding windows kept in the store: lookups per client address
    (``status_rate_per_minute`` in 60 s) and wrong PINs per receipt code
    (``status_wrong_pins_per_receipt`` in ``status_receipt_window_s``), counted for any
    well-formed code so a 429 says nothing about whether the receipt exists
    (``Lookup.status``).
    """
    svc = _svc(request)
    found = svc.lookup.status(body.code, body.pin,
                              client_ip(request, svc.settings.trusted_proxies))
    return models.StatusAnswer(**found)


@router.get("/v1/health", response_model=models.Health, responses=PROBLEMS, tags=["public"])
def health(request: Request) -> JSONResponse:
    """Liveness and store reachability."""
    return JSONResponse(_svc(request).lookup.health())


@router.get("/metrics", response_class=PlainTextResponse, tags=["public"])
def metrics(request: Request) -> PlainTextResponse:
    """Prometheus text exposition."""
    svc = _svc(request)
    return PlainTextResponse(svc.metrics.render(svc.lookup.gauges()),
                             media_type="text/plain; version=0.0.4; charset=utf-8")

"""The worker's public status page: ``GET /r`` (the receipt QR's link lands here, the receipt
in the fragment), ``GET /r/`` (the same page: type the code when the QR is damaged), its
assets under ``/r/assets/``, and ``GET /r/keys`` (the county's device public keys the page
verifies receipts with). The lookup itself is the existing ``POST /v1/status``.

Every answer carries ``Referrer-Policy: no-referrer``, ``Cache-Control: no-store`` and a
strict Content-Security-Policy (everything from this origin only; no inline script or
style; no framing). See docs/status-page.md.
"""

from __future__ import annotations

import html
from functools import cache
from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from sync_server.api.problems import problem
from sync_server.services import statuspage
from sync_server.services.wiring import Services

router = APIRouter()

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
           "Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
           "X-Frame-Options": "DENY", "Cross-Origin-Resource-Policy": "same-origin"}
ASSETS = {"status.js": "text/javascript; charset=utf-8",
          "status.css": "text/css; charset=utf-8",
          "nacl.min.js": "text/javascript; charset=utf-8"}


@cache
def _asset(name: str) -> bytes:
    return (resources.files("sync_server.api") / "status_assets" / name).read_bytes()


def _svc(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


@router.get("/r", include_in_schema=False)
@router.get("/r/", include_in_schema=False)
def page(request: Request) -> Response:
    """The page. It reads the receipt from the URL fragment, which browsers never send."""
    base = html.escape(statuspage.base_path(_svc(request)), quote=True)
    body = _asset("index.html").decode("utf-8").replace("{{BASE}}", base)
    return Response(body, media_type="text/html; charset=utf-8", headers=HEADERS)


@router.get("/r/assets/{name}", include_in_schema=False)
def asset(name: str) -> Response:
    if name not in ASSETS:
        raise problem("not_found", "no such asset")
    return Response(_asset(name), media_type=ASSETS[name], headers=HEADERS)


@router.get("/r/keys", tags=["public"])
def keys(request: Request) -> JSONResponse:
    """The county's device public keys, by device id, for verifying receipts in the page."""
    return JSONResponse(statuspage.device_keys(_svc(request)), headers=HEADERS)

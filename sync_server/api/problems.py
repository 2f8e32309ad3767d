"""JSON problem answers: every refusal the API gives has this shape and a stable ``code``.

The whole error tree (``shared/_errors.py``) is mapped here, once: a ``Problem`` keeps its
own status and code; any other ``YizhanError`` that reaches the edge answers with its class's
``http_status`` (NotFound 404, ActionRefused 409, DomainError 422, ...) and its ``code``.
Errors of 500 and above say only their code: their message is for the server log. A store
that stayed locked past its busy timeout (``StoreBusy``) answers 503 ``store_busy`` with
``Retry-After``: nothing was changed and the same request may simply be sent again.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from shared._errors import RecordInvalid, YizhanError
from sync_server.errors import Problem, StoreBusy
from sync_server.services.refusals import Refused

PROBLEM_JSON = "application/problem+json"

log = logging.getLogger("yizhan.server")

# Documented in docs/protocol.md; these strings never change meaning.
CODES = {
    "auth_missing": 401, "auth_stale": 401, "auth_signature": 401, "auth_replay": 401,
    "device_unknown": 401, "device_revoked": 403, "token_unknown": 401, "token_used": 401,
    "token_expired": 401, "station_mismatch": 409, "body_too_large": 413,
    "batch_too_large": 413, "malformed_json": 400, "bad_encoding": 400, "invalid_body": 422,
    "invalid_cursor": 400, "admin_only": 403, "not_found": 404, "method_not_allowed": 405,
    "rate_limited": 429, "receipt_locked": 423,
    "unavailable": 503, "store_busy": 503, "internal": 500,
}
BUSY_RETRY_AFTER_S = 1  # a locked store is a queue of writers: it clears in moments


def problem(code: str, detail: str, status: int | None = None, **extra: Any) -> Problem:
    """A Problem with the status that belongs to ``code``."""
    return Problem(status or CODES[code], code, detail, **extra)


def as_problem(exc: YizhanError) -> Problem:
    """The Problem that answers ``exc``: itself if it is one, else one made from its class's
    ``http_status`` and its ``code`` (an instance's finer code where it has one)."""
    if isinstance(exc, Problem):
        return exc
    if isinstance(exc, Refused):  # the service names the code; the code names the status
        return problem(exc.code, exc.detail, **exc.extra)
    if isinstance(exc, StoreBusy):
        return problem("store_busy", "the database is busy: try again shortly",
                       retry_after=BUSY_RETRY_AFTER_S)
    status = type(exc).http_status
    if status >= 500:  # our fault or the machine's: the detail stays in the server log
        return Problem(status, exc.code, "the server could not complete the request")
    extra: dict[str, Any] = {"errors": exc.to_wire()} if isinstance(exc, RecordInvalid) else {}
    return Problem(status, exc.code, str(exc), **extra)


def response(p: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(p.body(), status_code=p.status, media_type=PROBLEM_JSON,
                        headers=headers)


def install(app: FastAPI) -> None:
    """Turn the error tree (a service's Refused among it), validation errors and
    Starlette's HTTP errors into problem bodies."""

    async def on_error(request: Request, exc: Exception) -> JSONResponse:
        if not isinstance(exc, YizhanError):  # pragma: no cover - registered for the tree only
            raise exc
        p = as_problem(exc)
        if p is not exc and p.status >= 500:
            log.error("%s %s answered %d %s: %s", request.method, request.url.path, p.status,
                      p.code, exc)
        metrics = getattr(request.app.state, "services", None)
        if metrics is not None:
            metrics.metrics.inc("yizhan_problems_total", code=p.code)
        headers = {"Retry-After": str(p.extra["retry_after"])} \
            if "retry_after" in p.extra else None
        return response(p, headers)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        if not isinstance(exc, RequestValidationError):  # pragma: no cover
            raise exc
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            # FastAPI reports a body that is not JSON as a validation error; it is not
            return response(problem("malformed_json", "body is not valid JSON"))
        errors = [{"field": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg")}
                  for e in exc.errors()]
        first = errors[0]["field"] if errors else "request"
        return response(problem("invalid_body", f"{first}: {errors[0]['message']}"
                                if errors else "invalid request", errors=errors))

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        if not isinstance(exc, HTTPException):  # pragma: no cover
            raise exc
        # 400: FastAPI could not parse the body at all (not UTF-8, an integer of more digits
        # than Python converts); the other statuses it raises are routing answers
        code = {400: "malformed_json", 404: "not_found",
                405: "method_not_allowed"}.get(exc.status_code, "http_error")
        if code == "malformed_json":
            return response(problem(code, "body is not valid JSON"))
        return response(Problem(exc.status_code, code, str(exc.detail)))

    app.add_exception_handler(YizhanError, on_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)

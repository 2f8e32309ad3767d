"""JSON problem answers: every refusal the API gives has this shape and a stable ``code``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from sync_server.errors import Problem

PROBLEM_JSON = "application/problem+json"

# Documented in docs/protocol.md; these strings never change meaning.
CODES = {
    "auth_missing": 401, "auth_stale": 401, "auth_signature": 401, "auth_replay": 401,
    "device_unknown": 401, "device_revoked": 403, "token_unknown": 401, "token_used": 401,
    "token_expired": 401, "station_mismatch": 409, "body_too_large": 413,
    "batch_too_large": 413, "malformed_json": 400, "bad_encoding": 400, "invalid_body": 422,
    "invalid_cursor": 400, "admin_only": 403, "not_found": 404, "method_not_allowed": 405,
    "rate_limited": 429, "receipt_locked": 423,
    "unavailable": 503, "internal": 500,
}


def problem(code: str, detail: str, status: int | None = None, **extra: Any) -> Problem:
    """A Problem with the status that belongs to ``code``."""
    return Problem(status or CODES[code], code, detail, **extra)


def response(p: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(p.body(), status_code=p.status, media_type=PROBLEM_JSON,
                        headers=headers)


def install(app: FastAPI) -> None:
    """Turn Problem, validation errors and Starlette's HTTP errors into problem bodies."""

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        if not isinstance(exc, Problem):  # pragma: no cover - registered for Problem only
            raise exc
        metrics = getattr(request.app.state, "services", None)
        if metrics is not None:
            metrics.metrics.inc("yizhan_problems_total", code=exc.code)
        headers = {"Retry-After": str(exc.extra["retry_after"])} \
            if "retry_after" in exc.extra else None
        return response(exc, headers)

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

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)

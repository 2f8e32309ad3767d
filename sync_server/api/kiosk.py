"""Routes kiosks call: enrollment (token) and the device-signed push and changes feed."""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from shared._errors import KeyMaterialError
from shared.feed import sign_page
from shared.keys import b64u, device_id_of, ed25519_public_from_b64, raw_public
from sync_server.api import models
from sync_server.api.auth import authenticate, path_and_query
from sync_server.api.body import decode, parse_json
from sync_server.api.models import PROBLEMS
from sync_server.api.problems import problem
from sync_server.services import countysettings
from sync_server.services.stationconfig import station_config
from sync_server.services.wiring import Services
from sync_server.store import devices as dq
from sync_server.store import feed

router = APIRouter(prefix="/v1", tags=["kiosk"])

SIGNED = {"parameters": [
    {"name": h, "in": "header", "required": True, "schema": {"type": "string"}}
    for h in ("X-Yizhan-Device", "X-Yizhan-Timestamp", "X-Yizhan-Nonce", "X-Yizhan-Signature")]}


def _svc(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


def token_hash(token: str) -> str:
    """What the store keeps of an enrollment token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@router.post("/enroll", status_code=201, response_model=models.EnrollAnswer,
             responses=PROBLEMS)
def enroll(body: models.EnrollRequest, request: Request) -> JSONResponse:
    """Register a device key with a one-time token; returns device id, county keys, config."""
    svc = _svc(request)
    try:
        key = ed25519_public_from_b64(body.device_public_key)
    except KeyMaterialError:
        raise problem("invalid_body", "device_public_key: not a base64url Ed25519 public key")\
            from None
    device_id = device_id_of(key)
    now_ms = int(svc.clock.now().timestamp() * 1000)
    with svc.engine.begin() as conn:
        tok = dq.token(conn, token_hash(body.token))
        if tok is None:
            raise problem("token_unknown", "token: no such enrollment token")
        station = str(tok["station"])
        if body.station is not None and body.station != station:
            raise problem("station_mismatch", f"station: the token is for station {station}, "
                          f"not {body.station}")
        existing = dq.get(conn, device_id)
        if existing is not None and existing.revoked_at_ms is not None:
            raise problem("device_revoked", f"device {device_id} has been revoked")
        retry = tok["used_at_ms"] is not None and tok["device_id"] == device_id
        if not retry:
            if tok["used_at_ms"] is not None:
                raise problem("token_used", "token: this enrollment token was already used")
            if not dq.use_token(conn, token_hash(body.token), device_id, now_ms):
                raise problem("token_expired", "token: this enrollment token has expired")
            dq.enroll(conn, device_id, b64u(raw_public(key)), station, now_ms)
        to_kiosks = countysettings.for_kiosks(conn)
    answer = {"device_id": device_id, "station": station, "county": svc.fresh_keys().public(),
              "config": station_config(station, county_settings=to_kiosks)}
    return JSONResponse(answer, status_code=201)


@router.post("/push", status_code=201, response_model=models.PushAnswer,
             responses={202: {"model": models.PushAnswer,
                              "description": "stored, but some records were quarantined or "
                                             "conflict"}, **PROBLEMS},
             openapi_extra={**SIGNED, "requestBody": {"required": True, "content": {
                 "application/json": {"schema": models.PushRequest.model_json_schema()}}}})
async def push(request: Request) -> JSONResponse:
    """Store a batch of sealed envelopes durably, then verify, open, validate and merge.

    A revoked device's signed push is stored too — its records beyond the chain head
    verified at revocation are quarantined ``device_revoked`` for staff — and then answered
    with the ``device_revoked`` problem: nothing a worker filed is refused unstored."""
    svc = _svc(request)
    raw = await request.body()
    target = path_and_query(request)
    headers = {k.lower(): v for k, v in request.headers.items()}
    device = await run_in_threadpool(functools.partial(
        authenticate, svc, "POST", target, raw, headers, revoked_ok=True))
    data = parse_json(decode(raw, request.headers.get("content-encoding"),
                             svc.settings.max_body_bytes))
    envelopes = data.get("envelopes") if isinstance(data, dict) else None
    if not isinstance(envelopes, list) or not all(isinstance(e, str) for e in envelopes):
        raise problem("invalid_body", "envelopes: must be a list of base64url strings")
    if len(envelopes) > svc.settings.max_batch:
        raise problem("batch_too_large", f"envelopes: at most {svc.settings.max_batch} per push")
    acked_head = data.get("acked_head", 0)
    if type(acked_head) is not int or not 0 <= acked_head < 2**53:
        raise problem("invalid_body", "acked_head: must be a whole number >= 0 (the highest "
                      "seq this device holds as acknowledged)")
    lost = _lost_ranges(data.get("lost", []))
    raws = [_unb64(e) for e in envelopes]
    started = time.perf_counter()
    result = await run_in_threadpool(svc.ingestor.push, device.device_id, device.station, raws,
                                     acked_head, lost)
    svc.metrics.inc("yizhan_ingest_seconds_total", time.perf_counter() - started)
    for r in result.results:
        svc.metrics.inc("yizhan_records_total", status=r["status"])
    if device.revoked_at_ms is not None:  # stored first (quarantined for staff), then told
        raise problem("device_revoked", f"device {device.device_id} has been revoked; the "
                      f"{len(raws)} record(s) it sent are stored for county staff to review")
    return JSONResponse(result.to_wire(svc.keys, device.device_id, svc.clock),
                        status_code=201 if result.all_stored else 202)


def _lost_ranges(value: object) -> list[tuple[int, int]]:
    """The ``lost`` member of a push body: at most 100 ``{"from_seq", "to_seq"}`` ranges of
    whole seqs >= 1. Raises the ``invalid_body`` problem naming the field."""
    if not isinstance(value, list) or len(value) > 100:
        raise problem("invalid_body", "lost: must be a list of at most 100 seq ranges")
    out = []
    for item in value:
        a = item.get("from_seq") if isinstance(item, dict) else None
        b = item.get("to_seq") if isinstance(item, dict) else None
        if type(a) is not int or type(b) is not int or not 1 <= a <= b < 2**53:
            raise problem("invalid_body", "lost: each range must be {\"from_seq\": a, "
                          "\"to_seq\": b} with whole numbers 1 <= a <= b")
        out.append((a, b))
    return out


def _unb64(text: str) -> bytes:
    """Envelope bytes; text that is not base64url is kept as its own bytes (then quarantined
    as a malformed envelope rather than refusing the whole batch)."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return text.encode("utf-8", "replace")


@router.get("/changes", response_model=models.ChangesAnswer, responses=PROBLEMS,
            openapi_extra=SIGNED)
def changes(request: Request, cursor: str = "", limit: int = 100) -> JSONResponse:
    """The station's changes after ``cursor``: statuses, configuration, revocations; signed
    by the server key for this device and this starting cursor (shared/feed.py)."""
    svc = _svc(request)
    headers = {k.lower(): v for k, v in request.headers.items()}
    device = authenticate(svc, "GET", path_and_query(request), b"", headers)
    if cursor and not (cursor.isascii() and cursor.isdigit() and len(cursor) < 19):
        raise problem("invalid_cursor", f"cursor: {cursor[:40]!r} is not a cursor this "
                      "server gave")
    if not 1 <= limit <= svc.settings.changes_page_max:
        raise problem("invalid_body", f"limit: must be 1..{svc.settings.changes_page_max}")
    after = int(cursor or 0)
    keys = svc.fresh_keys()  # a rotation made while serving signs from now on
    with svc.engine.connect() as conn:
        rows = feed.read(conn, device.station, after, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return JSONResponse(sign_page(device.device_id, cursor, [c for _, c in rows],
                                  str(rows[-1][0] if rows else after), more,
                                  keys.statements, keys.server_key))

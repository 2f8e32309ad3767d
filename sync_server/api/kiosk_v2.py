"""``POST /v2/push``: the binary push body (shared/wire2.py) and the v2 acknowledgement.

The same pipeline as ``/v1/push`` (``Ingestor.push``: durable inbox first, then verify),
fed with v1 envelopes and v2 records alike, except that the answer does not wait for the
merge (open, validate, file): ``push(defer=True)`` leaves the verified records to the
process's ``Merger`` thread; each v2 record is stored
with the epoch message it names (``shared.anyenv.stored_item``), which must travel in the
same body. The answer is JSON: ``ack2`` (base64url of the signed ``shared.ack2`` bytes: the
verified chain head, held records, gaps, refused records), ``refused`` (the same refusals
with record ids, for staff screens), ``gaps``, ``keys`` (key statements, as v1).

Every answer of this server says ``X-Yizhan-Protocols: 1 2`` (``AdvertiseProtocols``): how
a kiosk learns it may seal v2 (it still seals v1 unless its own switch is on).
"""

from __future__ import annotations

import functools
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared import envelope2 as e2
from shared import wire2
from shared._errors import EnvelopeError
from shared.ack2 import Ack2, sign_ack2
from shared.anyenv import Stored2, stored_item
from shared.clock import format_utc
from shared.keys import b64u
from sync_server.api.auth import authenticate, path_and_query
from sync_server.api.body import decode
from sync_server.api.models import PROBLEMS
from sync_server.api.problems import problem
from sync_server.services.wiring import Services

router = APIRouter(prefix="/v2", tags=["kiosk"])
PROTOCOLS_HEADER = "X-Yizhan-Protocols"
PROTOCOLS = "1 2"
CONTENT_TYPE = "application/x-yizhan-push2"


def _svc(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


def inbox_items(body: wire2.PushBody) -> tuple[list[bytes], list[Stored2 | None]]:
    """The inbox form of each pushed item: v1 envelopes as sent, v2 records with their epoch
    message; and each v2 item parsed (None for the others: the ingest parses them), so no
    record is parsed twice. A v2 record that does not parse is stored as sent (then
    quarantined ``malformed_envelope``); one naming an epoch not in the body refuses the
    push."""
    epochs: dict[bytes, tuple[bytes, e2.Epoch]] = {}
    for raw in body.epochs:
        try:
            epoch = e2.Epoch.from_bytes(raw)
        except EnvelopeError as exc:
            raise problem("invalid_body", f"epochs: an epoch message does not parse "
                          f"({exc.detail})") from None
        epochs[epoch.epoch_id] = (raw, epoch)
    out: list[bytes] = []
    parsed: list[Stored2 | None] = []
    for index, raw in enumerate(body.records):
        if raw[:4] != e2.RECORD_MAGIC:
            out.append(raw)
            parsed.append(None)
            continue
        try:
            record = e2.Record.from_bytes(raw)
        except EnvelopeError:
            out.append(raw)
            parsed.append(None)
            continue
        found = epochs.get(record.epoch_id)
        if found is None:
            raise problem("invalid_body", f"records[{index}]: its epoch "
                          f"{record.epoch_id.hex()} is not in this push")
        item = stored_item(found[0], raw)
        out.append(item)
        parsed.append(Stored2(item, found[1], record))
    return out, parsed


def _ack2(svc: Services, device_id: str, result: Any) -> Ack2:
    seqs = {rid: (seq, bytes.fromhex(digest)) for rid, (seq, digest) in result.seqs.items()}
    refused = tuple((seqs[r["id"]][0], r["status"], str(r.get("reason", "")))
                    for r in result.results
                    if r["status"] in ("quarantined", "conflict") and r.get("id") in seqs)
    refused_seqs = {s for s, _, _ in refused}
    held = tuple(sorted({seqs[rid] for rid, _ in result.stored
                         if rid in seqs and seqs[rid][0] > result.chain.seq
                         and seqs[rid][0] not in refused_seqs}))
    gaps = tuple((g["from_seq"], g["to_seq"]) for g in result.gaps)
    return Ack2(device_id, format_utc(svc.clock.now()), result.chain.seq,
                bytes.fromhex(result.chain.hash), result.resend_from or 0, gaps, held,
                refused)


@router.post("/push", status_code=201, responses=PROBLEMS)
async def push_v2(request: Request) -> JSONResponse:
    """Store a batch of v1 envelopes and v2 records durably and verify their chain; answer
    with the v2 acknowledgement. Opening, validating and filing them happens after the
    answer, on the process's merge thread (``services.merger``). A revoked device's push is
    stored, then answered ``device_revoked`` (as v1)."""
    with request.app.state.merger.pushing():  # the background merge waits for a lull
        return await _push_v2(request)


async def _push_v2(request: Request) -> JSONResponse:
    svc = _svc(request)
    raw = await request.body()
    headers = {k.lower(): v for k, v in request.headers.items()}
    device = await run_in_threadpool(functools.partial(
        authenticate, svc, "POST", path_and_query(request), raw, headers, revoked_ok=True))
    data = decode(raw, request.headers.get("content-encoding"), svc.settings.max_body_bytes)
    try:
        body = wire2.decode_push(data)
    except EnvelopeError as exc:
        raise problem("invalid_body", exc.detail) from None
    if len(body.records) > svc.settings.max_batch:
        raise problem("batch_too_large", f"records: at most {svc.settings.max_batch} per push")
    items, parsed = inbox_items(body)
    started = time.perf_counter()
    result = await run_in_threadpool(functools.partial(
        svc.ingestor.push, device.device_id, items, body.acked_head, list(body.lost),
        defer=True, given=parsed))
    request.app.state.merger.wake(device.device_id)
    svc.metrics.inc("yizhan_ingest_seconds_total", time.perf_counter() - started)
    for r in result.results:
        svc.metrics.inc("yizhan_records_total", status=r["status"])
    if device.revoked_at_ms is not None:
        raise problem("device_revoked", f"device {device.device_id} has been revoked; the "
                      f"{len(items)} record(s) it sent are stored for county staff to review")
    keys = svc.keys
    ack = sign_ack2(_ack2(svc, device.device_id, result), keys.server_key)
    refused = [{k: r[k] for k in ("id", "status", "reason") if k in r}
               for r in result.results if r["status"] in ("quarantined", "conflict")]
    return JSONResponse({"ack2": b64u(ack), "refused": refused, "gaps": result.gaps,
                         "keys": list(keys.statements)},
                        status_code=201 if result.all_stored else 202,
                        headers={PROTOCOLS_HEADER: PROTOCOLS})


class AdvertiseProtocols:
    """ASGI middleware: every answer says which push protocols this server takes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"],
                                      (PROTOCOLS_HEADER.lower().encode(), PROTOCOLS.encode())]
            await send(message)

        await self.app(scope, receive, send_with_header)

"""The sync client: push sealed envelopes, pull the station's changes feed.

One ``httpx.Client`` is the only I/O seam (tests pass ``httpx.MockTransport`` for protocol edge
cases and a real server for everything else). Every request is signed with the device key
(shared/auth.py). Push sends the unacknowledged outbox in seq order, in batches whose size
follows the link (``BatchSizer``), gzip-compressed. Only a 201/202 answer with a well-formed
JSON body and a valid server-signed acknowledgement counts as success: a captive portal's
HTML 200 is a TransientError. Records leave the outbox only when an acknowledgement names
their id and envelope hash.

Everything the county says is believed only when signed by the server key the kiosk trusts
(shared/feed.py): acknowledgements, and each changes page, which must name this device and
start at the kiosk's own cursor. Key statements in an answer move that trust along the
county's rotation chain. An answer that fails verification changes nothing and raises
``UnverifiedAnswer`` (a PermanentError: staff are told; the next scheduled sync tries again).

A kiosk's clock may be wrong (an offline PC with a flat clock battery): the server refuses a
request signed more than 300 s from its own time (``auth_stale``) and says its time in the
problem body (``server_time``). The client then signs with its clock corrected by that
offset, once per request, for the rest of the sync, and reports the offset
(``SyncSummary.clock_offset_s``) so staff are told to set the clock. Only request signing
is corrected: records keep the time the kiosk filed them at.

A county busy with many kiosks at once may answer 503 (``store_busy``: its database stayed
locked; nothing was changed) with ``Retry-After``. The client sends the same request again
(a fresh signature), up to ``busy_retries`` times within one sync, after the server's
Retry-After or else exponential backoff with full jitter. A GET (the changes feed) whose
connection failed is tried again the same way: it changes nothing on the server, and a
keep-alive connection the server closed just as the request went out fails like that. A
push whose connection failed is not: the next sync resends what was not acknowledged.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import random
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, TypedDict
from urllib.parse import quote

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.sync import push2
from kiosk.sync.errors import PermanentError, SyncError, TransientError, UnverifiedAnswer
from kiosk.sync.schedule import Backoff
from shared._errors import EnvelopeError, FeedError
from shared.ack import Ack, verify_ack
from shared.auth import sign_request
from shared.clock import Clock
from shared.feed import Trust, advance, open_page
from shared.pushbody import encode_envelope

# A 503 (a busy county database) or a failed GET is tried again this often within one sync,
# after Retry-After or backoff from BUSY_BACKOFF_BASE_S doubling, never over the cap.
BUSY_RETRIES = 4
BUSY_BACKOFF_BASE_S = 0.5
BUSY_BACKOFF_CAP_S = 15.0


OutboxItemLike = push2.ItemLike  # an outbox record as the sync reads it


class SyncPort(Protocol):
    """What the client needs from the kiosk store (kiosk/services implements it)."""

    def pending(self, limit: int, after_seq: int = 0) -> Sequence[OutboxItemLike]: ...
    def pending_count(self) -> int: ...
    def acked_head(self) -> int: ...
    def resend_from(self, seq: int) -> list[tuple[int, int]]: ...
    def lost_after_restore(self) -> list[tuple[int, int]]: ...
    def prune_retained(self) -> int: ...
    def mark_sent(self, record_ids: Sequence[str]) -> None: ...
    def apply_ack(self, ack: Ack) -> int: ...
    def mark_quarantined(self, record_id: str, reason: str,
                         as_of: str | None = None) -> None: ...
    def apply_decisions(self, decisions: Sequence[dict[str, Any]]) -> None: ...
    def apply_status_updates(self, updates: Sequence[dict[str, Any]]) -> None: ...
    def apply_config(self, config: dict[str, Any]) -> None: ...
    def apply_revocation(self, device_id: str) -> None: ...
    def apply_pin(self, code: str, verifier: str | None, locked: bool) -> None: ...
    def get_cursor(self) -> str: ...
    def set_cursor(self, cursor: str) -> None: ...
    def trust(self) -> Trust: ...
    def adopt_trust(self, trust: Trust) -> None: ...
    def apply_page(self, trust: Trust, changes: Sequence[dict[str, Any]],
                   cursor: str) -> None: ...


def _decision(change: dict[str, Any]) -> dict[str, Any] | None:
    """A well-formed ``record`` entry (staff released or rejected a quarantined record, or
    the county's merge quarantined a record its v2 acknowledgement had said it holds), in
    the shape ``SyncPort.apply_decisions`` takes, else None (skipped)."""
    rid, status, as_of = change.get("record_id"), change.get("status"), change.get("as_of")
    texts = [change.get("next_step_zh") or "", change.get("next_step_en") or ""]
    reason = change.get("reason") or ""
    if (not isinstance(rid, str) or not isinstance(as_of, str)
            or change.get("decision") not in ("released", "rejected", "quarantined")
            or not (status is None or isinstance(status, str))
            or not isinstance(reason, str)
            or not all(isinstance(t, str) and len(t) <= 1000 for t in texts)):
        return None
    return {"record_id": rid, "decision": change["decision"], "status": status,
            "next_step_zh": texts[0], "next_step_en": texts[1], "as_of": as_of,
            "reason": reason[:500]}


def apply_changes(port: SyncPort, changes: Sequence[Any]) -> None:
    """Apply changes-feed entries (statuses, staff decisions on quarantined records,
    configuration, revocations, reissued PINs) through ``port``. Unknown entry types are
    skipped, so older kiosks survive newer servers."""
    statuses = [c for c in changes if isinstance(c, dict) and c.get("type") == "status"]
    if statuses:
        port.apply_status_updates(statuses)
    decisions = [d for d in (_decision(c) for c in changes
                             if isinstance(c, dict) and c.get("type") == "record") if d]
    if decisions:
        port.apply_decisions(decisions)
    for change in changes:
        if not isinstance(change, dict):
            continue
        if change.get("type") == "config" and isinstance(change.get("config"), dict):
            port.apply_config(change["config"])
        elif change.get("type") == "revocation" and isinstance(change.get("device_id"), str):
            port.apply_revocation(change["device_id"])
        elif change.get("type") == "pin" and isinstance(change.get("receipt_code"), str):
            verifier = change.get("pin_verifier")
            port.apply_pin(change["receipt_code"],
                           verifier if isinstance(verifier, str) else None,
                           change.get("locked") is True)


def raise_for_status(response: httpx.Response) -> None:
    """Return when ``response`` is 200/201/202. Raises TransientError for what retrying may
    fix (429, 5xx, a stale or replayed signature), else PermanentError with the problem's
    ``code`` (the one classification of county answers, for sync and enrollment)."""
    status = response.status_code
    if status in (200, 201, 202):
        return
    code, detail = None, response.text[:200]
    if response.headers.get("content-type", "").startswith(("application/problem+json",
                                                            "application/json")):
        try:
            problem = response.json()
            code, detail = problem.get("code"), problem.get("detail") or detail
        except (ValueError, AttributeError):
            pass
    if status == 429 or status >= 500:
        retry_after = None
        with contextlib.suppress(ValueError):
            retry_after = float(response.headers.get("retry-after", ""))
        raise TransientError(f"server answered {status}: {detail}", retry_after)
    if status == 401 and code in ("auth_stale", "auth_replay"):
        raise TransientError(f"server answered {status} {code}: {detail}")
    raise PermanentError(f"server refused ({status} {code}): {detail}", code)

def json_answer(response: httpx.Response, what: str) -> dict[str, Any]:
    """The JSON object in ``response``. Raises TransientError naming ``what`` when the answer
    is not a JSON object (a captive portal or proxy answered)."""
    ctype = response.headers.get("content-type", "")
    if not ctype.startswith("application/json"):
        raise TransientError(f"{what}: answer is {ctype or 'untyped'}, not JSON "
                             "(a captive portal or proxy?)")
    try:
        value = response.json()
    except ValueError as exc:
        raise TransientError(f"{what}: answer is not valid JSON") from exc
    if not isinstance(value, dict):
        raise TransientError(f"{what}: answer is not a JSON object")
    return value


class SummaryWire(TypedDict):
    """``SyncSummary.to_wire()``: what ``yizhan-kiosk sync --json`` prints and ``sync_now``
    returns (INTERFACES.md)."""

    pushed: int
    accepted: int
    duplicates: int
    conflicts: int
    quarantined: int
    acknowledged: int
    gaps: list[dict[str, int]]
    resent_from: int | None
    lost_after_restore: list[tuple[int, int]]
    pulled: int
    requests: int
    bytes_sent: int
    bytes_received: int
    errors: list[str]
    clock_offset_s: int


@dataclass
class SyncSummary:
    """What one sync did, for the CLI, the staff screen and the logs (no personal data)."""

    pushed: int = 0
    accepted: int = 0
    duplicates: int = 0
    conflicts: int = 0
    quarantined: int = 0
    acknowledged: int = 0
    gaps: list[dict[str, int]] = field(default_factory=list)
    resent_from: int | None = None  # the county asked for records from this seq on again
    lost_after_restore: list[tuple[int, int]] = field(default_factory=list)
    pulled: int = 0
    requests: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    errors: list[str] = field(default_factory=list)
    clock_offset_s: int = 0  # county time minus kiosk time, when the server said it is off

    def to_wire(self) -> SummaryWire:
        return SummaryWire(
            pushed=self.pushed, accepted=self.accepted, duplicates=self.duplicates,
            conflicts=self.conflicts, quarantined=self.quarantined,
            acknowledged=self.acknowledged, gaps=self.gaps, resent_from=self.resent_from,
            lost_after_restore=self.lost_after_restore, pulled=self.pulled,
            requests=self.requests, bytes_sent=self.bytes_sent,
            bytes_received=self.bytes_received, errors=self.errors,
            clock_offset_s=self.clock_offset_s)

    @property
    def made_progress(self) -> bool:
        """Whether anything was acknowledged, quarantined or pulled: a failure after progress
        restarts the backoff, so a flaky link keeps moving instead of waiting longer and
        longer."""
        return bool(self.acknowledged or self.quarantined or self.conflicts or self.pulled)


class BatchSizer:
    """Chooses how many records go in the next push, from how the link behaved.

    Aims for requests of about ``target_s`` seconds: grows while requests are fast, shrinks
    to what the measured throughput allows, halves after a failure (never below 1).
    """

    def __init__(self, initial: int = 64, minimum: int = 1, maximum: int = 500,
                 target_s: float = 8.0) -> None:
        self.size, self.minimum, self.maximum, self.target_s = initial, minimum, maximum, target_s

    def succeeded(self, records: int, seconds: float) -> None:
        if records <= 0:
            return
        rate = records / max(seconds, 1e-3)
        wanted = int(rate * self.target_s)
        self.size = max(self.minimum, min(self.maximum, wanted, self.size * 2))

    def failed(self) -> None:
        self.size = max(self.minimum, self.size // 2)


@dataclass(frozen=True)
class _InFlight:
    """A push batch sent ahead (``SyncClient._send_ahead``) and its answer to come."""

    items: list[OutboxItemLike]
    future: Future[httpx.Response]
    started: float


class _SigningClock:
    """The kiosk's clock corrected by what the county server said its time is."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.offset_s = 0

    def now(self) -> datetime:
        return self.clock.now() + timedelta(seconds=self.offset_s)


def _retry_after(response: httpx.Response) -> float | None:
    """The answer's ``Retry-After`` in seconds, if it gives a number."""
    try:
        value = float(response.headers.get("retry-after", ""))
    except ValueError:
        return None
    return value if value >= 0 else None


def _stale_server_time(response: httpx.Response) -> int | None:
    """The ``server_time`` of an ``auth_stale`` problem answer, else None."""
    if response.status_code != 401:
        return None
    try:
        problem = response.json()
    except ValueError:
        return None
    if not isinstance(problem, dict) or problem.get("code") != "auth_stale":
        return None
    server_time = problem.get("server_time")
    if type(server_time) is not int or server_time <= 0:
        return None
    return server_time


class SyncClient:
    """Talks to one county server on behalf of one enrolled device."""

    def __init__(self, port: SyncPort, *, base_url: str, device_id: str,
                 device_key: Ed25519PrivateKey, clock: Clock,
                 transport: httpx.BaseTransport | None = None, timeout_s: float = 60.0,
                 sizer: BatchSizer | None = None,
                 progress: Callable[[str, int, int], None] | None = None,
                 busy_retries: int = BUSY_RETRIES,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._port = port
        self._device_id = device_id
        self._key = device_key
        self._clock = clock
        self._signing_clock = _SigningClock(clock)
        self._sizer = sizer or BatchSizer()
        self._progress = progress or (lambda stage, done, total: None)
        self._http = httpx.Client(base_url=base_url.rstrip("/"), transport=transport,
                                  timeout=httpx.Timeout(timeout_s, connect=10.0))
        self._busy_retries = busy_retries
        self._sleep = sleep

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport -------------------------------------------------------------------------

    def _request(self, method: str, path: str, body: bytes, summary: SyncSummary,
                 extra_headers: dict[str, str] | None = None, *,
                 note: bool = True) -> httpx.Response:
        """Send one signed request (again on the county's clock if it says ours is off;
        again after a 503 busy answer, and a GET after a failed connection). ``note``
        False: the caller notes the county's protocols (``push2.note_protocols``) itself —
        a request sent from the push thread must not touch the store."""
        backoff = Backoff(random.SystemRandom(), BUSY_BACKOFF_BASE_S, BUSY_BACKOFF_CAP_S)
        for attempt in range(self._busy_retries + 1):
            last = attempt == self._busy_retries
            try:
                response = self._send(method, path, body, summary, extra_headers)
            except TransientError:
                if method != "GET" or last:  # a push is resent by the next sync instead
                    raise
                self._sleep(backoff.next_delay())
                continue
            server_time = _stale_server_time(response)
            if server_time is not None:  # our clock is off: sign again on the county's time
                self._signing_clock.offset_s = server_time - int(self._clock.now().timestamp())
                response = self._send(method, path, body, summary, extra_headers)
            if response.status_code == 503 and not last:  # busy: nothing changed, ask again
                self._sleep(min(backoff.next_delay(_retry_after(response)), BUSY_BACKOFF_CAP_S))
                continue
            break
        if note:
            push2.note_protocols(response, self._port)
        raise_for_status(response)
        return response

    def _send(self, method: str, path: str, body: bytes, summary: SyncSummary,
              extra_headers: dict[str, str] | None) -> httpx.Response:
        headers = sign_request(method, path, body, self._device_id, self._key,
                               self._signing_clock)
        headers.update(extra_headers or {})
        summary.clock_offset_s = self._signing_clock.offset_s
        summary.requests += 1
        summary.bytes_sent += len(body) + sum(len(k) + len(v) + 4 for k, v in headers.items())
        try:
            response = self._http.request(method, path, content=body, headers=headers)
        except httpx.TransportError as exc:
            raise TransientError(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        summary.bytes_received += len(response.content) + sum(
            len(k) + len(v) + 4 for k, v in response.headers.items())
        return response

    # -- push ------------------------------------------------------------------------------

    def push(self, summary: SyncSummary | None = None) -> SyncSummary:
        """Send every unacknowledged record, and the records the county asks for again
        (``resend_from`` in its signed ack, after it restored a backup; each seq is honoured
        once per push). With nothing to send, a kiosk that holds acknowledged records still
        pushes an empty batch with its acknowledged head, so a restored county can ask.
        Sealed copies past the retention window are pruned at the end. Returns the summary;
        raises SyncError subclasses."""
        summary = summary or SyncSummary()
        waiting = self._port.pending_count()
        if waiting:
            self._progress("push", 0, waiting)  # the bar has its length before the first send
        asked: set[int] = set()
        checked_in = False
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="push") as pool:
            ahead: _InFlight | None = None
            try:
                while True:
                    if ahead is not None:  # sent while the last answer was recorded
                        items = ahead.items
                    else:
                        items = list(self._port.pending(self._sizer.size))
                        if not items and (checked_in or self._port.acked_head() == 0):
                            break
                    try:
                        moved, resend, ahead = self._push_batch(items, summary, ahead, pool)
                    except PermanentError as exc:
                        if exc.code == "device_revoked" and items:
                            self._deliver_rest(items[-1].seq, summary)
                        raise
                    checked_in = True
                    if resend is not None and resend not in asked:
                        asked.add(resend)
                        summary.resent_from = resend
                        summary.lost_after_restore = self._port.resend_from(resend)
                        continue
                    if moved == 0:
                        break  # the server holds the rest back (e.g. behind a gap): stop
            finally:
                if ahead is not None:  # sent, answer not used: those records stay pending
                    ahead.future.exception()  # (waited for; the county took them or not)
        self._port.prune_retained()
        return summary

    def _deliver_rest(self, after_seq: int, summary: SyncSummary) -> None:
        """This kiosk is revoked: the county stores what a revoked kiosk pushes (for staff to
        review) but acknowledges nothing, so send every record after ``after_seq`` once, in
        batches, each answered ``device_revoked``. The outbox keeps them all (a USB bundle
        can still carry them)."""
        rest = [i for i in self._port.pending(2**31 - 1) if i.seq > after_seq]
        size = max(1, self._sizer.size)
        for start in range(0, len(rest), size):
            try:
                self._send_batch(rest[start:start + size], summary)
            except PermanentError as exc:
                if exc.code != "device_revoked":
                    raise

    def _send_batch(self, items: Sequence[OutboxItemLike],
                    summary: SyncSummary) -> httpx.Response:
        lost = self._port.lost_after_restore()
        if push2.any_v2(items):  # sealed v2 (the kiosk's switch is on, the county takes v2)
            return self._request("POST", push2.PATH, self._body2(items, lost), summary,
                                 dict(push2.HEADERS))
        request: dict[str, Any] = {"envelopes": [encode_envelope(i.envelope) for i in items],
                                   "acked_head": self._port.acked_head()}
        if lost:
            request["lost"] = [{"from_seq": a, "to_seq": b} for a, b in lost]
        raw = json.dumps(request).encode()
        body = gzip.compress(raw, compresslevel=6, mtime=0)
        return self._request("POST", "/v1/push", body, summary, {
            "Content-Type": "application/json", "Content-Encoding": "gzip"})

    def _body2(self, items: Sequence[OutboxItemLike], lost: Sequence[tuple[int, int]]) -> bytes:
        epochs: Mapping[str, str] = getattr(self._port, "v2_epochs", dict)()
        return push2.body(items, epochs, self._port.acked_head(), lost)

    def _send_ahead(self, items: list[OutboxItemLike], summary: SyncSummary,
                    pool: ThreadPoolExecutor) -> _InFlight:
        """Send the next v2 batch from the push thread while this one's answer is recorded
        here. The body is made here (it reads the store); the thread only does HTTP. Safe for
        exactly-once: a batch whose answer is not used stays pending and is sent again (the
        county answers ``duplicate``); the ``acked_head`` it carries may be one batch old,
        which only ever under-states what the kiosk holds."""
        body = self._body2(items, self._port.lost_after_restore())
        future = pool.submit(self._request, "POST", push2.PATH, body, summary,
                             dict(push2.HEADERS), note=False)
        return _InFlight(items, future, time.monotonic())

    def _push_batch(self, items: list[OutboxItemLike], summary: SyncSummary,
                    sent: _InFlight | None = None, pool: ThreadPoolExecutor | None = None
                    ) -> tuple[int, int | None, _InFlight | None]:
        """One push (``sent``: already on its way, from ``_send_ahead``). Returns (records
        moved out of pending/sent, the seq the county asks to send again from or None, the
        next batch when it was sent ahead: v2, once this answer is verified and names
        records, while this batch's bookkeeping is written)."""
        started = time.monotonic() if sent is None else sent.started
        try:
            if sent is None:
                response = self._send_batch(items, summary)
            else:
                response = sent.future.result()
                push2.note_protocols(response, self._port)
        except TransientError:
            self._sizer.failed()
            raise
        if response.status_code not in (201, 202):
            raise TransientError(f"push answered {response.status_code}, not 201/202 "
                                 "(a captive portal or proxy?)")
        answer = json_answer(response, "push")
        try:
            trust = self._port.trust()
            trust = advance(trust, answer.get("keys", []))
            if "ack2" in answer:  # the v2 answer: one signed chain point (shared/ack2.py)
                ack, results = push2.read_answer(answer, trust, self._device_id, items)
            else:
                ack = verify_ack(answer.get("ack"), trust.server_key, self._device_id)
                results = answer["results"]
            if not isinstance(results, list):
                raise TypeError("results")
        except (EnvelopeError, FeedError, KeyError, TypeError) as exc:
            raise UnverifiedAnswer("push answer has no valid signed acknowledgement "
                                   f"({exc})") from exc
        if trust != self._port.trust():
            self._port.adopt_trust(trust)  # a verified rotation: it holds whatever follows
        if items:
            self._sizer.succeeded(len(items), time.monotonic() - started)
        ahead = None
        if pool is not None and ack.resend_from is None and ack.stored \
                and push2.any_v2(items):
            later = list(self._port.pending(self._sizer.size, items[-1].seq))
            if later and push2.any_v2(later):
                ahead = self._send_ahead(later, summary, pool)
        summary.pushed += len(items)
        sent_ids = {i.record_id for i in items}
        refused: dict[str, str] = {}
        for result in results:
            if not isinstance(result, dict) or result.get("id") not in sent_ids:
                continue
            status = result.get("status")
            summary.accepted += status == "accepted"
            summary.duplicates += status == "duplicate"
            summary.quarantined += status == "quarantined"
            summary.conflicts += status == "conflict"
            if status in ("quarantined", "conflict"):
                refused[str(result["id"])] = f"{status}: {result.get('reason', '')}".strip()
        # A quarantined record is held by the server (the ack names it) but stays visible to
        # staff with its reason, so it is marked quarantined, not acknowledged.
        stored = tuple(s for s in ack.stored if s[0] not in refused)
        answered = {rid for rid, _ in stored} | set(refused)  # these move on just below
        self._port.mark_sent([i.record_id for i in items if i.record_id not in answered])
        moved = self._port.apply_ack(Ack(ack.device, stored, ack.issued_at))
        summary.acknowledged += moved
        for record_id, reason in refused.items():
            self._port.mark_quarantined(record_id, reason, ack.issued_at)
        moved += len(refused)
        gaps = answer.get("gaps") or []
        summary.gaps = [g for g in gaps if isinstance(g, dict)]
        self._progress("push", summary.pushed, summary.pushed + self._port.pending_count())
        return moved, ack.resend_from, ahead

    # -- pull ------------------------------------------------------------------------------

    def pull(self, summary: SyncSummary | None = None, limit: int = 500) -> SyncSummary:
        """Fetch and apply the station's changes since the stored cursor."""
        summary = summary or SyncSummary()
        while True:
            cursor = self._port.get_cursor()
            path = f"/v1/changes?cursor={quote(cursor, safe='')}&limit={limit}"
            response = self._request("GET", path, b"", summary)
            answer = json_answer(response, "changes")
            if not isinstance(answer.get("changes"), list) or "cursor" not in answer:
                raise TransientError("changes answer lacks 'changes' or 'cursor' (a captive "
                                     "portal or proxy?)")
            try:
                trust, page = open_page(answer, self._port.trust(), self._device_id, cursor)
            except FeedError as exc:
                raise UnverifiedAnswer(f"changes page from cursor {cursor or '(start)'} "
                                       f"({exc.detail})") from exc
            self._port.apply_page(trust, page.changes, page.cursor)
            summary.pulled += len(page.changes)
            self._progress("pull", summary.pulled, summary.pulled)
            if not page.more or page.cursor == cursor:
                return summary

    def sync(self) -> SyncSummary:
        """Push then pull. Returns the summary. Raises the first SyncError, carrying the
        summary of what was done before it on ``.summary``."""
        summary = SyncSummary()
        try:
            self.push(summary)
            self.pull(summary)
        except SyncError as exc:
            exc.summary = summary
            raise
        return summary

"""Ingest: a device's pushed envelopes -> durable inbox -> chain check -> open -> validate
-> merge, and the per-record answer with the signed acknowledgement.

Two transactions per push. The first stores the raw bytes (after it commits, the records are
acknowledged whatever happens next). The second walks the device's unverified envelopes from
its verified chain head: a contiguous run that follows the head costs one signature check
(``verify_run``); a run behind a gap is checked on its own signature and held until the gap is
filled; every authentic record is opened, validated and filed, or quarantined with a reason.
A crash between or inside the two leaves records ``pending``; the next push of that device, or
server start-up (``recover``), finishes them.

A record that fails to open, validate or file — whatever the fault — is quarantined with a
reason and the device's later records go on (``sync_server.services.isolation``); no record can make
a push, ``recover`` or revocation fail.

The county keys come from a ``KeyWatch``: every push first asks it for the keys as the folder
holds them now, so a rotation made while ``serve`` runs is picked up without a restart. When
the sealing keys change, records quarantined ``unknown_kid`` that a key now held opens are
put through open, validate and merge again (``retry_unknown_kid``; also at start-up).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Engine

from shared._errors import ChainError, EnvelopeError, ReceiptError, RecordInvalid
from shared.ack import sign_ack
from shared.anyenv import START, ChainPoint, open_, parse, split_runs, verify, verify_run
from shared.anyenv import AnyEnvelope as Envelope  # v1 envelopes and stored v2 items
from shared.clock import Clock, format_utc, to_millis
from shared.ids import is_record_id
from shared.intake import IntakePayload
from shared.keys import ed25519_public_from_b64
from shared.receipt import parse_code
from shared.records import plausible_today
from shared.visit import KIND as VISIT
from shared.visit import VisitPayload
from sync_server.config.keystore import CountyKeys
from sync_server.config.keywatch import KeyWatch
from sync_server.errors import ActionRefused, NotFound, StoreFault
from sync_server.services.isolation import fault_reason, file_isolated, record_fault, retryable
from sync_server.services.merge import CaseDesk, FilingBatch
from sync_server.services.quarantine import note_codes, quarantined_entry, released_entry
from sync_server.services.visitfile import file_visits, open_visit
from sync_server.store import devices as dq
from sync_server.store import feed
from sync_server.store import inbox as iq

log = logging.getLogger("yizhan.server.ingest")
T = TypeVar("T")


@dataclass
class PushResult:
    """The answer to one push: per-record results, what is stored, gaps and the chain head."""

    results: list[dict[str, Any]] = field(default_factory=list)
    stored: list[tuple[str, str]] = field(default_factory=list)
    gaps: list[dict[str, int]] = field(default_factory=list)
    chain: ChainPoint = START
    resend_from: int | None = None
    seqs: dict[str, tuple[int, str]] = field(default_factory=dict)  # record id -> (seq, hash)

    @property
    def all_stored(self) -> bool:
        return all(r["status"] in ("accepted", "duplicate") for r in self.results)

    def to_wire(self, keys: CountyKeys, device_id: str, clock: Clock) -> dict[str, Any]:
        return {"results": self.results,
                "ack": sign_ack(device_id, self.stored, format_utc(clock.now()),
                                keys.server_key, self.resend_from),
                "gaps": self.gaps, "chain": {"seq": self.chain.seq, "hash": self.chain.hash},
                "keys": list(keys.statements)}


def _ms(clock: Clock) -> int:
    return to_millis(clock.now())


class Ingestor:
    """Runs the push pipeline against one store with the county's keys."""

    def __init__(self, engine: Engine, keys: KeyWatch, desk: CaseDesk, clock: Clock) -> None:
        self._engine = engine
        self._watch = keys
        self._keys = keys.keys
        self._swap = threading.Lock()
        self._desk = desk
        self._clock = clock
        self._private = self._keys.keyring.private_keys

    @property
    def keys(self) -> CountyKeys:
        """The county keys this ingestor opens and signs with now (no look at the disk)."""
        return self._keys

    def fresh_keys(self) -> CountyKeys:
        """The county keys as the key folder holds them now (``KeyWatch.current``). When the
        sealing keys changed, records quarantined ``unknown_kid`` are retried first (a fault
        of the store there is logged and left for the next change or start-up). Returns the
        keys. Blocks on disk (and scrypt when reloading): call it off the event loop."""
        keys = self._watch.current()
        with self._swap:
            if keys is self._keys:
                return keys
            opens_more = set(keys.keyring.private_keys) - set(self._private)
            self._keys, self._private = keys, keys.keyring.private_keys
        if opens_more:
            try:
                self.retry_unknown_kid()
            except StoreFault as exc:
                log.error("records quarantined unknown_kid not retried now: %s", exc)
        return keys

    def push(self, device_id: str, raws: Sequence[bytes],
             acked_head: int = 0, lost: Sequence[tuple[int, int]] = (), *,
             defer: bool = False,
             given: Sequence[Envelope | None] | None = None) -> PushResult:
        """Store, verify and merge a batch from an authenticated device. Returns the answer.

        ``defer`` (the v2 push): records that verify on the device's chain are left
        ``verified`` for ``merge_verified`` (the serve process's ``Merger`` thread) instead
        of being opened, validated and filed before the answer. What the answer says is the
        same either way: stored durably, the chain head, the gaps; a record the merge later
        quarantines reaches the kiosk through the changes feed.

        ``acked_head``: the highest seq the device holds as acknowledged. When the device's
        chain here has a gap, or ends before ``acked_head`` (a backup was restored), the
        answer asks the device to send again from the first seq missing (``resend_from``).
        ``lost``: seq ranges the device says it no longer holds (pruned before the county
        asked); remembered on the device and bridged, so the records after them merge.
        ``given``: the items already parsed by the caller (by index; None: parse here).
        """
        self.fresh_keys()
        result = PushResult()
        parsed: list[Envelope] = []
        now = _ms(self._clock)
        slots: list[dict[str, Any]] = []
        with self._engine.begin() as conn:
            if lost:
                dev = dq.get(conn, device_id, for_update=True)
                known = dev.lost() if dev is not None else []
                merged = _merge_ranges([*known, *lost])
                if merged != known:
                    log.warning("device %s reports records lost after a restore: seqs %s",
                                device_id, ", ".join(f"{a}-{b}" for a, b in merged))
                    dq.set_lost(conn, device_id, merged)
            for index, raw in enumerate(raws):
                try:
                    pre = given[index] if given is not None else None
                    env = pre if pre is not None else parse(raw)
                except EnvelopeError as exc:
                    log.warning("device %s: envelope %d unparseable: %s", device_id, index,
                                exc.detail)
                    iq.reject(conn, device_id, None, hashlib.sha256(raw).hexdigest(), raw,
                              "quarantined", "malformed_envelope", now)
                    slots.append({"index": index, "id": None, "status": "quarantined",
                                  "reason": "malformed_envelope"})
                    continue
                result.seqs[env.header.id] = (env.header.seq, env.hash)
                if env.header.device != device_id:
                    iq.reject(conn, device_id, env.header.id, env.hash, raw, "quarantined",
                              "device_mismatch", now)
                    slots.append({"index": index, "id": env.header.id,
                                  "status": "quarantined", "reason": "device_mismatch"})
                    continue
                parsed.append(env)
                slots.append({"index": index, "id": env.header.id, "env": env})
            outcome = iq.store(conn, [iq.Incoming(e.header.id, device_id, e.header.station,
                                                  e.header.seq, e.hash, e.raw)
                                      for e in parsed], now)
            first: dict[str, str] = {}
            for e in parsed:  # other bytes under a stored id: kept aside for staff
                if outcome[e.header.id] == "conflict" or \
                        first.setdefault(e.header.id, e.hash) != e.hash:
                    iq.reject(conn, device_id, e.header.id, e.hash, e.raw, "conflict",
                              "conflict: record id already stored with other bytes", now)
        result.chain, result.gaps = self.process_device(
            device_id, {e.header.id: e for e in parsed}, merge=not defer)
        with self._engine.connect() as conn:
            dev = dq.get(conn, device_id)
            gone = dev.lost() if dev is not None else []
            if result.gaps:
                result.resend_from = result.gaps[0]["from_seq"]
            elif acked_head > result.chain.seq and \
                    not _bridged(result.chain.seq + 1, acked_head, gone):
                result.resend_from = result.chain.seq + 1
            held = iq.states(conn, [e.header.id for e in parsed])
            rejected = iq.rejected_ids(conn, device_id, [e.hash for e in parsed])
        for slot in slots:
            env = slot.pop("env", None)
            if env is None:
                result.results.append(slot)
                continue
            result.results.append(self._answer(slot, env, outcome[env.header.id], held,
                                               rejected, result))
        return result

    def _answer(self, slot: dict[str, Any], env: Envelope, outcome: str,
                held: dict[str, iq.Stored], rejected: dict[str, str],
                result: PushResult) -> dict[str, Any]:
        rid = env.header.id
        row = held.get(rid)
        # (other bytes under an id repeated within this very batch are a conflict too)
        if outcome == "conflict" or (row is not None and row.envelope_hash != env.hash):
            return {**slot, "status": "conflict",
                    "reason": "record id already stored with other bytes; original kept"}
        result.stored.append((rid, env.hash))
        if env.hash in rejected:
            return {**slot, "status": "quarantined", "reason": rejected[env.hash]}
        if row is None:  # pragma: no cover - a stored row never disappears otherwise
            return {**slot, "status": "quarantined", "reason": "lost"}
        if row.state == "quarantined":
            return {**slot, "status": "quarantined", "reason": row.reason or ""}
        status = "accepted" if outcome == "new" else "duplicate"
        out = {**slot, "status": status}
        if row.state == "held":
            out["reason"] = "held: waiting for earlier records (see gaps)"
        return out

    # -- verification and merge ------------------------------------------------------------

    def process_device(self, device_id: str, known: Mapping[str, Envelope] | None = None,
                       *, merge: bool = True) -> tuple[ChainPoint, list[dict[str, int]]]:
        """Verify, open and merge a device's unverified inbox records in one transaction.

        ``known``: envelopes already parsed (by record id), reused when their bytes are the
        ones the inbox holds. ``merge`` False: the records that verify on the chain are left
        ``verified`` (see ``merge_verified``); True: they are merged, after any left
        ``verified`` before (chain order).

        Returns the verified chain head and the gaps behind which records are held. A
        PostgreSQL deadlock or serialisation failure (two processes filing complaints against
        one employer at once) rolls the transaction back; it is retried a few times.
        """
        return _retried(lambda: self._process_device(device_id, known or {}, merge),
                        device_id)

    def _process_device(self, device_id: str, known: Mapping[str, Envelope], merge: bool
                        ) -> tuple[ChainPoint, list[dict[str, int]]]:
        now = _ms(self._clock)
        with self._engine.begin() as conn:
            dev = dq.get(conn, device_id, for_update=True)
            if dev is None:
                return START, []
            key = ed25519_public_from_b64(dev.public_key)
            head = ChainPoint(dev.chain_seq, dev.chain_hash)
            envs = _parsed(conn, iq.unverified(conn, device_id), known, now)
            states: list[tuple[str, str, str | None]] = []
            batch = FilingBatch()
            for env in [e for e in envs if e.header.seq <= head.seq]:
                if self._authentic(conn, env, key, now):
                    states.append((env.header.id, "quarantined",
                                   f"fork: seq {env.header.seq} is already taken by another "
                                   "record of this device"))
            connected = True
            chained: list[Envelope] = []
            lost = dev.lost()
            for run in split_runs([e for e in envs if e.header.seq > head.seq]):
                if connected and _bridged(head.seq + 1, run[0].header.seq - 1, lost):
                    # the device no longer holds these seqs (reported lost after a restore):
                    # the run's own signatures link it on from its first record's prev
                    head = ChainPoint(run[0].header.seq - 1, run[0].header.prev)
                follows = run[0].header.seq == head.seq + 1 and run[0].header.prev == head.hash
                if connected and follows:
                    good = self._verify_connected(conn, run, key, head, now)
                    chained += good
                    if good:
                        head = ChainPoint(good[-1].header.seq, good[-1].hash)
                    connected = len(good) == len(run)
                    continue
                connected = False
                states += [(e.header.id, "held", None) if dev.revoked_at_ms is None
                           else (e.header.id, "quarantined", held_at_revocation(e.header.seq))
                           for e in self._verify_alone(conn, run, key, now)]
            if merge:  # those a deferred push verified first: they come before on the chain
                waiting = _parsed(conn, iq.verified(conn, device_id), {}, now)
                merged = self._merge(conn, waiting + chained, dev, batch, now)
                states += merged
                envs += waiting
                batch.feed += _refusals_told(dev.station, merged, {e.header.id for e in waiting},
                                             format_utc(self._clock.now()))
            else:
                states += [(e.header.id, "verified", None) for e in chained]
            iq.set_states(conn, states, now)
            note_codes(conn, {e.header.id: e.raw for e in envs}, states, self._private)
            if head.seq != dev.chain_seq:
                dq.set_chain(conn, device_id, head.seq, head.hash)
            feed.append(conn, batch.feed, now)
            gaps = gaps_behind(head, iq.held_seqs(conn, device_id))
        return head, gaps

    def merge_verified(self, device_id: str, limit: int = 1000) -> int:
        """Open, validate and file up to ``limit`` of a device's ``verified`` records (left
        by a deferred push), in chain order, in one transaction. Returns how many were
        processed (merged or quarantined); 0 when none wait. A PostgreSQL deadlock or
        serialisation failure is retried a few times, then raised (StoreFault): the records
        stay ``verified`` for the next call or start-up."""
        return _retried(lambda: self._merge_verified(device_id, limit), device_id)

    def _merge_verified(self, device_id: str, limit: int) -> int:
        now = _ms(self._clock)
        with self._engine.begin() as conn:
            dev = dq.get(conn, device_id, for_update=True)
            if dev is None:
                return 0
            rows = iq.verified(conn, device_id, limit)
            envs = _parsed(conn, rows, {}, now)
            batch = FilingBatch()
            states = self._merge(conn, envs, dev, batch, now)
            iq.set_states(conn, states, now)
            note_codes(conn, {e.header.id: e.raw for e in envs}, states, self._private)
            batch.feed += _refusals_told(dev.station, states, {e.header.id for e in envs},
                                         format_utc(self._clock.now()))
            feed.append(conn, batch.feed, now)
        return len(rows)

    def waiting_merge(self) -> list[str]:
        """The devices with records verified and not yet merged."""
        with self._engine.connect() as conn:
            return iq.devices_verified(conn)

    def merge_waiting(self, limit: int = 2000) -> int:
        """Merge now up to ``limit`` records left verified, device by device (what a status
        lookup that finds no case does first: the receipt's record may be waiting for the
        merge thread). Returns how many were processed."""
        done = 0
        for device_id in self.waiting_merge():
            while done < limit:
                n = self.merge_verified(device_id, min(1000, limit - done))
                done += n
                if n == 0:
                    break
        return done

    def _authentic(self, conn: Any, env: Envelope, key: Any, now: int) -> bool:
        try:
            verify(env, key)
            return True
        except EnvelopeError:
            iq.move_to_rejected(conn, env.header.id, "bad_signature", now)
            return False

    def _verify_connected(self, conn: Any, run: list[Envelope], key: Any, head: ChainPoint,
                          now: int) -> list[Envelope]:
        """The authentic prefix of a run that follows the head (one signature if all good)."""
        try:
            verify_run(run, key, head)
            return run
        except (EnvelopeError, ChainError):
            pass
        good: list[Envelope] = []
        for env in run:
            if not self._authentic(conn, env, key, now):
                break
            good.append(env)
        return good

    def _verify_alone(self, conn: Any, run: list[Envelope], key: Any,
                      now: int) -> list[Envelope]:
        """The authentic records of a run behind a gap (one signature if all good)."""
        try:
            verify_run(run, key)
            return run
        except (EnvelopeError, ChainError):
            return [e for e in run if self._authentic(conn, e, key, now)]

    def _merge(self, conn: Any, envs: list[Envelope], dev: dq.Device, batch: FilingBatch,
               now: int, *, released: bool = False) -> list[tuple[str, str, str | None]]:
        """Open, validate and file verified records in chain order; the inbox state of each
        (``merged``, or ``quarantined`` with the reason). ``released``: staff released these
        records of a revoked device after review, so revocation does not refuse them."""
        reasons: dict[str, str] = {}
        opened: list[tuple[Envelope, IntakePayload]] = []
        visits: list[tuple[Envelope, VisitPayload]] = []  # queue tickets: not cases
        for env in envs:
            try:
                reason, intake = self._open(env, dev, released)
            except Exception as exc:  # a fault nobody foresaw, if it can be this record's
                if not record_fault(exc):
                    raise
                reason, intake = fault_reason(exc), None
            if isinstance(intake, VisitPayload):
                visits.append((env, intake))
            elif intake is not None:
                opened.append((env, intake))
            else:
                reasons[env.header.id] = reason or "merge_failed"
        reasons.update(file_isolated(self._desk, conn, opened, batch, now))
        reasons.update(file_visits(conn, visits, now))
        out: list[tuple[str, str, str | None]] = []
        for env in envs:
            h = env.header
            reason = reasons.get(h.id)
            if reason is None:
                out.append((h.id, "merged", None))
            else:
                log.warning("device %s record %s quarantined: %s", h.device, h.id, reason)
                out.append((h.id, "quarantined", reason))
        return out

    def _open(self, env: Envelope, dev: dq.Device, released: bool
              ) -> tuple[str | None, IntakePayload | VisitPayload | None]:
        """(None, the validated payload), or (the quarantine reason, None)."""
        reason = self._refusal(env, dev, released)
        if reason is not None:
            return reason, None
        try:
            if env.header.kind == VISIT:  # a queue ticket (shared/visit.py)
                return open_visit(env, self._private)
            # the county checks dates against its own clock (the kiosk's may be far off)
            intake = IntakePayload.from_wire(open_(env, self._private),
                                             plausible_today(self._clock.now().date()))
        except EnvelopeError:
            return "cannot_open: the envelope does not decrypt with the county keys", None
        except RecordInvalid as exc:
            return "invalid_record: " + ", ".join(f"{e.field} {e.code}"
                                                  for e in exc.errors), None
        reason = _payload_mismatch(env, intake)
        return (reason, None) if reason is not None else (None, intake)

    def _refusal(self, env: Envelope, dev: dq.Device, released: bool = False) -> str | None:
        h = env.header
        # Judged by seq, not by the header's ``created`` time: whoever holds the device key
        # can write any time there, but every seq up to the head verified at revocation is
        # taken (a second record at one of them is a fork).
        if dev.revoked_at_ms is not None and not released and \
                h.seq > (dev.revoked_at_seq or 0):
            return (f"device_revoked: seq {h.seq} is beyond the chain head (seq "
                    f"{dev.revoked_at_seq or 0}) verified when the device was revoked; "
                    "kept for staff review (yizhan-server quarantine release)")
        if h.station != dev.station:
            return f"station_mismatch: device is enrolled at {dev.station}, not {h.station}"
        if not is_record_id(h.id):  # case and event ids are made of it: bounded columns
            return "invalid_header: id is not a record id (26 Crockford base32 characters)"
        if not set(h.to) & set(self._private):
            return "unknown_kid: sealed to no county key this server holds"
        return None

    def release(self, record_id: str, user: str) -> tuple[str, str | None]:
        """Put a quarantined inbox record through open, validate and merge again, with the
        device's revocation set aside (staff have reviewed it). Forks are not released: they
        are not on the device's chain. Returns (``merged`` | ``quarantined``, reason); a record
        still refused stays quarantined with the new reason.

        Raises NotFound if no record ``record_id`` is quarantined in the inbox, ActionRefused
        for a fork or a signature that no longer verifies against the device's key.
        """
        now = _ms(self._clock)
        with self._engine.begin() as conn:
            found = iq.quarantined(conn, record_id)
            if found is None:
                raise NotFound(f"record {record_id}: nothing quarantined under this id "
                               "(see yizhan-server quarantine)")
            device_id, raw, reason = found
            if reason.startswith("fork"):
                raise ActionRefused(f"record {record_id}: a fork is not on the device's "
                                    "chain and cannot be released")
            dev = dq.get(conn, device_id, for_update=True)
            if dev is None:  # pragma: no cover - inbox rows belong to enrolled devices
                raise NotFound(f"device {device_id}: not enrolled here")
            try:
                env = parse(raw)
                verify(env, ed25519_public_from_b64(dev.public_key))
            except EnvelopeError:
                raise ActionRefused(f"record {record_id}: its signature does not verify "
                                    f"against device {device_id}") from None
            batch = FilingBatch()
            [(_, state, new_reason)] = self._merge(conn, [env], dev, batch, now,
                                                   released=True)
            if state == "merged":
                new_reason = f"released by staff:{user} (was: {reason})"
                batch.feed.append((dev.station, released_entry(record_id,
                                                               format_utc(self._clock.now()))))
                log.info("record %s of device %s released by staff:%s", record_id,
                         device_id, user)
            iq.set_states(conn, [(record_id, state, new_reason)], now)
            note_codes(conn, {record_id: raw}, [(record_id, state, new_reason)],
                       self._private)
            feed.append(conn, batch.feed, now)
        return state, new_reason

    def retry_unknown_kid(self) -> int:
        """Open, validate and merge again the records quarantined ``unknown_kid`` that a key
        held now opens (a rotation the server had not loaded when they arrived), device by
        device in chain order; revocation still applies. A record still refused stays
        quarantined with its new reason. Returns how many were merged.

        Raises StoreFault when the store fails (the records stay quarantined for the next try).
        """
        with self._engine.connect() as conn:
            waiting = iq.quarantined_by_reason(conn, "unknown_kid")
        merged = 0
        for device_id in dict.fromkeys(d for d, _ in waiting):
            ids = [rid for d, rid in waiting if d == device_id]
            now = _ms(self._clock)
            with self._engine.begin() as conn:
                dev = dq.get(conn, device_id, for_update=True)
                if dev is None:  # pragma: no cover - inbox rows belong to enrolled devices
                    continue
                envs = []
                for rid in ids:
                    found = iq.quarantined(conn, rid)  # again, under the device's lock
                    if found is None or not found[2].startswith("unknown_kid"):
                        continue
                    try:
                        env = parse(found[1])
                    except EnvelopeError:  # pragma: no cover - parsed when it was stored
                        continue
                    if set(env.header.to) & set(self._private):
                        envs.append(env)
                if not envs:
                    continue
                batch = FilingBatch()
                states = self._merge(conn, envs, dev, batch, now)
                iq.set_states(conn, states, now)
                feed.append(conn, batch.feed, now)
            done = sum(1 for _, state, _ in states if state == "merged")
            merged += done
            log.info("device %s: %d of %d records quarantined unknown_kid merged after a key "
                     "reload", device_id, done, len(envs))
        return merged

    def recover(self) -> tuple[int, int]:
        """Finish every device's pending records (after a crash), device by device.

        Returns (devices processed, devices that failed). A device whose processing fails
        (the database failing, not a record: records are isolated) is logged by its id and
        the fault's summary, and its records stay pending for its next push; the others go
        on, so start-up never hangs on one device.
        """
        with self._engine.connect() as conn:
            pending = list(dict.fromkeys([*dq.with_pending(conn), *iq.devices_verified(conn)]))
        failed = 0
        for device_id in pending:
            try:
                self.process_device(device_id)
            except StoreFault as exc:
                failed += 1
                log.error("device %s: pending records left for its next push: %s",
                          device_id, exc)
        return len(pending), failed


def _retried(transaction: Callable[[], T], device_id: str) -> T:
    """Run one of a device's transactions, again (up to 4 times in all) after a PostgreSQL
    deadlock or serialisation failure; any other StoreFault, or the last, is raised."""
    for attempt in range(4):
        try:
            return transaction()
        except StoreFault as exc:
            if attempt == 3 or not retryable(exc):
                raise
            log.info("device %s: retrying after %s", device_id, exc)
    raise AssertionError("unreachable")  # pragma: no cover


def _refusals_told(station: str, states: Sequence[tuple[str, str, str | None]],
                   acknowledged: set[str], as_of: str) -> list[tuple[str, dict[str, Any]]]:
    """Feed entries for the records in ``acknowledged`` (a v2 acknowledgement said the
    county holds them, before their merge) that the merge quarantined: how their kiosk
    learns of it (a v1 push answer says so directly)."""
    return [(station, quarantined_entry(rid, reason or "", as_of))
            for rid, state, reason in states if state == "quarantined" and rid in acknowledged]


def _parsed(conn: Any, rows: Sequence[tuple[str, bytes]], known: Mapping[str, Envelope],
            now: int) -> list[Envelope]:
    """The inbox rows (record id, raw) parsed, reusing ``known`` envelopes with the same
    bytes; a row that does not parse is moved to rejected as ``malformed_envelope``."""
    envs: list[Envelope] = []
    for rid, raw in rows:
        env = known.get(rid)
        if env is not None and env.raw == raw:
            envs.append(env)
            continue
        try:
            envs.append(parse(raw))
        except EnvelopeError:
            iq.move_to_rejected(conn, rid, "malformed_envelope", now)
    return envs


def _payload_mismatch(env: Envelope, intake: IntakePayload) -> str | None:
    h = env.header
    if intake.kind != h.kind:
        return f"header_mismatch: header kind {h.kind}, payload kind {intake.kind}"
    if intake.station != h.station:
        return "header_mismatch: payload station differs from the header"
    try:
        if parse_code(intake.receipt_code) != intake.receipt_code:
            return "invalid_receipt: receipt code is not in canonical form"
    except ReceiptError:
        return "invalid_receipt: receipt code check character is wrong"
    return None


def held_at_revocation(seq: int) -> str:
    """The quarantine reason of a revoked device's record held behind a gap."""
    return (f"device_revoked: seq {seq} was held behind a gap when the device was revoked; "
            "kept for staff review (yizhan-server quarantine release)")


def _merge_ranges(ranges: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, overlapping and adjacent seq ranges joined."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _bridged(first: int, last: int, lost: Sequence[tuple[int, int]]) -> bool:
    """Whether every seq in ``first..last`` (a non-empty range) was reported lost."""
    return first <= last and any(a <= first and last <= b for a, b in _merge_ranges(lost))


def gaps_behind(head: ChainPoint, held: list[int]) -> list[dict[str, int]]:
    """The missing seq ranges between the verified head and the held seqs (ascending)."""
    gaps = []
    expected = head.seq + 1
    for seq in held:
        if seq > expected:
            gaps.append({"from_seq": expected, "to_seq": seq - 1})
        expected = max(expected, seq + 1)
    return gaps

"""What the public port answers: a worker's receipt status lookup (with its two limits),
the health check, and the store's gauges for ``/metrics``."""

from __future__ import annotations

import time
from typing import Any

from shared._errors import ReceiptError
from shared.receipt import decoy_verifier, parse_code, pin_matches
from sync_server.domain.fold import CaseState
from sync_server.domain.nextstep import status_change
from sync_server.domain.workerview import extras
from sync_server.metrics import Key
from sync_server.services import countysettings, pinguard, quarantine
from sync_server.services.core import Core
from sync_server.services.feed import as_of
from sync_server.services.projection import next_clock
from sync_server.services.refusals import Refused
from sync_server.store import cases as cq
from sync_server.store import devices as dq
from sync_server.store import inbox as iq
from sync_server.store import limits, ping

NOT_FOUND = "no receipt with this code and PIN"
_DECOY: list[str] = []  # one s1 verifier per process, made on first use (costs one scrypt)


def _decoy() -> str:
    if not _DECOY:
        _DECOY.append(decoy_verifier())
    return _DECOY[0]


def _retry_after(now_ms: int) -> int:
    """Seconds until this minute ends: by then the burst that tripped the per-address limit
    is weighted less and less, and a single lookup fits again (>= 1)."""
    return max(1, int(60 - (now_ms % limits.MINUTE_MS) / 1000))


class Lookup:
    """Status lookups, health and gauges on one store."""

    def __init__(self, core: Core) -> None:
        self._core = core

    def status(self, code_text: str, pin: str, address: str) -> dict[str, Any]:
        """Where a receipt stands, by code + PIN, asked from client ``address``: the status
        entry (``receipt_code``, ``status``, ``as_of``, ``next_step_zh``, ``next_step_en``)
        and, for a case the county holds, ``domain.workerview``'s optional ``handled_by``,
        ``next_deadline`` and ``needs_materials`` (no personal data).

        Wrong PIN and unknown code answer the same: Refused ``not_found``. Two limits, both
        sliding windows kept in the store: lookups per client address
        (``status_rate_per_minute`` in 60 s) and wrong PINs per receipt code
        (``status_wrong_pins_per_receipt`` in ``status_receipt_window_s``), counted for any
        well-formed code so a ``rate_limited`` refusal (with ``retry_after``) says nothing
        about whether the receipt exists."""
        core = self._core
        cfg = core.settings
        decoy = _decoy()  # before any branch: the first lookup of either kind pays for it
        now_ms = core.now_ms()
        window_ms = cfg.status_receipt_window_s * 1000
        with core.engine.begin() as conn:
            count = limits.address_hit(conn, "status:" + address, now_ms)
            limits.purge(conn, now_ms, window_ms)
        if count > cfg.status_rate_per_minute:
            raise Refused("rate_limited", "too many status lookups from this address; wait a "
                          "minute", retry_after=_retry_after(now_ms))
        try:
            code: str | None = parse_code(code_text)
        except ReceiptError:
            code = None
        if code is None:
            pin_matches("0" * 11, pin, decoy)  # same work as a real lookup
            raise Refused("not_found", NOT_FOUND)
        private = core.keys.keyring.private_keys
        with core.engine.connect() as conn:
            filed = cq.by_code(conn, code) is not None
        if not filed and core.ingestor.waiting_merge():
            # a v2 push is answered before its records are filed: file what waits first,
            # so a receipt looked up right after its kiosk synced is found
            core.ingestor.merge_waiting()
        with core.engine.begin() as conn:
            case: dict[str, Any] | None = cq.by_code(conn, code)
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
                    raise Refused("receipt_locked", str(exc)) from None
            failures, oldest = limits.failures_since(conn, code, now_ms - window_ms)
            if failures >= county.pin_window_limit:
                retry = max(1, (int(oldest or now_ms) + window_ms - now_ms + 999) // 1000)
                raise Refused("rate_limited", "too many wrong PINs for this receipt; wait and "
                              "try again", retry_after=retry)
            if case is not None and pin_matches(code, pin, case["pin_verifier"]):
                found = case
            else:
                if case is None:
                    pin_matches(code, pin, decoy)  # same work either way
                pinguard.wrong_pin(conn, code, now_ms, exists=case is not None,
                                   lock_after=county.pin_lock_after)
                found = None
        if found is None:
            raise Refused("not_found", NOT_FOUND)
        if "aside" in found:
            status, zh, en, at_ms, _ = found["aside"]
            return {"receipt_code": code, "status": status, "as_of": as_of(at_ms),
                    "next_step_zh": zh, "next_step_en": en}
        state = CaseState.from_wire(found["state"])
        change = status_change(state, as_of=as_of(found["updated_at_ms"]))
        answer: dict[str, Any] = {k: str(change[k]) for k in (
            "receipt_code", "status", "as_of", "next_step_zh", "next_step_en")}
        with core.engine.begin() as conn:  # the deadline engine, on the stored calendar
            clock = next_clock(conn, core, found, state)
        return answer | extras(state, clock)

    def health(self) -> dict[str, str]:
        """``status``, ``county`` and ``database`` (dialect name) when the store answers.
        Raises Refused ``unavailable`` naming the kind of fault when it does not."""
        core = self._core
        try:
            ping(core.engine)
        except Exception as exc:  # any failure to reach the store is "unavailable"
            raise Refused("unavailable", f"database unreachable: {type(exc).__name__}") \
                from None
        return {"status": "ok", "county": core.fresh_keys().county,
                "database": core.engine.dialect.name}

    def gauges(self) -> dict[Key, float]:
        """The store's counts for ``/metrics``: inbox records by state, cases, devices, and
        how long reading them took."""
        started = time.perf_counter()
        with self._core.engine.connect() as conn:
            gauges: dict[Key, float] = {("yizhan_inbox_records", (("state", k),)): float(v)
                                        for k, v in iq.counts(conn).items()}
            gauges[("yizhan_cases", ())] = float(cq.count(conn))
            gauges[("yizhan_devices", ())] = float(dq.count(conn))
        gauges[("yizhan_scrape_seconds", ())] = time.perf_counter() - started
        return gauges

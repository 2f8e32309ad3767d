"""USB record bundles from stations with no link: verify the bundle, ingest its envelopes
exactly as an HTTP push would, and answer with a signed ack bundle for the kiosk.

The bundle signature is checked against the key of the enrolled device that signed it
before anything is stored, so a tampered, truncated or foreign bundle leaves the store
untouched. Its envelopes then go through ``Ingestor.push`` (durable inbox first, chain
verification, open, validate, merge) in chunks, so importing a bundle twice, or a bundle
that overlaps an HTTP push, stores each record once. The ack bundle carries the same signed
acknowledgement a push answer does and, since an offline station keeps no feed cursor, the
current status of every receipt of the station plus every all-stations change
(configuration, revocations), as of the feed position ``cursor`` it names; the whole bundle
is signed by the server key for this device (shared/feed.py), with the key statements a
kiosk needs to reach that key.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shared._errors import EnvelopeError
from shared.bundle import peek_record_bundle, read_record_bundle, write_ack_bundle
from shared.clock import format_millis
from shared.keys import ed25519_public_from_b64
from sync_server.domain.fold import CaseState
from sync_server.errors import BundleRefused
from sync_server.services.ingest import PushResult
from sync_server.services.merge import status_change
from sync_server.services.wiring import Services
from sync_server.store import cases as cq
from sync_server.store import devices as dq
from sync_server.store import feed

CHUNK = 500  # envelopes per ingest transaction pair (and per progress step)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BundleImport:
    """What importing one bundle did, and the ack bundle to hand back to the station."""

    device: str
    station: str
    result: PushResult
    changes: list[dict[str, Any]]
    ack_bundle: bytes

    def summary(self) -> dict[str, Any]:
        """Counts by result status, held records, gaps and the verified chain head."""
        by = Counter(r["status"] for r in self.result.results)
        return {"device": self.device, "station": self.station,
                "records": len(self.result.results), "accepted": by["accepted"],
                "duplicates": by["duplicate"], "conflicts": by["conflict"],
                "quarantined": by["quarantined"],
                "held": sum(str(r.get("reason", "")).startswith("held")
                            for r in self.result.results),
                "acknowledged": len(self.result.stored), "gaps": self.result.gaps,
                "chain": {"seq": self.result.chain.seq, "hash": self.result.chain.hash},
                "changes": len(self.changes)}


def _device_of(svc: Services, data: bytes) -> dq.Device:
    try:
        device_id = peek_record_bundle(data).get("device")
    except EnvelopeError as exc:
        raise BundleRefused(f"not a readable yizhan record bundle ({exc.detail})") from None
    if not isinstance(device_id, str):
        raise BundleRefused("bundle names no device")
    with svc.engine.connect() as conn:
        device = dq.get(conn, device_id)
    if device is None:
        raise BundleRefused(f"bundle from device {device_id}: that device is not enrolled "
                            "here (enroll it, or import at the county that enrolled it)")
    # A revoked device's bundle is imported too: its records beyond the chain head verified
    # at revocation are quarantined ``device_revoked`` for staff (nothing filed is refused
    # unstored), and its ack bundle carries the revocation, so the kiosk stops intake.
    return device


def import_bundle(svc: Services, data: bytes, progress: Progress | None = None,
                  chunk: int = CHUNK) -> BundleImport:
    """Verify a record bundle and ingest its envelopes; returns the outcome and ack bundle.

    Raises BundleRefused (nothing stored) if the bundle is unreadable, from an unknown
    device, or its signature does not verify over its contents. A revoked device's records
    are stored and quarantined ``device_revoked`` (see ``Ingestor``), not refused.
    """
    device = _device_of(svc, data)
    key = ed25519_public_from_b64(device.public_key)
    try:
        bundle = read_record_bundle(data, {device.device_id: key})
    except EnvelopeError:
        raise BundleRefused(f"bundle from device {device.device_id}: its signature does not "
                            "verify (tampered with or damaged); nothing was stored") from None
    total = len(bundle.envelopes)
    result = PushResult()
    done = 0
    while True:  # at least once: an empty bundle still learns the chain head and gaps
        part = svc.ingestor.push(device.device_id, device.station,
                                 bundle.envelopes[done:done + chunk])
        result.results += [{**r, "index": r["index"] + done} for r in part.results]
        result.stored += part.stored
        result.gaps, result.chain = part.gaps, part.chain
        done += len(part.results)
        if progress is not None:
            progress(done, total)
        if done >= total:
            break
    ack = result.to_wire(svc.keys, device.device_id, svc.clock)["ack"]
    cursor, changes = station_changes(svc, device.station)
    return BundleImport(device.device_id, device.station, result, changes,
                        write_ack_bundle(ack, changes, device=device.device_id,
                                         cursor=str(cursor),
                                         statements=svc.keys.statements,
                                         key=svc.keys.server_key))


def station_changes(svc: Services, station: str) -> tuple[int, list[dict[str, Any]]]:
    """(feed position, changes): every all-stations change up to that position (oldest
    first), then the current status of each receipt filed at ``station``: what a station
    with no feed cursor needs to be up to date. The position is read first, so a status
    read later may be newer than it (statuses never move back), never older."""
    with svc.engine.connect() as conn:
        cursor = feed.last_id(conn)
        out = feed.every_station(conn, cursor)
        for case in cq.of_station(conn, station):
            as_of = format_millis(case["updated_at_ms"])
            out.append(status_change(CaseState.from_wire(case["state"]), as_of))
    return cursor, out

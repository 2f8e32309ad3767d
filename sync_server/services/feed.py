"""The per-station changes feed: the status entry of a receipt, the signed page a kiosk
reads (``GET /v1/changes``), what a station with no cursor needs (USB ack bundles), and
the configuration published to every station."""

from __future__ import annotations

from typing import Any

from shared.clock import format_millis
from shared.feed import sign_page
from sync_server.domain.fold import CaseState
from sync_server.domain.nextstep import ACKED_BY, status_change
from sync_server.domain.workerview import extras, feed_words
from sync_server.services import countysettings
from sync_server.services.core import Core
from sync_server.services.refusals import Refused
from sync_server.services.stationconfig import station_config
from sync_server.store import cases as cq
from sync_server.store import checklists as clq
from sync_server.store import feed as fq
from sync_server.store.devices import Device


def folded(rows: list[tuple[int, dict[str, Any]]], device_id: str) -> list[dict[str, Any]]:
    """The changes a device is sent: without the first status of the records it pushed by
    v2 (``ACKED_BY``: its acknowledgement already said they are held, and the kiosk shows
    them as received), and without that marker for the others."""
    return [{k: v for k, v in c.items() if k != ACKED_BY} for _, c in rows
            if c.get(ACKED_BY) != device_id]


def as_of(ms: int) -> str:
    """RFC 3339 UTC text of a store time in milliseconds."""
    return format_millis(ms)


class Feed:
    """The changes feed of one store."""

    def __init__(self, core: Core) -> None:
        self._core = core

    def page(self, device: Device, cursor: str, limit: int) -> dict[str, Any]:
        """The changes for ``device``'s station after ``cursor``, at most ``limit``, signed
        by the server key for this device and this starting cursor (shared/feed.py).
        Raises Refused ``invalid_cursor`` or ``invalid_body`` (limit)."""
        core = self._core
        if cursor and not (cursor.isascii() and cursor.isdigit() and len(cursor) < 19):
            raise Refused("invalid_cursor", f"cursor: {cursor[:40]!r} is not a cursor this "
                          "server gave")
        if not 1 <= limit <= core.settings.changes_page_max:
            raise Refused("invalid_body", f"limit: must be 1..{core.settings.changes_page_max}")
        after = int(cursor or 0)
        keys = core.fresh_keys()  # a rotation made while serving signs from now on
        with core.engine.connect() as conn:
            rows = fq.read(conn, device.station, after, limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        return sign_page(device.device_id, cursor, folded(rows, device.device_id),
                         str(rows[-1][0] if rows else after), more,
                         keys.statements, keys.server_key)

    def station_changes(self, station: str) -> tuple[int, list[dict[str, Any]]]:
        """(feed position, changes): every all-stations change up to that position (oldest
        first), then the current status of each receipt filed at ``station`` (with the
        needs-materials words, not the deadline: that comes with the next staff action): what
        a station with no feed cursor needs to be up to date. The position is read first, so
        a status read later may be newer than it (statuses never move back), never older."""
        with self._core.engine.connect() as conn:
            cursor = fq.last_id(conn)
            out = fq.every_station(conn, cursor)
            for case in cq.of_station(conn, station):
                state = CaseState.from_wire(case["state"])
                out.append(feed_words(status_change(state, as_of(case["updated_at_ms"]))
                                      | extras(state, None)))
        return cursor, out

    def publish_config(self) -> None:
        """Put the current configuration (and county public keys) on every station's feed."""
        core = self._core
        with core.engine.begin() as conn:
            fq.append(conn, [(fq.EVERY_STATION, {
                "type": "config", "config": station_config(
                    None, core.keys.public(), checklists=clq.in_force(conn),
                    county_settings=countysettings.for_kiosks(conn))})],
                core.now_ms())

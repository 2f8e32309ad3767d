"""Fixtures for the merge domain: an event maker, filed-event data, a county secret."""

from __future__ import annotations

from typing import Any

import pytest

from sync_server.domain import Event
from tests.sync_server.domain.domain_helpers import EventMaker, complaint_record, stamp


@pytest.fixture
def make_event() -> EventMaker:
    """Build an event of case C1 (unless told otherwise) at an HLC wall offset."""

    def make(kind: str, wall: int, data: dict[str, Any], *, event_id: str | None = None,
             author: str = "staff:li", node: str = "srv", case_id: str = "C1") -> Event:
        return Event(event_id or f"{kind}-{wall}-{node}", case_id, kind, stamp(wall, node),
                     author, data)

    return make


@pytest.fixture
def filed_data() -> dict[str, Any]:
    """The data of a filed complaint event."""
    return {"kind": "complaint", "record": complaint_record(), "receipt_code": "ABCDEFGHJKM",
            "station": "S001", "filed_at": "2026-11-21T10:00:00.000Z", "ticket": "A023"}


@pytest.fixture
def county_secret() -> bytes:
    """A fixed 32-byte county HMAC secret (tests need it stable)."""
    return bytes(range(32))

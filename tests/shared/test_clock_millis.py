"""Epoch milliseconds, the stores' time column, to and from aware UTC times (shared/clock.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared.clock import format_millis, format_utc, from_millis, to_millis


@pytest.mark.parametrize("ms", [
    0,                  # the epoch
    1795226400123,      # a filing time of 2026, with milliseconds
    1795226400999,      # the last millisecond of a second (float division once rounded here)
    -1,                 # before the epoch still counts
])
def test_millis_round_trip(ms: int) -> None:
    when = from_millis(ms)
    assert when.tzinfo is UTC
    assert to_millis(when) == ms
    assert format_millis(ms) == format_utc(when)


def test_format_millis_is_the_wire_form() -> None:
    assert format_millis(1795226400123) == "2026-11-21T02:00:00.123Z"


def test_an_offset_time_is_the_same_instant() -> None:
    beijing = datetime(2026, 11, 21, 10, 0, tzinfo=timezone(timedelta(hours=8)))
    assert to_millis(beijing) == 1795226400000


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_millis(datetime(2026, 1, 1))  # naive on purpose

"""The nightly window and backoff: when a kiosk is due to sync."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.sync.schedule import DEFAULT_TZ, Backoff, NightlyWindow

WINDOW = NightlyWindow()  # 01:00-05:00 Asia/Shanghai


def local(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=DEFAULT_TZ)


@pytest.mark.parametrize(("now", "expected_day"), [
    (local(2026, 11, 21, 14), 22),     # afternoon: tonight's window, i.e. the 22nd 01:00-05:00
    (local(2026, 11, 22, 0, 30), 22),  # just before it opens
    (local(2026, 11, 22, 3), 22),      # inside it: the rest of this window
    (local(2026, 11, 22, 5), 23),      # at its end: the next night
])
def test_next_run_falls_in_the_right_window(now: datetime, expected_day: int) -> None:
    rng = random.Random(1)
    for _ in range(200):
        when = WINDOW.next_run(now, rng).astimezone(DEFAULT_TZ)
        assert when >= now
        assert when.day == expected_day
        assert time(1, 0) <= when.time() < time(5, 0)


def test_following_run_skips_the_window_already_open() -> None:
    now = local(2026, 11, 22, 2)
    when = WINDOW.following_run(now, random.Random(3)).astimezone(DEFAULT_TZ)
    assert when.day == 23
    assert time(1, 0) <= when.time() < time(5, 0)


def test_starts_are_spread_across_the_window() -> None:
    # 500 kiosks computing tonight's start must not bunch up in one minute.
    rng = random.Random(7)
    now = local(2026, 11, 21, 12)
    minutes = {WINDOW.next_run(now, rng).replace(second=0, microsecond=0) for _ in range(500)}
    assert len(minutes) > 150


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1),
                    timezones=st.just(UTC)),
       st.integers(0, 23), st.integers(0, 23), st.integers(0, 2**32))
def test_any_window_yields_a_time_inside_it(now: datetime, a: int, b: int, seed: int) -> None:
    if a == b:
        return
    window = NightlyWindow(time(a), time(b))  # crosses midnight when b < a
    when = window.next_run(now, random.Random(seed))
    assert when >= now
    assert window.contains(when)
    assert when - now <= timedelta(days=1, hours=1)


def test_parse_rejects_nonsense_with_the_text() -> None:
    assert NightlyWindow.parse("23:00-03:30").end == time(3, 30)
    with pytest.raises(ValueError, match="25:00-03:00"):
        NightlyWindow.parse("25:00-03:00")
    with pytest.raises(ValueError, match="empty"):
        NightlyWindow.parse("02:00-02:00")


def test_backoff_grows_caps_and_honours_retry_after() -> None:
    backoff = Backoff(random.Random(5), base_s=1, cap_s=60)
    ceilings = []
    for _ in range(10):
        ceilings.append(min(60, 2 ** backoff.failures))
        assert 0 <= backoff.next_delay() <= ceilings[-1]
    assert ceilings[-1] == 60
    assert backoff.next_delay(retry_after=120) >= 120
    backoff.reset()
    assert backoff.next_delay() <= 1

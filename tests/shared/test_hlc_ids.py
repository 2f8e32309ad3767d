"""Hybrid logical clock properties, ULID record ids and Crockford base32."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared import HLC, HybridClock, ManualClock, format_utc, new_record_id, parse_utc
from shared.clock import to_millis
from shared.hlc import MAX_COUNTER, MAX_DRIFT_MS, MAX_NODE
from shared.ids import (
    decode_crockford,
    encode_crockford,
    is_record_id,
    normalise_crockford,
    record_id_millis,
)

T0 = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
NODES = st.text(st.characters(codec="utf-8", exclude_characters="."), min_size=1, max_size=6)
STAMPS = st.builds(HLC, st.integers(0, 10**15), st.integers(0, MAX_COUNTER), NODES)

# One step of a node's life: the wall clock moves (forwards or backwards), a local event,
# or a message arriving stamped up to a minute either side of our wall clock.
STEPS = st.one_of(
    st.tuples(st.just("tick"), st.integers(-5_000, 5_000)),
    st.tuples(st.just("now"), st.just(0)),
    st.tuples(st.just("observe"), st.integers(-60_000, 60_000), st.integers(0, MAX_COUNTER),
              NODES),
)


# Property tests run with deadline=None: on a loaded 2-core CI machine one slow example
# (a GC pause, a busy neighbour) must not become a Flaky "unreliable timings" failure.
@settings(max_examples=300, deadline=None)
@given(st.lists(STEPS, max_size=60))
def test_hlc_strictly_increases_under_any_interleaving(steps: list[tuple]) -> None:  # type: ignore[type-arg]
    clock = ManualClock(T0)
    hlc = HybridClock("kiosk", clock)
    last: HLC | None = None
    for step in steps:
        if step[0] == "tick":
            clock.advance(milliseconds=step[1])
            continue
        if step[0] == "now":
            stamp = hlc.now()
        else:
            remote = HLC(to_millis(clock.now()) + step[1], step[2], step[3])
            stamp = hlc.observe(remote)
            assert stamp > remote
        if last is not None:
            assert stamp > last
            assert str(stamp) > str(last)
        assert stamp.node == "kiosk"
        last = stamp


@settings(max_examples=300, deadline=None)
@given(STAMPS, STAMPS)
def test_hlc_text_sorts_like_the_stamps(a: HLC, b: HLC) -> None:
    assert (str(a) < str(b)) == (a < b)
    assert (str(a) == str(b)) == (a == b)
    # Byte order of the UTF-8 form (what a C-collated database column uses) agrees too.
    assert (str(a).encode() < str(b).encode()) == (a < b)


@settings(deadline=None)
@given(STAMPS)
def test_hlc_parse_inverts_str(stamp: HLC) -> None:
    assert HLC.parse(str(stamp)) == stamp


def test_hlc_string_form() -> None:
    assert str(HLC(1763719200000, 7, "d1")) == "0001763719200000.000007.d1"


@pytest.mark.parametrize("text", [
    "1763719200000.000007.d1",       # wall not 16 digits
    "0001763719200000.7.d1",          # counter not 6 digits
    "0001763719200000.000007.",       # no node
    "0001763719200000.000007",        # no node part
    "000176371920000x.000007.d1",
    "０００1763719200000.000007.d1",  # full-width digits are not digits here
])
def test_hlc_parse_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="HLC"):
        HLC.parse(text)


def test_hlc_counter_overflow_borrows_the_next_millisecond(manual_clock: ManualClock) -> None:
    wall = to_millis(manual_clock.now())
    hlc = HybridClock("n", manual_clock, last=HLC(wall, MAX_COUNTER - 1, "n"))
    assert hlc.now() == HLC(wall, MAX_COUNTER, "n")
    assert hlc.now() == HLC(wall + 1, 0, "n")


def test_hlc_refuses_a_remote_stamp_far_in_the_future(manual_clock: ManualClock) -> None:
    hlc = HybridClock("n", manual_clock)
    before = hlc.now()
    with pytest.raises(ValueError, match="future"):
        hlc.observe(HLC(to_millis(manual_clock.now()) + MAX_DRIFT_MS + 1, 0, "x"))
    assert hlc.now() > before  # the refused stamp did not move the clock
    assert hlc.now().wall == before.wall


def test_hlc_survives_the_wall_clock_going_back(manual_clock: ManualClock) -> None:
    hlc = HybridClock("n", manual_clock)
    first = hlc.now()
    manual_clock.advance(-3600)
    assert hlc.now() > first


@pytest.mark.parametrize("node", ["", "a.b"])
def test_hlc_node_ids(node: str, manual_clock: ManualClock) -> None:
    with pytest.raises(ValueError, match="node"):
        HybridClock(node, manual_clock)


# --- ULIDs and Crockford base32 -----------------------------------------------------------------

def test_record_ids_sort_by_creation_time(manual_clock: ManualClock) -> None:
    ids = []
    for _ in range(50):
        ids.append(new_record_id(manual_clock))
        manual_clock.advance(milliseconds=1)
    assert ids == sorted(ids)
    assert len(set(ids)) == 50
    assert all(len(i) == 26 for i in ids)
    assert record_id_millis(ids[0]) == to_millis(T0)


def test_record_ids_in_one_millisecond_are_unique(manual_clock: ManualClock) -> None:
    ids = {new_record_id(manual_clock) for _ in range(1000)}
    assert len(ids) == 1000
    assert len({i[:10] for i in ids}) == 1


@settings(deadline=None)
@given(st.integers(0, 32**11 - 1))
def test_crockford_round_trip(value: int) -> None:
    text = encode_crockford(value, 11)
    assert decode_crockford(text) == value
    assert decode_crockford(text.lower()) == value


def test_crockford_look_alikes_and_refusals() -> None:
    assert normalise_crockford(" ab-cd ilo ") == "ABCD110"
    assert decode_crockford("O1") == decode_crockford("0I") == decode_crockford("oL") == 1
    with pytest.raises(ValueError, match="'U'"):
        decode_crockford("0U")
    with pytest.raises(ValueError, match="fit"):
        encode_crockford(32**2, 2)


def test_utc_format_and_parse() -> None:
    when = T0 + timedelta(microseconds=123_999)
    assert format_utc(when) == "2026-11-21T02:00:00.123Z"
    assert parse_utc("2026-11-21T10:00:00.123+08:00") == T0 + timedelta(milliseconds=123)
    with pytest.raises(ValueError, match="timezone"):
        parse_utc("2026-11-21T10:00:00")


@settings(max_examples=500, deadline=None)
@given(st.datetimes(timezones=st.timezones()))
def test_utc_format_is_the_strftime_form(when: datetime) -> None:
    # the definition format_utc's isoformat shortcut must keep
    utc = when.astimezone(UTC)
    expected = utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    assert format_utc(when) == expected


def test_hlc_node_ids_are_bounded_for_the_county_column() -> None:
    """A stamp is stored in events.hlc (96 characters): node ids of at most MAX_NODE keep it
    within 88; a longer one (a forged header) is refused by name, never stored."""
    longest = HLC(1, 2, "n" * MAX_NODE)
    assert len(str(longest)) == 88
    assert HLC.parse(str(longest)) == longest
    with pytest.raises(ValueError, match="longer than 64"):
        HLC.parse(str(HLC(1, 2, "n" * (MAX_NODE + 1))))
    with pytest.raises(ValueError, match=r"1\.\.64 characters"):
        HybridClock("n" * (MAX_NODE + 1), ManualClock(T0))


@given(st.integers(0, 2**60))
def test_record_ids_are_recognised(millis: int) -> None:
    clock = ManualClock(datetime.fromtimestamp(millis % 2**47 / 1000, UTC))
    assert is_record_id(new_record_id(clock))


@pytest.mark.parametrize("text", ["", "x" * 26, "01M7XX9X80ABCDEFGHJKMNPQR",  # 25
                                  "01M7XX9X80ABCDEFGHJKMNPQRSI",  # I is not in the alphabet
                                  "01m7xx9x80abcdefghjkmnpqrs",  # lower case: not as made
                                  "01M7XX9X80ABCDEFGHJKMNPQRS\n"])
def test_what_is_not_a_record_id(text: str) -> None:
    assert not is_record_id(text)


@pytest.mark.parametrize("text", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:30:00+01:00"])
def test_a_time_an_offset_carries_off_the_calendar_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="outside the calendar"):
        parse_utc(text)

"""Handwriting through the real Zinnia library and the Tegaki model (scripts/setup.sh installs
both; with CI=true nothing here skips). Strokes are generated here as straight lines in the
standard stroke order, the way a finger draws block characters."""

from __future__ import annotations

import ctypes
import resource
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.input import HandwritingRecognizer, HandwritingUnavailable
from kiosk.input.handwriting import handwriting_available, handwriting_problem

Stroke = list[tuple[float, float]]


def h(y: float, x0: float, x1: float) -> Stroke:
    """A horizontal stroke, left to right."""
    return [(x0, y), (x1, y)]


def v(x: float, y0: float, y1: float) -> Stroke:
    """A vertical stroke, top to bottom."""
    return [(x, y0), (x, y1)]


def box(x0: float, y0: float, x1: float, y1: float) -> list[Stroke]:
    """An enclosure's first two strokes: left side, then top and right side in one."""
    return [v(x0, y0, y1), [(x0, y0), (x1, y0), (x1, y1)]]


# On a 1000 x 1000 pad, y growing downwards.
CHARACTERS: dict[str, list[Stroke]] = {
    "一": [h(500, 200, 800)],
    "二": [h(350, 300, 700), h(650, 200, 800)],
    "三": [h(250, 300, 700), h(500, 350, 650), h(750, 200, 800)],
    "十": [h(450, 200, 800), v(500, 150, 850)],
    "工": [h(250, 250, 750), v(500, 250, 750), h(750, 150, 850)],
    "土": [h(400, 300, 700), v(500, 150, 750), h(750, 150, 850)],
    "王": [h(200, 250, 750), h(500, 300, 700), v(500, 200, 800), h(800, 150, 850)],
    "日": [*box(250, 200, 750, 800), h(500, 250, 750), h(800, 250, 750)],
    "中": [*box(250, 300, 750, 650), h(650, 250, 750), v(500, 100, 900)],
    "口": [*box(300, 300, 700, 700), h(700, 300, 700)],
    "目": [*box(300, 150, 700, 850), h(380, 300, 700), h(610, 300, 700), h(850, 300, 700)],
    "上": [v(500, 150, 800), h(450, 500, 750), h(800, 150, 850)],
    "丰": [h(250, 250, 750), h(500, 300, 700), h(750, 200, 800), v(500, 100, 900)],
}


@pytest.fixture(scope="module")
def recognizer() -> Iterator[HandwritingRecognizer]:
    with HandwritingRecognizer.load() as rec:
        yield rec


@pytest.mark.parametrize("char", list(CHARACTERS))
def test_block_characters_in_top_five(recognizer: HandwritingRecognizer, char: str) -> None:
    assert char in recognizer.recognize(CHARACTERS[char], 1000, 1000, limit=5)


def test_pad_size_and_offset_do_not_matter(recognizer: HandwritingRecognizer) -> None:
    # The same 王 drawn on a 320 x 240 pad (scaled): still 王.
    small = [[(x * 0.32, y * 0.24) for x, y in s] for s in CHARACTERS["王"]]
    assert recognizer.recognize(small, 320, 240, limit=3)[0] == "王"


def test_y_grows_downwards(recognizer: HandwritingRecognizer) -> None:
    # 上 turned upside down is not 上: the pad's y axis is honoured, not flipped.
    flipped = [[(x, 1000 - y) for x, y in s] for s in CHARACTERS["上"]]
    assert recognizer.recognize(CHARACTERS["上"], 1000, 1000, limit=1) == ["上"]
    assert recognizer.recognize(flipped, 1000, 1000, limit=1) != ["上"]


def test_common_character_beats_bare_radical(recognizer: HandwritingRecognizer) -> None:
    # A big square is closest to the enclosure radical 囗 for Zinnia; the worker means 口.
    big = [*box(100, 100, 900, 900), h(900, 100, 900)]
    got = recognizer.recognize(big, 1000, 1000, limit=10)
    assert got[0] == "口"
    assert "囗" not in got or got.index("囗") > got.index("口")


def test_candidates_after_each_stroke(recognizer: HandwritingRecognizer) -> None:
    strokes = CHARACTERS["王"]
    for n in range(1, len(strokes) + 1):
        assert recognizer.recognize(strokes[:n], 1000, 1000, limit=10)
    assert recognizer.recognize(strokes, 1000, 1000, limit=10)[0] == "王"


@pytest.mark.parametrize(
    ("strokes", "width", "height"),
    [
        ([], 1000, 1000),                        # empty pad
        ([[]], 1000, 1000),                      # a stroke with no points
        ([[], [], []], 1000, 1000),
        (CHARACTERS["十"], 0, 1000),             # a pad with no size
        (CHARACTERS["十"], 1000, -5),
        (CHARACTERS["十"], float("nan"), 1000),
        ([[(float("nan"), 1.0)]], 1000, 1000),   # no usable point
        ([[("x", "y")]], 1000, 1000),
    ],
)
def test_nothing_to_recognise_gives_nothing(
    recognizer: HandwritingRecognizer, strokes: list[Stroke], width: float, height: float
) -> None:
    assert recognizer.recognize(strokes, width, height) == []


def test_messy_input_never_raises(recognizer: HandwritingRecognizer) -> None:
    # Points off the pad, infinities mixed in, a thousand-point scribble, 100 strokes.
    scribble = [(i % 1000, (i * 7) % 1000) for i in range(1000)]
    messy = [[(-50.0, 2000.0), (float("inf"), 3.0), (500.0, 500.0)], scribble] * 50
    assert isinstance(recognizer.recognize(messy, 1000, 1000), list)
    assert recognizer.recognize(CHARACTERS["十"], 1000, 1000, limit=0) == []


coordinate = st.floats(allow_nan=True, allow_infinity=True, width=32)


@settings(max_examples=150, deadline=None)
@given(
    strokes=st.lists(st.lists(st.tuples(coordinate, coordinate), max_size=30), max_size=12),
    size=st.tuples(coordinate, coordinate),
)
def test_any_strokes_give_a_list(
    recognizer: HandwritingRecognizer, strokes: list[Stroke], size: tuple[float, float]
) -> None:
    # Whatever a finger (or a broken touch driver) sends: a list of single characters, no raise.
    got = recognizer.recognize(strokes, size[0], size[1], limit=5)
    assert len(got) <= 5
    assert all(isinstance(c, str) and len(c) == 1 for c in got)


def test_closed_recognizer_returns_nothing() -> None:
    rec = HandwritingRecognizer.load()
    assert rec.recognize(CHARACTERS["十"], 1000, 1000)
    rec.close()
    rec.close()  # idempotent
    assert rec.recognize(CHARACTERS["十"], 1000, 1000) == []


def test_available_on_this_machine() -> None:
    assert handwriting_problem() == ""
    assert handwriting_available()


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-such.model"
    with pytest.raises(HandwritingUnavailable) as err:
        HandwritingRecognizer.load(model=missing)
    assert err.value.code == "handwriting_unavailable"
    assert "tegaki-zinnia-simplified-chinese" in str(err.value)
    assert not handwriting_available(model=missing)
    assert "tegaki-zinnia-simplified-chinese" in handwriting_problem(model=missing)


def test_model_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YIZHAN_HANDWRITING_MODEL", str(tmp_path / "elsewhere.model"))
    assert not handwriting_available()
    with pytest.raises(HandwritingUnavailable):
        HandwritingRecognizer.load()


def test_corrupt_model_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.model"
    bad.write_bytes(b"\x00not a zinnia model" * 100)
    with pytest.raises(HandwritingUnavailable) as err:
        HandwritingRecognizer.load(model=bad)
    assert "will not open" in str(err.value)


def test_missing_library_is_a_clear_error() -> None:
    with pytest.raises(HandwritingUnavailable) as err:
        HandwritingRecognizer.load(library="libzinnia-not-installed.so.0")
    assert "libzinnia0" in str(err.value)
    assert not handwriting_available(library="libzinnia-not-installed.so.0")


def test_binding_matches_the_installed_library() -> None:
    # Every function the binding declares exists in the installed libzinnia.so.0.
    lib = ctypes.CDLL("libzinnia.so.0")
    for name in ("zinnia_recognizer_new", "zinnia_recognizer_open", "zinnia_recognizer_classify",
                 "zinnia_recognizer_destroy", "zinnia_character_new", "zinnia_character_add",
                 "zinnia_character_destroy", "zinnia_result_value", "zinnia_result_size",
                 "zinnia_result_destroy"):
        assert hasattr(lib, name), name


def resident_kb() -> int:
    """The process's current resident set (not the peak, which earlier tests may have set)."""
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() // 1024


def test_no_memory_grows_per_call(recognizer: HandwritingRecognizer) -> None:
    # Each call creates a Zinnia character and result; both must be destroyed. Leaking them
    # grows the process by ~2 KB a call (measured: +6 MB over 3000 calls without the destroys).
    for _ in range(100):  # warm up allocator pools
        recognizer.recognize(CHARACTERS["一"], 1000, 1000)
    before = resident_kb()
    for _ in range(800):
        recognizer.recognize(CHARACTERS["一"], 1000, 1000)
    assert resident_kb() - before < 512

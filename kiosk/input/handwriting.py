"""Handwriting: finger strokes of one character to candidate characters, offline.

Recognition is Zinnia's (Debian ``libzinnia0``, BSD) with the Tegaki simplified-Chinese model
(Debian ``tegaki-zinnia-simplified-chinese``, LGPL), reached through a small ctypes binding
of ``libzinnia.so.0``'s C API. Zinnia's scores are then nudged by how common each character
is (``data/chars.txt``, made with the pinyin index), because a finger-drawn 口 is often closer
to the bare enclosure radical 囗 than to 口 itself, and the worker always means 口: characters
that modern text never uses (bare radicals) go behind the rest.

Every Zinnia object is destroyed on every path: a character and a result per call, the
recognizer in :meth:`HandwritingRecognizer.close` (also on garbage collection).
"""

from __future__ import annotations

import ctypes
import math
import os
import threading
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from kiosk.input.errors import HandwritingUnavailable

LIBRARY = "libzinnia.so.0"
MODEL = Path("/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model")
MODEL_ENV = "YIZHAN_HANDWRITING_MODEL"  # a bundle or a test may point elsewhere
BOX = 1000            # strokes are scaled into a BOX x BOX square for Zinnia
MAX_STROKES = 40      # more than any character a worker writes; extra strokes are dropped
MAX_POINTS = 200      # per stroke; longer strokes are thinned evenly
ASK = 40              # candidates taken from Zinnia before re-ranking
FREQ_WEIGHT = 0.05    # Zinnia score units per log10 of character frequency
RARE_BELOW = 1.0      # log10 frequency under which a "character" is a bare radical (囗, 丨)
RARE_PENALTY = 1.5    # ... or unused in modern text: it goes behind real candidates


def model_path() -> Path:
    """Return the handwriting model's path (``$YIZHAN_HANDWRITING_MODEL`` or Debian's)."""
    return Path(os.environ.get(MODEL_ENV) or MODEL)


def handwriting_problem(model: Path | None = None, library: str = LIBRARY) -> str:
    """Return why handwriting is unavailable ("" if it looks available). Cheap: checks that
    the library loads and the model file is there, without reading the 26 MB model."""
    try:
        ctypes.CDLL(library)
    except OSError:
        return f"{library} is missing: install the Debian package libzinnia0"
    path = model or model_path()
    if not path.is_file():
        return (f"handwriting model {path} is missing: install the Debian package "
                "tegaki-zinnia-simplified-chinese")
    return ""


def handwriting_available(model: Path | None = None, library: str = LIBRARY) -> bool:
    """Return whether :meth:`HandwritingRecognizer.load` should succeed (cheap)."""
    return not handwriting_problem(model, library)


def _bind(library: str) -> ctypes.CDLL:
    try:
        lib = ctypes.CDLL(library)
    except OSError as exc:
        raise HandwritingUnavailable(
            f"{library} is missing: install the Debian package libzinnia0"
        ) from exc
    vp, sz, cp = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p
    for name, res, args in (
        ("zinnia_recognizer_new", vp, []),
        ("zinnia_recognizer_destroy", None, [vp]),
        ("zinnia_recognizer_open", ctypes.c_int, [vp, cp]),
        ("zinnia_recognizer_strerror", cp, [vp]),
        ("zinnia_recognizer_classify", vp, [vp, vp, sz]),
        ("zinnia_character_new", vp, []),
        ("zinnia_character_destroy", None, [vp]),
        ("zinnia_character_set_width", None, [vp, sz]),
        ("zinnia_character_set_height", None, [vp, sz]),
        ("zinnia_character_add", ctypes.c_int, [vp, sz, ctypes.c_int, ctypes.c_int]),
        ("zinnia_result_value", cp, [vp, sz]),
        ("zinnia_result_score", ctypes.c_float, [vp, sz]),
        ("zinnia_result_size", sz, [vp]),
        ("zinnia_result_destroy", None, [vp]),
    ):
        fn = getattr(lib, name)
        fn.restype = res
        fn.argtypes = args
    return lib


def load_char_frequencies(path: Path | None = None) -> dict[str, float]:
    """Return character -> log10 frequency from ``data/chars.txt`` ({} if it is missing)."""
    path = path or Path(str(resources.files("kiosk.input").joinpath("data", "chars.txt")))
    try:
        lines = path.read_text(encoding="utf-8").splitlines()[1:]
    except OSError:
        return {}
    out: dict[str, float] = {}
    for line in lines:
        ch, _tab, score = line.partition("\t")
        if ch and score.isdigit():
            out[ch] = int(score) / 100
    return out


class HandwritingRecognizer:
    """One character's strokes to candidates; safe to call from one thread at a time (a lock
    guards Zinnia). Close it (or use ``with``) to free the model."""

    def __init__(self, lib: ctypes.CDLL, recognizer: int, frequencies: dict[str, float]) -> None:
        self._lib = lib
        self._recognizer: int | None = recognizer
        self._freq = frequencies
        self._lock = threading.Lock()

    @classmethod
    def load(cls, model: Path | None = None, library: str = LIBRARY) -> HandwritingRecognizer:
        """Return a recognizer with the model opened.

        Raises HandwritingUnavailable (code ``handwriting_unavailable``) if libzinnia or the
        model is missing or the model will not open.
        """
        lib = _bind(library)
        path = model or model_path()
        if not path.is_file():
            raise HandwritingUnavailable(
                f"handwriting model {path} is missing: install the Debian package "
                "tegaki-zinnia-simplified-chinese"
            )
        recognizer = lib.zinnia_recognizer_new()
        if not recognizer:
            raise HandwritingUnavailable("libzinnia could not create a recognizer")
        if not lib.zinnia_recognizer_open(recognizer, os.fsencode(path)):
            why = (lib.zinnia_recognizer_strerror(recognizer) or b"").decode("utf-8", "replace")
            lib.zinnia_recognizer_destroy(recognizer)
            raise HandwritingUnavailable(f"handwriting model {path} will not open: {why}")
        return cls(lib, recognizer, load_char_frequencies())

    def recognize(
        self,
        strokes: Sequence[Sequence[tuple[float, float]]],
        width: float,
        height: float,
        limit: int = 10,
    ) -> list[str]:
        """Return up to ``limit`` characters the strokes may be, likeliest first.

        ``strokes`` are in drawing order, points in pad coordinates (y grows downwards) on a
        ``width`` x ``height`` pad. An empty pad, a degenerate pad size or points that are
        not numbers give [] (bad points are dropped); nothing here raises on input.
        """
        scaled = _scale(strokes, width, height)
        if not scaled or limit <= 0:
            return []
        with self._lock:
            if self._recognizer is None:
                return []
            found = self._classify(scaled, max(limit, ASK))
        ranked = sorted(found, key=lambda vs: -self._prior(vs[0], vs[1]))
        return [value for value, _score in ranked[:limit]]

    def _prior(self, char: str, score: float) -> float:
        """Return Zinnia's score nudged by how common ``char`` is (unchanged if the frequency
        table is missing)."""
        if not self._freq:
            return score
        freq = self._freq.get(char, 0.0)
        return score + FREQ_WEIGHT * freq - (RARE_PENALTY if freq < RARE_BELOW else 0.0)

    def _classify(
        self, strokes: list[list[tuple[int, int]]], nbest: int
    ) -> list[tuple[str, float]]:
        lib = self._lib
        character = lib.zinnia_character_new()
        if not character:
            return []
        try:
            lib.zinnia_character_set_width(character, BOX)
            lib.zinnia_character_set_height(character, BOX)
            for sid, stroke in enumerate(strokes):
                for x, y in stroke:
                    lib.zinnia_character_add(character, sid, x, y)
            result = lib.zinnia_recognizer_classify(self._recognizer, character, nbest)
            if not result:
                return []
            try:
                out = []
                for i in range(lib.zinnia_result_size(result)):
                    raw = lib.zinnia_result_value(result, i)
                    if raw:
                        out.append((raw.decode("utf-8", "replace"),
                                    float(lib.zinnia_result_score(result, i))))
                return out
            finally:
                lib.zinnia_result_destroy(result)
        finally:
            lib.zinnia_character_destroy(character)

    def close(self) -> None:
        """Free the model (idempotent); later ``recognize`` calls return []."""
        with self._lock:
            if self._recognizer is not None:
                self._lib.zinnia_recognizer_destroy(self._recognizer)
                self._recognizer = None

    def __enter__(self) -> HandwritingRecognizer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_recognizer", None) is not None:
            self.close()


def _scale(
    strokes: Sequence[Sequence[tuple[float, float]]], width: float, height: float
) -> list[list[tuple[int, int]]]:
    """Return the strokes in a BOX x BOX square as ints (bad points dropped, long strokes
    thinned, at most MAX_STROKES); [] for a pad with no usable size."""
    try:
        w, h = float(width), float(height)
    except (TypeError, ValueError):
        return []
    if not (math.isfinite(w) and math.isfinite(h) and w > 0 and h > 0):
        return []
    out: list[list[tuple[int, int]]] = []
    for stroke in list(strokes or [])[:MAX_STROKES]:
        points: list[tuple[int, int]] = []
        for point in stroke or []:
            try:
                x, y = float(point[0]), float(point[1])
            except (TypeError, ValueError, IndexError):
                continue
            if math.isfinite(x) and math.isfinite(y):
                px = min(max(round(x / w * BOX), 0), BOX)
                py = min(max(round(y / h * BOX), 0), BOX)
                points.append((px, py))
        if len(points) > MAX_POINTS:
            step = len(points) / MAX_POINTS
            points = [points[int(i * step)] for i in range(MAX_POINTS - 1)] + [points[-1]]
        if points:
            out.append(points)
    return out

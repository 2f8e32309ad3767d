"""Input methods for the kiosk's text fields: pinyin and handwriting, offline, no Kivy.

* :class:`PinyinEngine` — a typed pinyin buffer to ranked candidates, per field
  (``name`` / ``employer`` / ``text``), with fuzzy regional spellings.
* :class:`HandwritingRecognizer` — finger strokes of one character to candidates, through
  Zinnia and the Tegaki simplified-Chinese model; :func:`handwriting_available` is the cheap
  check the UI and the staff device page call first.

Errors are drawn in :mod:`kiosk.input.errors`. docs/ime.md describes both engines.
"""

from __future__ import annotations

from kiosk.input.errors import HandwritingUnavailable, IndexInvalid, InputMethodError
from kiosk.input.handwriting import (
    HandwritingRecognizer,
    handwriting_available,
    handwriting_problem,
)
from kiosk.input.pinyin import FIELDS, Candidate, PinyinEngine

__all__ = [
    "FIELDS",
    "Candidate",
    "HandwritingRecognizer",
    "HandwritingUnavailable",
    "IndexInvalid",
    "InputMethodError",
    "PinyinEngine",
    "handwriting_available",
    "handwriting_problem",
]

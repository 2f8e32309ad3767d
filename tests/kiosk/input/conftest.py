"""Fixtures for the input-method tests.

* ``pinyin`` — the shipped index, loaded once (it is read-only), fuzzy on.
* ``exact_pinyin`` — an engine over the same index with fuzzy pinyin off.
"""

from __future__ import annotations

import pytest

from kiosk.input import PinyinEngine
from kiosk.input.index import PinyinIndex


@pytest.fixture(scope="session")
def pinyin_index() -> PinyinIndex:
    return PinyinIndex.load()


@pytest.fixture
def pinyin(pinyin_index: PinyinIndex) -> PinyinEngine:
    return PinyinEngine(pinyin_index, fuzzy=True)


@pytest.fixture
def exact_pinyin(pinyin_index: PinyinIndex) -> PinyinEngine:
    return PinyinEngine(pinyin_index, fuzzy=False)

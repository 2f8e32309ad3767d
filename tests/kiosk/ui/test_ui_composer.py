"""The pinyin composition and candidate pages, without a window or an engine."""

from __future__ import annotations

import pytest

from kiosk.ui.composer import MAX_BUFFER, CandidatePages, PinyinComposer


def test_letters_compose_and_backspace_edits_the_buffer_first():
    composer = PinyinComposer()
    for letter in "ZhangSan":  # case does not matter: pinyin is lower case
        composer.type(letter)
    assert composer.buffer == "zhangsan"
    assert composer.backspace()
    assert composer.buffer == "zhangsa"
    while composer.backspace():
        pass
    assert composer.buffer == ""
    assert not composer.backspace(), "an empty buffer leaves backspace to the field"
    assert not composer.composing


@pytest.mark.parametrize(("typed", "buffer"), [
    ("'xian", "xian"),     # a separator separates something: not first
    ("xi''an", "xi'an"),   # and once
    ("xi'an", "xi'an"),
])
def test_separators(typed, buffer):
    composer = PinyinComposer()
    for ch in typed:
        composer.type(ch)
    assert composer.buffer == buffer


def test_backspace_drops_a_trailing_separator_with_the_letter():
    composer = PinyinComposer()
    for ch in "xi'a":
        composer.type(ch)
    composer.backspace()
    assert composer.buffer == "xi"


@pytest.mark.parametrize("bad", ["1", "张", " ", "ab", ""])
def test_only_pinyin_letters_are_typed(bad):
    with pytest.raises(ValueError, match="pinyin"):
        PinyinComposer().type(bad)


def test_buffer_is_bounded():
    composer = PinyinComposer()
    for _ in range(MAX_BUFFER + 10):
        composer.type("a")
    assert len(composer.buffer) == MAX_BUFFER


def test_an_answer_for_an_older_buffer_is_dropped():
    composer = PinyinComposer()
    for ch in "zhang":
        composer.type(ch)
    old = composer.revision
    composer.type("s")
    assert not composer.offer(old, ["张"])
    assert composer.offered.words == []
    assert composer.offer(composer.revision, ["张三", "张", "张三", ""])
    assert composer.offered.words == ["张三", "张"], "duplicates and blanks dropped"


def test_choosing_keeps_what_the_word_did_not_use():
    composer = PinyinComposer()
    for ch in "zhangsan'feng":
        composer.type(ch)
    composer.offer(composer.revision, ["张三丰", "张三"], {"张三丰": 13, "张三": 9})
    assert composer.choose("张三") == "张三"
    assert composer.buffer == "feng", "the separator after the word is dropped too"
    assert composer.offered.words == [], "new words are asked for the rest"
    composer.offer(composer.revision, ["丰"])  # no span: the word uses the whole buffer
    composer.choose("丰")
    assert composer.buffer == ""
    assert not composer.clear()


def test_pages():
    pages = CandidatePages(page_size=5)
    assert (pages.pages, pages.visible(), pages.has_next, pages.has_prev) == (0, [], False, False)
    pages.set([str(i) for i in range(12)])
    assert pages.pages == 3
    assert pages.visible() == ["0", "1", "2", "3", "4"]
    assert not pages.prev_page()
    assert pages.next_page()
    assert pages.next_page()
    assert pages.visible() == ["10", "11"]
    assert not pages.next_page()
    assert pages.prev_page()
    assert pages.visible() == ["5", "6", "7", "8", "9"]
    pages.set(["a"])
    assert (pages.page, pages.visible()) == (0, ["a"])

"""The pinyin engine: segmentation, fuzzy spellings, names, fields, word-by-word commits and
garbage. Every expectation is what a worker at the kiosk relies on when typing."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.input import PinyinEngine
from kiosk.input.index import PinyinIndex


def top(
    engine: PinyinEngine, buffer: str, field: str = "text", n: int = 5, before: str = ""
) -> list[str]:
    return engine.candidates(buffer, field=field, limit=n, before=before)


# --- segmentation -------------------------------------------------------------------------


def test_xian_is_one_syllable_unless_split(pinyin: PinyinEngine) -> None:
    # "xian" reads as one syllable: 先/现/县 first, not the two-syllable 西安.
    joined = top(pinyin, "xian")
    assert {"先", "现", "县"} <= set(joined)
    assert "西安" not in joined
    # An apostrophe or a space says where the syllable breaks: 西安 first.
    for split in ("xi'an", "xi an", "XI'AN"):
        assert top(pinyin, split)[0] == "西安", split


def test_ambiguous_cut_offers_both_readings(pinyin: PinyinEngine) -> None:
    # fang'an (方案) and fan'gan (反感) are both cuts of "fangan"; both are offered.
    got = top(pinyin, "fangan")
    assert "方案" in got
    assert "反感" in got


def test_segment_for_display(pinyin: PinyinEngine) -> None:
    assert pinyin.segment("zhangsanfeng") == ["zhang", "san", "feng"]
    assert pinyin.segment("xi'an") == ["xi", "an"]
    assert pinyin.segment("") == []


@pytest.mark.parametrize(
    ("buffer", "field", "expected"),
    [
        ("zhangsan", "name", "张三"),            # a whole name from surname + given name
        ("youxiangongsi", "employer", "有限公司"),  # a four-syllable word
        ("zhangsanfeng", "text", "张三丰"),       # a dictionary name
        ("laobantuoqianwogongzi", "text", "老板拖欠我工资"),  # a phrase composed from words
        ("wodidi", "text", "我弟弟"),            # fewer, longer words: not 我地地
        ("gangjiegou", "employer", "钢结构"),     # a trade seed word, rare in jieba
    ],
)
def test_whole_words_and_phrases_come_first(
    pinyin: PinyinEngine, buffer: str, field: str, expected: str
) -> None:
    assert top(pinyin, buffer, field)[0] == expected


def test_partial_last_syllable_already_offers_words(pinyin: PinyinEngine) -> None:
    # "gongz" is not finished, but 工资 (gong'zi) is already on offer.
    assert "工资" in top(pinyin, "gongz")


# --- word-by-word commit ------------------------------------------------------------------


def test_choosing_a_word_leaves_the_rest_of_the_buffer(pinyin: PinyinEngine) -> None:
    # The first page offers the whole buffer and the words it starts with.
    by_text = {c.text: c for c in pinyin.lookup("zhangsanfeng", "name", limit=8)}
    assert by_text["张三"].rest == "feng"
    assert by_text["张三"].consumed == len("zhangsan")
    # The rest composes on: 丰 is offered for it, and nothing is left after it.
    rest = pinyin.lookup(by_text["张三"].rest, limit=10)
    assert "丰" in [c.text for c in rest]
    assert next(c for c in rest if c.text == "丰").rest == ""


def test_separators_after_a_word_are_consumed_with_it(pinyin: PinyinEngine) -> None:
    first = next(c for c in pinyin.lookup("xi'an gong si", limit=20) if c.text == "西安")
    assert first.rest == "gong si"


# --- fuzzy pinyin -------------------------------------------------------------------------


def test_fuzzy_finds_regional_spellings(pinyin: PinyinEngine, exact_pinyin: PinyinEngine) -> None:
    # z for zh: "zang san" is how a southern speaker may spell zhang san.
    assert "张三" in top(pinyin, "zang san", "name")
    assert "张三" not in exact_pinyin.candidates("zang san", field="name", limit=50)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("lanjin", "南京"),   # n/l
        ("sifu", "师傅"),     # s/sh
        ("fuzhuang", "服装"),  # exact spelling still works with fuzzy on
        ("hushi", "护士"),
        ("gongcen", "工程"),  # eng/en
        ("canyin", "餐饮"),
        ("jinli", "经理"),    # in/ing
    ],
)
def test_fuzzy_pairs(pinyin: PinyinEngine, typed: str, meant: str) -> None:
    assert meant in top(pinyin, typed, n=10)


def test_fuzzy_switch(pinyin: PinyinEngine) -> None:
    pinyin.fuzzy = False
    assert "南京" not in pinyin.candidates("lanjin", limit=50)
    pinyin.fuzzy = True
    assert "南京" in pinyin.candidates("lanjin", limit=10)


def test_exact_spelling_beats_fuzzy(pinyin: PinyinEngine) -> None:
    # With fuzzy on, "xian" still means xian (先/现), not xiang (想/向/像).
    assert not {"想", "向", "像"} & set(top(pinyin, "xian"))


# --- names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("buffer", "surname"),
    [
        ("shan", "单"),   # surname reading: 单 is dan or chan elsewhere
        ("zeng", "曾"),   # ceng elsewhere
        ("xie", "解"),    # jie elsewhere
        ("ou", "区"),     # qu elsewhere
        ("qiu", "仇"),    # chou elsewhere
        ("piao", "朴"),   # pu elsewhere
    ],
)
def test_surname_readings(pinyin: PinyinEngine, buffer: str, surname: str) -> None:
    assert surname in top(pinyin, buffer, "name", n=3)


@pytest.mark.parametrize(
    ("buffer", "name"),
    [
        ("ouyang", "欧阳"),
        ("sima", "司马"),
        ("zhuge", "诸葛"),
        ("shangguan", "上官"),
        ("ouyangfang", "欧阳芳"),     # two-character surname + given name
        ("shangguanwei", "上官伟"),
        ("simaguang", "司马光"),
    ],
)
def test_two_character_surnames(pinyin: PinyinEngine, buffer: str, name: str) -> None:
    assert name in top(pinyin, buffer, "name", n=3)


@pytest.mark.parametrize(
    ("buffer", "surname"),
    [("qin", "覃"), ("xian", "冼"), ("qi", "亓"), ("zhang", "仉"), ("zi", "訾"), ("she", "佘")],
)
def test_rare_surnames_rank_higher_in_a_name_field(
    pinyin: PinyinEngine, buffer: str, surname: str
) -> None:
    in_name = pinyin.candidates(buffer, "name", limit=50)
    in_text = pinyin.candidates(buffer, "text", limit=200)
    assert surname in in_name[:10]
    assert surname not in in_text or in_text.index(surname) > in_name.index(surname)


def test_whole_name_and_its_parts(pinyin: PinyinEngine) -> None:
    got = pinyin.lookup("wangxiaoming", "name", limit=8)
    texts = [c.text for c in got]
    assert "王小明" in texts[:3]
    wang = next(c for c in got if c.text == "王")
    assert wang.rest == "xiaoming"


def test_before_moves_a_name_field_from_surname_to_given_name(pinyin: PinyinEngine) -> None:
    # Nothing typed yet: "shan" is the surname 单.
    assert top(pinyin, "shan", "name")[0] == "单"
    # After the surname 王, "shan" is a given-name character: 山/珊/善, not the surname 单.
    after = top(pinyin, "shan", "name", before="王")
    assert after[0] != "单"
    assert {"山", "珊", "善"} & set(after[:3])
    # And a two-syllable buffer after a surname is a given name, not surname + character.
    assert top(pinyin, "xiaoming", "name", before="王")[0] in ("小明", "晓明")


# --- fields -------------------------------------------------------------------------------


def test_employer_field_prefers_company_words(pinyin: PinyinEngine) -> None:
    # 工商 (industry and commerce) in an employer field, 工伤 (work injury) in a description.
    assert top(pinyin, "gongshang", "employer")[0] == "工商"
    assert top(pinyin, "gongshang", "text")[0] == "工伤"


@pytest.mark.parametrize(
    ("buffer", "word"),
    [("jianzhu", "建筑"), ("laowu", "劳务"), ("gongcheng", "工程"), ("wuliu", "物流"),
     ("canyin", "餐饮"), ("youxiangongsi", "有限公司")],
)
def test_company_words_first_in_employer_field(
    pinyin: PinyinEngine, buffer: str, word: str
) -> None:
    assert top(pinyin, buffer, "employer")[0] == word


@pytest.mark.parametrize(
    ("buffer", "word"),
    [("gongzi", "工资"), ("tuoqian", "拖欠"), ("laoban", "老板"), ("jiaban", "加班"),
     ("gongshang", "工伤"), ("citui", "辞退"), ("shebao", "社保")],
)
def test_dispute_words_first_in_description(pinyin: PinyinEngine, buffer: str, word: str) -> None:
    assert top(pinyin, buffer, "text")[0] == word


def test_name_field_offers_names_not_words(pinyin: PinyinEngine) -> None:
    # 公司 is the word; in a name field the same letters are a name: surname 龚 + given name.
    assert top(pinyin, "gongsi", "employer")[0] == "公司"
    assert top(pinyin, "gongsi", "name")[0].startswith("龚")


# --- garbage ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "buffer",
    ["", " ", "'''", "123", "!!!", "\U0001f642", "中文", "\x00\n\t", "ｚｈａｎｇ", "vvvv", "iii"],
)
def test_garbage_gives_nothing_without_raising(pinyin: PinyinEngine, buffer: str) -> None:
    assert pinyin.candidates(buffer) == []
    assert pinyin.candidates(buffer, "name", before=buffer) == []


@pytest.mark.parametrize(
    ("buffer", "field", "expected"),
    [
        ("zhang3san", "name", "张三"),    # a digit is a break
        ("Zhang San", "name", "张三"),    # capitals and spaces
        ("zhang-san", "name", "张三"),
        ("zhangxsan", "name", "张"),      # a stray letter: what reads as pinyin before it
        ("lü", "text", "绿"),             # ü typed as ü ...
        ("lv", "text", "绿"),             # ... or as v
    ],
)
def test_noisy_buffers_give_the_best_reading(
    pinyin: PinyinEngine, buffer: str, field: str, expected: str
) -> None:
    assert expected in top(pinyin, buffer, field, n=10)


def test_unknown_field_and_bad_limit(pinyin: PinyinEngine) -> None:
    assert pinyin.candidates("gongzi", field="nonsense") == pinyin.candidates("gongzi")
    assert pinyin.candidates("gongzi", limit=0) == []
    assert len(pinyin.candidates("shi", limit=3)) == 3


@pytest.mark.parametrize("length", [200, 20_000])
def test_long_buffer_is_bounded(pinyin: PinyinEngine, length: int) -> None:
    buffer = ("zhongguorenmin" * (length // 14 + 1))[:length]
    started = time.perf_counter()
    got = pinyin.lookup(buffer)
    elapsed = time.perf_counter() - started
    assert got
    assert got[0].text.startswith("中国人民")
    # Only the head of the buffer is read; the rest stays in the buffer to be typed on.
    assert all(len(buffer) - len(c.rest) <= 64 for c in got)
    # A generous bound (bench/ime.py measures the real figure): catches a quadratic blow-up.
    assert elapsed < 1.0


@settings(max_examples=300, deadline=None)
@given(
    buffer=st.text(max_size=80)
    | st.text(alphabet="abcdefghijklmnopqrstuvwxyz' ", max_size=80),
    field=st.sampled_from(["name", "employer", "text", "", "名字"]),
    before=st.text(max_size=5),
)
def test_any_buffer_gives_consistent_candidates(
    pinyin_index: PinyinIndex, buffer: str, field: str, before: str
) -> None:
    # Whatever is typed: no exception, at most `limit` distinct candidates, each using a
    # prefix of the buffer and leaving the rest of it exactly.
    got = PinyinEngine(pinyin_index).lookup(buffer, field, 10, before)
    assert len(got) <= 10
    assert len({c.text for c in got}) == len(got)
    for c in got:
        assert c.text
        assert 0 < c.consumed <= len(buffer)
        assert buffer[c.consumed:] == c.rest

"""Chinese input at the kiosk: how often the right words come first, taps, and speed.

    python bench/ime.py [--seed 10] [--names 150] [--companies 100] [--sentences 100]

Generates its own corpus with a seeded RNG (none of it is a test example): names from a
surname list (with surname readings, compound and rare surnames) × common given-name
characters; company names as place + brand + trade words + 有限公司; complaint sentences from
templates with slots. Pinyin comes from pypinyin (installed with the dev extra), per word.

For each category it prints, beside a naive single-character engine from the same index
(each character looked up alone by its syllable, most frequent first, no words, no fields):

* top-5: the share of units whose full pinyin puts the intended text in the first 5
  candidates (a name; each word of a company name or sentence, typed after what precedes it;
  and whole company names / sentences typed in one go);
* taps per character: letters typed plus candidate taps (one per choice, one per page of 5
  turned), committing word by word as a worker would: type the word's letters, stop as soon
  as it is on the first page, take the longest correct prefix if it never appears;
* lookup p50/p99 (ms), index size and load time, handwriting time per character and
  top-5 on jittered straight-line strokes (raw Zinnia order as the baseline).

Prints figures; asserts nothing. Targets (issue 10): top-5 ≥ 90 % for names and company
words, lookup p99 ≤ 10 ms, index load ≤ 1 s, handwriting ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pypinyin import Style, lazy_pinyin

from kiosk.input import HandwritingRecognizer, PinyinEngine, handwriting_available
from kiosk.input.index import PinyinIndex, default_index_path


def _split(text: str, sep: str | None = None) -> list[str]:
    return text.split(sep)


SURNAMES = _split(
    "王wang 李li 张zhang 刘liu 陈chen 杨yang 黄huang 赵zhao 吴wu 周zhou 徐xu 孙sun 马ma "
    "朱zhu 胡hu 郭guo 何he 林lin 高gao 罗luo 郑zheng 梁liang 谢xie 宋song 唐tang 许xu "
    "韩han 邓deng 冯feng 曹cao 彭peng 曾zeng 肖xiao 田tian 董dong 潘pan 袁yuan 蔡cai "
    "蒋jiang 余yu 杜du 叶ye 程cheng 魏wei 苏su 吕lv 丁ding 任ren 卢lu 姚yao 沈shen 钟zhong "
    "姜jiang 崔cui 谭tan 陆lu 范fan 汪wang 廖liao 石shi 金jin 韦wei 贾jia 夏xia 付fu "
    "方fang 邹zou 熊xiong 白bai 孟meng 秦qin 邱qiu 侯hou 江jiang 尹yin 薛xue 段duan 雷lei "
    "龙long 黎li 史shi 陶tao 贺he 毛mao 郝hao 顾gu 龚gong 邵shao 覃qin 单shan 欧阳ouyang "
    "司马sima 上官shangguan 诸葛zhuge 冼xian 仇qiu 区ou 解xie 查zha 朴piao 佘she 亓qi 揭jie"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国文红玉梅辉鹏飞斌波宇浩凯俊峰晨欣婷雪"
    "琳丹宁颖思佳嘉子梓涵轩睿博雨怡晓小海春燕志云德福荣金林成永东江庆生龙家新利淑凤萍琴慧莉"
    "亮鑫鸿旭阳帅坤彬松秀英翠兵武卫民珍芬娇健雄光"
)
PLACES = _split(
    "深圳 东莞 广州 佛山 苏州 杭州 成都 武汉 郑州 长沙 重庆 北京 上海 天津 南京 宁波 "
    "温州 厦门 泉州 合肥 南昌 昆明 贵阳 南宁 石家庄 惠州 中山 珠海 无锡 常州"
)
BRANDS = _split(
    "鑫达 宏远 华盛 永兴 金辉 恒通 宏图 盛世 瑞丰 天成 顺达 兴旺 隆昌 富强 长城 新星 "
    "汇通 中联 安达 伟业 众信 诚信 鼎盛 嘉禾 佳美 红星 开元 腾飞 利民 永安"
)
TRADES = [_split(t) for t in _split(
    "建筑 劳务|建筑 工程|物流|餐饮 管理|电子 科技|服装|家政 服务|装饰 工程|机械 制造|五金 制品|"
    "物业 管理|保安 服务|人力 资源|运输|食品|建材|汽车 维修|包装 材料|塑胶 制品|纺织|快递|"
    "劳务 派遣|电器|家具|印刷|酒店 管理|清洁 服务|钢结构 工程", "|")]
TEMPLATES = [_split(t) for t in _split(
    "老板 拖欠 我们 {n} 个 月 的 工资|{who} 在 工地 上 受伤 了 公司 不 给 报销 医药费|"
    "公司 没有 给 {who} 交 社保|每天 加班 {n} 个 小时 没有 加班费|"
    "{who} 被 公司 辞退 了 没有 经济补偿|包工头 跑 了 工钱 一直 没 发|"
    "老板 没有 和 {who} 签 劳动合同|{who} 想 申请 劳动仲裁|工厂 扣 了 {who} 的 押金 不 退|"
    "工伤 以后 老板 不 管 了|试用期 {n} 个 月 工资 只 发 一半|公司 说 要 罚款 扣 工资|"
    "{who} 干 了 {n} 年 突然 被 开除|年底 结算 的 时候 老板 不 见 了|"
    "项目 经理 说 工资 要 等 到 过年|{who} 的 手指 被 机器 压伤 了|公司 不 承认 劳动 关系|"
    "工资 条 上 的 钱 不 对|晚上 加班 没有 休息 日|{who} 要 回 老家 可是 拿 不 到 钱", "|")]
WHO = ["我", "我们", "我老公", "我爸爸", "我弟弟", "工友"]
NUMBERS = ["两", "三", "四", "五", "六", "八", "十"]
PAGE = 5
Lookup = Callable[["Tally", str], Callable[[str, str], list[tuple[str, str]]]]


@dataclass
class Unit:
    """One thing a worker types and commits: its text, its words and their pinyin."""

    text: str
    words: list[tuple[str, str]]  # (word, full pinyin without separators)
    field: str


@dataclass
class Tally:
    """Per-category counts."""

    units: int = 0
    top5: int = 0
    chars: int = 0
    taps: int = 0
    failed: int = 0
    times: list[float] = field(default_factory=list)  # wall clock per lookup
    cpu: list[float] = field(default_factory=list)  # this thread's CPU time per lookup


def reading(text: str) -> str:
    return "".join(lazy_pinyin(text, style=Style.NORMAL)).replace("ü", "v")


def corpus(
    rng: random.Random, names: int, companies: int, sentences: int, uniform: bool = False
) -> dict[str, list[Unit]]:
    """Return the generated corpus by category (duplicates removed)."""
    surnames = []
    for item in SURNAMES:
        han = item.rstrip("abcdefghijklmnopqrstuvwxyz")
        surnames.append((han, item[len(han):]))
    seen: set[str] = set()

    def draw(count: int, make: Callable[[], Unit]) -> list[Unit]:
        # Distinct units only; stops short (the header prints the counts) when the patterns
        # cannot make that many.
        units: list[Unit] = []
        for _ in range(count * 50):
            if len(units) >= count:
                break
            unit = make()
            if unit.text not in seen:
                seen.add(unit.text)
                units.append(unit)
        return units

    # Surnames are listed in census order: draw them Zipf-like (王 about 25 times as often as
    # 覃), as a station's workers would be; --uniform-surnames draws every surname alike.
    weights = [1.0 if uniform else 1 / (rank + 4) for rank in range(len(surnames))]

    def name() -> Unit:
        sur, py = rng.choices(surnames, weights)[0]
        given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2, 2))))
        return Unit(sur + given, [(sur + given, py + reading(given))], "name")

    def company() -> Unit:
        place = rng.choice(PLACES) + ("市" if rng.random() < 0.5 else "")
        words = [place, rng.choice(BRANDS), *rng.choice(TRADES)]
        words.append("有限公司" if rng.random() < 0.8 else "有限责任公司")
        return Unit("".join(words), [(w, reading(w)) for w in words], "employer")

    def sentence() -> Unit:
        template = rng.choice(TEMPLATES)
        words = [w.format(n=rng.choice(NUMBERS), who=rng.choice(WHO)) for w in template]
        return Unit("".join(words), [(w, reading(w)) for w in words], "text")

    return {"names": draw(names, name), "company": draw(companies, company),
            "sentence": draw(sentences, sentence)}


def type_word(lookup: Callable[[str, str], list[tuple[str, str]]], word: str, letters: str,
              before: str, tally: Tally) -> None:
    """Type ``word`` letter by letter, committing as a worker would; add taps to ``tally``."""
    done, typed, buffer = "", 0, ""
    pos = 0
    while done != word:
        target = word[len(done):]
        while True:
            if pos < len(letters):
                buffer += letters[pos]
                pos += 1
                typed += 1
            found = lookup(buffer, before + done)
            page = [t for t, _rest in found[:PAGE]]
            if target in page and next(r for t, r in found if t == target) == "":
                tally.taps += 1
                done = word
                break
            if pos >= len(letters):
                # All typed and not on the first page: page on for it, or take the longest
                # correct prefix the engine offers and go on with the rest of the buffer.
                best = None
                for i, (text, rest) in enumerate(found):
                    if target.startswith(text) and (best is None or len(text) > len(best[1])):
                        best = (i, text, rest)
                if best is None:
                    tally.failed += 1
                    tally.taps += 3 * len(target)  # gave up: a cost like handwriting it
                    done = word
                    break
                i, text, rest = best
                tally.taps += 1 + i // PAGE
                done += text
                buffer = rest
                break
    tally.taps += typed


def lookups(engine: PinyinEngine, index: PinyinIndex) -> dict[str, Lookup]:
    """Return the two engines as timed lookups: ours, and naive single characters."""

    def ours(tally: Tally, field_name: str) -> Callable[[str, str], list[tuple[str, str]]]:
        def lookup(buffer: str, before: str) -> list[tuple[str, str]]:
            t, c = time.perf_counter(), time.thread_time()
            got = engine.lookup(buffer, field_name, 30, before)
            tally.times.append(time.perf_counter() - t)
            tally.cpu.append(time.thread_time() - c)
            return [(c.text, c.rest) for c in got]
        return lookup

    def naive(tally: Tally, _field: str) -> Callable[[str, str], list[tuple[str, str]]]:
        def lookup(buffer: str, _before: str) -> list[tuple[str, str]]:
            t, c = time.perf_counter(), time.thread_time()
            got = [(w, "") for w, _s in index.words(buffer) if len(w) == 1][:30]
            tally.times.append(time.perf_counter() - t)
            tally.cpu.append(time.thread_time() - c)
            return got
        return lookup

    return {"ours": ours, "naive": naive}


def run_category(units: list[Unit], name: str, make: Lookup) -> tuple[Tally, int]:
    """Return the tally for one engine over one category, and how many whole units (company
    names, sentences) typed in one go were on the first page."""
    tally, whole = Tally(), 0
    for unit in units:
        lookup = make(tally, unit.field)
        before = ""
        for word, letters in unit.words:
            tally.units += 1
            tally.chars += len(word)
            if name == "ours":
                tally.top5 += word in [t for t, _r in lookup(letters, before)[:PAGE]]
                type_word(lookup, word, letters, before, tally)
            else:  # one character at a time, each by its own syllable
                syllables = [s.replace("ü", "v") for s in lazy_pinyin(word, style=Style.NORMAL)]
                tally.top5 += all(c in [t for t, _r in lookup(s, "")[:PAGE]]
                                  for c, s in zip(word, syllables, strict=True))
                for c, s in zip(word, syllables, strict=True):
                    type_word(lookup, c, s, "", tally)
            before += word
        if name == "ours" and len(unit.words) > 1:
            letters = "".join(p for _w, p in unit.words)
            whole += unit.text in [t for t, _r in make(Tally(), unit.field)(letters, "")[:PAGE]]
    return tally, whole


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000


def bench_index() -> PinyinIndex:
    """Print the index's size and load time beside reading + gunzipping it; return it."""
    path = default_index_path()
    loads, floors = [], []
    for _ in range(5):
        t = time.perf_counter()
        gzip.decompress(path.read_bytes())
        floors.append(time.perf_counter() - t)
        t = time.perf_counter()
        index = PinyinIndex.load()
        loads.append(time.perf_counter() - t)
    print(f"index     {path.stat().st_size / 1e6:.2f} MB gzip; load median "
          f"{statistics.median(loads):.3f} s (max {max(loads):.3f}) — baseline: read + gunzip "
          f"only {statistics.median(floors):.3f} s")
    return index


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=10)
    ap.add_argument("--names", type=int, default=150)
    ap.add_argument("--companies", type=int, default=100)
    ap.add_argument("--sentences", type=int, default=100)
    ap.add_argument("--uniform-surnames", action="store_true",
                    help="draw rare surnames as often as common ones (a harder name test)")
    args = ap.parse_args()
    print(f"yizhan IME benchmark — {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f} (shared machine: wall-clock timings include that)")
    index = bench_index()
    data = corpus(random.Random(args.seed), args.names, args.companies, args.sentences,
                  args.uniform_surnames)
    print(f"corpus    {sum(len(v) for v in data.values())} items (seed {args.seed}"
          f"{', uniform surnames' if args.uniform_surnames else ''}): "
          + ", ".join(f"{len(v)} {k}" for k, v in data.items()))
    print()
    print(f"{'category':<10} {'engine':<8} {'top-5':>8} {'whole':>8} {'taps/char':>10} "
          f"{'failed':>7} {'p50 ms':>7} {'p99 ms':>7} {'cpu p99':>8}")
    for cat, units in data.items():
        for name, make in lookups(PinyinEngine(index), index).items():
            tally, whole = run_category(units, name, make)
            whole_s = f"{100 * whole / len(units):.1f}%" if name == "ours" and cat != "names" \
                else "-"
            print(f"{cat:<10} {name:<8} {100 * tally.top5 / tally.units:>7.1f}% {whole_s:>8} "
                  f"{tally.taps / tally.chars:>10.2f} {tally.failed:>7} "
                  f"{pct(tally.times, 0.5):>7.2f} {pct(tally.times, 0.99):>7.2f} "
                  f"{pct(tally.cpu, 0.99):>8.2f}")
    print("  top-5: names = whole name; company/sentence = each word typed after the ones before;"
          "\n  naive top-5 = every character of the unit on its syllable's first page;"
          "\n  whole = the whole company name / sentence typed in one go;"
          "\n  p50/p99 = wall clock per lookup (every letter typed); cpu p99 = the lookup's own"
          "\n  CPU time (what a busy shared machine does not inflate)")
    print()
    bench_handwriting(random.Random(args.seed))


STROKES = {  # straight-line strokes on a unit square, standard order
    "一": [[(0.2, 0.5), (0.8, 0.5)]],
    "二": [[(0.3, 0.35), (0.7, 0.35)], [(0.2, 0.65), (0.8, 0.65)]],
    "三": [[(0.3, 0.25), (0.7, 0.25)], [(0.35, 0.5), (0.65, 0.5)], [(0.2, 0.75), (0.8, 0.75)]],
    "十": [[(0.2, 0.45), (0.8, 0.45)], [(0.5, 0.15), (0.5, 0.85)]],
    "工": [[(0.25, 0.25), (0.75, 0.25)], [(0.5, 0.25), (0.5, 0.75)], [(0.15, 0.75), (0.85, 0.75)]],
    "土": [[(0.3, 0.4), (0.7, 0.4)], [(0.5, 0.15), (0.5, 0.75)], [(0.15, 0.75), (0.85, 0.75)]],
    "王": [[(0.25, 0.2), (0.75, 0.2)], [(0.3, 0.5), (0.7, 0.5)], [(0.5, 0.2), (0.5, 0.8)],
          [(0.15, 0.8), (0.85, 0.8)]],
    "日": [[(0.25, 0.2), (0.25, 0.8)], [(0.25, 0.2), (0.75, 0.2), (0.75, 0.8)],
          [(0.25, 0.5), (0.75, 0.5)], [(0.25, 0.8), (0.75, 0.8)]],
    "中": [[(0.25, 0.3), (0.25, 0.65)], [(0.25, 0.3), (0.75, 0.3), (0.75, 0.65)],
          [(0.25, 0.65), (0.75, 0.65)], [(0.5, 0.1), (0.5, 0.9)]],
    "口": [[(0.15, 0.15), (0.15, 0.85)], [(0.15, 0.15), (0.85, 0.15), (0.85, 0.85)],
          [(0.15, 0.85), (0.85, 0.85)]],
    "上": [[(0.5, 0.15), (0.5, 0.8)], [(0.5, 0.45), (0.75, 0.45)], [(0.15, 0.8), (0.85, 0.8)]],
    "干": [[(0.25, 0.2), (0.75, 0.2)], [(0.15, 0.5), (0.85, 0.5)], [(0.5, 0.2), (0.5, 0.9)]],
}


def bench_handwriting(rng: random.Random, rounds: int = 10, pad: float = 600.0) -> None:
    """Time and score recognition of jittered strokes, beside Zinnia's raw order."""
    if not handwriting_available():
        print("handwriting: unavailable here (install libzinnia0 tegaki-zinnia-simplified-chinese)")
        return
    t = time.perf_counter()
    rec = HandwritingRecognizer.load()
    load = time.perf_counter() - t
    times, raw_times, hits, raw_hits, total = [], [], 0, 0, 0
    for _ in range(rounds):
        for char, strokes in STROKES.items():
            jit = [[(pad * (x + rng.uniform(-0.04, 0.04)), pad * (y + rng.uniform(-0.04, 0.04)))
                    for x, y in s] for s in strokes]
            t = time.perf_counter()
            got = rec.recognize(jit, pad, pad, limit=5)
            times.append(time.perf_counter() - t)
            scaled = [[(round(x / pad * 1000), round(y / pad * 1000)) for x, y in s] for s in jit]
            t = time.perf_counter()
            raw = [v for v, _s in rec._classify(scaled, 5)]
            raw_times.append(time.perf_counter() - t)
            hits += char in got
            raw_hits += char in raw
            total += 1
    ms = sorted(x * 1000 for x in times)
    raw_ms = sorted(x * 1000 for x in raw_times)
    print(f"handwriting  model load {load:.3f} s; {total} jittered characters "
          f"({len(STROKES)} shapes × {rounds})")
    print(f"  ours (re-ranked, 40 asked)  top-5 {100 * hits / total:5.1f}%   "
          f"p50 {ms[len(ms) // 2]:.1f} ms  p99 {ms[int(len(ms) * 0.99)]:.1f} ms")
    print(f"  raw Zinnia (5 asked)        top-5 {100 * raw_hits / total:5.1f}%   "
          f"p50 {raw_ms[len(raw_ms) // 2]:.1f} ms  p99 {raw_ms[int(len(raw_ms) * 0.99)]:.1f} ms")
    rec.close()


if __name__ == "__main__":
    main()

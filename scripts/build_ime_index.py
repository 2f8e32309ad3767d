#!/usr/bin/env python3
"""Build the kiosk's pinyin index (``kiosk/input/data/pinyin.idx.gz``) from pypinyin and jieba.

    pip install -e '.[ime-build]'
    python scripts/build_ime_index.py [--out kiosk/input/data/pinyin.idx.gz] [--check]

Writes pinyin.idx.gz, chars.txt (character frequencies, for re-ranking handwriting) and
pinyin.json (the manifest) into the --out folder.

Sources (all MIT): jieba's ``dict.txt`` gives words with corpus frequencies and part-of-speech
tags (``nr`` person names, ``nt`` organisations, ``ns`` places); pypinyin gives each word's
reading in context (its phrase dictionary) and every reading of every character; ngender's
``charfreq.csv`` gives how often each character appears in real given names. The only
hand-written data below is what neither library has: surname readings (pypinyin reads 曾国藩 as
"ceng", a surname is "zeng"), the compound surnames, the population order of common surnames,
and two short seed lists that tell the employer and description fields which words matter to
this service (trades and labour-dispute words). Everything else is counted.

The output is deterministic: the same source versions give byte-identical uncompressed text
(``--check`` compares with the committed file; tests/kiosk/input/test_index.py does the same
with the manifest's checksum). The format is described in docs/ime.md.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import math
import re
import sys
from collections import defaultdict
from importlib import metadata
from pathlib import Path

import jieba
import ngender
from pypinyin import Style, lazy_pinyin
from pypinyin.pinyin_dict import pinyin_dict

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from kiosk.input.syllables import fuzzy_form  # one definition of fuzzy forms

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "kiosk" / "input" / "data" / "pinyin.idx.gz"
FORMAT = "yizhan-pinyin-index 1"
CHARS_FORMAT = "yizhan-char-frequency 1"

# Most common surnames, most frequent first (order of the 2020 census lists); the rank gives
# the surname score. Rare surnames come from jieba's person names below.
COMMON_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余于杜叶"
    "程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛"
    "郝顾龚邵万覃武钱戴严莫孔向常汤康易乔赖文施洪辛柳庞樊殷牛左季聂章葛鲁温伍尚欧单祝安倪齐"
    "兰俞卓涂华阎甘关包游盛舒冉凌岳庄梅蓝麦柯翟谷路蒙詹马符喻鲍焦耿霍宁阮靳屈成胥纪祁申米"
)
def _words(text: str) -> list[str]:
    return text.split()


COMPOUND_SURNAMES = _words(
    "欧阳 司马 诸葛 上官 东方 皇甫 慕容 令狐 司徒 夏侯 尉迟 公孙 长孙 宇文 轩辕 端木 呼延 "
    "澹台 南宫 西门 万俟 独孤 闻人 钟离 申屠 太史 公羊 赫连 濮阳 单于 拓跋 百里 东郭 左丘"
)
# Surname readings that differ from the character's everyday (pypinyin) reading.
SURNAME_READINGS = {
    "单": "shan", "曾": "zeng", "解": "xie", "区": "ou", "仇": "qiu", "朴": "piao", "查": "zha",
    "盖": "ge", "缪": "miao", "覃": "qin", "乐": "yue", "员": "yun", "秘": "bi", "种": "chong",
    "繁": "po", "黑": "he", "折": "she", "召": "shao", "句": "gou", "隗": "wei", "眭": "sui",
    "逄": "pang", "谌": "chen", "冼": "xian", "翟": "zhai", "纪": "ji", "华": "hua", "任": "ren",
    "宁": "ning", "曲": "qu", "沈": "shen", "石": "shi", "车": "che", "臧": "zang", "卜": "bu",
    "薄": "bo", "柏": "bai", "尉": "yu", "能": "nai", "祭": "zhai", "莘": "shen", "阚": "kan",
    "尉迟": "yu chi", "万俟": "mo qi", "长孙": "zhang sun", "单于": "chan yu", "澹台": "tan tai",
}
# Employer field: trades and company-form words (the nt-derived vocabulary adds the rest).
EMPLOYER_SEED = _words(
    "有限公司 有限责任公司 股份有限公司 分公司 公司 集团 建筑 劳务 工程 物流 餐饮 装修 装饰 家政 "
    "保洁 快递 电子 服装 制衣 五金 机械 运输 贸易 商贸 科技 实业 置业 房地产 酒店 食品 纺织 鞋业 "
    "塑胶 包装 印刷 汽车 维修 安装 钢结构 搬家 保安 物业 管理 服务 人力资源 建设 建材 工厂 厂 "
    "项目部 施工队 工地 车间 制造 加工 电器 家具 饭店 超市 外卖 网约车 农业 养殖 矿业 水泥"
)
# Description field: ordinary words of labour disputes.
TEXT_SEED = _words(
    "工资 拖欠 欠薪 老板 加班 加班费 工伤 辞退 开除 社保 社会保险 养老保险 医疗保险 公积金 "
    "劳动合同 合同 押金 克扣 扣钱 罚款 赔偿 补偿 经济补偿 仲裁 劳动仲裁 起诉 包工头 工头 "
    "工钱 结算 医药费 "
    "受伤 误工费 试用期 离职 辞职 工时 夜班 劳务费 报销 工友 讨薪 欠款 解除 双倍 没有签 不给 "
    "不发 拖了 发工资 要工资 一直 没有 已经 个月 公司 工地 老乡 项目 经理 打工 上班 下班 请假 休息"
)

HAN = re.compile(r"^[\u3400-\u9fff]+$")
MAX_WORD = 6          # longest word kept, in characters
MIN_FREQ = 4          # above jieba's floor of 3: those 159k words are rare; half the index
SINGLE_SYLLABLES = {"m", "n", "ng", "hm", "hng", "r", "ê"}  # interjections, never typed


def jieba_dict() -> Path:
    """Return the path of jieba's bundled dictionary."""
    return Path(jieba.__file__).parent / "dict.txt"


def read_jieba() -> list[tuple[str, int, str]]:
    """Return (word, frequency, tag) for every all-Han word of jieba's dictionary."""
    rows = []
    with jieba_dict().open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3 and HAN.match(parts[0]):
                rows.append((parts[0], int(parts[1]), parts[2]))
    return rows


def reading(word: str) -> list[str] | None:
    """Return the toneless syllables of a word (ü as v), or None if a character has none."""
    syl = lazy_pinyin(word, style=Style.NORMAL, errors=lambda _c: ["?"])
    if len(syl) != len(word) or any(not s.isascii() or not s.isalpha() for s in syl):
        return None
    return [s.replace("ü", "v") for s in syl]


def char_readings() -> dict[str, list[str]]:
    """Return every toneless reading of every character pypinyin knows (ü as v)."""
    out: dict[str, list[str]] = {}
    for code, marks in pinyin_dict.items():
        ch = chr(code)
        syls: list[str] = []
        for mark in marks.split(","):
            s = _strip_tone(mark)
            if s and s.isascii() and s.isalpha() and s not in SINGLE_SYLLABLES and s not in syls:
                syls.append(s)
        if syls:
            out[ch] = syls
    return out


_TONES = str.maketrans(
    "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ", "aaaaeeeeiiiioooouuuuvvvvvnnnm"
)


def _strip_tone(mark: str) -> str:
    return mark.translate(_TONES)


def _common_char(ch: str) -> bool:
    """Return whether a character is in GB 2312 (the 6,763 everyday characters)."""
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def log_score(freq: float) -> int:
    """Return a frequency as an integer in hundredths of log10 (compact and ordered)."""
    return round(100 * math.log10(max(freq, 1.0)))


def build() -> tuple[str, str, dict[str, str]]:
    """Return the index text, the character-frequency text and the manifest (source versions,
    checksums)."""
    rows = read_jieba()
    total = sum(f for _w, f, _t in rows)
    readings = char_readings()
    words: dict[tuple[str, str], float] = defaultdict(float)  # (key, word) -> frequency
    char_freq: dict[tuple[str, str], float] = defaultdict(float)  # (syllable, char) -> freq
    names: list[tuple[str, list[str]]] = []
    org_words: dict[str, float] = defaultdict(float)
    for word, freq, tag in rows:
        syl = reading(word)
        if syl is None:
            continue
        if tag in ("nr", "nrfg") and len(word) <= 4:
            names.append((word, syl))
        if tag == "nt":
            for part in jieba.lcut(word, HMM=False):
                if len(part) >= 2 and HAN.match(part):
                    org_words[part] += 1
        for ch, s in zip(word, syl, strict=True):
            char_freq[(s, ch)] += freq if len(word) == 1 else freq * 0.5
        if len(word) <= MAX_WORD and freq >= MIN_FREQ and len(word) > 1:
            words[("'".join(syl), word)] += freq
    # The seed words of the employer and description fields are words whatever their count.
    for word in (*EMPLOYER_SEED, *TEXT_SEED):
        syl = reading(word)
        if syl and len(word) > 1 and not any(w == word for (_k, w) in words):
            words[("'".join(syl), word)] = float(MIN_FREQ)
    # Every reading of every character appears, scored by how often it is used in that reading.
    for ch, syls in readings.items():
        for s in syls:
            words[(s, ch)] += char_freq.get((s, ch), 0.0) + 0.5
    surnames = surname_table(names)
    given = given_table(names, surnames, readings)
    lines = [FORMAT, f"total {total}"]
    lines.append("[words]")
    by_key: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for (key, word), freq in words.items():
        if len(word) > 1 or freq >= 1 or _common_char(word):
            by_key[key].append((log_score(freq), word))
    by_fuzzy: dict[str, list[str]] = defaultdict(list)
    for key in sorted(by_key):
        by_fuzzy["'".join(fuzzy_form(s) for s in key.split("'"))].append(key)
    for fkey in sorted(by_fuzzy):
        groups = []
        for key in by_fuzzy[fkey]:
            entries = sorted(by_key[key], key=lambda e: (-e[0], e[1]))
            groups.append(key + "=" + " ".join(f"{w}:{s}" for s, w in entries))
        lines.extend((fkey, "\t".join(groups)))  # two lines: load is one dict(zip(...))
    lines.append("[surname]")
    for word, (key, score) in sorted(surnames.items(), key=lambda kv: (kv[1][0], -kv[1][1])):
        lines.append(f"{key}\t{word}:{score}")
    lines.append("[given]")
    for (key, ch), score in sorted(given.items()):
        lines.append(f"{key}\t{ch}:{score}")
    lines.append("[employer]")
    employer = {w: 200 for w in EMPLOYER_SEED}
    for w, n in org_words.items():
        if n >= 3 and w not in employer:
            employer[w] = min(150, log_score(n) + 50)
    lines.extend(f"{w}\t{s}" for w, s in sorted(employer.items()))
    lines.append("[text]")
    lines.extend(f"{w}\t200" for w in sorted(set(TEXT_SEED)))
    text = "\n".join(lines) + "\n"
    chars = char_table(char_freq)
    manifest = {
        "format": FORMAT,
        "jieba": metadata.version("jieba"),
        "ngender": metadata.version("ngender"),
        "pypinyin": metadata.version("pypinyin"),
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "chars_sha256": hashlib.sha256(chars.encode("utf-8")).hexdigest(),
    }
    return text, chars, manifest


def char_table(char_freq: dict[tuple[str, str], float]) -> str:
    """Return the character-frequency file the handwriting recogniser re-ranks with:
    ``字<TAB>score`` per line (all readings together), most frequent first."""
    total: dict[str, float] = defaultdict(float)
    for (_syl, ch), freq in char_freq.items():
        total[ch] += freq
    rows = sorted(((log_score(f), ch) for ch, f in total.items() if f >= 1 or _common_char(ch)),
                  key=lambda r: (-r[0], r[1]))
    return CHARS_FORMAT + "\n" + "".join(f"{ch}\t{score}\n" for score, ch in rows)


def surname_table(names: list[tuple[str, list[str]]]) -> dict[str, tuple[str, int]]:
    """Return surname -> (reading key, score): census-ranked common ones, compound ones, those
    with a surname reading, and rarer ones counted in jieba's person names."""
    out: dict[str, tuple[str, int]] = {}
    firsts: dict[str, int] = defaultdict(int)
    singles = set()
    for word, _syl in names:
        if len(word) == 3:
            firsts[word[0]] += 1
        elif len(word) == 1:
            singles.add(word)  # jieba tags lone surnames (仉, 訾, 亓) as person names
    for rank, ch in enumerate(dict.fromkeys(COMMON_SURNAMES)):
        # Census shares fall off about as 1/(rank + 4) (王 7 %, rank 50 about 0.5 %).
        out[ch] = (_surname_key(ch), round(400 - 100 * math.log10((rank + 4) / 4)))
    for ch in SURNAME_READINGS:  # real surnames, known for their reading; ranked by evidence
        if len(ch) == 1 and ch not in out:
            n = firsts.get(ch, 0)
            out[ch] = (_surname_key(ch), 170 + min(20, 5 * int(math.log2(n + 1))))
    # Counted evidence: a character that starts person names *and* stands alone as a person
    # name is a surname (冼, 仉, 亓); either signal alone is weaker (transliterations 阿/斯
    # start names; given-name characters 峰/斌 stand alone).
    for ch in sorted(set(firsts) | singles):
        if ch in out:
            continue
        n = firsts.get(ch, 0)
        if ch in singles and n >= 1:
            out[ch] = (_surname_key(ch), 160 + min(20, 5 * int(math.log2(n + 1))))
        elif ch in singles:
            out[ch] = (_surname_key(ch), 90)
        elif n >= 3:
            out[ch] = (_surname_key(ch), 70 + min(60, 15 * int(math.log2(n))))
    for i, word in enumerate(COMPOUND_SURNAMES):
        out[word] = (_surname_key(word), 300 - i)
    return out


def _surname_key(word: str) -> str:
    fixed = SURNAME_READINGS.get(word)
    if fixed:
        return fixed.replace(" ", "'")
    syl = reading(word)
    return "'".join(syl) if syl else ""


def given_table(
    names: list[tuple[str, list[str]]],
    surnames: dict[str, tuple[str, int]],
    readings: dict[str, list[str]],
) -> dict[tuple[str, str], int]:
    """Return (syllable, character) -> score for characters of given names.

    How often a character is used in given names comes from ngender's table (counts over a
    large corpus of real names, male + female). Which *reading* a name uses comes from jieba's
    person names (what follows a known surname), else pypinyin's everyday reading."""
    in_names: dict[tuple[str, str], int] = defaultdict(int)
    for word, syl in names:
        for sur in (word[:2], word[:1]):
            if sur in surnames and 1 <= len(word) - len(sur) <= 2:
                for ch, s in zip(word[len(sur):], syl[len(sur):], strict=True):
                    in_names[(s, ch)] += 1
                break
    out: dict[tuple[str, str], int] = {}
    for ch, count in ngender_counts().items():
        options = readings.get(ch, [])
        if not options:
            continue
        seen = {s: in_names.get((s, ch), 0) for s in options}
        if sum(seen.values()) == 0:
            everyday = reading(ch)
            seen = {s: (10 if everyday and s == everyday[0] else 1) for s in options}
        total = sum(seen.values())
        for s, n in seen.items():
            share = count * n / total
            if share >= 1:
                out[(s, ch)] = log_score(share)
    return out


def ngender_counts() -> dict[str, int]:
    """Return character -> uses in given names, from ngender's ``charfreq.csv`` (MIT)."""
    path = Path(ngender.__file__).parent / "charfreq.csv"
    out: dict[str, int] = {}
    with path.open(encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            ch, male, female = line.strip().split(",")
            if HAN.match(ch):
                out[ch] = int(male) + int(female)
    return out


def write(text: str, chars: str, manifest: dict[str, str], out: Path) -> None:
    """Write the gzip'd index (fixed mtime, so identical text gives identical bytes where the
    zlib is the same), the character frequencies and the manifest beside it."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(text.encode("utf-8"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(buf.getvalue())
    out.with_name("chars.txt").write_text(chars, encoding="utf-8")
    out.with_name("pinyin.json").write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


def main(argv: list[str] | None = None) -> int:
    """Build (or with --check, verify) the index; return the exit status."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true",
                    help="exit 1 if the committed index differs from what the sources give")
    args = ap.parse_args(argv)
    jieba.setLogLevel(60)
    text, chars, manifest = build()
    if args.check:
        current = gzip.decompress(args.out.read_bytes()).decode("utf-8")
        current_chars = args.out.with_name("chars.txt").read_text(encoding="utf-8")
        if current != text or current_chars != chars:
            print(f"{args.out} is stale: run scripts/build_ime_index.py", file=sys.stderr)
            return 1
        print(f"{args.out} matches jieba {manifest['jieba']}, pypinyin {manifest['pypinyin']}")
        return 0
    write(text, chars, manifest, args.out)
    size = args.out.stat().st_size
    print(f"wrote {args.out} ({size / 1e6:.2f} MB, sha256 {manifest['sha256'][:16]}…)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Pinyin syllables: cutting a typed buffer into syllables, and fuzzy (regional) equivalence.

A buffer is what the worker typed: letters, with spaces or apostrophes where they want a
syllable break (``xi'an``). Anything that is not a letter is treated as a break, so garbage can
never raise. :class:`Segmenter` returns the few cheapest ways to cut the buffer into
:class:`Piece` s: whole syllables (cost 1), a syllable started but not finished at the end of a
run of letters (a *partial*, cost 1.3, so ``zhangs`` can already offer 张三), or a letter that
starts no syllable at all (*garbage*, cost 5, skipped by the lookups). Fewer, longer syllables
win, which is how ``xian`` means 先/现/县 and only ``xi'an`` means 西安.

Fuzzy pinyin maps each syllable to a canonical form in which the pairs regional speakers merge
are one: z/zh, c/ch, s/sh, n/l, f/h (initials) and an/ang, en/eng, in/ing (finals).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

MAX_SYLLABLE = 6  # "zhuang", "chuang", "shuang"
COST_SYLLABLE = 1.0
COST_FUZZY_ONLY = 1.2  # a spelling that is a syllable only under fuzzy rules ("fong")
COST_PARTIAL = 1.3
COST_GARBAGE = 5.0

_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("l", "n"), ("h", "f"))
_FINALS = (("ang", "an"), ("eng", "en"), ("ing", "in"))


def fuzzy_form(syllable: str) -> str:
    """Return the canonical fuzzy form of one syllable (``zhang`` and ``zan`` both give ``zan``)."""
    s = syllable
    for long, short in _INITIALS:
        if s.startswith(long):
            s = short + s[len(long):]
            break
    for long, short in _FINALS:
        if s.endswith(long):
            s = s[: -len(long)] + short
            break
    return s


def fuzzy_variants(syllable: str) -> set[str]:
    """Return every spelling that fuzzy rules make equal to ``syllable`` (itself included)."""
    heads = [syllable]
    for long, short in _INITIALS:
        if syllable.startswith(long):
            heads.append(short + syllable[len(long):])
        elif syllable.startswith(short) and not (short in "zcs" and syllable[1:2] == "h"):
            heads.append(long + syllable[len(short):])
    out: set[str] = set()
    for head in heads:
        out.add(head)
        for long, short in _FINALS:
            if head.endswith(long):
                out.add(head[: -len(long)] + short)
            elif head.endswith(short):
                out.add(head + long[len(short):])
    return out


class Piece(NamedTuple):
    """One cut of the buffer: ``text`` spans ``buffer[start:end]``; ``kind`` is ``syllable``,
    ``partial`` (a syllable not finished yet) or ``garbage`` (no syllable starts here).
    A tuple, so segmentations compare and hash at C speed."""

    text: str
    start: int
    end: int
    kind: str


@dataclass(frozen=True)
class Segmentation:
    """One way to cut a buffer, with its cost (lower is more likely)."""

    cost: float
    pieces: tuple[Piece, ...]


def clean(buffer: str) -> str:
    """Return the buffer lower-cased with ü as v and every non-letter as a break (``'``);
    the result has the same length, so positions map back one to one."""
    out = []
    for ch in buffer:
        low = ch.lower() if ch.isascii() else ch
        if low in ("ü", "Ü"):
            out.append("v")
        elif "a" <= low <= "z":
            out.append(low)
        else:
            out.append("'")
    return "".join(out)


class Segmenter:
    """Cuts buffers into syllables over a fixed syllable inventory."""

    def __init__(self, syllables: frozenset[str]) -> None:
        self.syllables = syllables
        self.fuzzy_only = frozenset(
            v for s in syllables for v in fuzzy_variants(s) if v not in syllables
        )
        prefixes: set[str] = set()
        for s in syllables | self.fuzzy_only:
            prefixes.update(s[:i] for i in range(1, len(s)))
        self.prefixes = frozenset(prefixes)

    def segment(self, buffer: str, fuzzy: bool, best: int = 3) -> list[Segmentation]:
        """Return up to ``best`` segmentations of ``buffer``, cheapest first ([] if it has no
        letters). Runs in time linear in the buffer's length."""
        text = clean(buffer)
        n = len(text)
        if not text.strip("'"):
            return []
        table: list[list[tuple[float, tuple[Piece, ...]]]] = [[] for _ in range(n + 1)]
        table[0] = [(0.0, ())]
        for i in range(n):
            if not table[i]:
                continue
            if text[i] == "'":
                self._offer(table, i + 1, table[i], None, 0.0, best)
                continue
            for length in range(1, MAX_SYLLABLE + 1):
                part = text[i : i + length]
                if len(part) < length or "'" in part:
                    break
                cost = self._cost(part, i + length == n or text[i + length] == "'", fuzzy)
                if cost is not None:
                    kind = "partial" if cost == COST_PARTIAL else "syllable"
                    self._offer(table, i + length, table[i], Piece(part, i, i + length, kind),
                                cost, best)
            self._offer(table, i + 1, table[i], Piece(text[i], i, i + 1, "garbage"),
                        COST_GARBAGE, best)
        return [Segmentation(cost, pieces) for cost, pieces in table[n]]

    def _cost(self, part: str, at_break: bool, fuzzy: bool) -> float | None:
        if part in self.syllables:
            return COST_SYLLABLE
        if fuzzy and part in self.fuzzy_only:
            return COST_FUZZY_ONLY
        if at_break and part in self.prefixes:
            return COST_PARTIAL
        return None

    @staticmethod
    def _offer(
        table: list[list[tuple[float, tuple[Piece, ...]]]],
        at: int,
        sources: list[tuple[float, tuple[Piece, ...]]],
        piece: Piece | None,
        cost: float,
        best: int,
    ) -> None:
        slot = table[at]
        for base, pieces in sources:
            entry = (base + cost, pieces if piece is None else (*pieces, piece))
            if any(e[1] == entry[1] for e in slot):
                continue
            slot.append(entry)
        slot.sort(key=lambda e: (e[0], len(e[1])))
        del slot[best:]

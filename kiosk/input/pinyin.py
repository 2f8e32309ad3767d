"""The pinyin input method: a typed buffer in, ranked Chinese candidates out.

:meth:`PinyinEngine.lookup` cuts the buffer into syllables (:mod:`kiosk.input.syllables`),
then offers, longest first:

* a phrase composed for the whole buffer (the likeliest chain of words, a Viterbi search over
  the words that match each run of syllables);
* words and characters matching the first syllables, each with what it consumes, so the
  keyboard commits word by word (``zhangsanfeng`` → choose 张三 → ``feng`` is left);
* in a name field: surnames under their surname readings and whole names (surname + likely
  given-name characters) before ordinary words; once the surname is in the field (``before``
  ends in Chinese), given-name characters first.

Candidates that consume more of the buffer come first; among equals, the more likely first:
log10 of the corpus frequency, plus the field's boost (employer: company and trade words;
text: the words of labour disputes), minus a small penalty for a fuzzy match or an unlikelier
segmentation. Nothing here raises on what a worker types.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kiosk.input.index import Entry, PinyinIndex
from kiosk.input.syllables import Piece, Segmenter, clean

FIELDS = ("name", "employer", "text")
MAX_BUFFER = 64       # letters looked at; the rest stays in the buffer for later
MAX_PHRASE = 16       # syllables a composed phrase spans
MAX_WORD = 6          # syllables one dictionary word spans
PER_KEY = 30          # entries taken from one reading
PER_PARTIAL = 10      # ... from each reading an unfinished syllable may become
SPAN_CACHE = 4_000    # memoised span lookups kept across lookups (about 5 MB at most)
FUZZY_PENALTY = 1.5   # per syllable typed with a fuzzy spelling
SEGMENT_PENALTY = 3.0  # per unit of segmentation cost above the best
PHRASE_WORD_PENALTY = 1.0  # per word of a composed phrase: fewer, longer words (我+弟弟,
#                            not 我+地+地: single characters' frequencies count every use)
NAME_BASE = 10.0      # in a name field, names outrank ordinary words of the same length
COMPOUND_BONUS = 1.5  # typing a whole two-syllable surname (欧阳, 司马) is strong evidence
GIVEN_EQUIV = 3.0     # a two-syllable surname alone competes with surname + given name
HEAD_LONGEST = 4      # first page: this many candidates for the whole buffer,
HEAD_NAMES = 5        # a name field's first page: whole names only (surname alone next)
HEAD_SHORTER = 2      # then this many for each shorter prefix (commit word by word)
KNOWN_BONUS = 1.5     # a whole name that is in the dictionary (jieba's person names)


@dataclass(frozen=True)
class Candidate:
    """One candidate: ``text`` to insert; choosing it uses ``pinyin[:consumed]`` of the buffer
    and leaves ``rest`` (separators after it dropped) to keep composing."""

    text: str
    consumed: int
    rest: str


class PinyinEngine:
    """Pinyin to Chinese over a :class:`PinyinIndex`; ``fuzzy`` turns regional spellings on."""

    def __init__(self, index: PinyinIndex, fuzzy: bool = True) -> None:
        self.index = index
        self.fuzzy = fuzzy
        self._segmenter = Segmenter(index.syllables)
        completions: dict[str, list[str]] = {}
        for syl in sorted(index.syllables):
            for i in range(1, len(syl)):
                completions.setdefault(syl[:i], []).append(syl)
        self._completions = completions
        self._span_cache: dict[tuple[object, ...], list[Entry]] = {}

    @classmethod
    def load(cls, path: Path | None = None, fuzzy: bool = True) -> PinyinEngine:
        """Return an engine over the shipped index (or ``path``). Raises IndexInvalid."""
        return cls(PinyinIndex.load(path), fuzzy=fuzzy)

    def segment(self, pinyin: str) -> list[str]:
        """Return the buffer's likeliest syllables, for display (``zhangsan`` → zhang, san)."""
        segs = self._segmenter.segment(pinyin[:MAX_BUFFER], self.fuzzy, best=1)
        return [p.text for p in segs[0].pieces] if segs else []

    def candidates(
        self, pinyin: str, field: str = "text", limit: int = 20, before: str = ""
    ) -> list[str]:
        """Return up to ``limit`` candidate texts for ``pinyin``, best first ([] if none)."""
        return [c.text for c in self.lookup(pinyin, field, limit, before)]

    def lookup(
        self, pinyin: str, field: str = "text", limit: int = 20, before: str = ""
    ) -> list[Candidate]:
        """Return up to ``limit`` candidates with what each consumes, best first.

        ``field`` is ``name``, ``employer`` or ``text`` (anything else counts as ``text``);
        ``before`` is the field's text before the cursor. Never raises on the buffer's
        content: garbage gives [] or candidates for the part that reads as pinyin.
        """
        if not isinstance(pinyin, str) or limit <= 0:
            return []
        field = field if field in FIELDS else "text"
        work = pinyin[:MAX_BUFFER]
        segs = self._segmenter.segment(work, self.fuzzy)
        if not segs:
            return []
        pool: dict[str, tuple[int, float]] = {}
        given_pos = field == "name" and _ends_in_han(before)
        best_ends = {p.end for p in segs[0].pieces}
        search = _Search(self, field)
        for seg in segs:
            pieces = _leading(seg.pieces, truncated=len(pinyin) > len(work))
            if not pieces:
                continue
            penalty = (seg.cost - segs[0].cost) * SEGMENT_PENALTY
            for b in range(1, min(len(pieces), MAX_WORD) + 1):
                if penalty and (pieces[b - 1].kind == "partial" or b > 2):
                    break  # an unlikelier cut offers only its first word or two ...
                if penalty and pieces[b - 1].end not in best_ends:
                    continue  # ... and only where the likeliest cut has a break too
                for word, score in search.span(pieces[:b]):
                    _offer(pool, word, pieces[b - 1].end, score - penalty)
            if penalty:
                continue
            if field == "name":
                for word, end, score in search.names(pieces, given_pos):
                    _offer(pool, word, end, score)
            elif len(pieces) > 1:
                phrase = search.phrase(pieces[:MAX_PHRASE])
                if phrase:
                    _offer(pool, phrase[0], pieces[min(len(pieces), MAX_PHRASE) - 1].end,
                           phrase[1])
        text = clean(pinyin)
        out = []
        head = HEAD_NAMES if field == "name" and not given_pos else HEAD_LONGEST
        for word, end in _order(pool, head)[:limit]:
            consumed = end
            while consumed < len(text) and text[consumed] == "'":
                consumed += 1
            out.append(Candidate(word, consumed, pinyin[consumed:]))
        return out


def _order(pool: dict[str, tuple[int, float]], head_longest: int) -> list[tuple[str, int]]:
    """Return (word, end) best first: the few best of each length (longest first), so the
    first page offers the whole buffer and word-by-word choices; then everything else by
    length and score."""
    ranked = sorted(pool.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
    if not ranked:
        return []
    longest = ranked[0][1][0]
    head = [(w, e) for w, (e, _s) in ranked if e == longest][:head_longest]
    taken = {w for w, _e in head}
    shorter: dict[int, int] = {}
    for word, (end, _score) in ranked:
        if end != longest and shorter.get(end, 0) < HEAD_SHORTER:
            shorter[end] = shorter.get(end, 0) + 1
            head.append((word, end))
            taken.add(word)
    return head + [(w, e) for w, (e, _s) in ranked if w not in taken]


def _ends_in_han(before: object) -> bool:
    return isinstance(before, str) and bool(before) and "\u3400" <= before[-1] <= "\u9fff"


def _leading(pieces: Sequence[Piece], truncated: bool) -> list[Piece]:
    """Return the pieces before the first garbage letter (a truncated tail is dropped too)."""
    out: list[Piece] = []
    for piece in pieces:
        if piece.kind == "garbage":
            break
        out.append(piece)
    if truncated and out and out[-1].kind == "partial":
        out.pop()
    return out


def _offer(pool: dict[str, tuple[int, float]], word: str, end: int, score: float) -> None:
    old = pool.get(word)
    if old is None or (score, end) > (old[1], old[0]):  # the likelier reading of a word wins
        pool[word] = (end, score)


class _Search:
    """One lookup's memoised searches over the index (spans, names, phrases)."""

    def __init__(self, engine: PinyinEngine, field: str) -> None:
        self.engine = engine
        self.index = engine.index
        self.field = field
        self.boosts = self.index.boosts.get(field, {})
        self._spans = engine._span_cache
        if len(self._spans) > SPAN_CACHE:
            self._spans.clear()

    def typed_keys(self, pieces: Sequence[Piece]) -> list[str]:
        """Return the readings the pieces may stand for (a partial last piece expanded)."""
        head = [p.text for p in pieces[:-1]]
        last = pieces[-1]
        if last.kind == "partial":
            tails = self.engine._completions.get(last.text, [])
        else:
            tails = [last.text]
        return ["'".join([*head, t]) for t in tails]

    def span(self, pieces: Sequence[Piece]) -> list[Entry]:
        """Return the words reading as ``pieces``, scored for this field, best first."""
        # Spans do not depend on where they sit in the buffer: the cache (kept across
        # lookups) serves each new letter's lookup from the previous one's work.
        key = (self.field, self.engine.fuzzy, *((p.text, p.kind) for p in pieces))
        cached = self._spans.get(key)
        if cached is not None:
            return cached
        best: dict[str, float] = {}
        log_total = self.index.log_total
        typed_keys = self.typed_keys(pieces)
        per_key = PER_KEY if len(typed_keys) == 1 else PER_PARTIAL
        for typed in typed_keys:
            for exact, words in self.index.matches(typed, self.engine.fuzzy):
                penalty = _fuzzy_penalty(typed, exact)
                for word, freq in words[:per_key]:
                    score = freq - log_total - penalty + self.boosts.get(word, 0.0)
                    if score > best.get(word, -1e9):
                        best[word] = score
        out = sorted(best.items(), key=lambda kv: -kv[1])
        self._spans[key] = out
        return out

    def _table(self, pieces: Sequence[Piece], surname: bool) -> list[Entry]:
        """Return surname (or given-name) table entries for the pieces, fuzzy-penalised."""
        key = ("surname" if surname else "given", self.engine.fuzzy,
               *((p.text, p.kind) for p in pieces))
        cached = self._spans.get(key)
        if cached is None:
            cached = self._spans[key] = self._table_uncached(pieces, surname)
        return cached

    def _table_uncached(self, pieces: Sequence[Piece], surname: bool) -> list[Entry]:
        best: dict[str, float] = {}
        for typed in self.typed_keys(pieces):
            if surname:
                keys = self.index.surname_keys_for(typed, self.engine.fuzzy)
                table = self.index.surnames
            else:
                keys = [k for k, _w in self.index.matches(typed, self.engine.fuzzy)]
                table = self.index.given
            for exact in keys:
                penalty = _fuzzy_penalty(typed, exact)
                for word, score in table.get(exact, [])[:8]:
                    if score - penalty > best.get(word, -1e9):
                        best[word] = score - penalty
        return sorted(best.items(), key=lambda kv: -kv[1])

    def given_names(self, pieces: Sequence[Piece]) -> list[Entry]:
        """Return likely given names (one character a piece) for one or two pieces."""
        combos: list[Entry] = [("", 0.0)]
        for piece in pieces:
            chars = self._table([piece], surname=False)[:5]
            combos = [(a + c, s + t) for a, s in combos for c, t in chars]
            combos.sort(key=lambda e: -e[1])
            del combos[6:]
        return combos

    def names(
        self, pieces: Sequence[Piece], given_pos: bool
    ) -> list[tuple[str, int, float]]:
        """Return (name, end, score): whole names and surnames, or given names if the
        surname is already in the field."""
        out: list[tuple[str, int, float]] = []
        if given_pos:
            for g in (1, 2):
                if g <= len(pieces):
                    for text, score in self.given_names(pieces[:g]):
                        out.append((text, pieces[g - 1].end, NAME_BASE + score))
            return out
        for b in (1, 2):
            if b > len(pieces):
                break
            for rank, (sur, s_score) in enumerate(self._table(pieces[:b], surname=True)[:12]):
                if b == 2:
                    s_score += COMPOUND_BONUS
                alone = s_score + (GIVEN_EQUIV if b == 2 else 0.0)
                out.append((sur, pieces[b - 1].end, NAME_BASE + alone))
                for g in (1, 2) if rank < 4 else ():
                    if b + g <= len(pieces):
                        rest = pieces[b : b + g]
                        known = {w for w, _s in self.span(pieces[: b + g])}
                        for given, g_score in self.given_names(rest):
                            name = sur + given
                            score = NAME_BASE + s_score + g_score / g
                            out.append((name, rest[-1].end, score + KNOWN_BONUS * (name in known)))
        return out

    def phrase(self, pieces: Sequence[Piece]) -> Entry | None:
        """Return the likeliest chain of words reading as all of ``pieces`` (None if none)."""
        n = len(pieces)
        best: list[Entry | None] = [None] * (n + 1)
        best[0] = ("", 0.0)
        for a in range(n):
            start = best[a]
            if start is None:
                continue
            for b in range(a + 1, min(n, a + MAX_WORD) + 1):
                words = self.span(pieces[a:b])
                if not words:
                    continue
                word, score = words[0]
                cand = (start[0] + word, start[1] + score - PHRASE_WORD_PENALTY)
                old = best[b]
                if old is None or cand[1] > old[1]:
                    best[b] = cand
        return best[n]


def _fuzzy_penalty(typed: str, exact: str) -> float:
    if typed == exact:
        return 0.0
    diff = sum(a != b for a, b in zip(typed.split("'"), exact.split("'"), strict=False))
    return FUZZY_PENALTY * max(diff, 1)


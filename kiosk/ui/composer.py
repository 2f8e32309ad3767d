"""The pinyin being typed and the words offered for it, with no Kivy and no engine inside.

* :class:`CandidatePages` — words offered best first, shown a page (:data:`PAGE_SIZE`) at a
  time; used by the pinyin keyboard and the handwriting pad alike.
* :class:`PinyinComposer` — one composition on the pinyin keyboard: ``buffer`` holds the
  letters typed so far (``zhangsanfeng``, with ``'`` where the worker separated syllables by
  hand), shown above the keys and never in the field; ``offered`` holds the engine's words
  for it. :meth:`PinyinComposer.choose` returns the word for the field and keeps the part of
  the buffer the word did not use (``zhangsanfeng`` and 张三 leave ``feng``), so a long name
  is typed in one go and picked in pieces.

Backspace edits the buffer first (:meth:`PinyinComposer.backspace` says whether it did), so
the field's text is only touched when nothing is being composed. The keyboard asks the
engine for words whenever :attr:`PinyinComposer.revision` changes; :meth:`offer` drops an
answer for an older buffer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["MAX_BUFFER", "PAGE_SIZE", "SEPARATOR", "CandidatePages", "PinyinComposer"]

PAGE_SIZE = 5  # words on the candidate bar at once: each a large touch target
SEPARATOR = "'"  # the syllable separator a worker may type (xi'an)
MAX_BUFFER = 40  # longer than any name typed in one go; stops a stuck key filling memory


class CandidatePages:
    """Words offered best first (duplicates and blanks dropped), a page at a time."""

    def __init__(self, page_size: int = PAGE_SIZE) -> None:
        self.page_size = page_size
        self.words: list[str] = []
        self.page = 0

    def set(self, words: Sequence[str]) -> None:
        """Offer ``words`` from the first page on."""
        self.words = list(dict.fromkeys(w for w in words if w))
        self.page = 0

    @property
    def pages(self) -> int:
        """How many pages there are (0 when nothing is offered)."""
        return -(-len(self.words) // self.page_size)

    def visible(self) -> list[str]:
        """The words on the current page."""
        start = self.page * self.page_size
        return self.words[start:start + self.page_size]

    @property
    def has_next(self) -> bool:
        return self.page + 1 < self.pages

    @property
    def has_prev(self) -> bool:
        return self.page > 0

    def next_page(self) -> bool:
        """Show the next page; False when this is the last one."""
        if not self.has_next:
            return False
        self.page += 1
        return True

    def prev_page(self) -> bool:
        """Show the previous page; False on the first."""
        if not self.has_prev:
            return False
        self.page -= 1
        return True


class PinyinComposer:
    """One composition; see the module docstring."""

    def __init__(self, page_size: int = PAGE_SIZE) -> None:
        self.buffer = ""
        self.offered = CandidatePages(page_size)
        self.spans: dict[str, int] = {}  # word -> how many buffer characters it uses
        self.revision = 0  # bumped whenever the buffer changes

    def _set(self, buffer: str) -> None:
        self.buffer = buffer
        self.offered.set([])
        self.spans = {}
        self.revision += 1

    def type(self, letter: str) -> None:
        """Add one letter a-z (any case) or a syllable separator to the buffer.

        Raises ValueError for anything else: the keyboard sends only these here.
        """
        letter = letter.lower()
        if not (len(letter) == 1 and ("a" <= letter <= "z" or letter == SEPARATOR)):
            raise ValueError(f"not a pinyin letter: {letter!r}")
        if letter == SEPARATOR and (not self.buffer or self.buffer.endswith(SEPARATOR)):
            return  # a separator separates something, once
        if len(self.buffer) < MAX_BUFFER:
            self._set(self.buffer + letter)

    def backspace(self) -> bool:
        """Remove the last letter of the buffer (and a separator it leaves at the end);
        False when the buffer was already empty (then backspace belongs to the field)."""
        if not self.buffer:
            return False
        self._set(self.buffer[:-1].rstrip(SEPARATOR))
        return True

    def clear(self) -> bool:
        """Drop the buffer and its words; False when there was no buffer."""
        had = bool(self.buffer)
        self._set("")
        return had

    @property
    def composing(self) -> bool:
        """True while there is a buffer (letters go to it, not to the field)."""
        return bool(self.buffer)

    def offer(self, revision: int, words: Sequence[str],
              spans: Mapping[str, int] | None = None) -> bool:
        """Take the engine's ``words`` (best first) for the buffer of ``revision``, with
        ``spans``: how many buffer characters each word uses (a word not named uses all).
        An answer for an older buffer is dropped (returns False)."""
        if revision != self.revision:
            return False
        self.offered.set(words)
        self.spans = {w: int(n) for w, n in (spans or {}).items() if w in self.offered.words}
        return True

    def choose(self, word: str, consumed: int | None = None) -> str:
        """The worker chose ``word``, which used the first ``consumed`` characters of the
        buffer (default: its span from :meth:`offer`, else all of it): keep the rest as the
        new buffer and return ``word`` for the field.

        ``consumed`` is clamped to the buffer; separators left at the front are dropped.
        """
        if consumed is None:
            consumed = self.spans.get(word, len(self.buffer))
        used = max(0, min(consumed, len(self.buffer)))
        self._set(self.buffer[used:].lstrip(SEPARATOR))
        return word

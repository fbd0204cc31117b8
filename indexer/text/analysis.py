"""Whoosh analysis chains for Vietnamese, shared by the index and the query.

Three views of the same text, each a ``Tokenizer | Filter`` chain (Whoosh pickles analyzers into the
index, so they live here, in an importable module):

``word_analyzer()``      pyvi words, lowercased: ``"Hội Chữ thập đỏ"`` → ``hội, chữ_thập_đỏ``
``syllable_analyzer()``  syllables, lowercased:  → ``hội, chữ, thập, đỏ``
``folded_analyzer()``    syllables, folded:      → ``hoi, chu, thap, do``
``pair_analyzer()``      adjacent folded syllables: → ``hoi chu, chu thap, thap do``

Every tokenizer normalizes first (``normalize.normalize``: NFC, Đ, one tone style), so ``hòa`` and
``hoà`` are one term. Positions count tokens (words or syllables), which is what phrase queries need;
character offsets point into the ``clean`` text the index stores, for highlighting.
"""

from __future__ import annotations

from whoosh.analysis import Filter, LowercaseFilter, Token, Tokenizer

from indexer.text.normalize import fold, normalize
from indexer.text.segment import segment, syllables

__all__ = ["SyllableTokenizer", "WordTokenizer", "FoldFilter", "PairFilter", "pairs_of",
           "word_analyzer", "syllable_analyzer", "folded_analyzer", "pair_analyzer", "is_indexable"]


def is_indexable(token: str) -> bool:
    """Tokens with a letter or digit are indexed; lone punctuation (``"/"``, ``"-"``) is not."""
    return token[0].isalnum() or any(ch.isalnum() for ch in token)


class _SpanTokenizer(Tokenizer):
    """Base for tokenizers that turn ``(text, start, end)`` spans into Whoosh tokens."""

    def spans(self, text: str):  # pragma: no cover - abstract
        raise NotImplementedError

    def __eq__(self, other):
        return self.__class__ is other.__class__

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        text = normalize(value)
        if not tokenize:
            spans = [(text, 0, len(text))]
        else:
            spans = (s for s in self.spans(text) if is_indexable(s[0]))
        for pos, (tok, start, end) in enumerate(spans):
            t.text = tok
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = tok
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


class SyllableTokenizer(_SpanTokenizer):
    """Syllables as pyvi sees them: ``"Số 93/KH-UBND"`` → ``Số, 93, KH, UBND``; ``1.500.000`` stays whole."""

    def spans(self, text: str):
        return syllables(text)


class WordTokenizer(_SpanTokenizer):
    """pyvi words: ``"Ủy ban nhân dân tỉnh"`` → ``Uỷ_ban, nhân_dân, tỉnh`` (normalized tone style)."""

    def spans(self, text: str):
        return segment(text)


class FoldFilter(Filter):
    """Lowercase and strip diacritics: ``Đảng`` → ``dang``, ``Chữ`` → ``chu``."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = fold(t.text)
            yield t


def pairs_of(syllables: list[str]) -> list[str]:
    """Adjacent syllables as one term each: ``[hoi, chu, thap]`` → ``[hoi chu, chu thap]``."""
    return [f"{a} {b}" for a, b in zip(syllables, syllables[1:])]


class PairFilter(Filter):
    """Each token joined with the next: a two-syllable phrase becomes one (much rarer) term, so a
    phrase or a pair of query syllables is one posting list, not an intersection of positions."""

    def __call__(self, tokens):
        previous = None
        for t in tokens:
            current = t.text
            if previous is not None:
                t.text = f"{previous} {current}"
                yield t
            previous = current


def word_analyzer():
    """pyvi words, lowercased."""
    return WordTokenizer() | LowercaseFilter()


def syllable_analyzer():
    """Syllables, lowercased, diacritics kept."""
    return SyllableTokenizer() | LowercaseFilter()


def folded_analyzer():
    """Syllables without diacritics: what people type on a keyboard without Vietnamese input."""
    return SyllableTokenizer() | FoldFilter()


def pair_analyzer():
    """Pairs of adjacent folded syllables (``pairs_of``), for phrases and proximity."""
    return SyllableTokenizer() | FoldFilter() | PairFilter()

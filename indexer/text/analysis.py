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

The build's bulk writer (``indexer.index.bulkwrite``) needs only each view's terms, not Token
objects: ``syllable_terms``, ``pair_terms`` and ``word_terms`` give exactly what the chains above
yield, the syllable and pair views from one pass over the text's syllables (``tests/test_bulkwrite.py``
compares them with the chains on thousands of real texts).
"""

from __future__ import annotations

from functools import lru_cache

from whoosh.analysis import Filter, LowercaseFilter, Token, Tokenizer

from indexer.text.normalize import fold, normalize
from indexer.text.segment import segment, syllable_texts, syllables, word_texts

__all__ = ["SyllableTokenizer", "WordTokenizer", "FoldFilter", "PairFilter", "pairs_of",
           "word_analyzer", "syllable_analyzer", "folded_analyzer", "pair_analyzer", "is_indexable",
           "syllable_terms", "pair_terms", "word_terms"]


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


# --- the same terms without Token objects, for the bulk writer ----------------------------------------

_FORMS: dict[str, tuple[str, str] | None] = {}  # syllable → (lowercased, folded); None: not indexed
_FORMS_MAX = 500_000  # distinct syllables remembered (numbers and addresses make it grow without end)
_UNSEEN = object()


def _form(syllable: str) -> tuple[str, str] | None:
    form = (syllable.lower(), fold(syllable)) if is_indexable(syllable) else None
    if len(_FORMS) >= _FORMS_MAX:
        _FORMS.clear()
    _FORMS[syllable] = form
    return form


@lru_cache(maxsize=4)
def _syllable_forms(value: str) -> tuple[list[str], list[str]]:
    """(lowercased, folded) indexed syllables of ``value``: one pass for the syllable and pair views."""
    get, lowered, folded = _FORMS.get, [], []
    for s in syllable_texts(normalize(value)):
        form = get(s, _UNSEEN)
        if form is _UNSEEN:
            form = _form(s)
        if form is not None:
            lowered.append(form[0])
            folded.append(form[1])
    return lowered, folded


def syllable_terms(value: str) -> list[str]:
    """``syllable_analyzer()``'s terms of ``value``: ``"Số 93/KH"`` → ``[số, 93, kh]``. Do not change the list."""
    return _syllable_forms(value)[0]


def pair_terms(value: str) -> list[str]:
    """``pair_analyzer()``'s terms of ``value``: ``"Chữ thập đỏ"`` → ``[chu thap, thap do]``."""
    return pairs_of(_syllable_forms(value)[1])


def word_terms(value: str) -> list[str]:
    """``word_analyzer()``'s terms of ``value``: ``"Hội Chữ thập đỏ"`` → ``[hội, chữ_thập_đỏ]``."""
    return [w.lower() for w in word_texts(normalize(value)) if is_indexable(w)]

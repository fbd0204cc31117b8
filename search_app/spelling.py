"""Close spellings of a word among an index version's syllables ("Có phải bạn muốn tìm").

Whoosh's ``ReaderCorrector`` walks a Levenshtein automaton through every segment's term list in pure
Python: 0.5–2.3 s a query on the 62k bench index, paid by every query with a word the index lacks.
Here the words are read once per index version (from the folded lexicon the engine keeps anyway),
grouped by length, and compared in C by RapidFuzz (Damerau-Levenshtein, so "kí"/"ký" and a swapped
pair of letters are one edit each). Which of the nearest words wins is the caller's choice
(``SearchService.suggest``: the one most often beside the query's other words, then the most used).
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

MAX_EDITS = 2
# Longer probes are not looked up (search.MAX_SUGGEST_LETTERS); a word more than MAX_EDITS longer
# than the longest probe can never be within reach, so it is not kept.
MAX_WORD_LETTERS = 12 + MAX_EDITS


class Spelling:
    """The words a suggestion may use, by length. ``spellings`` maps each word to the index terms
    it stands for (itself, for accented words; every accented form, for a folded word)."""

    def __init__(self, spellings: dict[str, tuple[str, ...]]):
        by_length: dict[int, list[str]] = {}
        for word in spellings:
            if word.isalpha() and len(word) <= MAX_WORD_LETTERS:  # numbers and codes are not misspelt
                by_length.setdefault(len(word), []).append(word)
        self.by_length = {n: sorted(words) for n, words in by_length.items()}
        self.spellings = spellings

    @classmethod
    def accented(cls, folded_lexicon: dict[str, tuple[str, ...]]) -> "Spelling":
        return cls({form: (form,) for forms in folded_lexicon.values() for form in forms})

    @classmethod
    def folded(cls, folded_lexicon: dict[str, tuple[str, ...]]) -> "Spelling":
        return cls(folded_lexicon)  # an index version's, never changed

    def nearest(self, word: str) -> list[str]:
        """The words of this vocabulary fewest edits away from ``word`` (at least 1, at most
        ``MAX_EDITS``), alphabetical; ``[]`` when none is within reach."""
        near: dict[int, list[str]] = {}
        for choice, edits, _ in process.extract(word, self._lengths_near(len(word)),
                                                scorer=DamerauLevenshtein.distance,
                                                score_cutoff=MAX_EDITS, limit=None):
            if edits:
                near.setdefault(int(edits), []).append(choice)
        return sorted(near[min(near)]) if near else []

    def forms(self, word: str) -> tuple[str, ...]:
        """The index terms ``word`` stands for."""
        return self.spellings[word]

    def _lengths_near(self, n: int) -> Iterable[str]:
        return [w for k in range(n - MAX_EDITS, n + MAX_EDITS + 1) for w in self.by_length.get(k, ())]

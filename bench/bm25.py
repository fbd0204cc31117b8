"""A plain in-memory BM25 over token lists: the baseline of ``bench/quality.py``.

Okapi BM25 with Lucene's non-negative idf, ``ln(1 + (N - n + 0.5) / (n + 0.5))``, and no field
weighting, phrase or proximity terms: what "BM25 over syllables" means in the published baseline.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from typing import Sequence

__all__ = ["BM25"]


class BM25:
    """``BM25(ids, token_lists).search(query_tokens, k)`` → ``[(id, score)]``, best first."""

    def __init__(self, ids: Sequence[str], docs: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75):
        self.ids, self.k1, self.b = list(ids), k1, b
        self.lengths = [len(d) for d in docs]
        self.avgdl = sum(self.lengths) / len(self.lengths) if self.lengths else 0.0
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for n, doc in enumerate(docs):
            for term, tf in Counter(doc).items():
                self.postings[term].append((n, tf))

    def idf(self, term: str) -> float:
        """Lucene's idf, never negative: ``ln(1 + (N - n + 0.5) / (n + 0.5))``."""
        n = len(self.postings.get(term, ()))
        return math.log(1 + (len(self.ids) - n + 0.5) / (n + 0.5))

    def scores(self, query: Sequence[str]) -> dict[int, float]:
        """Document number → score for every document holding a query term (a repeated term counts again)."""
        out: dict[int, float] = defaultdict(float)
        for term, qtf in Counter(query).items():
            idf = self.idf(term)
            for n, tf in self.postings.get(term, ()):
                norm = self.k1 * (1 - self.b + self.b * self.lengths[n] / self.avgdl)
                out[n] += qtf * idf * tf * (self.k1 + 1) / (tf + norm)
        return out

    def search(self, query: Sequence[str], k: int = 100) -> list[tuple[str, float]]:
        """The ``k`` best documents; ties broken by corpus order."""
        best = heapq.nsmallest(k, self.scores(query).items(), key=lambda kv: (-kv[1], kv[0]))
        return [(self.ids[n], score) for n, score in best]

"""Retrieval metrics (binary relevance) and latency percentiles, pure and small enough to check by hand.

``ranked`` is a result list of ids, best first; ``relevant`` the set of ids judged relevant.
"""

from __future__ import annotations

import math
from typing import Iterable, Mapping, Sequence

__all__ = ["recall_at", "reciprocal_rank", "ndcg_at", "evaluate", "percentile", "latency_ms", "METRICS"]

METRICS = ("R@1", "R@5", "R@10", "R@100", "MRR@10", "nDCG@10")


def recall_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """Share of ``relevant`` found in the first ``k``: ``(["a","b"], {"b","c"}, 2)`` → 0.5."""
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def reciprocal_rank(ranked: Sequence[str], relevant: set[str], k: int = 10) -> float:
    """1 / rank of the first relevant id within the first ``k``, else 0: ``(["a","b"], {"b"})`` → 0.5."""
    for rank, doc in enumerate(ranked[:k], start=1):
        if doc in relevant:
            return 1.0 / rank
    return 0.0


def ndcg_at(ranked: Sequence[str], relevant: set[str], k: int = 10) -> float:
    """Binary nDCG: gain 1/log2(rank+1) per relevant id, over the ideal order's."""
    dcg = sum(1.0 / math.log2(rank + 1) for rank, doc in enumerate(ranked[:k], start=1) if doc in relevant)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(relevant), k) + 1))
    return dcg / ideal if ideal else 0.0


def evaluate(runs: Mapping[str, Sequence[str]], qrels: Mapping[str, set[str]]) -> dict[str, float]:
    """Mean of every metric in ``METRICS`` over the queries of ``qrels`` (a query without a run scores 0)."""
    sums = dict.fromkeys(METRICS, 0.0)
    for qid, relevant in qrels.items():
        ranked = list(dict.fromkeys(runs.get(qid, ())))  # a repeated id counts once, at its best rank
        for k in (1, 5, 10, 100):
            sums[f"R@{k}"] += recall_at(ranked, relevant, k)
        sums["MRR@10"] += reciprocal_rank(ranked, relevant, 10)
        sums["nDCG@10"] += ndcg_at(ranked, relevant, 10)
    n = len(qrels)
    return {name: round(total / n, 4) if n else 0.0 for name, total in sums.items()} | {"queries": n}


def percentile(values: Iterable[float], p: float) -> float:
    """The ``p``-th percentile with linear interpolation (numpy's default): ``([1,2,3,4], 50)`` → 2.5."""
    data = sorted(values)
    if not data:
        raise ValueError("percentile of no values")
    pos = (len(data) - 1) * p / 100
    low = math.floor(pos)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (pos - low)


def latency_ms(seconds: Sequence[float]) -> dict[str, float]:
    """p50, p95, mean and max of per-query times given in seconds, in milliseconds (2 decimals)."""
    values = [s * 1000 for s in seconds]
    return {"p50_ms": round(percentile(values, 50), 2), "p95_ms": round(percentile(values, 95), 2),
            "mean_ms": round(sum(values) / len(values), 2), "max_ms": round(max(values), 2), "n": len(values)}

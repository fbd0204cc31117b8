"""The metric code of bench/ (not its figures): exact values on runs small enough to check by hand."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bm25 import BM25  # noqa: E402
from bench.metrics import evaluate, latency_ms, ndcg_at, percentile, recall_at, reciprocal_rank  # noqa: E402


@pytest.mark.parametrize("ranked, relevant, k, expected", [
    (["a", "b", "c"], {"c"}, 1, 0.0),
    (["a", "b", "c"], {"c"}, 3, 1.0),
    (["a", "b"], {"b", "c"}, 2, 0.5),        # one of two relevant found
    (["a", "b"], {"b", "c"}, 100, 0.5),      # k past the end of the list
    ([], {"a"}, 10, 0.0),
    (["a"], set(), 1, 0.0),                   # nothing relevant: 0, not a division by zero
])
def test_recall_at(ranked, relevant, k, expected):
    assert recall_at(ranked, relevant, k) == expected


@pytest.mark.parametrize("ranked, relevant, expected", [
    (["a", "b", "c"], {"a"}, 1.0),
    (["a", "b", "c"], {"c"}, 1 / 3),
    (["a", "b", "c"], {"b", "c"}, 0.5),       # the first relevant counts
    (["x"] * 10 + ["a"], {"a"}, 0.0),         # rank 11 is past @10
    ([], {"a"}, 0.0),
])
def test_reciprocal_rank_at_10(ranked, relevant, expected):
    assert reciprocal_rank(ranked, relevant, 10) == expected


@pytest.mark.parametrize("ranked, relevant, expected", [
    (["a"], {"a"}, 1.0),
    (["x", "a"], {"a"}, 1 / math.log2(3)),
    (["a", "x", "b"], {"a", "b"}, (1 + 1 / 2) / (1 + 1 / math.log2(3))),  # ranks 1 and 3 of ideal 1 and 2
    (["x"] * 10 + ["a"], {"a"}, 0.0),
    (["a"], set(), 0.0),
])
def test_ndcg_at_10(ranked, relevant, expected):
    assert ndcg_at(ranked, relevant, 10) == expected


def test_evaluate_means_over_the_qrels_queries():
    runs = {"q1": ["a", "b"], "q2": ["c"], "other": ["z"]}
    qrels = {"q1": {"b"}, "q2": {"d"}, "q3": {"e"}}  # q3 has no run: scores 0
    assert evaluate(runs, qrels) == {"R@1": 0.0, "R@5": 0.3333, "R@10": 0.3333, "R@100": 0.3333,
                                     "MRR@10": 0.1667, "nDCG@10": 0.2103, "queries": 3}


def test_evaluate_counts_a_repeated_id_once():
    assert evaluate({"q": ["a", "a", "b"]}, {"q": {"b"}})["MRR@10"] == 0.5


@pytest.mark.parametrize("values, p, expected", [
    ([1, 2, 3, 4], 50, 2.5),
    ([4, 1, 3, 2], 50, 2.5),                  # order of the input does not matter
    ([1, 2, 3, 4, 5], 75, 4),
    ([0, 4], 25, 1.0),
    ([7], 95, 7),
    ([3, 9, 1], 0, 1),
    ([3, 9, 1], 100, 9),
])
def test_percentile_interpolates_linearly(values, p, expected):
    assert percentile(values, p) == expected


def test_percentile_of_nothing_is_an_error():
    with pytest.raises(ValueError):
        percentile([], 50)


def test_latency_ms_summarises_seconds_in_milliseconds():
    assert latency_ms([0.004, 0.001, 0.003, 0.002]) == {"p50_ms": 2.5, "p95_ms": 3.85, "mean_ms": 2.5,
                                                         "max_ms": 4.0, "n": 4}


def test_bm25_scores_one_term_by_hand():
    bm = BM25(["a", "b"], [["x", "y"], ["y", "y", "z"]])
    norm = 1.2 * (1 - 0.75 + 0.75 * 2 / 2.5)          # doc a: length 2, average length 2.5
    assert bm.search(["x"]) == [("a", math.log(2) * 2.2 / (1 + norm))]


@pytest.mark.parametrize("query, expected", [
    (["y"], ["b", "a"]),        # tf 2 beats tf 1 despite the longer document
    (["x", "y"], ["a", "b"]),   # the rare term decides
    (["z", "x"], ["a", "b"]),   # one rare term each: the shorter document wins
    (["w"], []),
])
def test_bm25_ranking_order(query, expected):
    bm = BM25(["a", "b"], [["x", "y"], ["y", "y", "z"]])
    assert [doc for doc, _ in bm.search(query)] == expected


def test_bm25_breaks_ties_by_corpus_order():
    assert [doc for doc, _ in BM25(["a", "b"], [["x"], ["z"]]).search(["z", "x"])] == ["a", "b"]

"""Document-number lookup on the 62k phapdien articles: rank-1 accuracy in three spellings (issue #7).

500 distinct source-document numbers (``src_so_hieu``) are drawn with a fixed seed; each is asked as
written (``30/2020/NĐ-CP``), lowercase and unaccented (``30/2020/nd-cp``) and spaced (``30 / 2020 / NĐ - CP``).
Rank 1 is correct when its ``doc_number`` is the number asked (any article of that document), compared
by ``number_key`` (the source spells a few numbers two ways: ``21/2019/tt-bgdđt`` and ``21/2019/TT-BGDĐT``).
A wrong rank 1 is classed as a cited-only entry or another document. Values of ``src_so_hieu`` that
are not document numbers (a bare ``17``: the source note had no symbol) are not sampled.

    python bench/doc_numbers.py [--limit N] [--sample 500]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the repo, not bench/: keep stdlib names unshadowed

from bench.build import paths_for  # noqa: E402
from bench.common import (SEED, apply_weights, ensure_index, phapdien_corpus, phapdien_rows, result_path,  # noqa: E402
                          write_result)
from bench.metrics import latency_ms  # noqa: E402
from indexer.cite.citations import number_key  # noqa: E402
from indexer.text.normalize import fold  # noqa: E402
from indexer.read.records import clean_line  # noqa: E402

SPELLINGS = {
    "canonical": lambda n: n,                                        # e.g. 30/2020/NĐ-CP
    "lower_unaccented": fold,                                        # e.g. 30/2020/nd-cp
    "spaced": lambda n: re.sub(r"\s*([/-])\s*", r" \1 ", n),         # e.g. 30 / 2020 / NĐ - CP
}
TARGET = 1.0
_LOOKS_LIKE_NUMBER = re.compile(r"^\d+[^\s]*[/-][^\s]*[^\W\d_]")  # e.g. 30/2020/NĐ-CP, 43-CT/TW


def sample_numbers(limit: int | None, size: int) -> list[str]:
    """``size`` distinct document numbers of the indexed articles (as the index stores them), seeded."""
    numbers = sorted({clean_line(r["src_so_hieu"]) for r in phapdien_rows(limit)
                      if _LOOKS_LIKE_NUMBER.match(clean_line(r.get("src_so_hieu") or ""))})
    return random.Random(SEED).sample(numbers, min(size, len(numbers)))


def classify(number: str, results: list[dict]) -> str:
    """``correct``, ``cited_entry``, ``other_document`` or ``none`` for the rank-1 result."""
    if not results:
        return "none"
    top = results[0]
    if number_key(top["doc_number"]) == number_key(number):
        return "correct"
    return "cited_entry" if top["kind"] == "cited" else "other_document"


def lookup(index: Path, numbers: list[str]) -> dict:
    """Rank-1 outcome counts and latency per spelling; the first misses of each, to read."""
    from search_app.params import parse_params
    from search_app.search import SearchService

    svc = SearchService(index)
    svc.search(parse_params({"q": numbers[0]}))  # open the searcher before timing
    out = {}
    for name, spell in SPELLINGS.items():
        counts = dict.fromkeys(("correct", "cited_entry", "other_document", "none"), 0)
        in_top10, seconds, misses = 0, [], []
        for number in numbers:
            started = time.perf_counter()
            results = svc.search(parse_params({"q": spell(number), "per_page": "10"})).results
            seconds.append(time.perf_counter() - started)
            outcome = classify(number, results)
            counts[outcome] += 1
            in_top10 += any(number_key(r["doc_number"]) == number_key(number) for r in results)
            if outcome != "correct" and len(misses) < 10:
                misses.append({"asked": spell(number), "rank1": results[0]["doc_number"] if results else "",
                               "rank1_kind": results[0]["kind"] if results else "", "outcome": outcome})
        out[name] = {"rank1_accuracy": round(counts["correct"] / len(numbers), 4),
                     "in_top10": round(in_top10 / len(numbers), 4), "rank1": counts,
                     "latency": latency_ms(seconds), "misses": misses}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="articles (default: all 62,323)")
    ap.add_argument("--sample", type=int, default=500, help="document numbers")
    ap.add_argument("--weights", default="", help="try other ranking weights (JSON or tune result file)")
    args = ap.parse_args()
    weights = apply_weights(args.weights) if args.weights else None
    corpus, index = paths_for(args.limit)
    ensure_index(phapdien_corpus(corpus, args.limit), index)
    numbers = sample_numbers(args.limit, args.sample)
    results = lookup(index, numbers)
    for name, r in results.items():
        print(f"{name:<18} rank-1 {r['rank1_accuracy']:.3f}  top-10 {r['in_top10']:.3f}  {r['rank1']}  "
              f"p50 {r['latency']['p50_ms']} ms")
    write_result(result_path("doc_numbers-proposed" if weights else "doc_numbers", args.limit, None),
                 {"numbers": len(numbers), "weights": weights, "spellings": results, "target_rank1": TARGET})


if __name__ == "__main__":
    main()

"""The page found block by block against every match scored: same answers, and what each costs.

``SearchService`` finds a relevance-ranked page from the matches' bitmap and the blocks that can hold
its best scores from ``engine.BLOCKS_FROM`` entries up (``_evaluate_best``), and below that by scoring
every match. Here both ways answer the 200 speed queries (``bench/results/speed_queries.json``, top 10)
and a few cases with filters, exclusions, pages and phrases on one index, in one process: every
answer (total, facets, entries and scores, suggestion) must be the same, and each way's latency is
each query's best of ``--rounds`` warm passes (the ways alternate, after one untimed pass each).

    python bench/blocks.py [--index var/bench/index-1m] [--rounds 2]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the repo, not bench/: keep stdlib names unshadowed

from bench.common import RESULTS, VAR, load_queries, write_result  # noqa: E402
from bench.metrics import latency_ms  # noqa: E402

# Beside the speed queries: filters (type, kind, year, dates), exclusions, deep pages, quoted phrases, a year
# in the words, questions with and without diacritics, a typo, a number with words, a date sort.
CASES = [{"q": "quy định", "page": "7"}, {"q": "luật đất đai", "type": "Luật"}, {"q": "thi hanh -phạt", "per_page": "50"},
         {"q": "\"quy định tại\""}, {"q": "\"theo quy định tại\""}, {"q": "tại"}, {"q": "Điều 5 luật đất đai 2013"},
         {"q": "Người sử dụng đất có những quyền gì khi nhà nước thu hồi đất?"},
         {"q": "quy định", "from": "01/01/2015", "to": "31/12/2018"}, {"q": "thuế thu nhập", "year": "2014", "page": "2"},
         {"q": "xử phạt vi phạm hành chính", "kind": "document", "per_page": "50", "page": "3"},
         {"q": "bảo hiểm xã hội -lao động -hưu"}, {"q": "quy dinh", "sort": "date"}, {"q": "trách nhiệm năm 2016"},
         {"q": "quyen va nghia vu cua cong dan"}, {"q": "thủ tục hành chánh"}, {"q": "Nghị định 15/2020/NĐ-CP xử phạt"}]
WAYS = {"every_match": 10**12, "blocks": 0}  # BLOCKS_FROM for each way


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, default=VAR / "index-1m", help="index folder (default: the 1M scale index)")
    ap.add_argument("--rounds", type=int, default=2, help="timed passes of each way; each query keeps its best")
    args = ap.parse_args()
    from search_app import engine, search
    from search_app.params import parse_params

    svc = search.SearchService(args.index)
    svc.warm_up(wait=600)
    queries = load_queries(RESULTS / "speed_queries.json")
    cases = [{"q": q["q"], "per_page": "10"} for q in queries] + CASES

    def answers(way: str) -> tuple[list, list[float]]:
        engine.BLOCKS_FROM = WAYS[way]
        out, seconds = [], []
        for case in cases:
            started = time.perf_counter()
            r = svc.search(parse_params(case))
            seconds.append(time.perf_counter() - started)
            out.append([r.total, r.facets, [(x["id"], x["score"]) for x in r.results], r.suggestion])
        return out, seconds

    given = {way: answers(way)[0] for way in WAYS}  # the first pass of each: answers, terms read
    best = {way: [float("inf")] * len(queries) for way in WAYS}
    for _ in range(args.rounds):
        for way in WAYS:
            got, seconds = answers(way)
            if got != given[way]:
                sys.exit(f"{way}: a warm pass answered differently from the first")
            best[way] = [min(b, s) for b, s in zip(best[way], seconds[:len(queries)])]  # speed queries only
    differ = [case for case, a, b in zip(cases, given["every_match"], given["blocks"]) if a != b]
    entries = svc.arrays(svc.searcher()).size
    figures = {"index": str(args.index), "entries": entries, "rounds": args.rounds, "cases": len(cases),
               "answers_differ": len(differ), "differing_cases": differ[:20]}
    for way in WAYS:
        figures[way] = latency_ms(best[way])
    slowest = sorted(range(len(queries)), key=lambda i: -best["blocks"][i])[:10]
    figures["slowest_by_blocks"] = [{"q": queries[i]["q"], "blocks_ms": round(best["blocks"][i] * 1000, 1),
                                     "every_match_ms": round(best["every_match"][i] * 1000, 1)} for i in slowest]
    name = "blocks" if args.index.resolve() == (VAR / "index-1m").resolve() else f"blocks-{args.index.name}"
    write_result(RESULTS / f"{name}.json", figures)
    print(f"{entries:,} entries: {len(differ)} of {len(cases)} answers differ; p50/p95 every match "
          f"{figures['every_match']['p50_ms']}/{figures['every_match']['p95_ms']} ms, blocks "
          f"{figures['blocks']['p50_ms']}/{figures['blocks']['p95_ms']} ms")
    if differ:
        sys.exit(1)


if __name__ == "__main__":
    main()

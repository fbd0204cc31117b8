"""Spelling suggestions ("Có phải bạn muốn tìm"): their cost and how often they undo a typo.

From each word query of the speed set (``bench/results/speed_queries.json``, document numbers left
out), one typo in one syllable of 3+ letters — a letter dropped, doubled, replaced by its neighbour
in the alphabet, or two letters swapped, drawn with the fixed seed — and the query searched as typed
(top 10 with facets, as the page asks). Reported: latency of those searches with the suggester, how
many typos the index does not know (a suggestion is looked for), and of those how often the
suggestion is the query as first written (folded: an unaccented query is suggested unaccented).

    python bench/suggest.py [--index var/bench/index] [--rounds 2]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the repo, not bench/: keep stdlib names unshadowed

from bench.build import paths_for  # noqa: E402
from bench.common import RESULTS, SEED, ensure_index, load_queries, phapdien_corpus, speed_query_file, write_result  # noqa: E402
from bench.metrics import latency_ms  # noqa: E402
from bench.query import timed_pass  # noqa: E402
from indexer.text.normalize import fold  # noqa: E402


def typo(word: str, rng: random.Random) -> str:
    """``word`` with one edit of the kinds people make."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["drop", "double", "replace", "swap"])
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "replace":
        near = chr(ord(word[i]) + 1) if word[i].isascii() and word[i] not in "zZ" else "a"
        return word[:i] + near + word[i + 1:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def typo_queries(queries: list[dict], rng: random.Random) -> list[tuple[str, str]]:
    """``(as first written, with one typo)`` for every word query."""
    out = []
    for q in queries:
        words = q["q"].split()
        spots = [k for k, w in enumerate(words) if len(w) >= 3 and w.isalpha()]
        if q["kind"].startswith("number") or not spots or len(words) > 8:
            continue
        k = rng.choice(spots)
        out.append((q["q"], " ".join(words[:k] + [typo(words[k], rng)] + words[k + 1:])))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, default=None, help="index folder (default: the 62k bench index)")
    ap.add_argument("--rounds", type=int, default=2, help="timed passes after the first; each query keeps its best")
    args = ap.parse_args()
    from search_app.params import parse_params
    from search_app.search import SearchService

    index = args.index
    if index is None:
        corpus, index = paths_for(None)
        ensure_index(phapdien_corpus(corpus, None), index)
    pairs = typo_queries(load_queries(speed_query_file()), random.Random(SEED))
    svc = SearchService(index)
    svc.warm_up(wait=60)

    def suggestion(typed: str) -> str:
        return svc.search(parse_params({"q": typed, "per_page": "10"})).suggestion

    queries = [{"q": typed} for _, typed in pairs]
    first, suggestions = timed_pass(suggestion, queries)
    runs = [timed_pass(suggestion, queries)[0] for _ in range(args.rounds)]
    best = [min(r[i] for r in runs) for i in range(len(pairs))]
    asked = [(w, s) for (w, _), s in zip(pairs, suggestions) if s]
    undone = sum(fold(s) == fold(w) and (s == w or s == fold(w)) for w, s in asked)
    figures = {"queries": len(pairs), "with_suggestion": len(asked), "suggestion_is_original": undone,
               "first_pass": latency_ms(first), **latency_ms(best),
               "examples": [{"written": w, "typed": t, "suggestion": s} for (w, t), s in list(zip(pairs, suggestions))[:12]]}
    write_result(RESULTS / f"suggest-{index.name}.json", figures)
    print(f"{len(pairs)} typo queries: {len(asked)} with a suggestion, {undone} of them the query as written; "
          f"p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms (first pass p95 {first and figures['first_pass']['p95_ms']} ms)")


if __name__ == "__main__":
    main()

"""Would a learned re-ranking of the top 100 help? Cross-validated on ALQAC (issue 17), not shipped.

For each ALQAC train question (as written and unaccented) the service's ranking is taken as it is
served, and each of its first ``DEPTH`` results gets features the engine computes cheaply from
postings it already reads: the service's score (scaled by the question's best), the share of the
question's distinct folded syllables the entry holds (plain and idf-weighted), the share of its
adjacent syllable pairs, how much of the entry's title the question covers, and the entry's length.
A linear model over them is fitted by coordinate ascent on MRR@10 over 5 folds by question (both
spellings of a question stay in one fold); each question is ranked by the model of the folds it
was not in. Prints and writes MRR@10 per set and spelling: served ranking vs re-ranked.

    python bench/rerank_cv.py [--limit N] [--folds 5]
"""

from __future__ import annotations

import argparse
import hashlib
import math
import sys
from pathlib import Path

import numpy as np

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the repo, not bench/: keep stdlib names unshadowed

from bench.common import alqac_qrels, alqac_queries, result_path, write_result  # noqa: E402
from bench.metrics import evaluate  # noqa: E402
from bench.quality import VARIANTS, alqac_index  # noqa: E402

DEPTH = 100
FEATURES = ("score", "coverage", "idf_coverage", "pair_coverage", "title_covered", "log_length")
STEPS = (-1.0, -0.3, -0.1, -0.03, 0.03, 0.1, 0.3, 1.0)


def candidates(svc, s, a, text: str):
    """(entry numbers of the served top ``DEPTH``, their features as a DEPTH × FEATURES array)."""
    from whoosh import query as Q

    from indexer.text.analysis import folded_analyzer
    from search_app.engine import Evaluator

    ev = Evaluator(a, s)
    plan = svc.plan(s, text)
    docs, served = svc.served(ev, plan)
    best = np.lexsort((docs, -served))[:DEPTH]
    top = docs[best]
    if not len(top):
        return top, np.zeros((0, len(FEATURES)))
    words = " ".join(plan.parsed.groups)
    folded = list(dict.fromkeys(t.text for t in folded_analyzer()(words)))
    n = float(a.size)
    held, idf_held, title_held, idf_sum = np.zeros(len(top)), np.zeros(len(top)), np.zeros(len(top)), 0.0
    for f in folded:
        m = ev.run(Q.Term("text_f", f)).match[top]
        idf = math.log(n / (1 + a.doc_frequency(s, "text_f", f))) + 1
        held += m
        idf_held += idf * m
        idf_sum += idf
        title_held += ev.run(Q.Term("title", f)).match[top]  # title syllables as typed: folded queries miss
    pairs = list(dict.fromkeys(zip(folded, folded[1:])))
    pair_held = np.zeros(len(top))
    for p in pairs:
        pair_held += ev.run(Q.Phrase("text_f", list(p))).match[top]
    title_len = np.maximum(a.lengths(s, "title")[top], 1)
    score = served[best]
    feats = np.column_stack([score / max(score.max(), 1e-9), held / max(len(folded), 1), idf_held / max(idf_sum, 1e-9),
                             pair_held / max(len(pairs), 1), np.minimum(title_held / title_len, 1.0),
                             np.log1p(a.lengths(s, "text")[top]) / 10])
    return top, feats


def fold_of(qid: str, folds: int) -> int:
    return int(hashlib.sha1(qid.encode()).hexdigest(), 16) % folds


def mrr(w: np.ndarray, data: list) -> float:
    """Mean reciprocal rank at 10 of ``data`` ranked by ``feats @ w``."""
    total = 0.0
    for _, feats, rel in data:
        if not len(feats):
            continue
        order = np.argsort(-(feats @ w), kind="stable")[:10]
        hit = np.flatnonzero(rel[order])
        total += 1.0 / (hit[0] + 1) if len(hit) else 0.0
    return total / max(len(data), 1)


def fit(data: list, rounds: int = 4) -> np.ndarray:
    """Coordinate ascent on MRR@10 from the served ranking (weight 1 on the score, 0 elsewhere)."""
    w = np.zeros(len(FEATURES))
    w[0] = 1.0
    best = mrr(w, data)
    for _ in range(rounds):
        improved = False
        for i in range(1, len(FEATURES)):
            for step in STEPS:
                trial = w.copy()
                trial[i] += step
                got = mrr(trial, data)
                if got > best + 1e-9:
                    w, best, improved = trial, got, True
        if not improved:
            break
    return w


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="questions per qrels file (default: all)")
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args()
    from search_app.search import SearchService

    svc = SearchService(alqac_index())
    s = svc.searcher()
    a = svc.arrays(s)
    ids = {n: f["id"] for n, f in s.reader().iter_docs()}
    questions, qrels_files = alqac_queries(), alqac_qrels()
    data = []  # (set, variant, qid, top, feats, relevant flags)
    for stem, qrels in qrels_files.items():
        for qid in sorted(qrels)[:args.limit]:
            for variant, transform in VARIANTS.items():
                top, feats = candidates(svc, s, a, transform(questions[qid]))
                rel = np.array([ids[d] in qrels[qid] for d in top.tolist()], dtype=bool)
                data.append((stem, variant, qid, top, feats, rel))
    runs = {"served": {}, "reranked": {}}
    weights = []
    for k in range(args.folds):
        train = [(t, f, r) for st, v, q, t, f, r in data if fold_of(q, args.folds) != k]
        w = fit(train)
        weights.append(w.round(3).tolist())
        for st, v, q, t, f, r in data:
            if fold_of(q, args.folds) == k:
                served = [ids[d] for d in t.tolist()]
                runs["served"][(st, v, q)] = served
                order = np.argsort(-(f @ w), kind="stable") if len(f) else []
                runs["reranked"][(st, v, q)] = [served[i] for i in order]
    figures = {}
    for stem, qrels in qrels_files.items():
        for variant in VARIANTS:
            asked = {q: qrels[q] for q in sorted(qrels)[:args.limit]}
            row = {}
            for name, r in runs.items():
                row[name] = evaluate({q: r[(stem, variant, q)] for q in asked}, asked)["MRR@10"]
            figures[f"{stem}/{variant}"] = row
            print(f"{stem:28} {variant:11} MRR@10 served {row['served']:.3f}  re-ranked (held-out folds) "
                  f"{row['reranked']:.3f}")
    print("weights per fold", FEATURES, weights)
    write_result(result_path("rerank_cv", args.limit, None),
                 {"features": FEATURES, "folds": args.folds, "depth": DEPTH, "weights_per_fold": weights,
                  "mrr_at_10": figures})


if __name__ == "__main__":
    main()

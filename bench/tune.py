"""Ranking experiments on the ALQAC train sets: what each weight and each new clause buys (issue #7).

A query's score is a sum of its clauses' scores, each clause's BM25F score times its weight. So each
question is run once with every weight in ``search_app.query.WEIGHTS`` replaced by a tag, the query
tree is walked, each tagged clause is scored once with weight 1, and any weighting is then a matrix
product: thousands of weight settings cost seconds. ``check`` compares that model with the real
service on the current weights. Tuned on ``alqac2024_unverified_train``; ``alqac2023_train`` checks.

    python bench/tune.py [--limit N] [--pairs] [--bm25 0.75,1.2]
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the repo, not bench/: keep stdlib names unshadowed

from bench.common import alqac_qrels, alqac_queries, result_path, write_result  # noqa: E402
from bench.metrics import evaluate  # noqa: E402
from bench.quality import VARIANTS, alqac_index  # noqa: E402

TUNE, CHECK = "alqac2024_unverified_train", "alqac2023_train"
TAG = 7000.0  # weights become TAG + group number while a query is built


class Model:
    """Per-question clause scores (docs × groups) over one searcher; rankings for any weights."""

    def __init__(self, svc, searcher, groups: tuple[str, ...]):
        from whoosh import query as Q

        self.Q, self.svc, self.s, self.groups = Q, svc, searcher, groups
        self.leaf_cache: dict = {}
        self.ids = {n: f["id"] for n, f in searcher.reader().iter_docs()}

    def build(self, text: str) -> list:
        """The service's queries for ``text`` with every weight replaced by its group's tag: the query,
        then the any-word fallback the service runs when that matches nothing."""
        from search_app import query as sq

        saved = dict(sq.WEIGHTS)
        try:
            for i, g in enumerate(self.groups):
                sq.WEIGHTS[g] = TAG + i
            plan = self.svc.plan(self.s, text)
            return [plan.query] + ([plan.fallback] if plan.fallback is not None else [])
        finally:
            sq.WEIGHTS.clear()
            sq.WEIGHTS.update(saved)

    def _leaf(self, q) -> dict[int, float]:
        """Matches and scores of one clause with weight 1, by the service's own engine."""
        from search_app.engine import Evaluator

        key = repr(q.with_boost(1.0))
        if key not in self.leaf_cache:
            got = Evaluator(self.svc.arrays(self.s), self.s).run(q.with_boost(1.0))
            docs = np.flatnonzero(got.match)
            self.leaf_cache[key] = dict(zip(docs.tolist(), got.score[docs].tolist()))
        return self.leaf_cache[key]

    def walk(self, q) -> dict[int, np.ndarray]:
        """``docnum → score per group`` for the docs ``q`` matches (Or/And/AndMaybe sum, AndNot cuts)."""
        Q = self.Q
        group = int(round(q.boost - TAG)) if q.boost >= TAG else None
        if group is not None:
            vec = np.zeros(len(self.groups))
            vec[group] = 1.0
            return {n: vec * s for n, s in self._leaf(q).items()}
        if isinstance(q, Q.AndMaybe):
            a, b = self.walk(q.a), self.walk(q.b)
            return {n: v + b[n] if n in b else v for n, v in a.items()}
        if isinstance(q, Q.AndNot):
            a, b = self.walk(q.a), self.walk(q.b)
            return {n: v for n, v in a.items() if n not in b}
        if isinstance(q, (Q.Or, Q.And)):
            parts = [self.walk(sub) for sub in q.subqueries]
            keys = set.intersection(*map(set, parts)) if isinstance(q, Q.And) else set().union(*parts)
            return {n: sum(p[n] for p in parts if n in p) for n in keys}
        return {n: np.zeros(len(self.groups)) for n in self._leaf(q)}  # an untagged clause: matches, scores 0

    def matrix(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Matched docnums and their per-group scores for the question ``text``."""
        scores: dict = {}
        for q in self.build(text):
            scores = self.walk(q) if q is not None else {}
            if scores:
                break
        docs = np.array(sorted(scores), dtype=int)
        return docs, np.array([scores[n] for n in docs]).reshape(len(docs), len(self.groups))

    def ranked(self, docs: np.ndarray, mat: np.ndarray, weights: np.ndarray, k: int = 100) -> list[str]:
        """The ``k`` best ids under ``weights``."""
        order = np.lexsort((docs, -(mat @ weights)))[:k]  # ties: lower docnum first, as Whoosh
        return [self.ids[int(n)] for n in docs[order]]


def collect(model: Model, limit: int | None) -> dict:
    """``qrels stem → variant → (qrels, {qid: (docs, matrix)})``."""
    questions, out = alqac_queries(), {}
    for stem, qrels in alqac_qrels().items():
        qrels = dict(sorted(qrels.items())[:limit])
        out[stem] = {v: (qrels, {qid: model.matrix(t(questions[qid])) for qid in qrels}) for v, t in VARIANTS.items()}
    return out


def score(model: Model, data: dict, weights: dict[str, float]) -> dict:
    """MRR@10 and nDCG@10 for every qrels file and variant under ``weights``."""
    w = np.array([weights[g] for g in model.groups])
    out = {}
    for stem, variants in data.items():
        for variant, (qrels, mats) in variants.items():
            runs = {qid: model.ranked(d, m, w) for qid, (d, m) in mats.items()}
            m = evaluate(runs, qrels)
            out[f"{stem}/{variant}"] = {"MRR@10": m["MRR@10"], "nDCG@10": m["nDCG@10"], "R@10": m["R@10"]}
    return out


def objective(figures: dict) -> float:
    """Mean MRR@10 of the tuning set, as written and unaccented weighted alike."""
    return (figures[f"{TUNE}/as_written"]["MRR@10"] + figures[f"{TUNE}/unaccented"]["MRR@10"]) / 2


def ablations(model: Model, data: dict, base: dict) -> dict:
    """Figures with each group's weight set to 0, one at a time."""
    return {g: score(model, data, base | {g: 0.0}) for g in model.groups}


def coordinate_ascent(model: Model, data: dict, start: dict, rounds: int = 3) -> tuple[dict, list]:
    """Greedy one-weight-at-a-time search over a multiplicative grid, on the tuning set only."""
    best, best_obj, trail = dict(start), objective(score(model, data, start)), []
    factors = (0.0, 0.25, 0.5, 0.75, 1.5, 2.0, 3.0, 5.0)
    for _ in range(rounds):
        improved = False
        for g, f in itertools.product(model.groups, factors):
            trial = best | {g: round((best[g] or 0.1) * f, 3)}
            obj = objective(score(model, data, trial))
            if obj > best_obj + 1e-4:
                best, best_obj, improved = trial, obj, True
                trail.append({"set": {g: trial[g]}, "objective": round(obj, 4)})
        if not improved:
            break
    return best, trail


def service_check(svc, limit: int) -> dict:
    """The real service's figures on the check set (first ``limit`` questions), to compare with the model."""
    from bench.quality import ours_runs

    questions, qrels = alqac_queries(), dict(sorted(alqac_qrels()[CHECK].items())[:limit])
    out = {}
    for variant, t in VARIANTS.items():
        runs, _ = ours_runs(svc, {qid: t(questions[qid]) for qid in qrels})
        m = evaluate(runs, qrels)
        out[f"{CHECK}/{variant}"] = {"MRR@10": m["MRR@10"], "nDCG@10": m["nDCG@10"], "R@10": m["R@10"]}
    return out


def model_for(svc, bm25: tuple[float, float] | None, groups: tuple[str, ...]) -> Model:
    """A model over the service's searcher, with other BM25F parameters (B, K1) when given."""
    from search_app import engine

    if bm25 is not None:
        engine.B, engine.K1 = bm25
    return Model(svc, svc.searcher(), groups)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="questions per qrels file")
    ap.add_argument("--pairs", action="store_true", help="start the ascent from pair weight 1 (as first tuned)")
    ap.add_argument("--bm25", default="", help="B,K1 of BM25F (default: Whoosh's 0.75,1.2)")
    ap.add_argument("--check", type=int, default=0, help="also run the real service on N check questions")
    args = ap.parse_args()
    from search_app import query as sq
    from search_app.search import SearchService

    svc = SearchService(alqac_index())
    groups = tuple(sq.WEIGHTS)
    bm25 = tuple(map(float, args.bm25.split(","))) if args.bm25 else None
    model = model_for(svc, bm25, groups)
    base = {g: float(sq.WEIGHTS.get(g, 0.0)) for g in groups}
    data = collect(model, args.limit)
    figures = {"weights": base, "figures": score(model, data, base)}
    if args.check:
        figures["service_check"] = service_check(svc, args.check)
    figures["ablations"] = ablations(model, data, base)
    best, trail = coordinate_ascent(model, data, base | ({"long_pair": 1.0} if args.pairs else {}))
    figures["tuned"] = {"weights": best, "figures": score(model, data, best), "trail": trail}
    for name, f in (("current", figures["figures"]), ("tuned", figures["tuned"]["figures"])):
        print(name, {k: v["MRR@10"] for k, v in f.items()})
    print("tuned weights", best)
    tag = ("-pairs" if args.pairs else "") + (f"-bm25-{args.bm25.replace(',', '-')}" if args.bm25 else "")
    write_result(result_path(f"tune{tag}", args.limit, None),
                 {"tuned_on": TUNE, "checked_on": CHECK, "bm25": bm25 or (0.75, 1.2), **figures})


if __name__ == "__main__":
    main()

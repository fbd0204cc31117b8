"""Learning to rank the served top 30 (issue 17): LambdaMART and a linear model, cross-validated on ALQAC.

For each ALQAC train question, as written and without diacritics, the search service's ranking is
taken as served and each of its first ``rerank.DEPTH`` entries gets the features of
``search_app.rerank`` (per clause group BM25 and coverage, length, served score and rank, agreement
with the top results' group, how much of the title the question says). Two models re-rank them:

- ``lambdamart``: LightGBM's LambdaMART (fixed seed, one thread, deterministic);
- ``linear``: a linear score fitted by listwise softmax cross-entropy (numpy, full-batch gradient).

Both are scored on questions they were not fitted on: 5 folds by question over 2023 + 2024 train
(both spellings of a question, and questions of the same text, in one fold), and fitted on 2024
then scored on 2023 (a different set and year, as the blind test is). Prints and writes MRR@10 per
set and spelling, served vs re-ranked, with each fold's change and the questions made better / worse.

    python bench/ltr.py [--limit N] [--folds 5] [--depth 30] [--write-model] [--service]
    python bench/ltr.py --speed var/bench/index [--limit 200] [--rounds 3]

``--write-model`` fits LambdaMART on every question and writes ``search_app/models/rerank.json``
(the same file on every run); ``--service`` scores the search service with its stage off and on;
``--speed`` times the stage on the 62k index (``ltr-speed.json``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the repo, not bench/: keep stdlib names unshadowed

from bench.common import ROOT, alqac_qrels, alqac_queries, result_path, write_result  # noqa: E402
from bench.quality import VARIANTS, alqac_index  # noqa: E402
from indexer.text.normalize import fold  # noqa: E402

from search_app import rerank as _rerank  # noqa: E402

_MODEL = _rerank.model
SEED = 7
LGB_PARAMS = {"objective": "lambdarank", "metric": "ndcg", "eval_at": [10], "lambdarank_truncation_level": 20,
              "learning_rate": 0.05, "num_leaves": 7, "min_data_in_leaf": 50, "feature_fraction": 0.8,
              "lambda_l2": 1.0, "seed": SEED, "deterministic": True, "force_row_wise": True, "num_threads": 1,
              "verbosity": -1}
LGB_ROUNDS = 200


def dataset(limit: int | None, depth: int):
    """One row block per (set, spelling, question): served top entries, their features, relevance."""
    from search_app import rerank
    from search_app.engine import Evaluator
    from search_app.search import SearchService

    svc = SearchService(alqac_index())
    s = svc.searcher()
    a = svc.arrays(s)
    ids = {n: f["id"] for n, f in s.reader().iter_docs()}
    questions = alqac_queries()
    data = []
    for stem, qrels in alqac_qrels().items():
        for qid in sorted(qrels)[:limit]:
            for variant, transform in VARIANTS.items():
                ev = Evaluator(a, s)
                plan = svc.plan(s, transform(questions[qid]))
                docs, score = svc.served(ev, plan)
                top, served = rerank.candidates(docs, score, depth)
                feats = rerank.features(ev, plan, served, top)
                rel = np.array([ids[d] in qrels[qid] for d in top.tolist()], dtype=float)
                data.append({"set": stem, "variant": variant, "qid": qid, "text": questions[qid],
                             "X": feats, "y": rel, "n_relevant": len(qrels[qid])})
    return data


def fold_of(text: str, folds: int) -> int:
    """Fold of a question: by its folded text, so both spellings and repeated questions go together."""
    return int(hashlib.sha1(" ".join(fold(text).lower().split()).encode()).hexdigest(), 16) % folds


def mrr10(order: np.ndarray, y: np.ndarray) -> float:
    hit = np.flatnonzero(y[order][:10])
    return 1.0 / (hit[0] + 1) if len(hit) else 0.0


class Linear:
    """A linear score fitted by listwise softmax cross-entropy on standardized features."""

    def __init__(self, l2: float = 1e-3, steps: int = 800, rate: float = 0.5):
        self.l2, self.steps, self.rate = l2, steps, rate

    def fit(self, blocks: list[dict]) -> "Linear":
        X = np.vstack([b["X"] for b in blocks])
        self.mean, self.std = X.mean(0), X.std(0) + 1e-9
        lists = [((b["X"] - self.mean) / self.std, b["y"]) for b in blocks if b["y"].any()]
        w = np.zeros(X.shape[1])
        for _ in range(self.steps):
            grad = self.l2 * w
            for x, y in lists:
                z = x @ w
                p = np.exp(z - z.max())
                p /= p.sum()
                grad += x.T @ (p - y / y.sum()) / len(lists)
            w -= self.rate * grad
        self.w = w
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        return ((X - self.mean) / self.std) @ self.w


class LambdaMART:
    """LightGBM's LambdaMART, deterministic (fixed seed, one thread)."""

    def fit(self, blocks: list[dict]) -> "LambdaMART":
        import lightgbm as lgb

        blocks = [b for b in blocks if b["y"].any() and len(b["y"]) > 1]
        train = lgb.Dataset(np.vstack([b["X"] for b in blocks]), np.concatenate([b["y"] for b in blocks]),
                            group=[len(b["y"]) for b in blocks], params={"verbosity": -1})
        self.booster = lgb.train(LGB_PARAMS, train, num_boost_round=LGB_ROUNDS)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.booster.predict(X, num_threads=1)


MODELS = {"linear": Linear, "lambdamart": LambdaMART}


def rerank_order(model, X: np.ndarray) -> np.ndarray:
    return np.argsort(-model.predict(X), kind="stable") if len(X) else np.zeros(0, int)


def table(data: list[dict], ranked: dict[str, list[float]], which: list[int]) -> dict:
    """MRR@10 per (set, spelling) of the blocks ``which``: served and each model."""
    out = {}
    for key in sorted({(data[i]["set"], data[i]["variant"]) for i in which}):
        rows = [i for i in which if (data[i]["set"], data[i]["variant"]) == key]
        out["/".join(key)] = {name: round(float(np.mean([r[i] for i in rows])), 4) for name, r in ranked.items()} | {
            "questions": len(rows)} | {f"{name}_better_worse": [int(sum(r[i] > ranked["served"][i] for i in rows)),
                                                              int(sum(r[i] < ranked["served"][i] for i in rows))]
                                       for name, r in ranked.items() if name != "served"}
    return out


def served_mrr(b: dict) -> float:
    return mrr10(np.arange(len(b["y"])), b["y"])


def cross_validate(data: list[dict], folds: int) -> dict:
    """5 folds by question over every set: each block ranked by the models of the other folds."""
    ranked = {"served": [served_mrr(b) for b in data]} | {m: [0.0] * len(data) for m in MODELS}
    per_fold = []
    for k in range(folds):
        test = [i for i, b in enumerate(data) if fold_of(b["text"], folds) == k]
        train = [b for b in data if fold_of(b["text"], folds) != k]
        row = {"fold": k, "blocks": len(test), "served": round(float(np.mean([ranked["served"][i] for i in test])), 4)}
        for name, cls in MODELS.items():
            model = cls().fit(train)
            for i in test:
                ranked[name][i] = mrr10(rerank_order(model, data[i]["X"]), data[i]["y"])
            row[name] = round(float(np.mean([ranked[name][i] for i in test])), 4)
        per_fold.append(row)
        print(f"fold {k}: {row}")
    return {"per_set": table(data, ranked, list(range(len(data)))), "per_fold": per_fold}


def cross_set(data: list[dict], train_set: str, test_set: str) -> dict:
    """Fitted on every question of ``train_set``, scored on ``test_set``."""
    train = [b for b in data if b["set"] == train_set]
    test = [i for i, b in enumerate(data) if b["set"] == test_set]
    ranked = {"served": [served_mrr(b) for b in data]} | {m: [0.0] * len(data) for m in MODELS}
    for name, cls in MODELS.items():
        model = cls().fit(train)
        for i in test:
            ranked[name][i] = mrr10(rerank_order(model, data[i]["X"]), data[i]["y"])
    # the spread of the change: 5 disjoint parts of the test set
    parts = {}
    for name in MODELS:
        parts[name] = [round(float(np.mean([ranked[name][i] - ranked["served"][i] for i in test
                                            if fold_of(data[i]["text"], 5) == k])), 4) for k in range(5)]
    return {"per_set": table(data, ranked, test), "change_per_part": parts}


def export(booster) -> dict:
    """The booster's trees as the arrays ``rerank.Trees`` reads (one row per tree, padded with leaves)."""
    trees = booster.dump_model()["tree_info"]
    rows = []
    for info in trees:
        nodes: list[dict] = []

        def walk(node: dict, depth: int) -> int:
            at = len(nodes)
            nodes.append({})
            if "leaf_value" in node or "split_feature" not in node:
                nodes[at] = {"feature": -1, "threshold": 0.0, "left": at, "right": at,
                             "value": float(node.get("leaf_value", 0.0)), "depth": depth}
                return at
            if node["decision_type"] != "<=" or node.get("missing_type", "None") not in ("None", "NaN"):
                raise ValueError(f"unsupported split: {node['decision_type']} {node.get('missing_type')}")
            left, right = walk(node["left_child"], depth + 1), walk(node["right_child"], depth + 1)
            nodes[at] = {"feature": node["split_feature"], "threshold": float(node["threshold"]), "left": left,
                         "right": right, "value": 0.0, "depth": depth}
            return at

        walk(info["tree_structure"], 0)
        rows.append(nodes)
    width = max(len(r) for r in rows)
    for r in rows:  # padding nodes are leaves worth 0 that nothing reaches
        r += [{"feature": -1, "threshold": 0.0, "left": len(r) + i, "right": len(r) + i, "value": 0.0, "depth": 0}
              for i in range(width - len(r))]
    return {key: [[n[key] for n in r] for r in rows] for key in ("feature", "threshold", "left", "right", "value")} | {
        "depth": max(n["depth"] for r in rows for n in r)}


def write_model(data: list[dict]) -> dict:
    """LambdaMART fitted on every question of both sets, written to ``search_app/models/rerank.json``;
    checked: the numpy evaluation of the file gives LightGBM's own scores."""
    import lightgbm as lgb

    from search_app import rerank

    model = LambdaMART().fit(data)
    doc = {"features": list(rerank.FEATURES), "depth": rerank.DEPTH, "trained_on": sorted({b["set"] for b in data}),
           "questions": len({b["qid"] for b in data}), "lightgbm": lgb.__version__, "params": LGB_PARAMS,
           "rounds": LGB_ROUNDS, "trees": export(model.booster)}
    rerank.MODEL_FILE.parent.mkdir(exist_ok=True)
    rerank.MODEL_FILE.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")
    rerank.model.cache_clear()
    X = np.vstack([b["X"] for b in data])
    diff = float(np.abs(rerank.model().predict(X) - model.predict(X)).max())
    size = rerank.MODEL_FILE.stat().st_size
    print(f"wrote {rerank.MODEL_FILE.relative_to(ROOT)} ({size:,} bytes); numpy vs LightGBM, largest difference {diff:.2e}")
    if diff > 1e-9:
        raise SystemExit("the exported trees do not give LightGBM's scores")
    return {"model_file": str(rerank.MODEL_FILE.relative_to(ROOT)), "bytes": size, "sha1": hashlib.sha1(
        rerank.MODEL_FILE.read_bytes()).hexdigest(), "numpy_vs_lightgbm_max_diff": diff}


def stage_off(off: bool) -> None:
    """Turn the service's ranking stage off (``True``) or back on, in this process."""
    from search_app import rerank

    rerank.model = (lambda: None) if off else _MODEL
    if not off:
        rerank.model.cache_clear()


def service_check(limit: int | None) -> dict:
    """MRR@10 of the search service itself (``quality.ours_runs``), stage off and on: the shipped
    model was fitted on these questions, so "on" is not a held-out figure; it checks the wiring."""
    from bench.metrics import evaluate
    from bench.quality import ours_runs
    from search_app.search import SearchService

    svc = SearchService(alqac_index())
    questions, out = alqac_queries(), {}
    for stem, qrels in alqac_qrels().items():
        qrels = dict(sorted(qrels.items())[:limit])
        for variant, transform in VARIANTS.items():
            asked = {qid: transform(questions[qid]) for qid in qrels}
            row = {}
            for name, off in (("served", True), ("stage_on_fitted", False)):
                stage_off(off)
                runs, behaviour = ours_runs(svc, asked)
                row[name] = round(evaluate(runs, qrels)["MRR@10"], 4)
                row[f"{name}_ms_per_question"] = behaviour["ms_per_question"]
            out[f"{stem}/{variant}"] = row
            print(f"  service {stem}/{variant}: {row}")
    stage_off(False)
    return out


def speed(index: Path, questions: list[str], rounds: int) -> dict:
    """Time of ``SearchService.search`` (top 10, snippets, facets) for ``questions`` on ``index``
    (the 62k phapdien index), stage off and on in alternate passes, best of ``rounds`` each; and the
    time spent in the stage itself (``rerank``), wall and CPU of the thread (CPU time is what
    other work on the machine does not inflate)."""
    import time

    from bench.metrics import latency_ms
    from search_app import search
    from search_app.params import parse_params
    from search_app.search import SearchService

    svc = SearchService(index)
    svc.warm_up()
    stage = search.rerank
    inside: list = []

    def timed(*args):
        wall, cpu = time.perf_counter(), time.thread_time()
        got = stage(*args)
        inside.append((time.perf_counter() - wall, time.thread_time() - cpu))
        return got

    search.rerank = timed
    times = {True: [[] for _ in questions], False: [[] for _ in questions]}
    stage_wall, stage_cpu = [[] for _ in questions], [[] for _ in questions]
    for r in range(rounds + 1):
        for off in (True, False):
            stage_off(off)
            for i, q in enumerate(questions):
                inside.clear()
                started = time.perf_counter()
                svc.search(parse_params({"q": q, "per_page": "10"}))
                if r:  # the first pass reads postings (and titles) from disk
                    times[off][i].append(time.perf_counter() - started)
                    if not off:
                        stage_wall[i].append(sum(w for w, _ in inside))
                        stage_cpu[i].append(sum(c for _, c in inside))
    search.rerank = stage
    stage_off(False)
    best = {off: [min(t) for t in times[off]] for off in times}
    out = {"questions": len(questions), "rounds": rounds, "stage_off": latency_ms(best[True]),
           "stage_on": latency_ms(best[False]), "in_stage_wall": latency_ms([min(t) for t in stage_wall]),
           "in_stage_cpu": latency_ms([min(t) for t in stage_cpu])}
    print(f"speed on {index.name}: {out}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="questions per qrels file (default: all)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--depth", type=int, default=None, help="entries re-ranked (default: rerank.DEPTH)")
    ap.add_argument("--write-model", action="store_true",
                    help="also fit LambdaMART on every question and write search_app/models/rerank.json")
    ap.add_argument("--service", action="store_true", help="also score the search service itself, stage off / on")
    ap.add_argument("--speed", metavar="INDEX", type=Path, default=None,
                    help="only time the service on INDEX (e.g. var/bench/index), stage off / on; writes ltr-speed.json")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    from search_app.rerank import DEPTH, FEATURES

    if args.speed:  # the speed benches' 200 queries (bench/query.py), then ALQAC questions, both spellings
        from bench.common import load_queries, speed_query_file

        asked = list(alqac_queries().values())[:(args.limit or 200) // 2]
        sets = {"speed_queries": [q["q"] for q in load_queries(speed_query_file())][:args.limit],
                "alqac_questions": asked + [fold(q) for q in asked]}
        write_result(result_path("ltr-speed", args.limit, None),
                     {"index": str(args.speed), **{name: speed(args.speed, qs, args.rounds) for name, qs in sets.items()}})
        return

    depth = args.depth or DEPTH
    data = dataset(args.limit, depth)
    cv = cross_validate(data, args.folds)
    xs = cross_set(data, "alqac2024_unverified_train", "alqac2023_train")
    for title, res in (("5-fold CV by question", cv), ("fitted on 2024, scored on 2023", xs)):
        print(title)
        for key, row in res["per_set"].items():
            print(f"  {key:40} " + "  ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                                            for k, v in row.items()))
    print("cross-set change per part", xs["change_per_part"])
    shipped = write_model(data) if args.write_model else None
    service = service_check(args.limit) if args.service else None
    write_result(result_path("ltr" if depth == DEPTH else f"ltr-depth{depth}", args.limit, None),
                 {"features": FEATURES, "depth": depth, "folds": args.folds, "lightgbm_params": LGB_PARAMS,
                  "lightgbm_rounds": LGB_ROUNDS, "cross_validation": cv, "train_2024_test_2023": xs,
                  "model": shipped, "service": service})


if __name__ == "__main__":
    main()

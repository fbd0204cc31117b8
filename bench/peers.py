"""Ours vs SQLite FTS5 vs tantivy, side by side in one run on the same articles and queries (issue #7).

Each engine builds from the same record files (the 62k phapdien articles under ``var/bench/corpus``)
and answers the same 200 queries (``bench/results/speed_queries.json``) with a top 10 and snippets;
ours also counts facets and totals, as the site does. Build and queries run in child processes of
their own, so each figure carries that process tree's peak memory. Ours builds cold (segmentation
cache removed) with 2 workers; tantivy's writer gets 2 threads; SQLite has one.

    python bench/peers.py [--limit N] [--engines ours,sqlite_fts5,tantivy]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the repo, not bench/: keep stdlib names unshadowed

from bench.build import paths_for  # noqa: E402
from bench.common import (PYTHON, VAR, dir_size_mb, load_queries, phapdien_corpus, result_path,  # noqa: E402
                          run_measured, speed_query_file, write_result)
from bench.engines import ENGINES, read_records  # noqa: E402
from bench.metrics import latency_ms  # noqa: E402
from search_app.cli import WARM_UP_WAIT  # noqa: E402

ENGINE_NAMES = ("ours",) + tuple(ENGINES)
HERE = Path(__file__).resolve()


def store_path(engine: str, limit: int | None) -> Path:
    """Where ``engine`` keeps its index for a run of ``limit`` articles."""
    root = VAR / ("peers" if limit is None else f"peers-{limit}")
    return root / {"ours": "ours-index", "sqlite_fts5": "fts5.db", "tantivy": "tantivy"}[engine]


# --- in the worker process ---------------------------------------------------------------------------

def worker_build(engine: str, corpus: Path, store: Path, jobs: int) -> dict:
    """Build ``engine``'s index from the corpus records; seconds and entry count."""
    started = time.perf_counter()
    if engine == "ours":
        from indexer.index.build import build

        count = build([corpus], store, jobs=jobs).entries
    else:
        count = ENGINES[engine](store).build(read_records(sorted(corpus.glob("*.jsonl"))))
    return {"seconds": round(time.perf_counter() - started, 2), "entries": count}


def _asker(engine: str, store: Path):
    if engine == "ours":
        from search_app.params import parse_params
        from search_app.search import SearchService

        svc = SearchService(store)
        svc.warm_up(wait=WARM_UP_WAIT)  # what ``serve`` does before it listens
        return lambda q: len(svc.search(parse_params({"q": q, "per_page": "10"})).results)
    peer = ENGINES[engine](store)
    peer.open()
    return lambda q: len(peer.search(q, 10))


def worker_query(engine: str, store: Path, queries: list[dict]) -> dict:
    """The first pass right after the engine opened its index (ours: after the start-up warm-up,
    as ``serve``), then the timed warm pass: latency of top 10 with snippets, and empty results."""
    started = time.perf_counter()
    ask = _asker(engine, store)
    opened = time.perf_counter() - started
    passes = []
    for _ in range(2):
        seconds, empty = [], 0
        for q in queries:
            started = time.perf_counter()
            empty += ask(q["q"]) == 0
            seconds.append(time.perf_counter() - started)
        passes.append((seconds, empty))
    (first, _), (warm, empty) = passes
    return latency_ms(warm) | {"zero_results": empty, "first_pass": latency_ms(first),
                               "open_seconds": round(opened, 2)}


# --- in the parent ----------------------------------------------------------------------------------

def run_worker(engine: str, phase: str, args) -> dict:
    """Run one phase of one engine in a child process: its figures, wall time and peak memory."""
    cmd = [PYTHON, str(HERE), "--worker", engine, "--phase", phase, "--jobs", str(args.jobs)]
    if args.limit is not None:
        cmd += ["--limit", str(args.limit)]
    run = run_measured(cmd)
    if run["returncode"]:
        sys.exit(f"{engine} {phase} failed:\n{run['stderr'][-3000:]}")
    figures = json.loads(run["stdout"].strip().splitlines()[-1])
    return figures | {"process_seconds": run["seconds"], "cpu_seconds": run["cpu_seconds"],
                      "peak_tree_mb": max(run["peak_tree_mb"], figures["ru_maxrss_mb"]),
                      "peak_process_mb": max(run["peak_process_mb"], figures["ru_maxrss_mb"])}


def compare(args) -> dict:
    """Build and query every engine in turn (ours cold: its builds and segmentation cache removed)."""
    out: dict[str, dict] = {}
    for engine in args.engines:
        store = store_path(engine, args.limit)
        if engine == "ours":
            shutil.rmtree(store.parent / (store.name + ".builds"), ignore_errors=True)
            store.unlink(missing_ok=True)
            store.with_name(store.name + ".segcache").unlink(missing_ok=True)  # a cold build
        store.parent.mkdir(parents=True, exist_ok=True)
        build = run_worker(engine, "build", args)
        size = dir_size_mb(store)
        query = run_worker(engine, "query", args)
        out[engine] = {"build": build, "index_mb": size, "query": query}
        print(f"{engine:<12} build {build['seconds']:>7} s, {size:>7} MB, peak {build['peak_tree_mb']} MB | "
              f"query p50 {query['p50_ms']} ms, p95 {query['p95_ms']} ms (first pass {query['first_pass']['p50_ms']}, "
              f"{query['first_pass']['p95_ms']} ms), peak {query['peak_process_mb']} MB")
    return out


def ratios(engines: dict) -> dict:
    """ours / peer for build time, size, p50, p95 and peak memory (below 1 means ours is faster/smaller)."""
    if "ours" not in engines:
        return {}
    ours = engines["ours"]

    def pick(e: dict) -> dict:
        return {"build_seconds": e["build"]["seconds"], "index_mb": e["index_mb"], "p50_ms": e["query"]["p50_ms"],
                "p95_ms": e["query"]["p95_ms"], "first_p50_ms": e["query"]["first_pass"]["p50_ms"],
                "first_p95_ms": e["query"]["first_pass"]["p95_ms"], "build_peak_mb": e["build"]["peak_tree_mb"],
                "query_peak_mb": e["query"]["peak_process_mb"]}
    mine = pick(ours)
    return {name: {k: round(mine[k] / v, 2) if v else None for k, v in pick(e).items()}
            for name, e in engines.items() if name != "ours"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="articles (default: all 62,323)")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--engines", default=",".join(ENGINE_NAMES))
    ap.add_argument("--jobs", "-j", type=int, default=2, help="our segmenting workers")
    ap.add_argument("--worker", choices=ENGINE_NAMES, help=argparse.SUPPRESS)
    ap.add_argument("--phase", choices=("build", "query"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    corpus, _ = paths_for(args.limit)
    qfile = speed_query_file(args.queries, args.limit)
    if args.worker:
        store = store_path(args.worker, args.limit)
        figures = (worker_build(args.worker, corpus, store, args.jobs) if args.phase == "build"
                   else worker_query(args.worker, store, load_queries(qfile)))
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux; catches short runs
        kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(json.dumps(figures | {"ru_maxrss_mb": round(max(own, kids), 1)}))
        return
    phapdien_corpus(corpus, args.limit)
    args.engines = tuple(e for e in args.engines.split(",") if e)
    engines = compare(args)
    table = ratios(engines)
    for name, r in table.items():
        print(f"ours / {name}: {r}")
    write_result(result_path("peers", args.limit, None),
                 {"corpus": str(corpus), "queries_file": qfile.name, "queries": args.queries,
                  "engines": engines, "ours_over_peer": table})


if __name__ == "__main__":
    main()

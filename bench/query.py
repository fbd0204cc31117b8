"""Query latency on the 62k phapdien articles, in-process and over HTTP (issue #6).

200 realistic queries (``bench/results/speed_queries.json``: heading and body fragments, document
numbers, and unaccented variants, drawn with a fixed seed) each ask for the top 10 with snippets and
facets. In-process: ``SearchService.search``. HTTP: ``python -m search_app serve`` (waitress) on a
free local port, ``GET /api/search``. A first pass reads each term's postings from the index (reported as ``first_pass``), the next is timed
with the engine's postings cache warm, as a serving process is after its first minutes.

    python bench/query.py [--limit N] [--rounds 1]
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the repo, not bench/: keep stdlib names unshadowed

from bench.build import paths_for  # noqa: E402
from bench.common import (PYTHON, ROOT, apply_weights, ensure_index, hwm_mb, load_queries, phapdien_corpus,  # noqa: E402
                          result_path, speed_query_file, write_result)
from bench.metrics import latency_ms  # noqa: E402
from search_app.cli import WARM_UP_WAIT  # noqa: E402


def free_port() -> int:
    """A local TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed_pass(ask, queries: list[dict]) -> tuple[list[float], list[int]]:
    """Seconds and result totals of ``ask(q)`` for each query, in order."""
    seconds, totals = [], []
    for q in queries:
        started = time.perf_counter()
        total = ask(q["q"])
        seconds.append(time.perf_counter() - started)
        totals.append(total)
    return seconds, totals


def summarise(seconds: list[float], totals: list[int], queries: list[dict]) -> dict:
    """Latency overall and by query kind, and how many queries found nothing."""
    kinds = sorted({q["kind"] for q in queries})
    return latency_ms(seconds) | {
        "zero_results": sum(t == 0 for t in totals),
        "by_kind": {k: latency_ms([s for s, q in zip(seconds, queries) if q["kind"] == k]) for k in kinds},
    }


def in_process(index: Path, queries: list[dict], rounds: int) -> dict:
    """The queries through ``SearchService.search`` in this process (top 10, snippets, facets)."""
    from search_app.params import parse_params
    from search_app.search import SearchService

    svc = SearchService(index)

    def ask(text: str) -> int:
        return svc.search(parse_params({"q": text, "per_page": "10"})).total

    started = time.perf_counter()
    svc.warm_up(wait=WARM_UP_WAIT)  # what the server does before it listens: searcher, columns, pyvi, common terms
    warm_up = time.perf_counter() - started
    first = timed_pass(ask, queries)  # every other term read from the index for the first time
    runs = [timed_pass(ask, queries) for _ in range(rounds)]
    seconds = [min(r[0][i] for r in runs) for i in range(len(queries))]
    return summarise(seconds, runs[0][1], queries) | {"first_pass": latency_ms(first[0]),
                                                      "warm_up_seconds": round(warm_up, 2)}


def wait_ready(base: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    """Poll ``/healthz`` until the server answers; exit with its error output if it died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"server exited with {proc.returncode}:\n{proc.stderr.read()[-3000:]}")
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    sys.exit("server did not answer /healthz in time")


def over_http(index: Path, queries: list[dict], rounds: int, threads: int | None = None) -> dict:
    """The same queries through the real server; also its peak memory (VmHWM)."""
    port = free_port()
    extra = ["--threads", str(threads)] if threads else []
    proc = subprocess.Popen([PYTHON, "-m", "search_app", "serve", "--index", str(index), "--port", str(port),
                             "--no-access-log", *extra], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, proc)
        idle_mb = hwm_mb(proc.pid)

        def ask(text: str) -> int:
            url = base + "/api/search?" + urllib.parse.urlencode({"q": text, "per_page": 10})
            with urllib.request.urlopen(url, timeout=60) as resp:
                return json.loads(resp.read())["total"]

        timed_pass(ask, queries)
        runs = [timed_pass(ask, queries) for _ in range(rounds)]
        peak_mb = hwm_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    seconds = [min(r[0][i] for r in runs) for i in range(len(queries))]
    return summarise(seconds, runs[0][1], queries) | {"server_peak_mb": round(peak_mb, 1),
                                                      "server_idle_peak_mb": round(idle_mb, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="articles (default: all 62,323)")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=1, help="timed passes; each query keeps its best")
    ap.add_argument("--threads", type=int, default=None, help="server threads (default: the server's own)")
    ap.add_argument("--weights", default="", help="try other ranking weights, in-process only (no HTTP run)")
    args = ap.parse_args()
    weights = apply_weights(args.weights) if args.weights else None
    corpus, index = paths_for(args.limit)
    ensure_index(phapdien_corpus(corpus, args.limit), index)
    qfile = speed_query_file(args.queries, args.limit)
    queries = load_queries(qfile)
    local = in_process(index, queries, args.rounds)
    print(f"in-process: p50 {local['p50_ms']} ms, p95 {local['p95_ms']} ms ({local['zero_results']} empty)")
    http = {}
    if weights is None:  # the server runs the code as it is
        http = over_http(index, queries, args.rounds, args.threads) | {"threads": args.threads or "server default"}
        print(f"HTTP:       p50 {http['p50_ms']} ms, p95 {http['p95_ms']} ms; server peak {http['server_peak_mb']} MB")
    name = "query-proposed" if weights else "query" if args.threads is None else f"query-threads{args.threads}"
    write_result(result_path(name, args.limit, None),
                 {"weights": weights, "index": str(index), "queries_file": str(qfile.relative_to(ROOT)), "queries": len(queries),
                  "rounds": args.rounds, "in_process": local, "http": http})


if __name__ == "__main__":
    main()

"""In-process query latency of this tree against an earlier commit, on the same index (issue 18).

The earlier commit is checked out under ``var/bench/worktrees/<commit>`` (``git worktree``); each run
is a process of its own that starts a ``SearchService`` as ``serve`` does (its start-up warm-up, when the
code has one), times one first pass of the 200 speed queries, then keeps each query's best of 3
passes. Runs alternate between the two trees (``--runs`` each), so drifting load hits both alike.

    python bench/against_commit.py 47d3a46 [--index var/bench/index] [--runs 2]

On another index than the bench's (``--index var/bench/index-250k``) the result goes to
``results/against_commit-<index folder name>.json``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the repo, not bench/: keep stdlib names unshadowed

from bench.build import paths_for  # noqa: E402
from bench.common import PYTHON, RESULTS, ROOT, VAR, result_path, speed_query_file, write_result  # noqa: E402

CHILD = '''
import json, os, sys, time
code, index, queries = sys.argv[1:4]
sys.path.insert(0, code)
os.chdir(code)
from pathlib import Path
from search_app.params import parse_params
from search_app.search import SearchService
qs = [q["q"] for q in json.load(open(queries))["queries"]]
svc = SearchService(Path(index))
started = time.perf_counter()
try:
    svc.warm_up(wait=30)
except TypeError:  # code from before the start-up warm-up
    svc.warm_up()
warm_up = time.perf_counter() - started
def run():
    out = []
    for q in qs:
        t = time.perf_counter()
        svc.search(parse_params({"q": q, "per_page": "10"}))
        out.append(time.perf_counter() - t)
    return out
first = run()
passes = [run() for _ in range(3)]
print(json.dumps({"warm_up_s": warm_up, "first": first, "warm": [min(p[i] for p in passes) for i in range(len(qs))]}))
'''


def pct(seconds: list[float], p: float) -> float:
    ordered = sorted(seconds)
    return round(ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000, 2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("commit")
    ap.add_argument("--index", type=Path, default=paths_for(None)[1])
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    old = VAR / "worktrees" / args.commit
    if not old.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(old), args.commit], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    queries = speed_query_file()
    trees = {args.commit: old, "this tree": ROOT}
    runs: dict[str, list[dict]] = {name: [] for name in trees}
    for _ in range(args.runs):
        for name, code in trees.items():
            out = subprocess.run([PYTHON, "-c", CHILD, str(code), str(args.index.resolve()), str(queries)],
                                 capture_output=True, text=True, check=True).stdout
            got = json.loads(out.strip().splitlines()[-1])
            runs[name].append({"warm_up_s": round(got["warm_up_s"], 2),
                               "first_pass": [pct(got["first"], 50), pct(got["first"], 95)],
                               "warm": [pct(got["warm"], 50), pct(got["warm"], 95)]})
            print(name, runs[name][-1], flush=True)
    default = args.index.resolve() == paths_for(None)[1].resolve()  # another index: a result file of its own
    write_result(result_path("against_commit", None, None) if default else RESULTS / f"against_commit-{args.index.name}.json",
                 {"commit": args.commit, "index": str(args.index), "queries": str(queries.relative_to(ROOT)),
                  "runs": runs, "unit": "ms, p50 and p95"})


if __name__ == "__main__":
    main()

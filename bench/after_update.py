"""The first queries after an ``update``: do they pay for reading the whole index again? (issues #12, #18)

In one process, a ``SearchService`` over the 62k phapdien index (``bench/build.py``'s ``var/bench/index``,
built from ``var/bench/corpus`` by ``bench/query.py``, with a folder of marker records beside it) answers the 200 speed
queries until warm. Then ``update`` adds 25 marker records (a new build folder: the big segment hard-linked,
one small segment new), and the same queries are timed again, once, on the new version — what a
visitor meets in the seconds after a switch — next to the same first pass of a service opened afresh on
that version, started as ``serve`` starts (after its warm-up). The service switched to the new version
scores its common terms in the background meanwhile, as a server does.

    python bench/after_update.py [--index var/bench/index]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the repo, not bench/: keep stdlib names unshadowed

from bench.build import paths_for  # noqa: E402
from bench.common import RESULTS, ROOT, VAR, load_queries, speed_query_file, write_result  # noqa: E402
from bench.metrics import latency_ms  # noqa: E402
from bench.query import timed_pass  # noqa: E402
from search_app.cli import WARM_UP_WAIT  # noqa: E402

MARKERS = (VAR / "after_update" / "markers").relative_to(ROOT)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # as the index was built: the manifest names files by the path as given (a relative and an absolute
    # spelling of one folder look like different files to ``update``)
    ap.add_argument("--index", type=Path, default=paths_for(None)[1])
    ap.add_argument("--corpus", type=Path, default=paths_for(None)[0])  # what query.py builds the index from
    ap.add_argument("--out", default=str(RESULTS / "after_update.json"))
    args = ap.parse_args()
    os.chdir(ROOT)

    import search_app.searchers as searchers
    from indexer.index.update import update
    from search_app.params import parse_params
    from search_app.search import SearchService

    queries = load_queries(speed_query_file())
    shutil.rmtree(MARKERS, ignore_errors=True)
    MARKERS.mkdir(parents=True)
    update([args.corpus, MARKERS], args.index)  # the index's manifest now names the markers folder too

    def asker(svc):
        return lambda text: svc.search(parse_params({"q": text, "per_page": "10"})).total

    svc = SearchService(args.index)
    svc.warm_up(wait=WARM_UP_WAIT)  # as `serve` starts
    timed_pass(asker(svc), queries)
    warm, _ = timed_pass(asker(svc), queries)
    (MARKERS / "markers.jsonl").write_text("".join(
        json.dumps({"id": f"marker-{n}", "kind": "article", "title": f"Bài kiểm tra quokkavn số {n}",
                    "body": f"Nội dung quokkavn sau cập nhật, số {n}.", "date": "01/05/2024"}, ensure_ascii=False)
        + "\n" for n in range(25)), encoding="utf-8")
    started = time.perf_counter()
    stats = update([args.corpus, MARKERS], args.index)
    update_s = time.perf_counter() - started
    saved, searchers.REFRESH_EVERY = searchers.REFRESH_EVERY, 0.0  # see the new version at once
    try:
        started = time.perf_counter()
        svc.search(parse_params({"q": "quokkavn"}))  # the switch: new searcher, columns, engine check
        switch_s = time.perf_counter() - started
        after, _ = timed_pass(asker(svc), queries)
    finally:
        searchers.REFRESH_EVERY = saved
    fresh = SearchService(args.index)
    started = time.perf_counter()
    fresh.warm_up(wait=WARM_UP_WAIT)  # a server started on the new version, as `serve` starts
    fresh_open_s = time.perf_counter() - started
    cold, _ = timed_pass(asker(fresh), queries)
    figures = {"index": str(args.index), "queries": len(queries), "update": stats.summary(),
               "update_seconds": round(update_s, 2), "warm": latency_ms(warm),
               "first_pass_after_update": latency_ms(after) | {"switch_ms": round(switch_s * 1000, 1)},
               "first_pass_fresh_service": latency_ms(cold) | {"open_ms": round(fresh_open_s * 1000, 1)}}
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    write_result(Path(args.out), figures)


if __name__ == "__main__":
    main()

"""Staff changes while clients query the running server: every kind of index change, in a loop (issue #12).

The server (``python -m search_app serve``) answers N closed-loop clients (speed query set) the whole
time over the 62k phapdien index. Staff changes then run one after another, as the CLI runs them:
``update`` adding a file of marker records, changing them, a no-op ``update``, ``update`` removing
them, ``build`` (from the live index's files), deleting old build folders, and (once, ``--fresh-builds``)
``build --fresh``. A probe polls ``/healthz`` and a marker search every 50 ms and the index symlink
every 10 ms: after each change, when every answer shows it, and whether any request failed.

    python bench/changes_under_load.py [--articles 0 (all)] [--clients 8] [--rounds 3] [--fresh-builds 1]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the repo, not bench/: keep stdlib names unshadowed

from bench.common import (PHAPDIEN, PYTHON, RESULTS, ROOT, VAR, hwm_mb, load_queries, phapdien_corpus,  # noqa: E402
                          speed_query_file, write_result)
from bench.load import DEMO_QUERIES, Load, search_paths, start_server, summary  # noqa: E402
from bench.rebuild_under_load import MARKER, Probe  # noqa: E402

WORK = VAR / "changes"
N_MARKERS = 25
SETTLE_LIMIT = 15.0  # seconds a change may take to show in every answer before it counts as not settled


def _markers(word_in_body: str) -> str:
    return "".join(json.dumps({"id": f"marker-{n}", "kind": "article", "title": f"Bài kiểm tra {MARKER} số {n}",
                               "body": f"Nội dung {word_in_body} để đo thời điểm chuyển chỉ mục, số {n}.",
                               "date": "01/05/2024"}, ensure_ascii=False) + "\n" for n in range(N_MARKERS))


def cli(args: list[str]) -> dict:
    started = time.monotonic()
    done = subprocess.run([PYTHON, "-m", "indexer", *args], cwd=ROOT, capture_output=True, text=True)
    return {"started": started, "ended": time.monotonic(), "returncode": done.returncode,
            "stdout_tail": done.stdout.strip().splitlines()[-1:] if done.stdout.strip() else [],
            "stderr_tail": done.stderr[-500:] if done.returncode else ""}


def change(step: str, corpus: Path, markers: Path, index: Path, jobs: int) -> tuple[dict, int]:
    """Run one staff change; (its CLI figures, marker hits expected after it)."""
    common = ["--corpus", str(corpus), "--corpus", str(markers.parent), "--index", str(index), "-j", str(jobs)]
    if step == "update: add":
        markers.write_text(_markers("thêm mới"), encoding="utf-8")
        return cli(["update", *common]), N_MARKERS
    if step == "update: change":
        markers.write_text(_markers("sửa đổi"), encoding="utf-8")
        return cli(["update", *common]), N_MARKERS
    if step == "update: no-op":
        return cli(["update", *common]), N_MARKERS
    if step == "update: delete":
        markers.unlink()
        return cli(["update", *common]), 0
    if step == "build":
        markers.write_text(_markers("xây lại"), encoding="utf-8")
        return cli(["build", *common]), N_MARKERS
    if step == "build --fresh":
        return cli(["build", "--fresh", *common]), N_MARKERS
    assert step == "delete old build folders"
    started, live = time.monotonic(), index.resolve()
    for folder in index.with_name(index.name + ".builds").iterdir():
        if folder != live:
            shutil.rmtree(folder)
    return {"started": started, "ended": time.monotonic(), "returncode": 0, "stdout_tail": [], "stderr_tail": ""}, \
        None


def settle(probe: Probe, since: float, hits: int | None) -> float | None:
    """Seconds from ``since`` until the last 10 probe answers all show ``hits`` markers (None: never)."""
    if hits is None:
        return 0.0
    deadline = since + SETTLE_LIMIT
    while time.monotonic() < deadline:
        recent = [(t, h) for t, _, h in probe.answers if t >= since][-10:]
        if len(recent) == 10 and {h for _, h in recent} == {hits}:
            first = next(t for t, h in [(t, h) for t, _, h in probe.answers if t >= since] if h == hits)
            return round(first - since, 2)
        time.sleep(0.1)
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=0, help="phapdien articles in the corpus (0: all)")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--threads", type=int, default=4, help="server worker threads")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of the six quick changes")
    ap.add_argument("--fresh-builds", type=int, default=1, help="build --fresh runs at the end")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", default=str(RESULTS / "changes_under_load.json"))
    args = ap.parse_args()

    limit = args.articles or None
    if PHAPDIEN.exists():
        corpus = phapdien_corpus(VAR / f"corpus-{limit or 'all'}", limit)
        queries, source = [q["q"] for q in load_queries(speed_query_file())], "bench/results/speed_queries.json"
    else:
        corpus, queries, source = ROOT / "corpus", DEMO_QUERIES, "bench/load.py DEMO_QUERIES"
    markers = WORK / "markers" / "markers.jsonl"
    markers.parent.mkdir(parents=True, exist_ok=True)
    markers.unlink(missing_ok=True)
    index = WORK / "index"
    first = cli(["build", "--corpus", str(corpus), "--corpus", str(markers.parent), "--index", str(index),
                 "-j", str(args.jobs)])
    if first["returncode"]:
        sys.exit(f"initial build failed:\n{first['stderr_tail']}")
    steps = ["update: add", "update: change", "update: no-op", "update: delete", "build",
             "delete old build folders"] * args.rounds + ["build --fresh"] * args.fresh_builds

    server = start_server(index, args.threads, VAR / "logs" / "changes-server.log")
    pid = server.proc.pid
    rounds = []
    try:
        with Load(server.port, search_paths(queries), args.clients) as load, Probe(server, index) as probe:
            time.sleep(5)  # warm: every thread opens its searcher
            t0 = time.monotonic()
            for step in steps:
                run, hits = change(step, corpus, markers, index, args.jobs)
                lag = settle(probe, run["ended"], hits)
                during = summary(load.window(run["started"], run["ended"] + (lag or 0)),
                                 run["ended"] - run["started"] + (lag or 0))
                out = {"step": step, "seconds": round(run["ended"] - run["started"], 1),
                       "returncode": run["returncode"], "output": run["stdout_tail"], "stderr": run["stderr_tail"],
                       "settled_after_s": lag, "during": during,
                       **(probe.lag(run["started"], hits) if hits is not None else {})}
                rounds.append(out)
                print(f"{step}: {out['seconds']} s (exit {run['returncode']}), settled {lag} s after it, last stale "
                      f"answer {out.get('switch_to_last_stale_answer_s')} s after the switch; "
                      f"{during['requests']} requests, {during['errors']} errors, p95 {during.get('p95_ms')} ms",
                      flush=True)
                time.sleep(1)
            total = summary(load.window(0, time.monotonic()), time.monotonic() - t0)
        restarted = server.proc.poll() is not None or server.proc.pid != pid
        peak_mb = hwm_mb(server.proc.pid)
    finally:
        server.stop()
    failures = total["errors"] + len(probe.failures)
    print(f"all: {total['requests']} requests, {failures} failed; server restarted: {restarted}; "
          f"peak {peak_mb:.0f} MB")
    write_result(Path(args.out), {
        "articles": limit, "corpus": str(corpus.relative_to(ROOT)), "queries_source": source,
        "clients": args.clients, "server_threads": args.threads, "jobs": args.jobs, "changes": rounds,
        "all_requests": total, "probe": {"requests": 2 * len(probe.answers), "failures": probe.failures[:5]},
        "failed_requests": failures, "error_examples": load.errors[:5], "server_restarted": restarted,
        "server_peak_mb": round(peak_mb, 1),
        "settled_max_s": max((r["settled_after_s"] or 0) for r in rounds),
        "not_settled": [r["step"] for r in rounds if r["settled_after_s"] is None and r["step"] != "delete old build folders"]})


if __name__ == "__main__":
    main()

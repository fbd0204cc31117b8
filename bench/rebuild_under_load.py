"""Full rebuilds while clients query the running server: failed requests, latency, switch lag (issue #8).

The server (``python -m search_app serve``) answers N closed-loop clients (speed query set) the whole
time. ``python -m indexer build`` then rebuilds the same ``--index`` several times, alternating two
corpora: A (phapdien articles) and A plus a file of marker records, so each switch changes what the
index holds. The first rebuild is cold (segment cache removed). A probe polls ``/healthz`` and a marker
search every 50 ms, and the index symlink every 10 ms, to time when answers switch: no restart.

    python bench/rebuild_under_load.py [--articles 5000] [--clients 8] [--rebuilds 3] [--threads 8]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the repo, not bench/: keep stdlib names unshadowed

from bench.common import (PHAPDIEN, PYTHON, RESULTS, ROOT, VAR, hwm_mb, load_queries, phapdien_corpus,  # noqa: E402
                          speed_query_file, write_result)
from bench.load import DEMO_QUERIES, Load, search_paths, start_server, summary  # noqa: E402
from bench.threads import ThreadGroup  # noqa: E402

WORK = VAR / "rebuild"
MARKER = "quokkavn"  # a word no real text has: only the marker records hold it
N_MARKERS = 25


def marker_file(dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(dest, "w", encoding="utf-8") as f:
        for n in range(N_MARKERS):
            f.write(json.dumps({"id": f"marker-{n}", "kind": "article", "title": f"Bài kiểm tra {MARKER} số {n}",
                                "body": f"Nội dung {MARKER} để đo thời điểm chuyển chỉ mục, số {n}.",
                                "date": "01/05/2024"}, ensure_ascii=False) + "\n")
    return dest


def cli_build(corpora: list[Path], index: Path, jobs: int) -> dict:
    started = time.monotonic()
    cmd = [PYTHON, "-m", "indexer", "build", "--fresh", "--index", str(index), "-j", str(jobs)]
    cmd += [arg for c in corpora for arg in ("--corpus", str(c))]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    return {"started": started, "ended": time.monotonic(), "returncode": done.returncode,
            "stderr_tail": done.stderr[-500:] if done.returncode else ""}


class Probe(ThreadGroup):
    """Polls the index symlink (10 ms) and the server (50 ms): when the switch happened, when answers followed."""

    def __init__(self, server, index: Path):
        self.server, self.index = server, index
        self.stop = threading.Event()
        self.links: list[tuple[float, str]] = []           # (time, symlink target) on each change
        self.answers: list[tuple[float, int, int]] = []    # (time, entries, marker hits)
        self.failures: list[str] = []
        self.threads = [threading.Thread(target=self._links, daemon=True),
                        threading.Thread(target=self._answers, daemon=True)]

    def _links(self) -> None:
        last = None
        while not self.stop.wait(0.01):
            try:
                target = os.readlink(self.index)
            except OSError:
                continue
            if target != last:
                self.links.append((time.monotonic(), target))
                last = target

    def _answers(self) -> None:
        marker = f"/api/search?q={MARKER}"
        while not self.stop.wait(0.05):
            t = time.monotonic()
            try:
                h_status, h_body = self.server.get("/healthz")
                m_status, m_body = self.server.get(marker)
            except OSError as err:
                self.failures.append(repr(err))
                continue
            if (h_status, m_status) != (200, 200):
                self.failures.append(f"HTTP {h_status}/{m_status}")
                continue
            self.answers.append((t, json.loads(h_body)["entries"], json.loads(m_body)["total"]))

    def lag(self, since: float, hits: int) -> dict:
        """Seconds from the symlink switch after ``since`` to the first and the last-stale answer."""
        switched = next((t for t, _ in self.links if t >= since), None)
        if switched is None:
            return {"switched": False}
        after = [(t, h) for t, _, h in self.answers if t >= switched]
        first_new = next((t for t, h in after if h == hits), None)
        last_old = max((t for t, h in after if h != hits), default=switched)
        return {"switched": True,
                "switch_to_first_new_answer_s": round(first_new - switched, 2) if first_new else None,
                "switch_to_last_stale_answer_s": round(last_old - switched, 2)}


def rebuild(i: int, corpora: list[Path], hits: int, index: Path, jobs: int, load: Load, probe: Probe) -> dict:
    """One CLI rebuild under load (the first cold); its figures once every server thread shows the new index."""
    if i == 0:
        for cache in index.parent.glob(index.name + ".segcache*"):
            cache.unlink()
    build = cli_build(corpora, index, jobs)
    settle = time.monotonic() + 10
    while time.monotonic() < settle:  # until the last 10 probe answers show the new index, at most 10 s
        recent = [h for t, _, h in probe.answers if t >= build["ended"]][-10:]
        if len(recent) == 10 and set(recent) == {hits}:
            break
        time.sleep(0.1)
    during = summary(load.window(build["started"], build["ended"]), build["ended"] - build["started"])
    out = {"cold": i == 0, "corpora": [str(c.relative_to(ROOT)) for c in corpora],
           "build_seconds": round(build["ended"] - build["started"], 1), "build_returncode": build["returncode"],
           "during_build": during, **probe.lag(build["started"], hits), "build_stderr": build["stderr_tail"]}
    print(f"rebuild {i + 1}: {out['build_seconds']} s, {during['requests']} requests during it, "
          f"{during['errors']} errors, p95 {during.get('p95_ms')} ms; "
          f"last stale answer {out.get('switch_to_last_stale_answer_s')} s after the switch", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=5000, help="phapdien articles in corpus A")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--rebuilds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=8, help="server worker threads")
    ap.add_argument("--jobs", type=int, default=2, help="segmenting processes of each build")
    ap.add_argument("--baseline", type=float, default=20.0, help="seconds of load measured before any build")
    ap.add_argument("--out", default=str(RESULTS / "rebuild_under_load.json"))
    args = ap.parse_args()

    if PHAPDIEN.exists():
        corpus_a = phapdien_corpus(VAR / f"corpus-{args.articles}", args.articles)
        queries, source = [q["q"] for q in load_queries(speed_query_file())], "bench/results/speed_queries.json"
    else:
        corpus_a, queries, source = ROOT / "corpus", DEMO_QUERIES, "bench/load.py DEMO_QUERIES"
    markers = marker_file(WORK / "markers" / "markers.jsonl")
    index = WORK / "index"
    first = cli_build([corpus_a], index, args.jobs)
    if first["returncode"]:
        sys.exit(f"initial build failed:\n{first['stderr_tail']}")
    plans = [([corpus_a, markers], N_MARKERS) if i % 2 == 0 else ([corpus_a], 0) for i in range(args.rebuilds)]

    server = start_server(index, args.threads, VAR / "logs" / "rebuild-server.log")
    pid = server.proc.pid
    try:
        with Load(server.port, search_paths(queries), args.clients) as load, Probe(server, index) as probe:
            time.sleep(5)  # warm: every thread opens its searcher
            t0 = time.monotonic()
            time.sleep(args.baseline)
            baseline = summary(load.window(t0, time.monotonic()), time.monotonic() - t0)
            rounds = [rebuild(i, corpora, hits, index, args.jobs, load, probe)
                      for i, (corpora, hits) in enumerate(plans)]
            total = summary(load.window(0, time.monotonic()), time.monotonic() - t0)
        restarted = server.proc.poll() is not None or server.proc.pid != pid
        peak_mb = hwm_mb(server.proc.pid)
    finally:
        server.stop()
    failures = total["errors"] + len(probe.failures)  # every load error is also a non-200 sample
    print(f"all: {total['requests']} requests, {failures} failed; server restarted: {restarted}")
    write_result(Path(args.out), {
        "articles": args.articles if PHAPDIEN.exists() else None, "corpus_a": str(corpus_a.relative_to(ROOT)),
        "queries_source": source, "clients": args.clients, "server_threads": args.threads, "jobs": args.jobs,
        "baseline": baseline, "rebuilds": rounds, "all_requests": total,
        "probe": {"requests": 2 * len(probe.answers), "failures": probe.failures[:5]},
        "failed_requests": failures, "error_examples": load.errors[:5], "server_restarted": restarted,
        "server_peak_mb": round(peak_mb, 1)})


if __name__ == "__main__":
    main()

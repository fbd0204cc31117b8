"""Concurrent clients against the real server on loopback: throughput, latency percentiles, errors (issue #8).

``python -m search_app serve`` (waitress, ``--threads``) runs over an index; for each client count
(default 8 and 32) that many closed-loop clients (one keep-alive connection each) send
``GET /api/search`` with the speed query set for a bounded time, after an untimed warm-up.
Target (issue #8): 0 errors, p95 ≤ 150 ms at 8 clients on 2 cores. Clients and server share the
machine's cores, as they would on a one-box provincial site behind a proxy. First, each of a few
pathological queries is timed once, alone, through the app in this process (``--no-cost`` skips it).

    python bench/load.py [--index var/bench/index] [--clients 8,32] [--seconds 30] [--threads 8]

The index defaults to the 62k phapdien index of ``bench/build.py`` (``var/bench/index``) when it
exists, else the demonstration corpus is built into ``var/bench/demo-index`` (and the result says so).
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the repo, not bench/: keep stdlib names unshadowed

from bench.common import (PHAPDIEN, PYTHON, RESULTS, ROOT, VAR, ensure_index, hwm_mb, load_queries,  # noqa: E402
                          speed_query_file, write_result)
from bench.metrics import percentile  # noqa: E402
from bench.threads import ThreadGroup  # noqa: E402

DEFAULT_INDEX = VAR / "index"
DEMO_INDEX = VAR / "demo-index"
REQUEST_TIMEOUT = 60.0  # seconds; a request slower than this counts as an error
# Used when the speed query set cannot be made (no shared data): what people ask the demo corpus.
DEMO_QUERIES = ["hòa giải ở cơ sở", "chu thap do", "43-CT/TW", "Luật An ninh mạng", "ngày pháp luật",
                "phòng chống ma túy", "chỉ thị 18", "93/KH-UBND", "bo luat lao dong", "chuyển đổi số",
                "tuyên truyền viên pháp luật", "rượu bia", "dữ liệu cá nhân", "Kế hoạch 108-KH/TU", "covid"]


# --- the server -----------------------------------------------------------------------------------

@dataclass
class Server:
    port: int
    proc: subprocess.Popen
    log: Path

    def get(self, path: str, timeout: float = REQUEST_TIMEOUT) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def health(self) -> dict:
        status, body = self.get("/healthz")
        return json.loads(body) if status == 200 else {"status": status}

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=15)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(index: Path, threads: int, log: Path, ready_seconds: float = 120) -> Server:
    """``python -m search_app serve`` on a free loopback port, access log to ``log``; waits for /healthz."""
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen([PYTHON, "-m", "search_app", "serve", "--index", str(index), "--host", "127.0.0.1",
                                 "--port", str(port), "--threads", str(threads)], cwd=ROOT, stdout=out,
                                stderr=subprocess.STDOUT)
    server = Server(port, proc, log)
    deadline = time.monotonic() + ready_seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"server exited with {proc.returncode}: see {log}")
        try:
            if server.get("/healthz", timeout=5)[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    sys.exit(f"server did not answer /healthz within {ready_seconds} s: see {log}")


# --- clients --------------------------------------------------------------------------------------

@dataclass
class Sample:
    started: float   # monotonic seconds
    seconds: float
    status: int      # 0: no answer (connection error or timeout)
    value: int | None = None  # "total" of a search, "entries" of /healthz


@dataclass
class Load(ThreadGroup):
    """``n`` closed-loop clients, each on one keep-alive connection, cycling through ``paths``."""

    join_timeout = REQUEST_TIMEOUT + 5

    port: int
    paths: list[str]
    n: int
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._client, args=(i,), daemon=True) for i in range(self.n)]

    def _client(self, i: int) -> None:
        conn = None
        k = i * 7  # clients start at different queries
        while not self.stop.is_set():
            path = self.paths[k % len(self.paths)]
            k += 1
            started = time.monotonic()
            try:
                conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
                conn.request("GET", path)
                resp = conn.getresponse()
                body = resp.read()
                status = resp.status
                if resp.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as err:
                status, body = 0, b""
                if conn is not None:
                    conn.close()
                conn = None
                with self.lock:
                    self.errors.append(f"{path}: {err!r}")
            sample = Sample(started, time.monotonic() - started, status, _value(path, status, body))
            with self.lock:
                self.samples.append(sample)
                if status not in (0, 200):
                    self.errors.append(f"{path}: HTTP {status} {body[:200]!r}")
        if conn is not None:
            conn.close()

    def window(self, start: float, end: float) -> list[Sample]:
        """Samples of requests that started in [start, end)."""
        with self.lock:
            return [s for s in self.samples if start <= s.started < end]


def _value(path: str, status: int, body: bytes) -> int | None:
    if status != 200:
        return None
    if path.startswith("/api/search"):
        return json.loads(body)["total"]
    if path == "/healthz":
        return json.loads(body)["entries"]
    return None


def summary(samples: list[Sample], seconds: float) -> dict:
    """Requests, req/s, p50/p95/p99/max in ms, and errors (non-200 or no answer) of ``samples``."""
    ms = [s.seconds * 1000 for s in samples]
    statuses: dict[str, int] = {}
    for s in samples:
        statuses[str(s.status)] = statuses.get(str(s.status), 0) + 1
    out = {"requests": len(samples), "seconds": round(seconds, 1),
           "req_per_s": round(len(samples) / seconds, 1) if seconds else 0.0,
           "errors": sum(s.status != 200 for s in samples), "statuses": statuses}
    if ms:
        out |= {f"p{p}_ms": round(percentile(ms, p), 1) for p in (50, 95, 99)} | {"max_ms": round(max(ms), 1)}
    return out


def search_paths(queries: list[str]) -> list[str]:
    return ["/api/search?" + urllib.parse.urlencode({"q": q, "per_page": 10}) for q in queries]


def run_level(server: Server, paths: list[str], clients: int, seconds: float, warmup: float) -> dict:
    """Warm up, then measure ``clients`` clients for ``seconds``; requests still running at the end finish."""
    with Load(server.port, paths, clients) as load:
        time.sleep(warmup)
        start = time.monotonic()
        time.sleep(seconds)
        end = time.monotonic()
    measured = load.window(start, end)
    return summary(measured, end - start) | {"clients": clients, "error_examples": load.errors[:5]}


# --- single pathological queries ------------------------------------------------------------------

PATHOLOGICAL = {
    "quy định": "quy định",
    "trách nhiệm của cơ quan nhà nước": "trách nhiệm của cơ quan nhà nước",
    "quy định OR'ed 300 times": " OR ".join(["quy định"] * 300),
    "400 common words": " ".join(["của", "và", "các", "được", "theo", "người", "quy", "định", "luật", "này"] * 40),
    "200 quoted two-word phrases": '"' + '" "'.join(["của và", "các được", "theo người", "quy định",
                                                    "luật này"] * 40) + '"',
    "a OR × 500": "a OR " * 500,
    "*a*": "*a*",
    "10 kB of one letter": "x" * 10_000,
    "64 unknown 8-letter words": " ".join(f"zq{n:03d}xkw" for n in range(64)),
}


def query_costs(index: Path) -> dict:
    """Seconds and status of each PATHOLOGICAL query, alone, through the app (Flask test client)."""
    from search_app import create_app

    client = create_app({"INDEX_DIR": str(index)}).test_client()
    client.get("/api/search?q=x")  # open the searcher, load the analyzers
    out = {}
    for name, q in PATHOLOGICAL.items():
        started = time.perf_counter()
        resp = client.get("/api/search", query_string={"q": q})
        out[name] = {"status": resp.status_code, "seconds": round(time.perf_counter() - started, 2),
                     "total": (resp.get_json() or {}).get("total")}
        print(f"  {name}: {out[name]['status']} in {out[name]['seconds']} s", flush=True)
    return out


# --- main -----------------------------------------------------------------------------------------

def pick_index(given: str | None) -> tuple[Path, str]:
    from indexer.index.build import live_dir

    if given:
        return Path(given), "given"
    if live_dir(DEFAULT_INDEX) is not None:
        return DEFAULT_INDEX, "62k phapdien (bench/build.py)"
    print(f"no index at {DEFAULT_INDEX}: using the demonstration corpus instead", flush=True)
    return ensure_index(ROOT / "corpus", DEMO_INDEX), "demonstration corpus (fallback: no 62k index yet)"


def pick_queries(index_kind: str) -> tuple[list[str], str]:
    if PHAPDIEN.exists() and not index_kind.startswith("demonstration"):
        qfile = speed_query_file()
        return [q["q"] for q in load_queries(qfile)], str(qfile.relative_to(ROOT))
    return DEMO_QUERIES, "bench/load.py DEMO_QUERIES"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", default=None, help=f"index to serve (default {DEFAULT_INDEX.relative_to(ROOT)} "
                                                  "if built, else the demonstration corpus)")
    ap.add_argument("--clients", default="8,32", help="client counts, comma-separated")
    ap.add_argument("--seconds", type=float, default=30.0, help="measured seconds per client count")
    ap.add_argument("--warmup", type=float, default=10.0, help="unmeasured seconds before each count")
    ap.add_argument("--threads", type=int, default=8, help="server worker threads")
    ap.add_argument("--no-cost", action="store_true", help="skip timing the single pathological queries")
    ap.add_argument("--out", default=str(RESULTS / "load.json"))
    args = ap.parse_args()
    index, index_kind = pick_index(args.index)
    queries, source = pick_queries(index_kind)
    costs = {} if args.no_cost else query_costs(index)
    server = start_server(index, args.threads, VAR / "logs" / "load-server.log")
    try:
        health = server.health()
        levels = []
        for clients in (int(c) for c in args.clients.split(",")):
            level = run_level(server, search_paths(queries), clients, args.seconds, args.warmup)
            levels.append(level)
            print(f"{clients:3d} clients: {level['req_per_s']} req/s, p50 {level.get('p50_ms')} ms, "
                  f"p95 {level.get('p95_ms')} ms, p99 {level.get('p99_ms')} ms, {level['errors']} errors", flush=True)
        peak_mb = hwm_mb(server.proc.pid)
    finally:
        server.stop()
    write_result(Path(args.out), {
        "index": str(index), "index_kind": index_kind, "entries": health.get("entries"),
        "server": {"threads": args.threads, "peak_mb": round(peak_mb, 1), "access_log": True},
        "queries": len(queries), "queries_source": source, "seconds_per_level": args.seconds,
        "warmup_seconds": args.warmup, "request_timeout_s": REQUEST_TIMEOUT, "levels": levels,
        "single_query_seconds": costs,
        "target": "0 errors, p95 <= 150 ms at 8 clients on 2 cores"})


if __name__ == "__main__":
    main()

"""The staff journey as staff run it: a real ``serve`` process answers 4 client threads while
``update`` (add, change, delete, no-op), ``build``, ``build --fresh`` and the deletion of old build
folders run in a loop, 35 changes in all. Every response is checked; after each change, the marker
record is found (or gone) within ``SETTLE_SECONDS`` and every answer after that agrees; the server is
never restarted. The corpus is the demonstration corpus shipped in ``corpus/`` (no shared data needed).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.threads import ThreadGroup  # noqa: E402
from tests.servers import READY_SECONDS, Server, serving  # noqa: E402

# Each serving thread looks for a new index every half second (search_app.searchers.REFRESH_EVERY): two
# seconds after a command returns, every thread answers from what it wrote.
SETTLE_SECONDS = 2.0
ROUNDS = 5
WORD_A, WORD_B = "quokkavn", "wombatvn"  # words no real text has: only the marker record holds them
MARKER_FILE = "marker.jsonl"
STEPS = ("update: add", "update: change", "update: no-op", "update: delete", "build: add",
         "build --fresh: delete", "delete old build folders")


def _marker(word: str) -> str:
    record = {"id": "marker-1", "kind": "article", "title": f"Bài viết đánh dấu {word}",
              "body": f"Nội dung {word}: hòa giải ở cơ sở, phổ biến giáo dục pháp luật.", "date": "05/05/2024"}
    return json.dumps(record, ensure_ascii=False) + "\n"


def _indexer(*args: str) -> str:
    """``python -m indexer ARGS`` as staff run it; its stdout (it must succeed)."""
    done = subprocess.run([sys.executable, "-m", "indexer", *args], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=300)
    assert (args, done.returncode, done.stderr[-2000:]) == (args, 0, done.stderr[-2000:])
    return done.stdout


@dataclass
class Answer:
    at: float
    path: str
    status: int
    value: int | None  # total of a search, entries of /healthz


class Clients(ThreadGroup):
    """4 threads asking the marker searches, a real query, the home page and /healthz, all recorded."""

    PATHS = (f"/api/search?q={WORD_A}", f"/api/search?q={WORD_B}", "/api/search?q=" + quote("hòa giải"),
             "/healthz", "/?q=" + quote("pháp luật"), f"/api/search?q={WORD_A}&sort=date")

    def __init__(self, server: Server, n: int = 4):
        self.server = server
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.answers: list[Answer] = []
        self.errors: list[str] = []
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(n)]

    def _run(self, i: int) -> None:
        k = 0
        while not self.stop.is_set() and k < 100_000:
            path = self.PATHS[(i + k) % len(self.PATHS)]
            k += 1
            try:
                status, _, body = self.server.get(path)
                value = None
                if status == 200 and path.startswith("/api/"):
                    value = json.loads(body)["total"]
                elif status == 200 and path == "/healthz":
                    value = json.loads(body)["entries"]
            except (OSError, ValueError, KeyError) as err:
                with self.lock:
                    self.errors.append(f"{path}: {err!r}")
                continue
            with self.lock:
                self.answers.append(Answer(time.monotonic(), path, status, value))
                if status != 200:
                    self.errors.append(f"{path}: HTTP {status} {body[:200]!r}")

    def since(self, path: str, start: float, end: float) -> list[int | None]:
        with self.lock:
            return [a.value for a in self.answers if a.path == path and start <= a.at < end]


def _settle(server: Server, expected: dict[str, int], started: float) -> float:
    """Seconds from ``started`` until the marker searches answer ``expected`` (bounded)."""
    while True:
        got = {}
        for word in expected:
            status, _, body = server.get(f"/api/search?q={word}")
            assert (word, status) == (word, 200), body[:300]
            got[word] = json.loads(body)["total"]
        waited = time.monotonic() - started
        if got == expected:
            return waited
        assert waited < SETTLE_SECONDS, f"after {waited:.1f} s the marker searches answer {got}, not {expected}"
        time.sleep(0.05)


def _change(step: str, corpus: Path, index: Path) -> dict[str, int]:
    """Make one staff change; the marker totals it should lead to."""
    marker = corpus / MARKER_FILE
    if step == "update: add":
        marker.write_text(_marker(WORD_A), encoding="utf-8")
        out = _indexer("update", "--corpus", str(corpus), "--index", str(index))
        assert "entries +1 ~0 -0" in out, out
        return {WORD_A: 1, WORD_B: 0}
    if step == "update: change":
        marker.write_text(_marker(WORD_B), encoding="utf-8")
        out = _indexer("update", "--corpus", str(corpus), "--index", str(index))
        assert "entries +0 ~1 -0" in out, out
        return {WORD_A: 0, WORD_B: 1}
    if step == "update: no-op":
        out = _indexer("update", "--corpus", str(corpus), "--index", str(index))
        assert "files +0 ~0 -0; entries +0 ~0 -0" in out, out
        return {WORD_A: 0, WORD_B: 1}
    if step == "update: delete":
        marker.unlink()
        out = _indexer("update", "--corpus", str(corpus), "--index", str(index))
        assert "entries +0 ~0 -1" in out, out
        return {WORD_A: 0, WORD_B: 0}
    if step == "build: add":
        marker.write_text(_marker(WORD_A), encoding="utf-8")
        _indexer("build", "--corpus", str(corpus), "--index", str(index))
        return {WORD_A: 1, WORD_B: 0}
    if step == "build --fresh: delete":
        marker.unlink()
        _indexer("build", "--fresh", "--corpus", str(corpus), "--index", str(index))
        return {WORD_A: 0, WORD_B: 0}
    assert step == "delete old build folders"
    live = index.resolve()
    old = [p for p in index.with_name(index.name + ".builds").iterdir() if p != live]
    assert old, "a previous build folder is kept, to delete"
    for folder in old:
        shutil.rmtree(folder)
    return {WORD_A: 0, WORD_B: 0}


def test_serving_survives_35_updates_builds_and_deletions_under_load(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    index = tmp_path / "var" / "index"
    out = _indexer("build", "--corpus", str(corpus), "--index", str(index))
    base = int(re.search(r"^built .*: (\d+) entries", out, re.MULTILINE).group(1))
    changes: list[tuple[str, float, float, dict[str, int]]] = []  # (step, started, settled at, expected)
    with serving(index, tmp_path / "server.log", threads=4, cache_mb=64) as server, Clients(server) as clients:
        deadline = time.monotonic() + READY_SECONDS
        while len(clients.answers) < 40:  # past the first, cold requests
            assert time.monotonic() < deadline and not clients.errors, clients.errors[:5]
            time.sleep(0.05)
        pid = server.proc.pid
        for _ in range(ROUNDS):
            for step in STEPS:
                started = time.monotonic()
                expected = _change(step, corpus, index)
                done = time.monotonic()
                waited = _settle(server, expected, done)
                changes.append((step, started, done + max(waited, SETTLE_SECONDS), expected))
                time.sleep(0.3)  # a few answers from every thread on this version
        end = time.monotonic()
        assert (server.proc.poll(), server.proc.pid) == (None, pid)  # the same process: never restarted
        log = server.log_text()
    assert clients.errors == []
    assert [line for line in log.splitlines() if "Traceback" in line or " ERROR " in line] == []
    assert len(changes) == ROUNDS * len(STEPS) >= 30
    # once settled, every answer of every thread agrees with the change, until the next one starts
    for (step, _, settled, expected), until in zip(changes, [c[1] for c in changes[1:]] + [end]):
        for word, total in expected.items():
            seen = set(clients.since(f"/api/search?q={word}", settled, until))
            assert (step, word, seen <= {total}) == (step, word, True), seen
        seen_entries = set(clients.since("/healthz", settled, until))
        assert (step, seen_entries <= {base + sum(expected.values())}) == (step, True), seen_entries
    assert len(clients.answers) > 500  # the clients really were querying throughout
    builds = sorted(p.name for p in index.with_name("index.builds").iterdir())
    assert (len(builds) <= 2, Path(os.readlink(index)).name in builds, [b for b in builds if b.endswith(".tmp")]) \
        == (True, True, [])

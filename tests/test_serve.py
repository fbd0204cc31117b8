"""``python -m search_app serve`` as a real process on loopback: health, request ids, access log,
a full rebuild while clients query, and an index that serving never writes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from whoosh import index as whoosh_index

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.threads import ThreadGroup  # noqa: E402  (the load clients' start/stop, shared with bench/)
from tests.servers import READY_SECONDS, Server, serving  # noqa: E402
from search_app.params import parse_params  # noqa: E402
from search_app.search import SearchService  # noqa: E402


@pytest.fixture(scope="module")
def server(tiny_index, tmp_path_factory):
    """One server over the shared ``tiny_index``, configured through ``VNLEX_*`` variables only."""
    with serving(tiny_index, tmp_path_factory.mktemp("serve") / "server.log", use_env=True, cache_mb=100) as s:
        yield s


# --- health, request ids, access log ---------------------------------------------------------------

def test_healthz_reports_the_live_index_its_size_and_age(server, tiny_index):
    live = tiny_index.resolve()
    with whoosh_index.open_dir(str(live)).searcher() as s:
        entries = s.doc_count()
    built = max(p.stat().st_mtime for p in live.iterdir() if p.suffix == ".toc")
    health = server.json("/healthz")
    age = health.pop("index_age_seconds")
    assert health == {"status": "ok", "entries": entries, "index": live.name}
    assert abs(age - (time.time() - built)) < 5  # seconds since the build's last commit, not a speed limit


def test_startup_line_names_the_settings_taken_from_the_environment(server, tiny_index):
    assert (f"serving {tiny_index} on http://127.0.0.1:{server.port}/ with 4 threads, 100 MB of caches\n"
            in server.log_text())
    svc = SearchService(tiny_index)
    expected = svc.search(parse_params({"q": "chỉ thị"})).total
    svc.close()
    assert expected > 0
    assert server.json(f"/api/search?q={quote('chỉ thị')}")["total"] == expected


def _log_lines(server: Server, needle: str) -> list[str]:
    for _ in range(50):  # written after the response is sent
        lines = [line for line in server.log_text().splitlines() if needle in line]
        if lines:
            return lines
        time.sleep(0.05)
    return []


def test_a_request_id_is_echoed_truncated_or_made_up(server):
    given = server.get("/healthz", {"X-Request-Id": "kiem-tra-1"})[1]["X-Request-Id"]
    long = server.get("/healthz", {"X-Request-Id": "x" * 100})[1]["X-Request-Id"]
    made = [server.get("/healthz")[1]["X-Request-Id"] for _ in range(2)]
    assert (given, long) == ("kiem-tra-1", "x" * 64)
    assert ([bool(re.fullmatch(r"[0-9a-f]{16}", m)) for m in made], made[0] != made[1]) == ([True, True], True)


@pytest.mark.parametrize("path, status", [
    ("/api/search?q=" + quote("hòa giải"), 200),
    ("/api/search?page=0", 400),
    ("/entry/khong-co", 404),
])
def test_each_request_gets_one_access_log_line_with_its_id(server, path, status):
    rid = f"log-{status}-{time.monotonic_ns()}"
    assert server.get(path, {"X-Request-Id": rid})[0] == status
    lines = _log_lines(server, rid)
    pattern = rf"\S+ \S+ INFO search_app\.access: {rid} GET {re.escape(path)} {status} \d+\.\dms"
    assert [bool(re.fullmatch(pattern, line)) for line in lines] == [True], lines


def test_a_newline_in_the_path_cannot_forge_an_access_log_line(server):
    rid = f"forge-{time.monotonic_ns()}"
    forged = "2026-01-01 00:00:00,000 INFO search_app.access: admin GET /quan-tri 200 1.0ms"
    assert server.get("/entry/x%0A" + quote(forged), {"X-Request-Id": rid})[0] == 404
    # one line, that of this request: the newline shown escaped, never starting a line of its own
    assert [rid in line for line in _log_lines(server, "/quan-tri")] == [True]


def test_a_request_id_that_is_not_a_plain_token_is_replaced(server):
    echoed = server.get("/healthz", {"X-Request-Id": "abc GET /quan-tri 200"})[1]["X-Request-Id"]
    assert bool(re.fullmatch(r"[0-9a-f]{16}", echoed)) is True


def test_the_server_answers_clients_in_parallel(server):
    # 8 clients at once on 4 threads: every one answered, none refused
    statuses: list[int] = []
    threads = [threading.Thread(target=lambda: statuses.append(server.get("/?q=" + quote("chữ thập đỏ"))[0]))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert statuses == [200] * 8


# --- an index the code cannot read -----------------------------------------------------------------

def test_an_index_of_another_schema_version_is_a_503_not_a_500(tmp_path):
    # what a site serves between deploying new code and rebuilding (schema v1 → v2 on 2026-11-26)
    from whoosh import fields

    from search_app import create_app

    old = tmp_path / "old"
    old.mkdir()
    ix = whoosh_index.create_in(str(old), fields.Schema(id=fields.ID(stored=True, unique=True),
                                                        title=fields.TEXT(stored=True), kind=fields.ID(stored=True)))
    with ix.writer() as w:
        w.add_document(id="a", title="hòa giải ở cơ sở", kind="article")
    (old / "build_info.json").write_text(json.dumps({"schema_version": 1, "entries": 1}), encoding="utf-8")
    client = create_app({"INDEX_DIR": str(old)}).test_client()
    assert [client.get(p).status_code for p in ("/healthz", "/api/search?q=h%C3%B2a+gi%E1%BA%A3i", "/?q=hoa+giai")] == [
        503, 503, 503]


# --- read-only -------------------------------------------------------------------------------------

def _snapshot(folder: Path) -> dict[str, tuple]:
    """Every file and link under ``folder``: (size, mtime_ns) or the link target."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        if path.is_symlink():
            out[rel] = ("->", os.readlink(path))
        else:
            st = path.stat()
            out[rel] = ("dir",) if path.is_dir() else (st.st_size, st.st_mtime_ns)
    return out


def test_serving_never_writes_the_index(tiny_index, tmp_path):
    folder = tiny_index.parent  # the index link, its builds, its lock and segment cache live here
    before = _snapshot(folder)
    with serving(tiny_index, tmp_path / "server.log") as s:
        paths = ["/", "/?q=" + quote("hòa giải ở cơ sở"), "/?q=" + quote("chữ thập đỏ") + "&kind=article",
                 "/api/search?q=43-CT%2FTW", "/api/search?q=zzqqxx", "/van-ban/43-CT/TW", "/healthz",
                 "/api/citations/18%2FCT-TTg", "/entry/khong-co", "/api/search?page=0"]
        statuses = [s.get(p)[0] for p in paths]
    assert (statuses, _snapshot(folder)) == ([200, 200, 200, 200, 200, 200, 200, 200, 404, 400], before)


# --- a full rebuild while clients query ------------------------------------------------------------

NEW_WORD = "quokkavn"  # a word no real text has: only the added records hold it
ADDED = [{"id": f"them-{n}", "kind": "article", "title": f"Bài viết thêm số {n} về {NEW_WORD}",
          "body": f"Nội dung {NEW_WORD} số {n}: hòa giải ở cơ sở.", "date": f"0{n}/05/2024"} for n in range(1, 6)]


class Clients(ThreadGroup):
    """``n`` threads querying ``server`` until stopped (at most ``max_requests`` each), recording all."""

    PATHS = ("/api/search?q=" + quote("hòa giải"), f"/api/search?q={NEW_WORD}", "/healthz", "/?q=" + NEW_WORD)

    def __init__(self, server: Server, n: int = 3, max_requests: int = 2000):
        self.server, self.max_requests = server, max_requests
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.failures: list[str] = []
        self.seen: list[tuple[float, str, int | None]] = []  # (time, path, total or entries)
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(n)]

    def _run(self, i: int) -> None:
        for k in range(self.max_requests):
            if self.stop.is_set():
                return
            path = self.PATHS[(i + k) % len(self.PATHS)]
            try:
                status, _, body = self.server.get(path)
            except OSError as err:
                with self.lock:
                    self.failures.append(f"{path}: {err!r}")
                continue
            value = None
            if status == 200 and path.startswith("/api/"):
                value = json.loads(body)["total"]
            elif status == 200 and path == "/healthz":
                value = json.loads(body)["entries"]
            with self.lock:
                if status != 200:
                    self.failures.append(f"{path}: {status} {body[:200]!r}")
                self.seen.append((time.monotonic(), path, value))

    def values(self, path: str, since: float = 0.0) -> list[int | None]:
        with self.lock:
            return [v for t, p, v in self.seen if p == path and t >= since]

    def wait_for(self, path: str, value: int, since: float, seconds: float = 30) -> None:
        """Until the last 12 answers to ``path`` after ``since`` all show ``value`` (bounded)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            recent = self.values(path, since)[-12:]
            if len(recent) == 12 and set(recent) == {value}:
                return
            time.sleep(0.05)
        raise AssertionError(f"{path} never settled on {value}: {self.values(path, since)[-20:]}")


def _cli_build(corpus: Path, index: Path) -> int:
    """``python -m indexer build`` as staff run it; the number of entries it built."""
    done = subprocess.run([sys.executable, "-m", "indexer", "build", "--corpus", str(corpus), "--index", str(index)],
                          cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
                          timeout=300)
    assert (done.returncode, done.stderr[-2000:]) == (0, done.stderr[-2000:])
    return int(re.search(r"^built .*: (\d+) entries", done.stdout, re.MULTILINE).group(1))


def test_a_full_rebuild_under_load_fails_no_request_and_switches_without_restart(tiny_corpus, tmp_path):
    old_corpus = tmp_path / "corpus-old"
    shutil.copytree(tiny_corpus, old_corpus)
    new_corpus = tmp_path / "corpus-new"
    shutil.copytree(tiny_corpus, new_corpus)
    (new_corpus / "them.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ADDED),
                                           encoding="utf-8")
    index = tmp_path / "index"
    old_entries = _cli_build(old_corpus, index)
    health, search = "/healthz", f"/api/search?q={NEW_WORD}"
    with serving(index, tmp_path / "server.log") as server, Clients(server) as clients:
        deadline = time.monotonic() + READY_SECONDS
        while len(clients.seen) < 30 and time.monotonic() < deadline:  # past the first, cold requests
            time.sleep(0.05)
        pid = server.proc.pid
        # three rebuilds: new, old, new again; the third deletes the first build's folder under the readers
        for corpus, entries, hits in ((new_corpus, old_entries + len(ADDED), len(ADDED)),
                                      (old_corpus, old_entries, 0), (new_corpus, old_entries + len(ADDED), len(ADDED))):
            started = time.monotonic()
            assert _cli_build(corpus, index) == entries
            during = len(clients.values(health, started)) + len(clients.values(search, started))
            clients.wait_for(health, entries, started)
            clients.wait_for(search, hits, started)
            assert during > 0  # the clients really were querying while it built
        assert (server.proc.poll(), server.proc.pid) == (None, pid)  # same process: no restart
    assert clients.failures == []
    assert (len(clients.seen) > 100, sorted(set(clients.values(health)))) == (True, [old_entries,
                                                                                     old_entries + len(ADDED)])
    builds = sorted(p.name for p in (tmp_path / "index.builds").iterdir())
    live = Path(os.readlink(index)).name
    # the live build and the one before it are kept; nothing half-built is left
    assert (len(builds), live in builds, [b for b in builds if b.endswith(".tmp")]) == (2, True, [])

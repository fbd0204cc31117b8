"""Replicas (issue 18): one primary builds, N read-only replicas serve copies of its finished build
folder. The journey runs a primary and two replicas, each served by a real ``serve`` process, while
client threads query both; replica 1 gets each build through ``deploy/replicate.sh`` (rsync) when
rsync is installed, replica 2 through a plain Python copy and ``adopt``. Then ``adopt``'s one-line
errors, and ``/healthz`` as a load balancer reads it. The corpus is the demonstration corpus in
``corpus/`` plus one marker record (no shared data needed).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from indexer.index.build import build
from indexer.index.folders import builds_dir
from indexer.index.schema import INFO_FILE
from search_app import create_app
from bench.threads import ThreadGroup  # the load clients' start/stop, shared with bench/
from tests.servers import Server, serving

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "deploy" / "replicate.sh"
RSYNC = shutil.which("rsync") is not None and shutil.which("curl") is not None
SETTLE_SECONDS = 5.0  # after adopt: each serving thread looks at the link every half second
WORD_A, WORD_B = "quokkavn", "wombatvn"  # only the marker record holds them


def _marker(word: str) -> str:
    record = {"id": "marker-1", "kind": "article", "title": f"Bài viết đánh dấu {word}",
              "body": f"Nội dung {word}: hòa giải ở cơ sở, phổ biến giáo dục pháp luật.", "date": "05/05/2024"}
    return json.dumps(record, ensure_ascii=False) + "\n"


def _env() -> dict:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("VNLEX_")}, "PYTHONPATH": str(REPO)}


def _indexer(*args: str) -> subprocess.CompletedProcess:
    """``python -m indexer ARGS`` as staff run it (no terminal)."""
    return subprocess.run([sys.executable, "-m", "indexer", *args], cwd=REPO, capture_output=True, text=True,
                          env=_env(), timeout=300, stdin=subprocess.DEVNULL)


def _ok(done: subprocess.CompletedProcess) -> str:
    assert (done.args, done.returncode, done.stderr[-2000:]) == (done.args, 0, done.stderr[-2000:])
    return done.stdout


def _live(index: Path) -> Path:
    return index.resolve()


def _copy(build_folder: Path, replica_index: Path) -> Path:
    """The Python way: copy to ``NAME.tmp`` in the replica's builds folder, rename once whole."""
    partial = builds_dir(replica_index) / (build_folder.name + ".tmp")
    shutil.copytree(build_folder, partial)
    return partial.rename(partial.with_name(build_folder.name))


def _replicate_with_script(primary_app: Path, replica_app: Path, server: Server) -> str:
    """``deploy/replicate.sh`` for one local replica (rsync, adopt, wait for /healthz?build=)."""
    env = {**_env(), "PYTHON": sys.executable, "WAIT": "30"}
    done = subprocess.run([str(SCRIPT), str(primary_app), f"{replica_app},http://127.0.0.1:{server.port}"],
                          capture_output=True, text=True, env=env, timeout=300, stdin=subprocess.DEVNULL)
    return _ok(done)


def _deliver(build_folder: Path, primary_app: Path, replicas: list[tuple[Path, Server]]) -> None:
    """The primary's new build to both replicas: replica 1 by the script (when rsync is here), replica 2
    by a Python copy and ``adopt``."""
    (app1, server1), (app2, _) = replicas
    if RSYNC:
        out = _replicate_with_script(primary_app, app1, server1)
        assert out.endswith(f"{app1}: serving {build_folder.name}\n"), out
    else:
        _copy(build_folder, app1 / "var" / "index")
        _ok(_indexer("adopt", build_folder.name, "--index", str(app1 / "var" / "index")))
    _copy(build_folder, app2 / "var" / "index")
    out = _ok(_indexer("adopt", build_folder.name, "--index", str(app2 / "var" / "index")))
    assert out.startswith(f"adopted {build_folder.name} at {app2 / 'var' / 'index'}: "), out


def _total(server: Server, word: str) -> int:
    return server.json(f"/api/search?q={word}")["total"]


def _wait_for(server: Server, name: str, totals: dict[str, int]) -> None:
    """Until ``/healthz`` names ``name`` and the marker searches answer ``totals`` (bounded)."""
    started = time.monotonic()
    while True:
        got = (server.json("/healthz")["index"], {w: _total(server, w) for w in totals})
        if got == (name, totals):
            return
        assert time.monotonic() - started < SETTLE_SECONDS, f"replica on {server.port} answers {got}"
        time.sleep(0.05)


class Clients(ThreadGroup):
    """Threads querying every replica the whole time; every answer is recorded."""

    PATHS = (f"/api/search?q={WORD_A}", "/healthz", "/api/search?q=" + quote("hòa giải"), "/?q=" + quote("pháp luật"))

    def __init__(self, servers: list[Server], per_server: int = 2):
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.statuses: dict[int, list[int]] = {s.port: [] for s in servers}
        self.errors: list[str] = []
        self.threads = [threading.Thread(target=self._run, args=(s, i), daemon=True)
                        for s in servers for i in range(per_server)]

    def _run(self, server: Server, i: int) -> None:
        k = i
        while not self.stop.is_set():
            path = self.PATHS[k % len(self.PATHS)]
            k += 1
            try:
                status, _, body = server.get(path)
            except OSError as err:
                status, body = 0, repr(err).encode()
            with self.lock:
                self.statuses[server.port].append(status)
                if status != 200:
                    self.errors.append(f"{server.port} {path}: {status} {body[:200]!r}")


def _break(folder: Path, how: str) -> str:
    """Damage a copied build as a failed copy would: cut its newest segment's postings in half, or
    lose its term file. The file is replaced, never cut in place: it may be a hard link to the live
    build's file (rsync --link-dest)."""
    newest = max(folder.glob("*.pst"), key=lambda p: p.stat().st_mtime_ns)
    if how == "cut":
        data = newest.read_bytes()
        newest.unlink()
        newest.write_bytes(data[:len(data) // 2])
        return newest.name
    newest.with_suffix(".trm").unlink()
    return newest.with_suffix(".trm").name


def test_two_replicas_adopt_each_build_while_serving_and_refuse_a_broken_copy(tmp_path):
    primary_app = tmp_path / "primary"
    corpus, primary = primary_app / "corpus", primary_app / "var" / "index"
    shutil.copytree(REPO / "corpus", corpus)
    apps = [tmp_path / "replica1", tmp_path / "replica2"]

    # step 1: the primary builds; both replicas start from a copy of that build
    _ok(_indexer("build", "--corpus", str(corpus), "--index", str(primary)))
    first = _live(primary)
    for app in apps:
        _copy(first, app / "var" / "index")
        _ok(_indexer("adopt", first.name, "--index", str(app / "var" / "index")))

    with serving(apps[0] / "var" / "index", tmp_path / "replica1.log") as s1, \
            serving(apps[1] / "var" / "index", tmp_path / "replica2.log") as s2, Clients([s1, s2]) as clients:
        replicas = list(zip(apps, (s1, s2)))
        for s in (s1, s2):
            _wait_for(s, first.name, {WORD_A: 0})

        # step 2: the primary adds the marker (update: a new build folder); both replicas adopt it
        (corpus / "marker.jsonl").write_text(_marker(WORD_A), encoding="utf-8")
        _ok(_indexer("update", "--corpus", str(corpus), "--index", str(primary)))
        second = _live(primary)
        assert second.name != first.name
        _deliver(second, primary_app, replicas)
        for s in (s1, s2):
            _wait_for(s, second.name, {WORD_A: 1, WORD_B: 0})
            assert s.get(f"/healthz?build={second.name}")[0] == 200
            assert s.get(f"/healthz?build={first.name}")[0] == 503
        if RSYNC:  # --link-dest: the segment files the update kept are hard links to the replica's previous build
            copied = apps[0] / "var" / "index.builds"
            kept = [p.name for p in first.iterdir() if p.suffix in (".trm", ".pst")]
            assert kept and all((copied / second.name / n).stat().st_ino == (copied / first.name / n).stat().st_ino
                                for n in kept)

        # step 3: adopting the live build again does nothing
        out = _ok(_indexer("adopt", second.name, "--index", str(apps[0] / "var" / "index")))
        assert out == f"{second.name} is already live at {apps[0] / 'var' / 'index'} (114 entries): nothing to do\n"

        # step 4: the next build arrives broken on each replica: refused in one line, the old build served
        (corpus / "marker.jsonl").write_text(_marker(WORD_B), encoding="utf-8")
        _ok(_indexer("update", "--corpus", str(corpus), "--index", str(primary)))
        third = _live(primary)
        for app, how in zip(apps, ("cut", "lose")):
            damaged = _break(_copy(third, app / "var" / "index"), how)
            done = _indexer("adopt", third.name, "--index", str(app / "var" / "index"))
            folder = app / "var" / "index.builds" / third.name
            why = ("is damaged (struct.error: unpack requires a buffer of 4 bytes)" if how == "cut" else
                   f"is incomplete: {damaged} missing")
            assert (done.returncode, done.stdout, done.stderr) == (
                1, "", f"Error: {folder} {why}; copy the whole folder again\n")
        time.sleep(1.0)  # two refresh periods: a switch would show by now
        for s in (s1, s2):
            assert (s.json("/healthz")["index"], _total(s, WORD_A), _total(s, WORD_B)) == (second.name, 1, 0)
        if RSYNC:  # the script refreshes the refused copy and adopts it
            _replicate_with_script(primary_app, apps[0], s1)
            _wait_for(s1, third.name, {WORD_A: 0, WORD_B: 1})

    assert clients.errors == []
    assert all(len(statuses) > 20 for statuses in clients.statuses.values()), \
        {port: len(statuses) for port, statuses in clients.statuses.items()}
    # the live build and the one before it are kept, like the primary's; a refused copy stays for the next try
    kept = [[second.name, third.name] if RSYNC else [first.name, second.name, third.name],
            [first.name, second.name, third.name]]
    assert [sorted(p.name for p in (app / "var" / "index.builds").iterdir()) for app in apps] == kept


# --- adopt's one-line errors ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_build(tmp_path_factory) -> Path:
    """A finished build folder of the demonstration corpus (read-only: tests copy it)."""
    index = tmp_path_factory.mktemp("primary") / "index"
    build([REPO / "corpus"], index)
    return index.resolve()


def _replica_with(demo_build: Path, tmp_path: Path, name: str | None = None) -> tuple[Path, Path]:
    """A replica index whose builds folder holds a copy of ``demo_build`` named ``name``."""
    index = tmp_path / "var" / "index"
    folder = builds_dir(index) / (name or demo_build.name)
    shutil.copytree(demo_build, folder)
    return index, folder


def _schema_8(folder: Path) -> None:
    info = json.loads((folder / INFO_FILE).read_text(encoding="utf-8"))
    (folder / INFO_FILE).write_text(json.dumps({**info, "schema_version": 8}), encoding="utf-8")


# (case, how the copy is spoiled, the message after "Error: {folder} ")
SPOILED = [
    ("copy in progress", None, "is a copy in progress: rename it without .tmp once the copy has finished, then adopt that"),
    ("manifest lost", lambda f: (f / "manifest.json").unlink(),
     "is not a finished build: manifest.json missing; copy the whole folder again"),
    ("another schema", _schema_8,
     "has schema version 8, this code reads 9: deploy the same code version on the primary and the replicas"),
    ("no table of contents", lambda f: next(f.glob("*.toc")).unlink(),
     "holds no Whoosh index (no table of contents); copy the whole folder again"),
]


@pytest.mark.parametrize("case, spoil, message", SPOILED, ids=[c[0] for c in SPOILED])
def test_adopt_refuses_a_spoiled_copy_in_one_line_and_switches_nothing(demo_build, tmp_path, case, spoil, message):
    index, folder = _replica_with(demo_build, tmp_path, demo_build.name + (".tmp" if spoil is None else ""))
    if spoil is not None:
        spoil(folder)
    done = _indexer("adopt", str(folder), "--index", str(index))
    assert (done.returncode, done.stdout, done.stderr) == (1, "", f"Error: {folder} {message}\n")
    assert not index.exists() and not index.is_symlink()


def test_adopt_wants_the_folder_in_the_index_builds_folder(demo_build, tmp_path):
    elsewhere = tmp_path / "elsewhere" / demo_build.name
    shutil.copytree(demo_build, elsewhere)
    index = tmp_path / "var" / "index"
    builds_dir(index).mkdir(parents=True)
    done = _indexer("adopt", str(elsewhere), "--index", str(index))
    assert (done.returncode, done.stderr) == (
        1, f"Error: {elsewhere} is not in {builds_dir(index)}: copy it there first (the index link points into "
           f"that folder)\n")
    missing = _indexer("adopt", "no-such-build", "--index", str(index))
    assert (missing.returncode, missing.stderr) == (1, f"Error: no build folder at {builds_dir(index) / 'no-such-build'}\n")


def test_adopt_by_name_switches_the_link_and_keeps_two_builds(demo_build, tmp_path):
    index = tmp_path / "var" / "index"
    for name in (demo_build.name, "later-1", "later-2", "later-3"):
        _replica_with(demo_build, tmp_path, name)  # copied with the primary's time: older than the live one
        out = _ok(_indexer("adopt", name, "--index", str(index)))
        assert out.startswith(f"adopted {name} at {index}: 113 entries (was "), out
        assert os.readlink(index) == f"index.builds/{name}"
    assert sorted(p.name for p in builds_dir(index).iterdir()) == ["later-2", "later-3"]


def test_adopt_has_help_with_an_example():
    done = _indexer("adopt", "-h")
    assert (done.returncode, "Example:" in done.stdout, "python -m indexer adopt NAME --index var/index" in done.stdout) \
        == (0, True, True), done.stdout


# --- /healthz as a load balancer reads it -------------------------------------------------------------

def test_healthz_without_an_index_is_a_json_503_with_the_reason(tmp_path):
    client = create_app({"INDEX_DIR": str(tmp_path / "index"), "TESTING": True}).test_client()
    resp = client.get("/healthz")
    assert (resp.status_code, resp.get_json()) == (503, {
        "status": "unavailable", "reason": f"no index at {tmp_path / 'index'}: run `python -m indexer build`",
        "index": None})


def test_healthz_of_another_schema_is_a_json_503_naming_the_build(demo_build, tmp_path):
    index, folder = _replica_with(demo_build, tmp_path)
    index.symlink_to(f"index.builds/{folder.name}")
    _schema_8(folder)
    resp = create_app({"INDEX_DIR": str(index), "TESTING": True}).test_client().get("/healthz")
    assert (resp.status_code, resp.get_json()) == (503, {
        "status": "unavailable", "index": folder.name,
        "reason": f"the index at {index} has schema version 8, this version reads 9: run `python -m indexer build`"})


def test_healthz_build_parameter_answers_200_only_for_the_live_build(demo_build):
    client = create_app({"INDEX_DIR": str(demo_build), "TESTING": True}).test_client()
    live = client.get(f"/healthz?build={demo_build.name}")
    other = client.get("/healthz?build=20200101T000000000000-1")
    assert (live.status_code, live.get_json()["status"], live.get_json()["index"]) == (200, "ok", demo_build.name)
    body = other.get_json()
    assert (other.status_code, body["status"], body["index"], body["entries"], body["reason"]) == (
        503, "unavailable", demo_build.name, 113, f"serving build {demo_build.name}, not 20200101T000000000000-1")

"""Builds that die or fail: ``kill -9`` at random points, a full disk, read-only folders, a second
build, a stale lock. Each time the live index still opens and answers, and the next build succeeds."""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import _binhduong_record, shared_path, write_tiny_corpus
from indexer.index.folders import live_dir
from indexer.index.lock import IndexLock

REPO = Path(__file__).resolve().parent.parent
KILL_SEED = 20  # the kill points are random, but the same on every run
QUERY = "kế hoạch"


def _cli(corpus: Path, index: Path, *, prefix: tuple[str, ...] = (), preexec=None, jobs: int | None = None,
         **popen) -> subprocess.Popen:
    # --fresh: every build writes the whole index (a rebuild of unchanged files would write nothing)
    cmd = [*prefix, sys.executable, "-m", "indexer", "build", "--fresh", "--corpus", str(corpus), "--index", str(index),
           *(["-j", str(jobs)] if jobs else [])]
    return subprocess.Popen(cmd, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=preexec, **popen)


def _run(corpus: Path, index: Path, **kw) -> tuple[int, str, str]:
    proc = _cli(corpus, index, **kw)
    out, err = proc.communicate(timeout=300)
    return proc.returncode, out, err


def _answers(index: Path) -> tuple[int, int]:
    """(entries in ``/healthz``, total for QUERY) from a freshly started app over ``index``."""
    from search_app import create_app

    client = create_app({"INDEX_DIR": str(index), "TESTING": True}).test_client()
    health, found = client.get("/healthz"), client.get("/api/search", query_string={"q": QUERY})
    assert (health.status_code, found.status_code) == (200, 200)
    return health.get_json()["entries"], found.get_json()["total"]


def _complete(index: Path) -> tuple[str, bool, bool]:
    """(live build folder, it holds every entry its build recorded, it finds QUERY): what must hold after a fault."""
    live = index.resolve()
    info = json.loads((live / "build_info.json").read_text(encoding="utf-8"))
    entries, total = _answers(index)
    return live.name, entries == info["entries"], total > 0


def _debris(index: Path) -> list[str]:
    """What a build leaves only when it did not finish: half-built folders, a lock, a half-made link."""
    builds = index.with_name(index.name + ".builds")
    found = sorted(p.name for p in builds.glob("*.tmp")) if builds.exists() else []
    found += [p.name for p in (index.with_name(index.name + ".lock"), index.with_name(index.name + ".switch"))
              if p.exists() or p.is_symlink()]
    return found


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The tiny corpus plus 800 real Bình Dương listing rows: a build of a few seconds to kill."""
    dest = write_tiny_corpus(tmp_path_factory.mktemp("faults") / "corpus")
    with gzip.open(shared_path("binhduong_van_ban_chi_dao_dieu_hanh/binhduong_van_ban.jsonl.gz"), "rt",
                   encoding="utf-8") as f:
        rows = [r for r in map(json.loads, f) if r["id"] >= 10][:800]
    with open(dest / "binhduong.jsonl", "w", encoding="utf-8") as f:
        f.writelines(json.dumps(_binhduong_record(r), ensure_ascii=False) + "\n" for r in rows)
    return dest


@pytest.fixture
def live(corpus, tmp_path) -> tuple[Path, tuple[int, int]]:
    """A fresh live index over ``corpus`` in ``tmp_path``, and what it answers."""
    index = tmp_path / "var" / "index"
    assert _run(corpus, index)[0] == 0
    return index, _answers(index)


# --- kill -9 ----------------------------------------------------------------------------------------

def _kill_at(corpus: Path, index: Path, when) -> str:
    """Start a cold build (no segment cache), ``kill -9`` it once ``when()`` is true; how it ended."""
    for cache in index.parent.glob(index.name + ".segcache*"):
        cache.unlink()
    proc = _cli(corpus, index, start_new_session=True)
    deadline = time.monotonic() + 120
    while proc.poll() is None and not when() and time.monotonic() < deadline:
        time.sleep(0.01)
    if proc.poll() is not None:
        proc.communicate()
        return f"finished ({proc.returncode})"
    os.killpg(proc.pid, signal.SIGKILL)  # the build and its segmenting workers, as `kill -9` on the group
    proc.communicate(timeout=60)
    return f"killed ({proc.returncode})"


def test_kill_9_at_random_points_never_breaks_the_live_index(corpus, live):
    index, _ = live
    started = time.monotonic()
    assert _kill_at(corpus, index, lambda: False) == "finished (0)"
    cold = time.monotonic() - started
    rng = random.Random(KILL_SEED)
    builds = index.with_name(index.name + ".builds")
    t0 = [0.0]  # when the current build started
    points = [(f"{f:.2f} of a build", lambda f=f: time.monotonic() - t0[0] > f * cold)
              for f in sorted(rng.uniform(0.1, 0.7) for _ in range(4))]  # later builds run warmer: stay early
    points.append(("as its folder appears", lambda: any(builds.glob("*.tmp"))))
    outcomes = {}
    for name, when in points:
        before = index.resolve().name
        t0[0] = time.monotonic()
        outcomes[name] = _kill_at(corpus, index, when)
        # the live index is the one before, or (killed after the switch) the new one, complete either way
        live, complete, finds = _complete(index)
        assert (name, live.endswith(".tmp"), complete, finds) == (name, False, True, True)
        outcomes[name] += " after the switch" if live != before else ""
    # most kills must land mid-build for the test to mean anything; the timing of one may not
    assert sum(o.startswith("killed (-9)") for o in outcomes.values()) >= 3, outcomes
    code, out, err = _run(corpus, index)
    assert (code, _debris(index), _complete(index)[1:]) == (0, [], (True, True)), err
    assert len(list(builds.iterdir())) == 2  # the live build and the one before it


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_a_build_killed_while_reading_leaves_no_process_behind(corpus, tmp_path):
    # -j 2 forks its segmenting pool and its two writer processes before it reads: kill -9 of the
    # build alone (not its group) must take them along
    for cache in tmp_path.glob("*.segcache*"):
        cache.unlink()
    proc = _cli(corpus, tmp_path / "index", jobs=2)
    deadline = time.monotonic() + 60
    while len(_children(proc.pid)) < 4 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    children = _children(proc.pid)
    assert len(children) >= 4, (children, proc.poll())  # 2 segmenting, 2 writers (and a queue feeder or two)
    proc.kill()
    proc.communicate(timeout=60)
    deadline = time.monotonic() + 10
    while any(map(_alive, children)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [c for c in children if _alive(c)] == []
    assert live_dir(tmp_path / "index") is None


ORPHAN = r"""
import os, sys, time
from indexer.index.segcache import die_with_parent
parent = os.getpid()
child = os.fork()
if child == 0:
    time.sleep(0.5)  # forked, and the parent is gone before the worker asks to die with it
    die_with_parent(parent)
    time.sleep(30)  # an orphan would linger here
    os._exit(0)
print(child, flush=True)
os._exit(0)
"""


def test_a_worker_whose_parent_died_before_it_asked_to_die_with_it_ends_too():
    # kill -9 between a worker's fork and its die_with_parent() (the window the test above can hit):
    # the death it asks to hear of has already happened, so it ends by itself
    proc = subprocess.run([sys.executable, "-c", ORPHAN], capture_output=True, text=True, cwd=REPO, timeout=20,
                          env=os.environ | {"PYTHONPATH": str(REPO)})
    child = int(proc.stdout)
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)


# Random points mostly land while documents are added (most of a build); the short last steps are hit on
# purpose: the build runs in a child with one step wrapped to SIGKILL the child (bench/faults.py does all ten).
KILL_AT_STEP = r"""
import os, signal, sys
from pathlib import Path
import indexer.index.build as b

step, corpus, index = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
die = lambda: os.kill(os.getpid(), signal.SIGKILL)
real = {"replace": os.replace, "verify": b._verify_count, "switch": b._switch}

def replace(src, dst, *a, **k):
    if Path(dst) == index and step == "symlink made, not yet switched":
        die()
    real["replace"](src, dst, *a, **k)
    if Path(dst) == index and step == "switched, old builds not yet pruned":
        die()

os.replace = replace
if step == "committed, not verified":
    b._verify_count = lambda *a: die()
if step == "renamed, not switched":
    b._switch = lambda *a: die()
b.build([corpus], index, jobs=1)
"""


@pytest.mark.parametrize("step, switched, debris", [
    ("committed, not verified", False, [".tmp", "index.lock"]),
    ("renamed, not switched", False, ["index.lock"]),
    ("symlink made, not yet switched", False, ["index.lock", "index.switch"]),
    ("switched, old builds not yet pruned", True, ["index.lock"]),
])
def test_kill_9_at_the_last_steps_of_a_build(tiny_corpus, tmp_path, step, switched, debris):
    index = tmp_path / "var" / "index"
    assert _run(tiny_corpus, index)[0] == 0
    before = index.resolve().name
    done = subprocess.run([sys.executable, "-c", KILL_AT_STEP, step, str(tiny_corpus), str(index)], cwd=REPO,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=300)
    live, complete, finds = _complete(index)
    assert (done.returncode, live != before, complete, finds) == (-9, switched, True, True), done.stderr[-2000:]
    assert [".tmp" if d.endswith(".tmp") else d for d in _debris(index)] == debris
    assert (_run(tiny_corpus, index)[0], _debris(index), _complete(index)[1:]) == (0, [], (True, True))


# --- locks ------------------------------------------------------------------------------------------

def test_a_second_build_is_refused_while_one_runs(tiny_corpus, tmp_path):
    index = tmp_path / "index"
    lock = tmp_path / "index.lock"
    with IndexLock(index):  # this test process is "the build in progress"
        code, _, err = _run(tiny_corpus, index)
    assert (code, err.splitlines()[-1]) == (
        1, f"Error: index is being rebuilt by PID {os.getpid()} (lock file {lock}); "
           "wait for it to finish, or stop that process")
    assert (lock.exists(), index.exists()) == (False, False)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait(timeout=30)
    return proc.pid


@pytest.mark.parametrize("content", [
    lambda: json.dumps({"pid": _dead_pid(), "since": time.time() - 3600}),  # its build was killed
    lambda: "",                                                             # killed while writing the lock
    lambda: "{not json",
])
def test_a_stale_lock_is_cleared_and_the_build_goes_on(tiny_corpus, tmp_path, content):
    index = tmp_path / "index"
    lock = tmp_path / "index.lock"
    lock.write_text(content())
    code, out, err = _run(tiny_corpus, index)
    assert (code, "clearing stale lock" in err, lock.exists(), _debris(index)) == (0, True, False, [])
    assert out.startswith(f"built {index}: ")


# --- read-only folders ------------------------------------------------------------------------------

def _unprivileged() -> tuple[str, ...]:
    """A command prefix under which permission bits apply: root ignores them unless its capabilities go."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: a read-only folder would not stop the build")
    return (setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", "--")


@pytest.mark.parametrize("folder", ["var", "var/index.builds"])
def test_a_read_only_folder_gives_a_clear_error_and_keeps_the_old_index(corpus, live, folder):
    index, answers = live
    target = index.parent.parent / folder
    before = os.readlink(index)
    target.chmod(0o555)
    try:
        code, _, err = _run(corpus, index, prefix=_unprivileged())
    finally:
        target.chmod(0o755)
    where = index.with_name("index.lock") if folder == "var" else index.with_name("index.builds")
    assert (code, "Traceback" in err, os.readlink(index)) == (1, False, before)
    assert re.search(rf"^Error: .*Permission denied: '{re.escape(str(where))}", err, re.MULTILINE), err
    assert (_answers(index), _debris(index)) == (answers, [])  # usable, and the lock was released


# --- a full disk ------------------------------------------------------------------------------------

def _file_size_limit(limit: int):
    """For the child: files may not grow past ``limit`` bytes; writes then fail with EFBIG, like a full disk."""
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # else the kernel kills the process instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_full_disk_while_writing_the_index_keeps_the_old_one(corpus, live):
    index, answers = live  # the segment cache is complete: the index files are what grows
    before = os.readlink(index)
    code, _, err = _run(corpus, index, preexec=_file_size_limit(64 * 1024))
    last = err.splitlines()[-1]
    assert (code, "Traceback" in err, os.readlink(index), _answers(index)) == (1, False, before, answers)
    assert re.fullmatch(r"Error: a file grew past the file size limit while writing .*\.tmp: the partial index "
                        r"\([0-9.]+ MB\) was removed and the live index is unchanged; free space or fix "
                        r"permissions, then run the command again", last), last
    assert _debris(index) == []  # the half-built folder is removed (it kept the disk full), the lock released
    assert (_run(corpus, index)[0], _debris(index), _complete(index)[1:]) == (0, [], (True, True))


def test_a_full_disk_while_writing_the_segment_cache_gives_a_clear_error(corpus, live):
    index, answers = live
    for cache in index.parent.glob(index.name + ".segcache*"):
        cache.unlink()
    code, _, err = _run(corpus, index, preexec=_file_size_limit(4096))
    assert (code, "Traceback" in err, err.splitlines()[-1].startswith("Error: "), _answers(index)) == (
        1, False, True, answers)

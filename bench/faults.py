"""Faults during builds: ``kill -9`` at 20 random points, a full disk, read-only folders (issue #8).

kill -9: a server with 2 clients keeps answering from the index while ``python -m indexer build``
is started and killed (the process group, so its segmenting workers too) at a random moment
(fixed seed), alternately cold (segment cache removed) and warm. After each kill the live index
must open in a fresh ``SearchService``, hold every entry its ``build_info.json`` records, and find a
common word; the next build must succeed and leave no debris (``*.tmp``, lock, half-made link).

Full disk: a small tmpfs (root only) filled to ~100 KB free, with the index and its segment cache on
it; also ``RLIMIT_FSIZE`` in the child (any user). Read-only: the index's parent folder, its builds
folder, and an unreadable corpus file (permission bits apply to root only without CAP_DAC_OVERRIDE,
so the child runs under ``setpriv`` when we are root).

    python bench/faults.py [--kills 20] [--articles 1000] [--seed 8]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the repo, not bench/: keep stdlib names unshadowed

from bench.common import PHAPDIEN, PYTHON, RESULTS, ROOT, VAR, phapdien_corpus, write_result  # noqa: E402
from bench.load import Load, start_server, summary  # noqa: E402

WORK = VAR / "faults"
QUERY = "quy định"
UNPRIVILEGED = ("setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--")


def build_cmd(corpus: Path, index: Path, jobs: int = 2) -> list[str]:
    return [PYTHON, "-m", "indexer", "build", "--fresh", "--corpus", str(corpus), "--index", str(index), "-j", str(jobs)]


def run_build(corpus: Path, index: Path, prefix: tuple[str, ...] = (), preexec=None) -> dict:
    started = time.monotonic()
    done = subprocess.run([*prefix, *build_cmd(corpus, index)], cwd=ROOT, capture_output=True, text=True,
                          preexec_fn=preexec, timeout=1800)
    lines = done.stderr.strip().splitlines()
    return {"returncode": done.returncode, "seconds": round(time.monotonic() - started, 1),
            "last_line": lines[-1] if lines else "", "traceback": "Traceback" in done.stderr}


def debris(index: Path) -> list[str]:
    builds = index.with_name(index.name + ".builds")
    found = sorted(p.name for p in builds.glob("*.tmp")) if builds.exists() else []
    return found + [p.name for p in (index.with_name(index.name + ".lock"), index.with_name(index.name + ".switch"))
                    if p.exists() or p.is_symlink()]


def check_live(index: Path) -> dict:
    """Open the live index afresh: complete (entries = its build_info), answering, which build."""
    from search_app.params import parse_params
    from search_app.search import SearchService

    live = index.resolve()
    try:
        info = json.loads((live / "build_info.json").read_text(encoding="utf-8"))
        svc = SearchService(index)
        entries = svc.doc_count()
        total = svc.search(parse_params({"q": QUERY})).total
    except Exception as err:  # noqa: BLE001 - a fault bench records every way the index can fail to open
        return {"ok": False, "live": live.name, "error": repr(err)}
    return {"ok": entries == info["entries"] and total > 0, "live": live.name, "entries": entries,
            "recorded_entries": info["entries"], "hits": total}


def remove_cache(index: Path) -> None:
    for cache in index.parent.glob(index.name + ".segcache*"):
        cache.unlink()


# --- kill -9 -------------------------------------------------------------------------------------

def phase(index: Path, before: str) -> str:
    """Where the killed build was, judged from what it left behind."""
    live = index.resolve()
    if live.name != before:
        return "after the switch"
    builds = index.with_name(index.name + ".builds")
    tmp = list(builds.glob("*.tmp"))
    if tmp:
        names = {p.name for p in tmp[0].iterdir()}
        if "build_info.json" in names:
            return "writing sidecars"
        if any(n.startswith("_MAIN_") and n.endswith(".toc") and n != "_MAIN_0.toc" for n in names):
            return "committed, verifying"
        if any(n.endswith(".col") or n.endswith(".seg") for n in names):  # columns and the compound file
            return "committing"
        if any(n.endswith(".pst") for n in names):  # the writer's postings file is open from the start
            return "segmenting and adding documents"
        return "index folder created"
    newer = [p for p in builds.iterdir() if p.is_dir() and p.stat().st_mtime > live.stat().st_mtime]
    if newer:
        return "renamed, before the switch"
    if index.with_name(index.name + ".lock").exists():
        return "reading the corpus"
    return "starting (no lock yet)"


def kill_once(corpus: Path, index: Path, delay: float, cold: bool) -> dict:
    if cold:
        remove_cache(index)
    before = index.resolve().name
    proc = subprocess.Popen(build_cmd(corpus, index), cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        proc.wait(timeout=delay)
        outcome = f"finished ({proc.returncode}) before the kill"
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        outcome = f"killed ({proc.returncode})"
    where = phase(index, before)
    return {"delay_s": round(delay, 2), "cold": cold, "outcome": outcome, "phase": where,
            "debris": debris(index), **check_live(index)}


def kills(corpus: Path, index: Path, n: int, seed: int) -> dict:
    first = run_build(corpus, index)
    if first["returncode"]:
        sys.exit(f"first build failed: {first['last_line']}")
    rng = random.Random(seed)
    server = start_server(index, 4, VAR / "logs" / "faults-server.log")
    points = []
    try:
        with Load(server.port, ["/api/search?q=quy+%C4%91%E1%BB%8Bnh", "/healthz", "/?q=lu%E1%BA%ADt"], 2) as load:
            started = time.monotonic()
            # build times under the same load as the kills, so that the random points span whole builds
            remove_cache(index)
            cold_s = run_build(corpus, index)["seconds"]
            warm_s = run_build(corpus, index)["seconds"]
            for i in range(n):
                cold = i % 2 == 0
                delay = rng.uniform(0.02, 0.9) * (cold_s if cold else warm_s)
                points.append(kill_once(corpus, index, delay, cold))
                print(f"kill {i + 1:2d}: {points[-1]['delay_s']:5.2f} s {'cold' if cold else 'warm'}, "
                      f"{points[-1]['outcome']}, {points[-1]['phase']}: live ok={points[-1]['ok']}", flush=True)
            final = run_build(corpus, index)
            final |= {"debris_after": debris(index), **check_live(index)}
            served = summary(load.window(started, time.monotonic()), time.monotonic() - started)
    finally:
        server.stop()
    return {"corpus": str(corpus.relative_to(ROOT)), "seed": seed, "cold_build_s": cold_s, "warm_build_s": warm_s,
            "points": points, "killed": sum(p["outcome"].startswith("killed") for p in points),
            "live_ok_after_every_kill": all(p["ok"] for p in points),
            "phases": sorted({p["phase"] for p in points}), "next_build": final,
            "served_meanwhile": served, "served_errors": load.errors[:5]}


# Random points mostly land while documents are segmented and added (most of a build). The short steps
# after it are each hit on purpose: a child runs the build with a step wrapped to SIGKILL itself.
KILL_AT_STEP = r"""
import os, signal, sys
from pathlib import Path
import indexer.index.build as b

step, corpus, index = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
die = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)

def wrap(name, when):
    real = getattr(b, name)
    def wrapped(*a, **k):
        if when == "before":
            die()
        out = real(*a, **k)
        die()
        return out
    setattr(b, name, wrapped)

real_replace = os.replace
def replace(src, dst, *a, **k):
    if Path(dst) == index and step == "symlink made, not yet switched":
        die()
    real_replace(src, dst, *a, **k)
    if Path(dst) == index and step == "switched, old builds not yet pruned":
        die()
os.replace = replace
WRAPS = {"corpus read": ("_read_entries", "after"), "index folder created": ("write_entries", "before"),
         "documents added, not committed": ("write_entries", "after"), "committed": ("_verify_count", "before"),
         "verified": ("_write_sidecars", "before"), "sidecars written": ("_write_sidecars", "after"),
         "renamed, before the switch": ("_switch", "before"), "switched, lock held": ("_switch", "after")}
if step in WRAPS:
    wrap(*WRAPS[step])
b.build([corpus], index, jobs=1)
"""
STEPS = ("corpus read", "index folder created", "documents added, not committed", "committed", "verified",
         "sidecars written", "renamed, before the switch", "symlink made, not yet switched",
         "switched, old builds not yet pruned", "switched, lock held")


def step_kills(corpus: Path, index: Path) -> list[dict]:
    out = []
    for step in STEPS:
        before = index.resolve().name
        done = subprocess.run([PYTHON, "-c", KILL_AT_STEP, step, str(corpus), str(index)], cwd=ROOT,
                              capture_output=True, text=True, timeout=600)
        live = check_live(index)
        out.append({"step": step, "returncode": done.returncode, "debris": debris(index),
                    "switched": live["live"] != before, **live})
        print(f"kill at '{step}': exit {done.returncode}, debris {out[-1]['debris']}, switched {out[-1]['switched']}, "
              f"live ok={live['ok']}", flush=True)
    final = run_build(corpus, index)
    out.append({"step": "next build", **final, "debris": debris(index), **check_live(index)})
    return out


# --- full disk -------------------------------------------------------------------------------------

def _fsize(limit: int):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def fault_case(name: str, corpus: Path, index: Path, prepare, undo, prefix=(), preexec=None) -> dict:
    """A good live index, then ``prepare()``, a build that must fail clearly, ``undo()``, a build that succeeds."""
    before = check_live(index)
    prepare()
    try:
        failed = run_build(corpus, index, prefix, preexec)
        after = check_live(index)
        left = debris(index)
    finally:
        undo()
    again = run_build(corpus, index)
    case = {"case": name, "failed_build": failed, "live_kept": after["ok"] and after["live"] == before["live"],
            "debris_after_failure": left, "next_build_ok": again["returncode"] == 0,
            "debris_after_next": debris(index)}
    print(f"{name}: exit {failed['returncode']}, {failed['last_line']!r}; live kept {case['live_kept']}; "
          f"next build ok {case['next_build_ok']}", flush=True)
    return case


def tmpfs_cases(corpus: Path) -> list[dict]:
    """A real ENOSPC: index, builds and segment cache on a 64 MB tmpfs filled to ~100 KB free."""
    mount = WORK / "tmpfs"
    mount.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)],
                                           capture_output=True).returncode:
        return [{"case": "tmpfs", "skipped": "cannot mount a tmpfs (needs root)"}]
    try:
        index = mount / "index"
        run_build(corpus, index)
        filler = mount / "filler"

        def fill():
            free = os.statvfs(mount).f_bavail * os.statvfs(mount).f_frsize
            with open(filler, "wb") as f:
                f.truncate(0)
                chunk = b"\0" * (1 << 20)
                left = max(0, free - 100_000)
                while left > 0:
                    f.write(chunk[:min(left, len(chunk))])
                    left -= len(chunk)

        def unfill():
            filler.unlink(missing_ok=True)

        out = [fault_case("disk full (tmpfs), segment cache warm", corpus, index, fill, unfill)]
        out.append(fault_case("disk full (tmpfs), segment cache cold", corpus, index,
                              lambda: (remove_cache(index), fill()), unfill))
        return out
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def fsize_cases(corpus: Path, index: Path) -> list[dict]:
    nothing = lambda: None  # noqa: E731
    return [fault_case("RLIMIT_FSIZE 64 KB, segment cache warm", corpus, index, nothing, nothing,
                       preexec=_fsize(64 * 1024)),
            fault_case("RLIMIT_FSIZE 4 KB, segment cache cold", corpus, index, lambda: remove_cache(index), nothing,
                       preexec=_fsize(4096))]


# --- permissions -----------------------------------------------------------------------------------

def permission_cases(corpus: Path, index: Path) -> list[dict]:
    prefix = UNPRIVILEGED if os.geteuid() == 0 and shutil.which("setpriv") else ()
    if os.geteuid() == 0 and not prefix:
        return [{"case": "permissions", "skipped": "root without setpriv: permission bits do not apply"}]
    out = []
    for name, target in (("read-only index parent folder", index.parent),
                         ("read-only builds folder", index.with_name(index.name + ".builds"))):
        out.append(fault_case(name, corpus, index, lambda t=target: t.chmod(0o555),
                              lambda t=target: t.chmod(0o755), prefix=prefix))
    # an unreadable corpus file is reported and skipped; the build goes on with the rest
    victim = next(p for p in sorted(corpus.rglob("*.html")) if p.is_file())
    victim.chmod(0o000)
    try:
        run = subprocess.run([*prefix, *build_cmd(corpus, index)], cwd=ROOT, capture_output=True, text=True)
    finally:
        victim.chmod(0o644)
    reported = [line for line in run.stderr.splitlines() if str(victim) in line and "cannot read file" in line]
    out.append({"case": "unreadable corpus file", "build_returncode": run.returncode,
                "reported": reported[:1], "live_ok": check_live(index)["ok"]})
    print(f"unreadable corpus file: exit {run.returncode}, reported {bool(reported)}", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--articles", type=int, default=1000, help="phapdien articles in the corpus built and killed")
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--out", default=str(RESULTS / "faults.json"))
    args = ap.parse_args()
    corpus = phapdien_corpus(VAR / f"corpus-{args.articles}", args.articles) if PHAPDIEN.exists() else ROOT / "corpus"
    shutil.rmtree(WORK / "kill", ignore_errors=True)
    kill = kills(corpus, WORK / "kill" / "var" / "index", args.kills, args.seed)
    steps = step_kills(corpus, WORK / "kill" / "var" / "index")
    small = ROOT / "corpus"  # the disk and permission cases need only a quick build
    index = WORK / "small" / "var" / "index"
    shutil.rmtree(index.parent, ignore_errors=True)
    run_build(small, index)
    disk = tmpfs_cases(small) + fsize_cases(small, index)
    work_copy = WORK / "small" / "corpus"  # a copy, so that chmod never touches the repository's corpus
    shutil.rmtree(work_copy, ignore_errors=True)
    shutil.copytree(small, work_copy)
    perms = permission_cases(work_copy, index)
    write_result(Path(args.out), {"kill9": kill, "kill9_at_each_step": steps, "disk_full": disk, "permissions": perms})


if __name__ == "__main__":
    main()

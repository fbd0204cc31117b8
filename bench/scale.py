"""The scale curve: build time and memory, query p50/p95, service memory at 62k, 250k, 500k, 1M entries (issue 18).

The 62k point is the bench index of ``build.py``/``query.py`` (``var/bench/index``, the phapdien
articles; its build figures come from ``results/build.json``). The larger corpora are assembled from
real records of ``../shared/data`` under ``var/bench/corpus-<size>`` (1,000 records a file):

- a pool of ~98k real records: the phapdien articles (as every bench has them), the articles of the
  vbpl.vn laws (``vbpl_review_scraped``), the congbao.chinhphu.vn document pages and MoJ news pages
  (``congbao_phapdien_webtext``) and the Bình Dương listing (``binhduong_van_ban_chi_dao_dieu_hanh``).
  The 414 gazette full texts of ``congbao_8chude_fulltext`` (70k characters each) are left out, so an
  entry averages ~1.4k characters, near the 62k point's 1.3k: the curve measures the count of entries;
- round 0 is the pool as it is; round r ≥ 1 is the pool in a seeded order, every record with the
  id ``<id>~r``, its dates moved ``r × 113`` days earlier and the first number of its document
  number raised by ``1000 × r`` (``57/2020/QH14`` → ``1057/2020/QH14``), so number lookups stay
  unique-ish; titles and text are untouched. Rounds follow each other until the size is reached.

Builds and queries run the code of the commit checked out (``git archive HEAD`` into
``var/bench/scale-src-<commit>``), not the working tree, which others edit while a build runs for
an hour. Each size is built once, cold (no segmentation cache), with the real CLI
(``nice -n 10 python -m indexer build --fresh -j 2``), timed, with the PSS of its process tree
sampled (``bench.common.tree_memory_mb``); the figures are kept in
``var/bench/scale-<size>.build.json`` and a rerun reuses corpus, index and figures (``--rebuild``
builds again, from the same corpus). Queries: the 200 speed queries of ``query.py`` (``results/speed_queries.json``, drawn
from the phapdien articles, which round 0 of every corpus holds unchanged), each index in its own
child process: the start-up warm-up to its end (``open_seconds``), a first pass (each term not scored
by the warm-up read from the index), then ``--rounds`` warm passes
(best per query), the process's VmHWM after the queries; ``--repeat`` such processes per size, the
sizes in turn (order reversed each time), the one with the lowest warm p95 kept; then the log-log
slope of p50 and p95 over the entries.

    nice -n 10 python bench/scale.py --sizes 250k --build-only      # hours on a shared 2-core machine
    python bench/scale.py --measure-only [--profile] [--rounds 3] [--repeat 2]
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the repo, not bench/: keep stdlib names unshadowed

from bench.common import (DATA, PHAPDIEN, PYTHON, RESULTS, ROOT, SEED, VAR, _source_stamp, dir_size_mb, hwm_mb,  # noqa: E402
                          load_queries, phapdien_records, require, stamped_corpus, tree_memory_mb, without_machine_paths,
                          write_result)

SIZES = {"62k": None, "250k": 250_000, "500k": 500_000, "1m": 1_000_000}  # None: the existing bench index
PER_FILE = 1000
TARGET_P95_RATIO = 3.0  # p95 at 1M ≤ 3 × p95 at 62k
TARGET_BUILD_MB = 2048
WARM_UP_FULL = 900.0  # seconds the measured service may take to score its common terms before the first pass
ENTRIES_1M = 1_006_215  # entries of the 1M corpus (its build counted them: records plus cited-only numbers)
DAYS_PER_ROUND = 113
NUMBER_STEP = 1000
GENERATOR = 1  # bump when the assembly changes: the stamp then rewrites the corpora
SOURCES = {
    "vbpl": DATA / "vbpl_review_scraped" / "vbpl_review_scraped.jsonl.gz",
    "congbao": DATA / "congbao_phapdien_webtext" / "congbao_phapdien_webtext.jsonl.gz",
    "binhduong": DATA / "binhduong_van_ban_chi_dao_dieu_hanh" / "binhduong_van_ban.jsonl.gz",
}
WEB_PAGE_KINDS = {"congbao_van-ban": "document", "phapdien_news": "article"}  # gazette document pages, MoJ news
MIN_AVAILABLE_MB = 3000  # a build is stopped before it leaves the shared machine less than this


def _rows(path: Path):
    with gzip.open(require(path), "rt", encoding="utf-8") as f:
        yield from map(json.loads, f)


def vbpl_records():
    """Each article of the vbpl.vn laws as a record, titled like a phapdien article (``Điều 3. Heading``)."""
    for doc in _rows(SOURCES["vbpl"]):
        for chapter in doc.get("chapters") or []:
            for art in chapter.get("articles") or []:
                if not (art.get("body") or art.get("heading")):
                    continue
                yield {"id": f"vbpl:{doc['id']}:{art['id']}", "kind": "document",
                       "title": f"{art.get('number') or ''}. {art.get('heading') or ''}".strip(". "),
                       "body": art.get("body") or "", "doc_number": doc["id"], "url": doc.get("sourceUrl") or "",
                       "source": "vbpl.vn"}


def congbao_records():
    """The congbao.chinhphu.vn document pages and the MoJ news pages as they were crawled (menus included)."""
    for row in _rows(SOURCES["congbao"]):
        kind = WEB_PAGE_KINDS.get(row["page_kind"])
        if kind is None:
            continue
        title = row.get("derived_title") or " ".join(row["text"][:200].split()[:20])
        yield {"id": f"congbao:{row['doc_id']}", "kind": kind, "title": title, "body": row["text"],
               "date": row.get("derived_ngay_ban_hanh") or "", "effective_date": row.get("derived_ngay_hieu_luc") or "",
               "doc_number": row.get("derived_so_hieu") or "", "doc_type": row.get("derived_loai_van_ban") or "",
               "url": row["url"], "source": "congbao.chinhphu.vn" if kind == "document" else "phapdien.moj.gov.vn"}


def binhduong_records():
    """The Bình Dương listing rows (number, date, trích yếu; no text), as ``tests/conftest.py`` reads them."""
    for row in _rows(SOURCES["binhduong"]):
        yield {"id": f"binhduong:{row['id']}", "kind": "document", "title": row["trich_yeu"],
               "date": row["ngay_ban_hanh"], "doc_number": row["so_ky_hieu"],
               "doc_type": row.get("derived_loai_van_ban") or "", "agency": row.get("derived_co_quan_ban_hanh") or "",
               "status": row.get("hieu_luc") or "", "url": row.get("pdf_url") or "", "source": "binhduong.gov.vn"}


def pool() -> list[dict]:
    """Every real record the corpora are assembled from, in source order."""
    return [*phapdien_records(), *vbpl_records(), *congbao_records(), *binhduong_records()]


_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$|^(\d{1,2})/(\d{1,2})/(\d{4})$")
_FIRST_NUMBER = re.compile(r"\d+")


def shift_date(text: str, days: int) -> str:
    """``2020-06-16`` or ``16/06/2020`` moved ``days`` earlier, in the same form; anything else unchanged."""
    m = _DATE.match(text.strip())
    if not m:
        return text
    try:
        if m.group(1):
            return (date(*map(int, m.group(1, 2, 3))) - timedelta(days=days)).isoformat()
        moved = date(int(m.group(6)), int(m.group(5)), int(m.group(4))) - timedelta(days=days)
    except ValueError:
        return text
    return moved.strftime("%d/%m/%Y")


def variant(record: dict, round_no: int) -> dict:
    """Copy ``round_no`` of a real record: its own id, dates and document number; the same text."""
    if round_no == 0:
        return record
    out = dict(record, id=f"{record['id']}~{round_no}")
    for name in ("date", "effective_date"):
        if out.get(name):
            out[name] = shift_date(out[name], DAYS_PER_ROUND * round_no)
    if out.get("doc_number"):
        out["doc_number"] = _FIRST_NUMBER.sub(lambda m: str(int(m.group()) + NUMBER_STEP * round_no),
                                              out["doc_number"], count=1)
    return out


def assembled(size: int):
    """The first ``size`` records of round 0, 1, 2 … (see the module's docstring)."""
    base = pool()
    n = 0
    for round_no in range(math.ceil(size / len(base))):
        order = list(range(len(base)))
        if round_no:
            random.Random(SEED + round_no).shuffle(order)
        for i in order:
            if n == size:
                return
            yield variant(base[i], round_no)
            n += 1


def corpus_for(name: str) -> Path:
    """``var/bench/corpus-<name>``, written unless its stamp says it is there already (the stamp holds
    the generator's version and the sources' sizes and times: a change to either writes it again)."""
    size = SIZES[name]
    dest = VAR / f"corpus-{name}"
    stamp = {"size": size, "generator": GENERATOR, "seed": SEED,
             "sources": [_source_stamp(PHAPDIEN)] + [_source_stamp(p) for p in SOURCES.values()]}
    started = time.perf_counter()
    stamped_corpus(dest, stamp, lambda: assembled(size), per_file=PER_FILE)
    print(f"corpus {name}: {dest.relative_to(ROOT)} ({time.perf_counter() - started:.0f} s)", flush=True)
    return dest


# --- building ---------------------------------------------------------------------------------------

def index_for(name: str) -> Path:
    return VAR / ("index" if SIZES[name] is None else f"index-{name}")


def measured_copy(name: str) -> Path:
    """The index a size is measured on. The 62k bench index belongs to other benches: it is measured
    through a copy of its live folder made of hard links (its files are never written), so the
    posting arrays the code under test derives (``prepare``) go into the copy, not into it."""
    index = index_for(name)
    if SIZES[name] is not None:
        return index
    live, copy = index.resolve(), VAR / "scale-62k-index"
    stamp = copy / "copied_from.txt"
    if not (stamp.exists() and stamp.read_text(encoding="utf-8") == live.name):
        if copy.exists():
            shutil.rmtree(copy)
        shutil.copytree(live, copy, copy_function=os.link)
        stamp.write_text(live.name, encoding="utf-8")
    return copy


def prepare(index: Path, code: Path) -> int:
    """Write the derived files the search code of ``code`` reads beside each segment when the index
    lacks them (``indexer.index.postarrays``, when that commit has it): an index built by an older
    commit is then served as a new build would be. Returns how many were written."""
    if not (code / "indexer" / "index" / "postarrays.py").exists():
        return 0
    script = "import sys; from pathlib import Path; from indexer.index.postarrays import write_missing; " \
             "print(write_missing(Path(sys.argv[1])))"
    proc = subprocess.run([PYTHON, "-c", script, str(index.resolve())], cwd=code, capture_output=True, text=True,
                          env=os.environ | {"PYTHONPATH": str(code)}, check=True)
    return int(proc.stdout.strip().splitlines()[-1])


def code_at_head() -> tuple[Path, str]:
    """A clean copy of the checked-out commit's files under ``var/bench/`` (made once per commit), and the commit."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.strip()
    dest = VAR / f"scale-src-{commit}"
    if not dest.is_dir():
        tmp = dest.with_name(dest.name + ".tmp")
        tmp.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive, check=True)
        tmp.rename(dest)
    return dest, commit


def _available_mb() -> float:
    with open("/proc/meminfo", encoding="ascii") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("MemAvailable")) / 1024


def measured_build(corpus: Path, index: Path, code: Path, log: Path, every: float = 2.0) -> dict:
    """``nice -n 10 python -m indexer build -j 2`` to the end: wall and CPU seconds, a timeline of its
    process tree's PSS, when it first passed 2 GB; stopped (and said so) if the machine runs short."""
    cmd = ["nice", "-n", "10", PYTHON, "-m", "indexer", "build", "--corpus", str(corpus), "--index", str(index),
           "-j", "2", "--fresh"]
    for cache in index.parent.glob(index.name + ".segcache*"):  # cold: pyvi runs for every distinct text
        cache.unlink()
    before = os.times()
    started = time.perf_counter()
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(cmd, cwd=code, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                env=os.environ | {"PYTHONPATH": str(code)})
        timeline, peak, single, over, stopped = [], 0.0, 0.0, None, ""
        while proc.poll() is None:
            now, hwm = tree_memory_mb(proc.pid)
            t = round(time.perf_counter() - started, 1)
            peak, single = max(peak, now), max(single, hwm)
            if over is None and now > TARGET_BUILD_MB:
                over = t
            if not timeline or t - timeline[-1][0] >= 30:
                timeline.append((t, round(now)))
            if _available_mb() < MIN_AVAILABLE_MB and not stopped:
                stopped = f"stopped at {t} s: {_available_mb():.0f} MB left on the machine, tree at {now:.0f} MB"
                os.killpg(proc.pid, signal.SIGTERM)
            time.sleep(every)
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
    return {"seconds": round(time.perf_counter() - started, 1), "cpu_seconds": round(cpu, 1),
            "returncode": proc.returncode, "peak_tree_mb": round(peak, 1), "peak_process_mb": round(single, 1),
            "first_over_2gb_at_s": over, "stopped": stopped, "timeline_s_mb": timeline, "output_tail": tail,
            "loadavg_1min_end": round(os.getloadavg()[0], 2)}


def build_figures(name: str, rebuild: bool) -> dict | None:
    """Build figures of one size: the kept ones, or a new measured build (``None`` for the 62k point)."""
    if SIZES[name] is None:
        return None
    from indexer.index.build import is_stale

    corpus, index = corpus_for(name), index_for(name)
    kept = VAR / f"scale-{name}.build.json"
    if not rebuild and kept.exists() and not is_stale([corpus], index):
        return json.loads(kept.read_text(encoding="utf-8"))
    print(f"building {index.relative_to(ROOT)} from {corpus.relative_to(ROOT)} …", flush=True)
    load, (code, commit) = round(os.getloadavg()[0], 2), code_at_head()
    run = measured_build(corpus, index, code, VAR / "logs" / f"scale-{name}.log") | {
        "loadavg_1min_start": load, "commit": commit}
    if run["returncode"] == 0:
        run |= {"index_mb": dir_size_mb(index), "build_info": _build_info(index)}
    if kept.exists():  # an earlier build of this size (another commit, or stopped) stays on record
        earlier = json.loads(kept.read_text(encoding="utf-8"))
        kept.rename(kept.with_name(f"scale-{name}-{earlier.get('commit', 'unknown')}.build.json"))
    kept.write_text(json.dumps(run, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"  {name}: {run['seconds']} s ({run['cpu_seconds']} s CPU), peak {run['peak_tree_mb']} MB, "
          f"exit {run['returncode']} {run['stopped']}", flush=True)
    return run


def _build_info(index: Path) -> dict:
    info = json.loads((index.resolve() / "build_info.json").read_text(encoding="utf-8"))
    return {k: info.get(k) for k in ("entries", "articles", "documents", "cited", "files_used", "records_skipped",
                                     "segment_cache_hits", "segment_cache_misses", "seconds")}


def _summary(build: dict) -> dict:
    """A kept build's figures without its timeline and output."""
    return {k: v for k, v in build.items() if k not in ("timeline_s_mb", "output_tail")}


def build_62k() -> dict:
    """The 62k point's build figures: the newer cold build of ``results/build.json`` (all build steps)
    and ``results/build-cold.json`` (``build.py --cold-only``)."""
    runs = [(json.loads((RESULTS / name).read_text(encoding="utf-8")), name)
            for name in ("build.json", "build-cold.json") if (RESULTS / name).exists()]
    r, name = max(runs, key=lambda run: run[0]["date"])
    cold = r["cold_build"]
    return {"seconds": cold["seconds"], "cpu_seconds": cold["cpu_seconds"], "peak_tree_mb": cold["peak_tree_mb"],
            "peak_process_mb": cold["peak_process_mb"], "index_mb": r["index_mb"], "from": f"results/{name}",
            "commit": r["commit"], "date": r["date"][:10]}


# --- queries ----------------------------------------------------------------------------------------

def warm_profile(ask, queries: list[dict], top: int = 15) -> dict:
    """One more warm pass under cProfile (after the timed ones): where a query's time goes, by function."""
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    for q in queries:
        ask(q["q"])
    prof.disable()
    stats = pstats.Stats(prof).stats
    total = sum(st[2] for st in stats.values())
    rows = sorted(stats.items(), key=lambda kv: -kv[1][2])[:top]
    by_file: dict[str, float] = {}
    for (path, _, _), st in stats.items():  # numpy and builtins count as "~" (called from the engine mostly)
        by_file[Path(path).name] = by_file.get(Path(path).name, 0.0) + st[2]
    return {"seconds": round(total, 2), "by_file": {k: round(v / total, 3) for k, v in sorted(
                by_file.items(), key=lambda kv: -kv[1])[:top]}, "top_tottime": [
        {"function": f"{Path(path).name}:{line}({func})", "calls": st[1], "tottime_s": round(st[2], 3),
         "share": round(st[2] / total, 3)} for (path, line, func), st in rows]}


def child_measure(index: Path, rounds: int, code: Path, profile: bool = False) -> None:
    """In this process, with the search code of ``code``: open the service, a first pass, ``rounds`` warm
    passes; print JSON."""
    sys.path.insert(0, str(code))
    from bench.metrics import latency_ms
    from bench.query import summarise, timed_pass
    from search_app.params import parse_params
    from search_app.search import SearchService

    queries = load_queries(RESULTS / "speed_queries.json")
    started = time.perf_counter()
    svc = SearchService(index)
    try:  # the start-up warm-up, to its end (``serve`` listens after WARM_UP_WAIT and lets it go on)
        svc.warm_up(wait=WARM_UP_FULL)
    except TypeError:  # code from before the start-up warm-up
        svc.warm_up()
    opened = time.perf_counter() - started
    idle = hwm_mb(os.getpid())

    def ask(text: str) -> int:
        return svc.search(parse_params({"q": text, "per_page": "10"})).total

    first = timed_pass(ask, queries)
    runs = [timed_pass(ask, queries) for _ in range(rounds)]
    warm = [min(r[0][i] for r in runs) for i in range(len(queries))]
    extra = {"warm_profile": warm_profile(ask, queries)} if profile else {}
    print(json.dumps(extra | {"open_seconds": round(opened, 2), "memory_idle_mb": round(idle, 1),
                      "memory_after_mb": round(hwm_mb(os.getpid()), 1),
                      "cold": summarise(first[0], first[1], queries), "warm": summarise(warm, runs[0][1], queries),
                      "first_pass": latency_ms(first[0])}))


def measure(name: str, rounds: int, code: Path, profile: bool = False) -> dict:
    """p50/p95 cold and warm, and memory, of the service on one size's index, in a child process."""
    index, load = measured_copy(name), round(os.getloadavg()[0], 2)
    proc = subprocess.run([PYTHON, __file__, "--child", str(index), "--rounds", str(rounds), "--code", str(code)]
                          + (["--profile"] if profile else []), cwd=ROOT, capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"measuring {index} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out.pop("first_pass")
    out["loadavg_1min"] = {"start": load, "end": round(os.getloadavg()[0], 2)}
    info = _build_info(index)
    print(f"  {name} ({info['entries']:,} entries): cold p50/p95 {out['cold']['p50_ms']}/{out['cold']['p95_ms']} ms, "
          f"warm {out['warm']['p50_ms']}/{out['warm']['p95_ms']} ms, memory {out['memory_after_mb']} MB", flush=True)
    return {"index": str(index_for(name).relative_to(ROOT)), "entries": info["entries"], "index_mb": dir_size_mb(index)} | out


def slope(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of log(y) on log(x): cost ∝ entries^slope."""
    pts = [(math.log(x), math.log(y)) for x, y in points if x and y]
    if len(pts) < 2:
        return None
    mx, my = sum(x for x, _ in pts) / len(pts), sum(y for _, y in pts) / len(pts)
    return round(sum((x - mx) * (y - my) for x, y in pts) / sum((x - mx) ** 2 for x, _ in pts), 3)


def fits(points: dict) -> dict:
    """Slopes of p50/p95 (cold, warm) and of service memory over the entries; the 1M/62k p95 ratios."""
    out = {}
    done = [p for p in points.values() if "warm" in p]
    for phase in ("cold", "warm"):
        for q in ("p50_ms", "p95_ms"):
            out[f"{phase}_{q}_slope"] = slope([(p["entries"], p[phase][q]) for p in done])
    out["memory_after_mb_slope"] = slope([(p["entries"], p["memory_after_mb"]) for p in done])
    base = points.get("62k", {})
    if "warm" not in base:
        return out
    for name, p in points.items():
        if name != "62k" and "warm" in p:
            for phase in ("cold", "warm"):
                out[f"{phase}_p95_{name}_over_62k"] = round(p[phase]["p95_ms"] / base[phase]["p95_ms"], 2)
    if "warm" not in points.get("1m", {}):  # what the fitted slope says of 1M entries: a projection, not a measure
        for phase in ("cold", "warm"):
            if out.get(f"{phase}_p95_ms_slope") is not None:
                out[f"projected_{phase}_p95_1m_over_62k"] = round(
                    (ENTRIES_1M / base["entries"]) ** out[f"{phase}_p95_ms_slope"], 2)
    return out


def refresh_builds() -> None:
    """``results/scale.json`` with each size's kept build figures (a size rebuilt since its queries were
    measured: the same corpus and writer, so the same index), its query figures as they were."""
    path = RESULTS / "scale.json"
    result = json.loads(path.read_text(encoding="utf-8"))
    for name, point in result["points"].items():
        kept = VAR / f"scale-{name}.build.json"
        if SIZES[name] is None:
            point["build"] = build_62k()
        elif kept.exists():
            point["build"] = json.loads(kept.read_text(encoding="utf-8"))
            earlier = sorted(VAR.glob(f"scale-{name}-*.build.json"))
            if earlier:
                point["earlier_builds"] = [_summary(json.loads(p.read_text(encoding="utf-8"))) for p in earlier]
    # the header stays the query run's (its command, commit and load); this refresh is said beside it
    result["builds_refreshed"] = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                                  "command": "python bench/scale.py --refresh-builds"}
    path.write_text(without_machine_paths(json.dumps(result, ensure_ascii=False, indent=1)) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="62k,250k,500k,1m", help="comma-separated, of " + ", ".join(SIZES))
    ap.add_argument("--build-only", action="store_true", help="assemble and build, measure no queries")
    ap.add_argument("--measure-only", action="store_true", help="query the kept indexes; build nothing")
    ap.add_argument("--rebuild", action="store_true", help="build again even if kept (the corpus is kept while its stamp holds)")
    ap.add_argument("--rounds", type=int, default=3, help="warm passes; each query keeps its best")
    ap.add_argument("--repeat", type=int, default=2, help="service processes per size (the best warm p95 is kept)")
    ap.add_argument("--profile", action="store_true", help="also profile one more warm pass per size")
    ap.add_argument("--refresh-builds", action="store_true",
                    help="put the kept build figures into results/scale.json, keeping its query figures")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--code", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child_measure(args.child, args.rounds, args.code, args.profile)
    if args.refresh_builds:
        return refresh_builds()
    names = [n for n in args.sizes.split(",") if n]
    builds = {}
    for name in names:
        kept = VAR / f"scale-{name}.build.json"
        if SIZES[name] is None:
            builds[name] = build_62k()
        elif args.measure_only:
            builds[name] = json.loads(kept.read_text(encoding="utf-8")) if kept.exists() else {"missing": True}
        else:
            builds[name] = build_figures(name, args.rebuild)
    if args.build_only:
        return
    code, commit = code_at_head()
    ready = [n for n in names if (index_for(n) / "build_info.json").exists() and builds[n].get("returncode", 0) == 0]
    derived = {n: prepare(measured_copy(n), code) for n in ready}
    runs: dict[str, list[dict]] = {n: [] for n in ready}
    for k in range(args.repeat):  # sizes in turn, the order reversed each time: load drifts hit every size alike
        for name in ready if k % 2 == 0 else ready[::-1]:
            runs[name].append(measure(name, args.rounds, code, args.profile and k == 0))
    points = {}
    for name in names:
        points[name] = {"build": builds[name]}
        if name in derived:
            points[name]["derived_files_written_before_measuring"] = derived[name]
        earlier = sorted(VAR.glob(f"scale-{name}-*.build.json"))
        if earlier:
            points[name]["earlier_builds"] = [_summary(json.loads(p.read_text(encoding="utf-8"))) for p in earlier]
        if runs.get(name):  # the process with the lowest warm p95; every process's figures are kept
            profiled = [r["warm_profile"] for r in runs[name] if "warm_profile" in r]
            points[name] |= min(runs[name], key=lambda r: r["warm"]["p95_ms"]) | (
                {"warm_profile": profiled[0]} if profiled else {})
            points[name] |= {"processes": [
                {"cold": [r["cold"]["p50_ms"], r["cold"]["p95_ms"]], "warm": [r["warm"]["p50_ms"], r["warm"]["p95_ms"]],
                 "memory_after_mb": r["memory_after_mb"], "loadavg_1min": r["loadavg_1min"]} for r in runs[name]]}
    result = {"measured_commit": commit, "queries_file": "bench/results/speed_queries.json", "rounds": args.rounds,
              "repeat": args.repeat, "per_file": PER_FILE, "points": points, "fit": fits(points),
              "targets": {"p95_1m_over_62k": TARGET_P95_RATIO, "build_peak_mb": TARGET_BUILD_MB}}
    print(json.dumps(result["fit"]))
    write_result(RESULTS / "scale.json", result)


if __name__ == "__main__":
    main()

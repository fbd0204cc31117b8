"""What every bench shares: data paths, converters to corpus records, machine info, results, timing.

Third-party data is read from ``../shared/data`` (or ``$VNLEX_SHARED_DATA``) and converted on the fly
into the project's record format under ``var/bench/`` (git-ignored); nothing is copied into the repo.
"""

from __future__ import annotations

import gzip
import json
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("VNLEX_SHARED_DATA", ROOT.parent / "shared" / "data"))
RESULTS = ROOT / "bench" / "results"
VAR = ROOT / "var" / "bench"
PHAPDIEN = DATA / "phapdien_articles" / "phapdien_articles.jsonl.gz"
ALQAC = DATA / "alqac2023_2024" / "beir"
PYTHON = sys.executable
SEED = 7  # every sample in bench/ is drawn with this seed
LOAD_AT_START = os.getloadavg()  # other work on the machine skews timings: recorded with every result


class DataMissing(SystemExit):
    """The shared data a bench needs is not there: exit with a message that says where to point."""

    def __init__(self, path: Path):
        super().__init__(f"shared data not found: {path} (set VNLEX_SHARED_DATA to the shared/data folder)")


def require(path: Path) -> Path:
    """``path`` if it exists, else exit with ``DataMissing``."""
    if not path.exists():
        raise DataMissing(path)
    return path


# --- phapdien articles -----------------------------------------------------------------------------

def phapdien_rows(limit: int | None = None) -> Iterator[dict]:
    """Raw rows of phapdien_articles.jsonl.gz, in file order, at most ``limit``."""
    with gzip.open(require(PHAPDIEN), "rt", encoding="utf-8") as f:
        for n, line in enumerate(f):
            if limit is not None and n >= limit:
                return
            yield json.loads(line)


def phapdien_record(row: dict) -> dict:
    """One Pháp điển article (Điều) as a corpus record of kind ``document``."""
    return {"id": row["_id"], "kind": "document", "title": row.get("heading") or row.get("title") or "",
            "body": row.get("text") or "", "doc_number": row.get("src_so_hieu") or "",
            "doc_type": row.get("src_loai_van_ban") or "", "agency": row.get("src_co_quan_ban_hanh") or "",
            "date": row.get("src_ngay_ban_hanh") or "", "effective_date": row.get("src_ngay_hieu_luc") or "",
            "url": row.get("source_url") or "", "field": row.get("de_muc_ten") or "", "source": "phapdien.moj.gov.vn"}


def write_records(records: Iterable[dict], dest: Path, per_file: int = 100) -> list[Path]:
    """Write ``records`` as ``part-00000.jsonl`` files of ``per_file`` records each into a fresh ``dest``."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    paths: list[Path] = []
    out = None
    for n, rec in enumerate(records):
        if n % per_file == 0:
            if out:
                out.close()
            paths.append(dest / f"part-{len(paths):05d}.jsonl")
            out = open(paths[-1], "w", encoding="utf-8")
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    if out:
        out.close()
    return paths


def stamped_corpus(dest: Path, stamp: dict, records, per_file: int = 100) -> Path:
    """Records (a callable returning them) under ``dest``, rewritten only when ``stamp`` changed.

    Rewriting changes every file's mtime, which makes an index built from them stale; the stamp sits
    beside ``dest`` (not inside: the corpus reader would read it).
    """
    stamp_path = dest.with_name(dest.name + ".stamp.json")
    stamp = stamp | {"per_file": per_file}
    if dest.is_dir() and stamp_path.exists() and json.loads(stamp_path.read_text()) == stamp:
        return dest
    stamp_path.unlink(missing_ok=True)
    write_records(records(), dest, per_file)
    stamp_path.write_text(json.dumps(stamp))
    return dest


def _source_stamp(path: Path) -> dict:
    st = require(path).stat()
    return {"source": without_machine_paths(str(path)), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def phapdien_records(limit: int | None = None) -> Iterator[dict]:
    """Records of the first ``limit`` articles; a repeated ``_id`` (29 in the file) keeps its first row.

    Every engine then indexes the same records (our reader would drop the repeats, the peers not).
    """
    seen: set[str] = set()
    for row in phapdien_rows(limit):
        if row["_id"] not in seen:
            seen.add(row["_id"])
            yield phapdien_record(row)


def phapdien_corpus(dest: Path, limit: int | None = None, per_file: int = 100) -> Path:
    """The first ``limit`` phapdien articles as records under ``dest`` (kept when already there)."""
    return stamped_corpus(dest, _source_stamp(PHAPDIEN) | {"limit": limit, "unique_ids": True},
                          lambda: phapdien_records(limit), per_file)


def ensure_index(corpus: Path, index: Path, jobs: int = 2) -> Path:
    """Build ``index`` from ``corpus`` with the CLI unless it is up to date (not timed)."""
    from indexer.index.build import is_stale

    if is_stale([corpus], index):
        print(f"building {index} from {corpus} …", flush=True)
        subprocess.run([PYTHON, "-m", "indexer", "build", "--corpus", str(corpus), "--index", str(index),
                        "-j", str(jobs)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    else:  # built by an older version: what `build --if-stale` adds
        from indexer.index.postarrays import write_missing

        write_missing(index.resolve())
    return index


# --- ALQAC ----------------------------------------------------------------------------------------

def alqac_corpus() -> list[dict]:
    """The 2,249 law articles of ALQAC (``_id`` = ``"<law>|<article>"``)."""
    with open(require(ALQAC / "corpus.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def alqac_record(row: dict) -> dict:
    """An ALQAC article as a corpus record: title = the article's heading, body = its text."""
    return {"id": row["_id"], "kind": "document", "title": row["title"], "body": row["text"],
            "field": row["law_id"], "source": "alqac"}


def alqac_corpus_dir(dest: Path) -> Path:
    """The ALQAC articles as records under ``dest`` (kept when already there)."""
    return stamped_corpus(dest, _source_stamp(ALQAC / "corpus.jsonl"),
                          lambda: map(alqac_record, alqac_corpus()), per_file=500)


def alqac_queries() -> dict[str, str]:
    """``query id → question text``."""
    with open(require(ALQAC / "queries.jsonl"), encoding="utf-8") as f:
        return {q["_id"]: q["text"] for q in map(json.loads, f)}


def alqac_qrels() -> dict[str, dict[str, set[str]]]:
    """``qrels file stem → query id → relevant corpus ids`` for every file in ``beir/qrels``."""
    out: dict[str, dict[str, set[str]]] = {}
    for path in sorted(require(ALQAC / "qrels").glob("*.tsv")):
        qrels: dict[str, set[str]] = {}
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            qid, doc_id, score = line.split("\t")
            if int(score) > 0:
                qrels.setdefault(qid, set()).add(doc_id)
        out[path.stem] = qrels
    return out


# --- the query set of the speed benches ------------------------------------------------------------

_HEADING_PREFIX = re.compile(r"^Điều\s+[\w.]+\.\s*")
_WORD = re.compile(r"\w+")


def _fragment(text: str, rng: random.Random, low: int, high: int) -> str:
    """``low``–``high`` consecutive pyvi words of ``text`` (no punctuation, no list markers), or ``""``."""
    from indexer.text.segment import segment

    words = segment(text)
    n = rng.randint(low, high)
    starts = [i for i in range(len(words) - n + 1)
              if all(_WORD.fullmatch(w.text) and len(w.text) > 1 for w in words[i:i + n])]
    if not starts:
        return ""
    i = rng.choice(starts)
    return text[words[i].start:words[i + n - 1].end]


def speed_queries(rows: list[dict], n: int = 200, seed: int = SEED) -> list[dict]:
    """``n`` realistic queries drawn from ``rows``: title and body fragments, numbers, unaccented variants.

    Mix (for n=200): 60 heading fragments (1–3 words), 40 body fragments (2–4 words), 40 document
    numbers (half with their type, e.g. ``Luật 57/2020/QH14``), and 60 of those typed without diacritics.
    """
    from indexer.text.normalize import clean, fold

    rng = random.Random(seed)
    pool = [r for r in rows if r.get("text") and r.get("heading")]
    numbers = sorted({(r.get("src_loai_van_ban") or "", r["src_so_hieu"]) for r in rows if r.get("src_so_hieu")})
    out: list[dict] = []
    for kind, count, low, high in (("title", n * 3 // 10, 1, 3), ("body", n // 5, 2, 4)):
        while sum(q["kind"] == kind for q in out) < count:
            row = rng.choice(pool)
            text = clean(_HEADING_PREFIX.sub("", row["heading"]) if kind == "title" else row["text"][:2000])
            q = _fragment(text, rng, low, high)
            if q:
                out.append({"q": q, "kind": kind})
    for i, (doc_type, number) in enumerate(rng.sample(numbers, n // 5)):
        out.append({"q": f"{doc_type} {number}".strip() if i % 2 and doc_type else number, "kind": "number"})
    for q in rng.sample(list(out), n - len(out)):
        out.append({"q": fold(q["q"]), "kind": q["kind"] + "_folded"})
    return out


def speed_query_file(n: int = 200, limit: int | None = None) -> Path:
    """The speed benches' query set, made once from the first ``limit`` articles and kept in results/."""
    path = RESULTS / ("speed_queries.json" if limit is None and n == 200 else f"speed_queries-{n}-{limit}.json")
    stamp = _source_stamp(PHAPDIEN) | {"n": n, "limit": limit, "seed": SEED, "generator": 2}
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("stamp") == stamp:
            return path
    queries = speed_queries(list(phapdien_rows(limit)), n)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"stamp": stamp, "queries": queries}, ensure_ascii=False, indent=0) + "\n",
                    encoding="utf-8")
    return path


def load_queries(path: Path) -> list[dict]:
    """The ``[{"q", "kind"}]`` list of a query-set file."""
    return json.loads(path.read_text(encoding="utf-8"))["queries"]


# --- machine, results ------------------------------------------------------------------------------

def git_commit() -> str:
    """Short commit of the checkout, ``+dirty`` when the working tree has changes."""
    def git(*args: str) -> str:  # read-only git: the bench never changes the checkout
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            return ""
    head = git("rev-parse", "--short", "HEAD").strip() or "unknown"
    return head + ("+dirty" if git("status", "--porcelain", "--untracked-files=no").strip() else "")


def machine() -> dict:
    """CPU model, cores, memory, OS and Python of this machine."""
    cpu = ""
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo", encoding="utf-8")
                    if line.startswith("model name")), "")
    except OSError:
        pass
    mem_gb = 0.0
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            kb = next(int(line.split()[1]) for line in f if line.startswith("MemTotal"))
        mem_gb = round(kb / 1024 / 1024, 1)
    except (OSError, StopIteration):
        pass
    return {"cpu": cpu or platform.processor(), "cores": os.cpu_count(), "memory_gb": mem_gb,
            "os": f"{platform.system()} {platform.release()}", "python": platform.python_version()}


def result_path(name: str, limit: int | None, default_limit: int | None) -> Path:
    """``results/<name>.json`` for a run at the default size, ``results/<name>-limit<N>.json`` otherwise."""
    if limit == default_limit:
        return RESULTS / f"{name}.json"
    return RESULTS / f"{name}-limit{limit}.json"


def write_result(path: Path, figures: dict) -> dict:
    """Write ``figures`` with machine, date, commit and command to ``path`` (atomically); return it."""
    data = {"bench": path.stem, "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "commit": git_commit(), "command": " ".join([Path(PYTHON).name] + [_rel(a) for a in sys.argv]),
            "machine": machine(), "loadavg_1min": {"start": round(LOAD_AT_START[0], 2),
                                                     "end": round(os.getloadavg()[0], 2)}} | figures
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(without_machine_paths(json.dumps(data, ensure_ascii=False, indent=1)) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    print(f"wrote {_rel(str(path))}")
    return data


def without_machine_paths(text: str) -> str:
    """Paths of this checkout and of the shared data written as the repository names them
    (``var/bench/index``, ``../shared/data/…``): results name nothing of the machine they ran on."""
    return text.replace(str(DATA) + "/", "../shared/data/").replace(str(ROOT) + "/", "")


def _rel(arg: str) -> str:
    try:
        return str(Path(arg).resolve().relative_to(ROOT)) if "/" in arg else arg
    except ValueError:
        return arg


# --- processes: time and memory ------------------------------------------------------------------

def _children(pid: int) -> list[int]:
    kids = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as f:
                kids += [int(k) for k in f.read().split()]
    except OSError:
        pass
    return kids


def tree_pids(pid: int) -> list[int]:
    """``pid`` and all its live descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += _children(p)
    return out


def _proc_kb(pid: int, name: str, key: str) -> int:
    try:
        with open(f"/proc/{pid}/{name}", encoding="ascii") as f:
            return next((int(line.split()[1]) for line in f if line.startswith(key)), 0)
    except OSError:
        return 0


def tree_memory_mb(pid: int) -> tuple[float, float]:
    """(memory of ``pid``'s whole tree now as summed Pss, so shared pages count once; largest peak RSS in it)."""
    pids = tree_pids(pid)
    pss = sum(_proc_kb(p, "smaps_rollup", "Pss:") for p in pids)
    return pss / 1024, max(_proc_kb(p, "status", "VmHWM:") for p in pids) / 1024


def hwm_mb(pid: int) -> float:
    """Peak resident memory of one live process (``VmHWM``)."""
    return _proc_kb(pid, "status", "VmHWM:") / 1024


def run_measured(cmd: list[str], every: float = 0.5, **popen) -> dict:
    """Run ``cmd`` to the end: wall and CPU seconds, peak memory of its process tree (sampled), exit code, output.

    CPU seconds (user + system of the child and every child it reaped) say how much work was done
    even when other jobs on the machine stretch the wall time.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=popen.pop("cwd", ROOT), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, **popen)
    out: dict[str, str] = {}
    readers = [threading.Thread(target=lambda n, s: out.__setitem__(n, s.read()), args=(n, s))
               for n, s in (("stdout", proc.stdout), ("stderr", proc.stderr))]
    for t in readers:
        t.start()
    tree = single = 0.0
    while proc.poll() is None:
        now, hwm = tree_memory_mb(proc.pid)
        tree, single = max(tree, now), max(single, hwm)
        time.sleep(every)
    seconds = time.perf_counter() - started
    for t in readers:
        t.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "returncode": proc.returncode,
            "peak_tree_mb": round(tree, 1),
            "peak_process_mb": round(single, 1), "stdout": out.get("stdout", ""), "stderr": out.get("stderr", "")}


def dir_size_mb(path: Path) -> float:
    """Bytes under ``path`` (following the index symlink), in MB."""
    path = Path(path).resolve()
    if path.is_file():
        return round(path.stat().st_size / 1e6, 1)
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6, 1)


def apply_weights(spec: str) -> dict:
    """Override ``search_app.query.WEIGHTS`` in this process (a ranking experiment; the code is not changed).

    ``spec`` is a JSON object (``'{"title": 0.5}'``) or a file holding one, or a ``tune*.json`` result
    (its tuned weights); ``long_*`` weights are those of long queries (``search_app.query``).
    """
    from search_app import query as sq

    text = spec if spec.lstrip().startswith("{") else Path(spec).read_text(encoding="utf-8")
    data = json.loads(text)
    weights = data["tuned"]["weights"] if "tuned" in data else data
    sq.WEIGHTS.update({k: float(v) for k, v in weights.items()})
    return dict(sq.WEIGHTS)

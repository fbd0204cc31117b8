"""Peak memory of only READING records exports (no build): one 126 MB ``.jsonl`` and a ~1 GB ``.jsonl.gz`` (issue #12).

Inputs, written once under ``var/bench/`` and reused:

- ``phapdien.jsonl``: the 62k phapdien articles (repeated ids dropped, as in every bench) in our record
  schema, in ONE file, as a database export would give them (about 126 MB);
- ``phapdien-1gb.jsonl.gz``: the same records repeated with varied ids (``<id>~<round>``) until about
  1 GB decompressed.

Each file is read in a child process (``iter_corpus``: every document built and counted, nothing kept).
The child reports its peak RSS (``VmHWM``) before reading and when 25%, 50% and 100% of the file's bytes
are read, so the figures show whether memory grows with the file; the parent samples the child too.
The big file is read twice: as the build reads (with the table of ids that reports duplicates, the one
thing that grows with the number of records) and with ``check_duplicates=False``.

    python bench/read_memory.py [--gb 1.0] [--build]

``--build`` also runs ``python -m indexer build --corpus var/bench/phapdien.jsonl --fresh`` into
``var/bench/index-onefile`` and reports its process tree's peak memory (about 4 minutes of both cores).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the repo, not bench/: keep stdlib names unshadowed

from bench.common import (PHAPDIEN, PYTHON, RESULTS, VAR, hwm_mb, phapdien_records, require,  # noqa: E402
                          run_measured, write_result)

ONE_FILE = VAR / "phapdien.jsonl"
MARKS = (0.25, 0.5, 1.0)


def _write_once(dest: Path, write) -> Path:
    """``dest`` written by ``write(tmp_path)`` unless it is already there (a half-written file never is)."""
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".tmp")
        started = time.perf_counter()
        write(tmp)
        os.replace(tmp, dest)
        print(f"  wrote {dest.relative_to(VAR.parent.parent)}: {dest.stat().st_size / 1e6:,.0f} MB on disk "
              f"in {time.perf_counter() - started:.0f} s")
    return dest


def one_file() -> Path:
    """The 62k phapdien articles as one ``.jsonl``."""
    require(PHAPDIEN)

    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8") as out:
            for record in phapdien_records():
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return _write_once(ONE_FILE, write)


def big_file(gb: float) -> Path:
    """Real records repeated with varied ids up to ``gb`` GB decompressed, gzipped."""
    dest = VAR / f"phapdien-{gb:g}gb.jsonl.gz"
    lines = one_file().read_bytes().splitlines(keepends=True)

    def write(tmp: Path) -> None:
        written, rounds = 0, 0
        with gzip.open(tmp, "wb", compresslevel=1) as out:  # level 1: the bench reads it, size on disk matters less
            while written < gb * 1e9:
                rounds += 1
                for line in lines:
                    record = json.loads(line)
                    record["id"] = f"{record['id']}~{rounds}"
                    data = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
                    out.write(data)
                    written += len(data)
                    if written >= gb * 1e9:
                        break
    return _write_once(dest, write)


# --- the child: read one file, report memory --------------------------------------------------------

def child(path: Path, check_duplicates: bool) -> None:
    """Iterate every document of ``path``; print JSON with peak RSS at the start and at each mark."""
    from indexer.read.reader import iter_corpus

    marks: dict[str, float] = {}
    started = time.perf_counter()
    before = hwm_mb(os.getpid())

    def progress(p) -> None:
        share = p.bytes_done / p.bytes_total if p.bytes_total else 1.0
        for mark in MARKS:
            key = f"{mark:.0%}"
            if share >= mark and key not in marks:
                marks[key] = hwm_mb(os.getpid())

    reader = iter_corpus([path], progress=progress, check_duplicates=check_duplicates)
    documents = sum(1 for _ in reader)
    seconds = time.perf_counter() - started
    report = reader.report
    print(json.dumps({"documents": documents, "seconds": round(seconds, 1),
                      "documents_per_s": round(documents / seconds), "peak_rss_mb_before_reading": round(before, 1),
                      "peak_rss_mb_at": {k: round(v, 1) for k, v in marks.items()},
                      "records_read": report.records_read, "records_skipped": report.records_skipped,
                      "problems": len(report.problems)}))


def measure(path: Path, check_duplicates: bool = True) -> dict:
    """Read ``path`` in a child process; its own figures plus the parent's sampling of it."""
    run = run_measured([PYTHON, __file__, "--child", str(path)] + ([] if check_duplicates else ["--no-duplicates"]),
                       every=0.2)
    if run["returncode"]:
        sys.exit(f"reading {path} failed ({run['returncode']}):\n{run['stderr'][-3000:]}")
    figures = json.loads(run["stdout"].splitlines()[-1])
    out = {"file": str(path.relative_to(VAR.parent.parent)), "mb_on_disk": round(path.stat().st_size / 1e6, 1),
           "check_duplicates": check_duplicates}
    out |= figures | {"peak_process_mb_sampled": run["peak_process_mb"], "cpu_seconds": run["cpu_seconds"]}
    marks = ", ".join(f"{k}: {v} MB" for k, v in figures["peak_rss_mb_at"].items())
    print(f"  {out['file']} ({out['mb_on_disk']:,} MB on disk{'' if check_duplicates else ', no duplicate check'}): "
          f"{figures['documents']:,} documents in "
          f"{figures['seconds']} s ({figures['documents_per_s']:,}/s); peak RSS before reading "
          f"{figures['peak_rss_mb_before_reading']} MB, at {marks}")
    return out


def build_peak(corpus: Path) -> dict:
    """A full ``build --fresh`` from the one-file export: seconds and peak memory of its process tree."""
    index = VAR / "index-onefile"
    run = run_measured([PYTHON, "-m", "indexer", "build", "--corpus", str(corpus), "--index", str(index),
                        "--fresh"])
    if run["returncode"]:
        sys.exit(f"build failed ({run['returncode']}):\n{run['stderr'][-3000:]}")
    print(f"  build: {run['seconds']} s, peak {run['peak_tree_mb']} MB (tree), {run['peak_process_mb']} MB "
          "(largest process)")
    return {k: run[k] for k in ("seconds", "cpu_seconds", "peak_tree_mb", "peak_process_mb")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gb", type=float, default=1.0, help="decompressed size of the big file, in GB")
    ap.add_argument("--build", action="store_true", help="also measure a full build from the one-file export")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--no-duplicates", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args.child, not args.no_duplicates)
    print("inputs:")
    small, big = one_file(), big_file(args.gb)
    print("reading only (iter_corpus, every document built and counted):")
    figures = {"one_file": measure(small), "big_file": measure(big),
               "big_file_no_duplicate_check": measure(big, check_duplicates=False)}
    for name in ("big_file", "big_file_no_duplicate_check"):
        run = figures[name]
        growth = run["peak_rss_mb_at"]["100%"] - run["peak_rss_mb_at"]["25%"]
        run["growth_mb_25_to_100"] = round(growth, 1)
        run["growth_bytes_per_record"] = round(growth * 2**20 / (0.75 * run["documents"]))
    if args.build:
        figures["build_one_file"] = build_peak(small)
    name = "read_memory" if args.gb == 1.0 and not args.build else f"read_memory-{args.gb:g}gb" + (
        "-build" if args.build else "")
    write_result(RESULTS / f"{name}.json", figures)


if __name__ == "__main__":
    main()

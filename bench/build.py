"""Build speed and memory on the 62k phapdien articles: cold, warm, update after 1% of files change (issue #5).

Steps: a cold ``build --fresh`` (empty segmentation cache); a ``build`` of the unchanged corpus (it
starts from the live index's files and writes nothing); a ``build --fresh`` with the cache full (what
writing every entry costs once pyvi is cached); ``update`` after 1% of the files change, again with
nothing changed, and back; a ``build`` after another 1% changed.

The articles are converted on the fly into ~600 ``.jsonl`` files of 100 records under ``var/bench/``.
Each step runs the real CLI (``python -m indexer build|update``) in a child process; its whole process
tree (the segmenting workers included) is sampled for memory. A cProfile of an in-process build of
``--profile-limit`` articles (one process, so pyvi shows up) says where the time goes.

``--writers N`` compares the two segment writers instead (``build.BULK_WRITE``): a cold one-process
``build --fresh`` of the first N articles with Whoosh's ``add_document`` and with the bulk writer, each
in a child process with its own empty segmentation cache, alternating ``--rounds`` times; CPU seconds
say what each costs when other work on the machine stretches the wall time. ``--cold-only`` runs only
the cold build.

    python bench/build.py [--limit N] [--jobs 2] [--profile-limit 5000 | --no-profile]
    python bench/build.py --cold-only [--writer bulk|whoosh]
    python bench/build.py --writers 5000 [--rounds 2]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import math
import pstats
import random
import shutil
import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the repo, not bench/: keep stdlib names unshadowed

from bench.common import (PYTHON, RESULTS, ROOT, SEED, VAR, dir_size_mb, phapdien_corpus,  # noqa: E402
                          result_path, run_measured, write_result)

TARGETS = {"cold_seconds": 300, "warm_seconds": 90, "update_seconds": 10, "peak_mb": 2048}
CHANGED_SHARE = 0.01


def paths_for(limit: int | None) -> tuple[Path, Path]:
    """Corpus and index locations for a run of ``limit`` articles (all when ``None``)."""
    suffix = "" if limit is None else f"-{limit}"
    return VAR / f"corpus{suffix}", VAR / f"index{suffix}"


def segcache(index: Path) -> Path:
    """The segmentation cache the build keeps beside ``index``."""
    return index.with_name(index.name + ".segcache")


def cli(command: str, corpus: Path, index: Path, jobs: int, *extra: str, writer: str = "bulk") -> dict:
    """Run ``python -m indexer COMMAND`` measured (``writer="whoosh"``: with Whoosh's segment writer);
    exit with its error output if it fails."""
    head = [PYTHON, "-m", "indexer"] if writer == "bulk" else [PYTHON, "-c", _WRITER_CHILD, writer]
    run = run_measured([*head, command, *extra, "--corpus", str(corpus), "--index", str(index), "-j", str(jobs)])
    if run["returncode"]:
        sys.exit(f"indexer {command} failed ({run['returncode']}):\n{run['stderr'][-3000:]}")
    summary = [line for line in run["stdout"].splitlines() if line.startswith(("built", "updated"))]
    print(f"  {command}: {run['seconds']} s ({run['cpu_seconds']} s CPU), peak {run['peak_tree_mb']} MB (tree), "
          f"{run['peak_process_mb']} MB (largest process) — {summary[-1] if summary else ''}")
    keep = ("seconds", "cpu_seconds", "peak_tree_mb", "peak_process_mb")
    return {k: run[k] for k in keep} | {"summary": summary[-1:]}


# A child that builds with the writer named by its first argument (``bulk`` or ``whoosh``).
_WRITER_CHILD = ("import sys; import indexer.index.build as b; b.BULK_WRITE = sys.argv[1] == 'bulk'; "
                 "from indexer.cli import main; main(sys.argv[2:])")


def compare_writers(limit: int, rounds: int) -> dict:
    """Cold one-process builds of ``limit`` articles with each segment writer: wall, CPU, peak memory."""
    corpus = phapdien_corpus(VAR / f"corpus-{limit}", limit)
    runs: dict[str, list[dict]] = {"whoosh": [], "bulk": []}
    for _ in range(rounds):
        for writer in runs:
            index = VAR / "writers" / writer / "index"
            if index.parent.exists():
                shutil.rmtree(index.parent)
            run = run_measured([PYTHON, "-c", _WRITER_CHILD, writer, "build", "--corpus", str(corpus),
                                "--index", str(index), "-j", "1", "--fresh"])
            if run["returncode"]:
                sys.exit(f"build with the {writer} writer failed:\n{run['stderr'][-3000:]}")
            runs[writer].append({k: run[k] for k in ("seconds", "cpu_seconds", "peak_tree_mb")})
            print(f"  {writer}: {run['seconds']} s, {run['cpu_seconds']} s CPU, peak {run['peak_tree_mb']} MB")
    best = {w: min(r["cpu_seconds"] for r in rs) for w, rs in runs.items()}
    return {"articles": limit, "runs": runs, "best_cpu_seconds": best,
            "cpu_ratio_whoosh_to_bulk": round(best["whoosh"] / best["bulk"], 2)}


def build_info(index: Path) -> dict:
    """The counts the build wrote into the live index's ``build_info.json``."""
    info = json.loads((index.resolve() / "build_info.json").read_text(encoding="utf-8"))
    keep = ("entries", "articles", "documents", "cited", "files_used", "records_skipped",
            "segment_cache_hits", "segment_cache_misses", "entries_written", "entries_deleted", "seconds")
    return {k: info.get(k) for k in keep}


def change_files(corpus: Path, share: float, round_no: int) -> dict[Path, str]:
    """Append a sentence to every record's body in ``share`` of the files; return their original text."""
    files = sorted(corpus.glob("*.jsonl"))
    picked = random.Random(SEED + round_no).sample(files, max(1, math.ceil(len(files) * share)))
    originals = {}
    for path in picked:
        originals[path] = text = path.read_text(encoding="utf-8")
        records = [json.loads(line) for line in text.splitlines() if line.strip()]
        for rec in records:
            edit = f"\nĐiều này được sửa đổi, bổ sung lần thứ {round_no}."
            rec["body"] = (rec.get("body") or "") + edit
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return originals


def profile_build(limit: int, top: int = 25) -> dict:
    """cProfile of an in-process, one-process, cold build of ``limit`` articles: top functions and buckets."""
    from indexer.index.build import build

    corpus, index = phapdien_corpus(VAR / f"corpus-{limit}", limit), VAR / "profile" / "index"
    if index.parent.exists():
        shutil.rmtree(index.parent)
    prof = cProfile.Profile()
    prof.enable()
    stats = build([corpus], index, jobs=1)
    prof.disable()
    ps = pstats.Stats(prof, stream=io.StringIO())
    rows = sorted(((fn, st[1], st[2], st[3]) for fn, st in ps.stats.items()), key=lambda r: -r[2])
    total = sum(r[2] for r in rows)
    buckets: dict[str, float] = {}
    for (path, _, _), _, tottime, _ in rows:
        buckets[_bucket(path)] = buckets.get(_bucket(path), 0.0) + tottime
    return {
        "articles": limit, "seconds": stats.seconds, "profiled_seconds": round(total, 2),
        "by_area": {k: round(v / total, 3) for k, v in sorted(buckets.items(), key=lambda kv: -kv[1])},
        "top_tottime": [{"function": _name(fn), "calls": n, "tottime": round(tt, 2), "cumtime": round(ct, 2)}
                        for fn, n, tt, ct in rows[:top]],
    }


def _bucket(path: str) -> str:
    """Which part of the stack a function's file belongs to."""
    for key, name in (("pyvi", "pyvi"), ("sklearn_crfsuite", "pyvi"), ("pycrfsuite", "pyvi"),
                      ("whoosh", "whoosh"), ("/indexer/", "indexer"), ("sqlite", "sqlite")):
        if key in path:
            return name
    return "python/builtins" if path.startswith("~") or "/lib/python3" in path else "other"


def _name(fn: tuple) -> str:
    path, line, func = fn
    return f"{path.split('site-packages/')[-1].replace(str(ROOT) + '/', '')}:{line}({func})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="articles (default: all 62,323)")
    ap.add_argument("--jobs", "-j", type=int, default=2, help="segmenting worker processes")
    ap.add_argument("--profile-limit", type=int, default=5000, help="articles in the profiled build")
    ap.add_argument("--no-profile", action="store_true", help="skip the cProfile run")
    ap.add_argument("--cold-only", action="store_true", help="only the cold build (results: build-cold*.json)")
    ap.add_argument("--writers", type=int, metavar="N", help="compare the two segment writers on N articles")
    ap.add_argument("--rounds", type=int, default=2, help="rounds of --writers (best CPU of each is kept)")
    ap.add_argument("--writer", choices=("bulk", "whoosh"), default="bulk",
                    help="segment writer of the cold build (with --cold-only)")
    args = ap.parse_args()
    if args.writers:
        write_result(RESULTS / f"build-writers-{args.writers}.json", compare_writers(args.writers, args.rounds))
        return
    corpus, index = paths_for(args.limit)
    if args.cold_only:  # its own index: the bench index stays as the other benches read it
        index = VAR / "cold" / index.name
    elif args.writer != "bulk":
        sys.exit("--writer goes with --cold-only")
    phapdien_corpus(corpus, args.limit)
    files = sorted(corpus.glob("*.jsonl"))
    records = sum(1 for path in files for _ in open(path, encoding="utf-8"))
    print(f"corpus {corpus}: {records} records in {len(files)} files")
    segcache(index).unlink(missing_ok=True)
    print("cold: build --fresh, empty segmentation cache")
    cold = cli("build", corpus, index, args.jobs, "--fresh", writer=args.writer) | {"stats": build_info(index)}
    sizes = {"index_mb": dir_size_mb(index), "segcache_mb": dir_size_mb(segcache(index))}
    if args.cold_only:
        figures = {"records": records, "files": len(files), "jobs": args.jobs, "cold_build": cold, **sizes}
        name = "build-cold" if args.writer == "bulk" else "build-cold-whoosh"
        write_result(result_path(name, args.limit, None), figures)
        return
    print("warm: build of the unchanged corpus (starts from the live index)")
    warm = cli("build", corpus, index, args.jobs) | {"stats": build_info(index)}
    print("warm, writing everything: build --fresh, full segmentation cache")
    warm_fresh = cli("build", corpus, index, args.jobs, "--fresh") | {"stats": build_info(index)}
    originals = change_files(corpus, CHANGED_SHARE, 1)
    print(f"{len(originals)} files changed: update, update again, put back")
    update = cli("update", corpus, index, args.jobs) | {"files_changed": len(originals)}
    noop = cli("update", corpus, index, args.jobs)
    for path, text in originals.items():  # put the corpus back as the stamp says it is
        path.write_text(text, encoding="utf-8")
    restore = cli("update", corpus, index, args.jobs)
    originals = change_files(corpus, CHANGED_SHARE, 2)
    print(f"{len(originals)} files changed: build (starts from the live index), put back")
    rebuild = cli("build", corpus, index, args.jobs) | {"stats": build_info(index), "files_changed": len(originals)}
    for path, text in originals.items():
        path.write_text(text, encoding="utf-8")
    cli("build", corpus, index, args.jobs)
    figures = {"records": records, "files": len(files), "jobs": args.jobs, "corpus": str(corpus),
               "cold_build": cold, "warm_build": warm, "warm_build_fresh": warm_fresh, "update_1pct": update,
               "update_noop": noop, "update_restore": restore, "rebuild_1pct": rebuild, **sizes,
               "targets": TARGETS}
    if not args.no_profile:
        figures["profile"] = profile_build(args.profile_limit)
        print(json.dumps(figures["profile"]["by_area"]))
        for row in figures["profile"]["top_tottime"][:12]:
            print(f"    {row['tottime']:>8.2f} s {row['calls']:>9} {row['function']}")
    write_result(result_path("build", args.limit, None), figures)


if __name__ == "__main__":
    main()

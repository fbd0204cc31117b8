"""``make bench``: run every bench in ``bench/`` with its defaults, then rewrite the table in ``bench/README.md``.

    python bench/run_all.py [--only build,query] [--table-only]

Each bench writes ``bench/results/<name>.json``; the table is made from those files alone, so
``--table-only`` regenerates it without running anything. Benches by others in ``bench/`` (any other
``*.py`` with a ``main``) run too, with no arguments.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the repo, not bench/: keep stdlib names unshadowed

from bench.common import PYTHON, RESULTS, ROOT  # noqa: E402

BENCH = ROOT / "bench"
README = BENCH / "README.md"
# Order matters: build.py leaves the 62k index that query.py and doc_numbers.py reuse.
OURS = ("analysis", "build", "query", "doc_numbers", "peers", "quality")
NOT_BENCHES = {"common", "metrics", "bm25", "engines", "run_all", "tune",
               # run by hand: long (changes_under_load), or they update the shared bench index (after_update)
               "changes_under_load", "after_update",
               # by hand: builds of 250k and 1M entries (~2 h), kept under var/bench/ (--measure-only reruns queries)
               "scale",
               # by hand: compares with an earlier commit given on the command line
               "against_commit"}
START, END = "<!-- results:start -->", "<!-- results:end -->"


def benches(only: set[str] | None) -> list[str]:
    """Ours in dependency order, then the other scripts of ``bench/``; only ``only`` when given."""
    others = sorted(p.stem for p in BENCH.glob("*.py") if p.stem not in OURS and p.stem not in NOT_BENCHES
                    and not p.stem.startswith("_"))
    return [b for b in list(OURS) + others if not only or b in only]


def run(name: str) -> tuple[int, float]:
    """Run ``bench/NAME.py`` with its defaults; exit code and seconds."""
    started = time.perf_counter()
    print(f"\n=== bench/{name}.py", flush=True)
    code = subprocess.call([PYTHON, str(BENCH / f"{name}.py")], cwd=ROOT)
    return code, time.perf_counter() - started


def _load(name: str) -> dict | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _fmt(value, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        value = f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 10 else f"{value:,.1f}"
    elif isinstance(value, int):
        value = f"{value:,}"
    return f"{value}{unit}"


def rows_analysis(r: dict) -> list[tuple]:
    return [("analysis chain, chars/s (1 process)", _fmt(r["chain_chars_per_s"]), "≥ 300,000"),
            ("bare pyvi, chars/s (same run)", _fmt(r["bare_pyvi_chars_per_s"]), ""),
            ("chain speed / bare pyvi speed", _fmt(r["chain_share_of_pyvi"]), "≥ 0.75")]


def rows_build(r: dict) -> list[tuple]:
    cold, warm, upd = r["cold_build"], r["warm_build"], r["update_1pct"]
    steps = [cold, warm] + [r[k] for k in ("warm_build_fresh", "rebuild_1pct") if k in r]
    out = [(f"cold build, {r['records']:,} articles, -j {r['jobs']}", _fmt(cold["seconds"], " s"), "≤ 300 s"),
           ("rebuild, unchanged text (starts from the live index)", _fmt(warm["seconds"], " s"), "≤ 90 s")]
    if "warm_build_fresh" in r:
        out.append(("rebuild writing every entry (`--fresh`, segmentation cache full)",
                    _fmt(r["warm_build_fresh"]["seconds"], " s"), ""))
    if "rebuild_1pct" in r:
        out.append((f"rebuild after {r['rebuild_1pct']['files_changed']} of {r['files']} files changed",
                    _fmt(r["rebuild_1pct"]["seconds"], " s"), ""))
    out += [(f"update after {upd['files_changed']} of {r['files']} files changed", _fmt(upd["seconds"], " s"),
             "≤ 10 s"),
            ("build peak memory (process tree, PSS), largest of the steps",
             _fmt(max(step["peak_tree_mb"] for step in steps), " MB"), "≤ 2,048 MB"),
            ("index size / segmentation cache", f"{_fmt(r['index_mb'])} / {_fmt(r['segcache_mb'])} MB", "")]
    if "profile" in r:
        areas = ", ".join(f"{k} {v:.0%}" for k, v in list(r["profile"]["by_area"].items())[:4])
        out.append((f"where build time goes ({r['profile']['articles']:,} articles, 1 process)", areas, ""))
    return out


def rows_query(r: dict) -> list[tuple]:
    local, http = r["in_process"], r.get("http") or {}
    out = [(f"query p50 / p95, in-process ({r['queries']} queries, top 10 + snippets + facets)",
            f"{_fmt(local['p50_ms'])} / {_fmt(local['p95_ms'])} ms", "≤ 10 / 30 ms")]
    if "first_pass" in local:
        waited = f", after a {_fmt(local['warm_up_seconds'])} s start-up warm-up" if "warm_up_seconds" in local else ""
        out.append((f"same, first pass (each term read from the index for the first time{waited})",
                    f"{_fmt(local['first_pass']['p50_ms'])} / {_fmt(local['first_pass']['p95_ms'])} ms",
                    "p95 ≤ 1.5 × the p95 above"))
    if http:
        out += [(f"query p50 / p95, over HTTP (waitress, {http.get('threads', '?')} threads)",
                 f"{_fmt(http['p50_ms'])} / {_fmt(http['p95_ms'])} ms", ""),
                ("server peak memory (VmHWM), idle / after the queries",
                 f"{_fmt(http['server_idle_peak_mb'])} / {_fmt(http['server_peak_mb'])} MB", "")]
    return out


def rows_numbers(r: dict) -> list[tuple]:
    return [(f"number lookup rank-1, {name} ({r['numbers']} numbers)", f"{s['rank1_accuracy']:.3f}", "1.000")
            for name, s in r["spellings"].items()]


def rows_peers(r: dict) -> list[tuple]:
    out = []
    for name, e in r["engines"].items():
        b, q = e["build"], e["query"]
        first = q.get("first_pass")
        out.append((f"{name}: build / size / query p50, p95" + (" (first pass p50, p95)" if first else "")
                    + " / build peak",
                    f"{_fmt(b['seconds'])} s / {_fmt(e['index_mb'])} MB / {_fmt(q['p50_ms'])}, {_fmt(q['p95_ms'])} ms"
                    + (f" ({_fmt(first['p50_ms'])}, {_fmt(first['p95_ms'])} ms)" if first else "")
                    + f" / {_fmt(b['peak_tree_mb'])} MB", ""))
    for name, ratio in r.get("ours_over_peer", {}).items():
        keys = ("build_seconds", "index_mb", "p50_ms", "p95_ms") + (("first_p95_ms",) if "first_p95_ms" in ratio else ())
        out.append((f"ours / {name}: build, size, p50, p95" + (", first-pass p95" if len(keys) > 4 else ""),
                    ", ".join(_fmt(ratio[k]) for k in keys), "p95s ≤ 0.5 (sqlite_fts5)" if name == "sqlite_fts5" else ""))
    return out


def rows_quality(r: dict) -> list[tuple]:
    out = [("ours: in-sample — its weights, boilerplate list and ranking stage were fitted on these questions; "
            "held-out figures: `results/ltr.json` (cross-validated) and Notes", "", "")]
    for stem, variants in r["results"].items():
        for variant, table in variants.items():
            for system, m in table.items():
                if system == "ours_behaviour":
                    continue
                out.append((f"ALQAC {stem}, {variant}, {system} ({m['queries']} q): R@1/5/10/100, MRR@10, nDCG@10",
                            " / ".join(f"{m[k]:.3f}" for k in ("R@1", "R@5", "R@10", "R@100", "MRR@10", "nDCG@10")),
                            "MRR@10 ≥ 0.88" if system == "ours" and variant == "as_written" else ""))
    return out


def rows_tune(r: dict) -> list[tuple]:
    out = []
    for name, f in (("current weights", r["figures"]), ("tuned weights", r["tuned"]["figures"])):
        label = ", ".join(k.replace("alqac", "") for k in f)
        out.append((f"ALQAC MRR@10 with {name} (tuned on {r['tuned_on']}): {label}",
                    " / ".join(f"{v['MRR@10']:.3f}" for v in f.values()), ""))
    return out


def rows_read_memory(r: dict) -> list[tuple]:
    out = []
    for key, label in (("one_file", "one .jsonl"), ("big_file", "one .jsonl.gz"),
                       ("big_file_no_duplicate_check", "same, check_duplicates=False")):
        if key not in r:
            continue
        run, at = r[key], r[key]["peak_rss_mb_at"]
        out.append((f"reading only, {label} ({run['mb_on_disk']:,} MB on disk, {run['documents']:,} records): "
                    "peak RSS at 25% / 50% / 100%", f"{at['25%']} / {at['50%']} / {at['100%']} MB", ""))
    if "build_one_file" in r:
        out.append(("build --fresh from the one .jsonl: peak memory (process tree)",
                    _fmt(r["build_one_file"]["peak_tree_mb"], " MB"), "≤ 2,048 MB"))
    return out


def rows_relations(r: dict) -> list[tuple]:
    out = []
    for split, label in (("dev", "dev (cues written reading these)"), ("heldout", "gazette web pages (seen since)"),
                         ("blind", "blind (vbpl.vn law articles, scored once)")):
        if split not in r:
            continue
        m = r[split]
        out.append((f"relations, {label}, {m['numbers_found']} citations: accuracy", _fmt(m["accuracy"]), "≥ 0.90"))
        out.append((f"relations, {label}: thay_the + bai_bo + het_hieu_luc precision ({m['strong_predicted']} said)",
                    _fmt(m["strong_precision"]), "≥ 0.95"))
    return out


def rows_changes(r: dict) -> list[tuple]:
    """Every kind of index change while the server answers load (issue #12)."""
    out = []
    steps: dict[str, list[dict]] = {}
    for c in r["changes"]:
        steps.setdefault(c["step"], []).append(c)
    for step, runs in steps.items():
        took = [c["seconds"] for c in runs]
        stale = [c.get("switch_to_last_stale_answer_s") for c in runs if c.get("switch_to_last_stale_answer_s") is not None]
        out.append((f"{step} (×{len(runs)}): command took; errors during it; last stale answer after the switch",
                    f"{min(took)}–{max(took)} s; {sum(c['during']['errors'] for c in runs)}; "
                    + (f"{max(stale)} s" if stale else "no switch"), "0 errors"))
    out.append(("all requests while changing: failed / total; server restarted; server peak",
                f"{r['failed_requests']} / {r['all_requests']['requests']:,}; {r['server_restarted']}; "
                f"{r['server_peak_mb']} MB", "0 failed, no restart"))
    return out


def rows_scale(r: dict) -> list[tuple]:
    """The scale curve (issue 18): per size, build and queries; then the fitted growth."""
    out = [("code measured (queries): `git archive` of the commit", f"`{r.get('measured_commit', '?')}`", "")]
    for name, p in r["points"].items():
        b = p["build"]
        entries = f"{p['entries']:,} entries" if "entries" in p else name
        cpu = f" ({_fmt(b['cpu_seconds'])} s CPU)" if b.get("cpu_seconds") else ""
        over = f"; passed 2 GB at {_fmt(b['first_over_2gb_at_s'], ' s')}" if b.get("first_over_2gb_at_s") else ""
        if b.get("returncode", 0) != 0:
            out.append((f"scale {name}: build -j 2 (cold), commit `{b.get('commit', '?')}`: did not finish",
                        f"{b.get('stopped') or b.get('note') or b['returncode']}: {_fmt(b['seconds'], ' s')}{cpu}, "
                        f"peak so far {_fmt(b['peak_tree_mb'], ' MB')}{over}", "peak ≤ 2,048 MB"))
        elif "seconds" in b:
            note = f" ({b['note']})" if b.get("note") else ""
            out.append((f"scale {name}, {entries}: build -j 2 (cold), commit `{b.get('commit', '?')}` / build peak "
                        "(process tree) / index size served (posting arrays included)",
                        f"{_fmt(b['seconds'], ' s')}{cpu}{note} / {_fmt(b['peak_tree_mb'], ' MB')}{over} / "
                        f"{_fmt(p.get('index_mb', b.get('index_mb')), ' MB')}", "peak ≤ 2,048 MB"))
        if "warm" in p:
            c, w = p["cold"], p["warm"]
            out.append((f"scale {name}: query p50 / p95 first pass; warm; service memory (VmHWM) after the queries",
                        f"{_fmt(c['p50_ms'])} / {_fmt(c['p95_ms'])} ms; {_fmt(w['p50_ms'])} / {_fmt(w['p95_ms'])} ms; "
                        f"{_fmt(p['memory_after_mb'], ' MB')}", ""))
    f = r["fit"]
    if f.get("warm_p95_ms_slope") is not None:
        out.append(("growth of query time with entries (log-log slope), p50 / p95: first pass; warm",
                    f"{_fmt(f['cold_p50_ms_slope'])} / {_fmt(f['cold_p95_ms_slope'])}; "
                    f"{_fmt(f['warm_p50_ms_slope'])} / {_fmt(f['warm_p95_ms_slope'])}", ""))
    for name in r["points"]:
        if f"warm_p95_{name}_over_62k" in f:
            out.append((f"p95 at {name} / p95 at 62k: first pass; warm",
                        f"{_fmt(f[f'cold_p95_{name}_over_62k'])}; {_fmt(f[f'warm_p95_{name}_over_62k'])}",
                        "≤ 3" if name == "1m" else ""))
    if "projected_warm_p95_1m_over_62k" in f:
        out.append(("p95 at 1M / p95 at 62k projected by the slope (1M not measured): first pass; warm",
                    f"{_fmt(f['projected_cold_p95_1m_over_62k'])}; {_fmt(f['projected_warm_p95_1m_over_62k'])}",
                    "≤ 3"))
    return out


ROWS = {"analysis": rows_analysis, "build": rows_build, "query": rows_query, "doc_numbers": rows_numbers,
        "peers": rows_peers, "quality": rows_quality, "tune": rows_tune,
        "tune-pairs": rows_tune, "quality-proposed": rows_quality, "doc_numbers-proposed": rows_numbers, "query-proposed": rows_query,
        "read_memory": rows_read_memory, "relations_eval": rows_relations, "changes_under_load": rows_changes,
        "read_memory-1gb-build": rows_read_memory, "scale": rows_scale}
SKIP_IN_TABLE = ("speed_queries",)  # inputs, not results


def table() -> str:
    """The markdown of every result file there is: one header line per bench, then its figures."""
    lines = ["| figure | measured | target |", "|---|---|---|"]
    for name, make in ROWS.items():
        r = _load(name)
        if r is None:
            continue
        m = r["machine"]
        lines.append(f"| **{name}** — {r['date'][:10]}, commit `{r['commit']}`, {m['cores']} × {m['cpu']}, "
                     f"{m['memory_gb']} GB, load {r.get('loadavg_1min', {}).get('start', '?')}: "
                     f"`{r['command']}` | | |")
        lines += [f"| {a} | {b} | {c} |" for a, b, c in make(r)]
    others = sorted(p.stem for p in RESULTS.glob("*.json")
                    if p.stem not in ROWS and not p.stem.startswith(SKIP_IN_TABLE) and "-limit" not in p.stem)
    lines += [f"| other bench: see `results/{name}.json` | | |" for name in others]
    return "\n".join(lines)


def write_table() -> None:
    """Replace the part of ``bench/README.md`` between the result markers with ``table()``."""
    text = README.read_text(encoding="utf-8")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    README.write_text(f"{head}{START}\n{table()}\n{END}{tail}", encoding="utf-8")
    print(f"wrote {README.relative_to(ROOT)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="", help="comma-separated bench names")
    ap.add_argument("--table-only", action="store_true", help="only regenerate the README table")
    args = ap.parse_args()
    failed = []
    if not args.table_only:
        for name in benches(set(filter(None, args.only.split(","))) or None):
            code, seconds = run(name)
            print(f"=== bench/{name}.py: exit {code}, {seconds:.0f} s", flush=True)
            if code:
                failed.append(name)
    write_table()
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()

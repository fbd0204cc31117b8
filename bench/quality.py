"""Retrieval quality on ALQAC 2023/2024 (issue #7): our search service vs a plain syllable BM25, in one run.

The 2,249 ALQAC law articles are converted to records (title = the article's heading, body = its
text, id = ``_id``) and indexed by the project's own build. Every question of each qrels file is asked
twice, as written and with its diacritics removed (what many users type), of:

- ``ours``: ``SearchService.search`` as the site runs it (two pages of 50 for Recall@100);
- ``bm25_syllables``: a plain BM25 (k1=1.2, b=0.75) over the syllables of ``syllable_analyzer()``,
  or of ``folded_analyzer()`` for the unaccented questions — the same tokenization as ours;
- ``sqlite_fts5`` and ``tantivy``: the peers of ``bench/engines.py`` on the same records.

    python bench/quality.py [--limit N] [--systems ours,bm25_syllables] [--without boilerplate,years]

``--without`` turns parts of query understanding off (issue 17), to measure what each one buys:
``boilerplate`` (question frames kept as words), ``abbreviations`` (no UBND ↔ Ủy ban nhân dân),
``years`` (a year is a word again), ``laws`` (a law's name is words only). Results then go to
``quality-without-<parts>.json``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the repo, not bench/: keep stdlib names unshadowed

from bench.bm25 import BM25  # noqa: E402
from bench.common import (VAR, alqac_corpus, alqac_corpus_dir, alqac_qrels, alqac_queries,  # noqa: E402
                          apply_weights, ensure_index, result_path, write_result)
from bench.engines import ENGINES, read_records  # noqa: E402
from bench.metrics import METRICS, evaluate  # noqa: E402
from indexer.text.analysis import folded_analyzer, syllable_analyzer  # noqa: E402
from indexer.text.normalize import fold  # noqa: E402

SYSTEMS = ("ours", "bm25_syllables", "sqlite_fts5", "tantivy")
VARIANTS = {"as_written": lambda q: q, "unaccented": fold}
DEPTH = 100
TARGETS = {"MRR@10": 0.88, "unaccented_share_of_accented": 0.95}
PUBLISHED = {"alqac2023_train": {"bm25_MRR@10": 0.810}, "alqac2024_unverified_train": {"bm25_MRR@10": 0.804}}


def alqac_index(jobs: int = 2) -> Path:
    """The project's index of the ALQAC articles under ``var/bench/alqac`` (built when stale)."""
    corpus = alqac_corpus_dir(VAR / "alqac" / "corpus")
    return ensure_index(corpus, VAR / "alqac" / "index", jobs)


def ours_ranked(svc, text: str, depth: int = DEPTH) -> list[dict]:
    """The first ``depth`` results of the search service (pages of 50, the most it serves at once)."""
    from search_app.params import parse_params

    out: list[dict] = []
    page = 1
    while len(out) < depth:
        resp = svc.search(parse_params({"q": text, "per_page": "50", "page": str(page)}))
        out += resp.results
        if page * 50 >= resp.total:
            break
        page += 1
    return out[:depth]


def ours_runs(svc, questions: dict[str, str]) -> tuple[dict[str, list[str]], dict]:
    """Ranked ids per question, and how the service behaved (time per question, cited-only entries in top 10)."""
    runs, cited, started = {}, 0, time.perf_counter()
    for qid, text in questions.items():
        results = ours_ranked(svc, text)
        runs[qid] = [r["id"] for r in results]
        cited += sum(r["kind"] == "cited" for r in results[:10])
    n = max(1, len(questions))
    return runs, {"ms_per_question": round((time.perf_counter() - started) * 1000 / n, 1),
                  "cited_entries_in_top10": round(cited / n, 2)}


class SyllableBM25:
    """Plain BM25 over the ALQAC texts, tokenized by the project's syllable (or folded) analyzer."""

    def __init__(self, rows: list[dict], folded: bool):
        self.analyzer = folded_analyzer() if folded else syllable_analyzer()
        self.bm25 = BM25([r["_id"] for r in rows], [self.tokens(r["text"]) for r in rows])

    def tokens(self, text: str) -> list[str]:
        """The analyzer's tokens of ``text``."""
        return [t.text for t in self.analyzer(text)]

    def runs(self, questions: dict[str, str]) -> dict[str, list[str]]:
        """The best ``DEPTH`` article ids per question."""
        return {qid: [d for d, _ in self.bm25.search(self.tokens(q), DEPTH)] for qid, q in questions.items()}


def peer_runs(name: str, questions: dict[str, str]) -> dict[str, list[str]]:
    """Ranked ids from a peer engine built on the same records (rebuilt each run: 2,249 articles)."""
    corpus = alqac_corpus_dir(VAR / "alqac" / "corpus")
    engine = ENGINES[name](VAR / "alqac" / name)
    engine.build(read_records(sorted(corpus.glob("*.jsonl"))))
    engine.open()
    return {qid: [h["id"] for h in engine.search(q, DEPTH)] for qid, q in questions.items()}


def evaluate_all(systems: tuple[str, ...], limit: int | None, svc=None) -> dict:
    """``qrels file → variant → system → metrics`` (plus the service's behaviour under ``ours_behaviour``)."""
    rows, questions, qrels_files = alqac_corpus(), alqac_queries(), alqac_qrels()
    out: dict = {}
    bm25 = {v: SyllableBM25(rows, folded=v == "unaccented") for v in VARIANTS} if "bm25_syllables" in systems else {}
    for stem, qrels in qrels_files.items():
        qrels = dict(sorted(qrels.items())[:limit])
        out[stem] = {}
        for variant, transform in VARIANTS.items():
            asked = {qid: transform(questions[qid]) for qid in qrels}
            table = out[stem][variant] = {}
            for system in systems:
                if system == "ours":
                    runs, behaviour = ours_runs(svc, asked)
                    table["ours_behaviour"] = behaviour
                elif system == "bm25_syllables":
                    runs = bm25[variant].runs(asked)
                else:
                    runs = peer_runs(system, asked)
                table[system] = evaluate(runs, qrels)
    return out


def print_table(results: dict) -> None:
    """One table per qrels file and variant, a row per system."""
    for stem, variants in results.items():
        for variant, table in variants.items():
            n = next(iter(v["queries"] for k, v in table.items() if k != "ours_behaviour"))
            print(f"{stem} — {variant} ({n} questions)")
            print("  " + f"{'system':<16}" + "".join(f"{m:>9}" for m in METRICS))
            for system, m in table.items():
                if system != "ours_behaviour":
                    print("  " + f"{system:<16}" + "".join(f"{m[k]:>9.3f}" for k in METRICS))


def without(parts: list[str]) -> None:
    """Turn the named parts of query understanding off in this process (see the module docstring)."""
    from search_app import query, understand

    off = {"boilerplate": lambda: setattr(understand, "strip_boilerplate", lambda text: text),
           "abbreviations": lambda: setattr(query, "segments", lambda folded: [((f,), None) for f in folded]),
           "years": lambda: setattr(understand, "take_years", lambda group: (group, [], "")),
           "laws": lambda: setattr(understand, "find_laws", lambda group, laws: [])}
    for part in parts:
        if part not in off:
            raise SystemExit(f"--without: unknown part {part!r}; parts: {', '.join(off)}")
        off[part]()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="questions per qrels file (default: all)")
    ap.add_argument("--systems", default=",".join(SYSTEMS), help=f"comma-separated, from {', '.join(SYSTEMS)}")
    ap.add_argument("--jobs", "-j", type=int, default=2)
    ap.add_argument("--weights", default="", help="try other ranking weights (JSON or tune result file); "
                    "results go to quality-proposed.json")
    ap.add_argument("--without", default="", help="query understanding parts to turn off, comma-separated: "
                    "boilerplate, abbreviations, years, laws")
    args = ap.parse_args()
    parts = sorted(p for p in args.without.split(",") if p)
    without(parts)
    systems = tuple(s for s in args.systems.split(",") if s)
    weights = apply_weights(args.weights) if args.weights else None
    svc = None
    if "ours" in systems:
        from search_app.search import SearchService
        svc = SearchService(alqac_index(args.jobs))
    results = evaluate_all(systems, args.limit, svc)
    print_table(results)
    summary = {stem: {"ours_unaccented_share_of_accented_MRR@10": _share(v)} for stem, v in results.items()
               if "ours" in v["as_written"]}
    name = "quality-proposed" if weights else f"quality-without-{'-'.join(parts)}" if parts else "quality"
    write_result(result_path(name, args.limit, None),
                 {"systems": list(systems), "weights": weights, "without": parts, "depth": DEPTH, "results": results, "summary": summary,
                  "targets": TARGETS, "published": PUBLISHED})


def _share(variants: dict) -> float:
    accented = variants["as_written"]["ours"]["MRR@10"]
    return round(variants["unaccented"]["ours"]["MRR@10"] / accented, 3) if accented else 0.0


if __name__ == "__main__":
    main()

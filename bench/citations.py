"""Speed of ``extract_citations`` on the Pháp điển articles (characters per second).

Usage::

    python bench/citations.py [--limit N] [--repeat R]

Reads ``phapdien_articles/phapdien_articles.jsonl.gz`` under ``$VNLEX_SHARED_DATA`` (default
``../shared/data`` next to the repository), cleans each article text with ``normalize.clean`` (timed
apart: it is the caller's step), runs ``extract_citations`` on it, prints the figures and writes
``bench/results/citations.json``. ``--limit`` stops after N articles; ``--repeat`` keeps the best of R
timed runs over the same texts.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from indexer.cite.citations import extract_citations  # noqa: E402
from indexer.text.normalize import clean  # noqa: E402

RESULTS = REPO / "bench" / "results" / "citations.json"
RELATIVE = Path("phapdien_articles") / "phapdien_articles.jsonl.gz"


def data_path() -> Path:
    """The Pháp điển file: ``$VNLEX_SHARED_DATA`` or ``../shared/data``."""
    root = Path(os.environ.get("VNLEX_SHARED_DATA", REPO.parent / "shared" / "data"))
    return root / RELATIVE


def load(path: Path, limit: int | None) -> list[str]:
    """Article texts, in file order, at most ``limit`` of them."""
    texts = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if limit is not None and len(texts) >= limit:
                break
            texts.append(json.loads(line).get("text") or "")
    return texts


def run(texts: list[str], repeat: int) -> dict:
    """Time ``clean`` once and ``extract_citations`` ``repeat`` times; count what was found."""
    t0 = time.perf_counter()
    cleaned = [clean(t) for t in texts]
    clean_s = time.perf_counter() - t0
    chars = sum(map(len, cleaned))
    best, kinds = float("inf"), Counter()
    for _ in range(repeat):
        kinds = Counter()
        t0 = time.perf_counter()
        for text in cleaned:
            for c in extract_citations(text):
                kinds["numbered" if c.number else "by_name"] += 1
        best = min(best, time.perf_counter() - t0)
    return {"articles": len(texts), "characters": chars, "extract_seconds": round(best, 3),
            "extract_chars_per_second": round(chars / best), "clean_seconds": round(clean_s, 3),
            "clean_chars_per_second": round(chars / clean_s) if clean_s else None,
            "citations": dict(kinds)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="articles to read (default: all)")
    parser.add_argument("--repeat", type=int, default=1, help="timed runs; the best is kept")
    args = parser.parse_args(argv)
    path = data_path()
    if not path.exists():
        print(f"data not found: {path} (set VNLEX_SHARED_DATA to the shared/data folder)", file=sys.stderr)
        return 2
    result = run(load(path, args.limit), max(1, args.repeat))
    result.update(limit=args.limit, repeat=args.repeat, python=platform.python_version(),
                  machine=platform.machine(), data=str(RELATIVE))
    print(f"{result['articles']} articles, {result['characters']:,} characters")
    print(f"extract_citations: {result['extract_seconds']} s, "
          f"{result['extract_chars_per_second'] / 1e6:.2f} M chars/s")
    print(f"clean (caller's step): {result['clean_seconds']} s, "
          f"{(result['clean_chars_per_second'] or 0) / 1e6:.2f} M chars/s")
    print(f"citations: {result['citations']}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

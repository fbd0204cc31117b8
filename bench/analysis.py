"""Characters per second of the whole analysis chain vs bare pyvi, on phapdien article text (issue #2).

The chain is what indexing one text costs in one process: ``clean``, then the word, syllable and
folded analyzers as Whoosh calls them (each normalizes; the word analyzer runs pyvi once). Bare pyvi
is ``ViTokenizer.tokenize`` fed the same sentences. Both run in this process, alternately, best of
``--rounds``; stage timings say where the chain's time goes.

    python bench/analysis.py [--limit 3000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the repo, not bench/: keep stdlib names unshadowed

from bench.common import phapdien_rows, result_path, write_result  # noqa: E402
from indexer.text.analysis import folded_analyzer, syllable_analyzer, word_analyzer  # noqa: E402
from indexer.text.normalize import clean, normalize  # noqa: E402
from indexer.text.segment import _tokenizer, forget, join_flags, prime, sentences, words_from_flags  # noqa: E402

DEFAULT_LIMIT = 3000
TARGET_CHARS_PER_S = 300_000
TARGET_SHARE_OF_PYVI = 0.75


def sample_texts(limit: int, step: int = 20) -> list[str]:
    """Every ``step``-th article's text (spread over all subject headings), ``limit`` of them, cleaned."""
    out = []
    for n, row in enumerate(phapdien_rows()):
        if n % step == 0 and row.get("text"):
            out.append(clean(row["text"]))
            if len(out) >= limit:
                break
    return out


def _drain(analyzer, text: str) -> int:
    return sum(1 for _ in analyzer(text, positions=True, chars=True, mode="index"))


def run_chain(texts: list[str]) -> int:
    """Index-time analysis of every text: clean + the three analyzers (pyvi runs once per text)."""
    word, syl, folded = word_analyzer(), syllable_analyzer(), folded_analyzer()
    tokens = 0
    for text in texts:
        text = clean(text)
        tokens += _drain(word, text) + _drain(syl, text) + _drain(folded, text)
    return tokens


def run_bare_pyvi(texts: list[str]) -> int:
    """``ViTokenizer.tokenize`` on each sentence of each text (the same sentences the chain feeds pyvi)."""
    tokenize = _tokenizer().tokenize
    out = 0
    for text in texts:
        for start, end in sentences(text):
            out += len(tokenize(text[start:end]))
    return out


def stage_seconds(texts: list[str]) -> dict[str, float]:
    """Seconds of each step of the chain run alone over all ``texts``."""
    word, syl, folded = word_analyzer(), syllable_analyzer(), folded_analyzer()
    normed = [normalize(t) for t in texts]
    steps = {
        "clean": lambda: [clean(t) for t in texts],
        "normalize": lambda: [normalize(t) for t in texts],
        "pyvi_join_flags": lambda: [join_flags(t) for t in normed],
    }
    out = {name: _timed(fn) for name, fn in steps.items()}
    flags = [join_flags(t) for t in normed]
    out["words_from_flags"] = _timed(lambda: [words_from_flags(t, f) for t, f in zip(normed, flags)])
    for t, f in zip(normed, flags):
        prime(t, f)
    out["word_analyzer_primed"] = _timed(lambda: [_drain(word, t) for t in texts])
    forget()
    out["syllable_analyzer"] = _timed(lambda: [_drain(syl, t) for t in texts])
    out["folded_analyzer"] = _timed(lambda: [_drain(folded, t) for t in texts])
    return out


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help="articles (every 20th of phapdien)")
    ap.add_argument("--rounds", type=int, default=2, help="alternating rounds; the best of each is kept")
    args = ap.parse_args()
    texts = sample_texts(args.limit)
    chars = sum(map(len, texts))
    run_bare_pyvi(texts[:20])  # import pyvi and warm up before timing
    bare, chain = [], []
    for _ in range(args.rounds):
        bare.append(_timed(lambda: run_bare_pyvi(texts)))
        chain.append(_timed(lambda: run_chain(texts)))
    stages = stage_seconds(texts)
    figures = {
        "texts": len(texts), "chars": chars, "rounds": args.rounds,
        "chain_seconds": round(min(chain), 3), "bare_pyvi_seconds": round(min(bare), 3),
        "chain_chars_per_s": round(chars / min(chain)), "bare_pyvi_chars_per_s": round(chars / min(bare)),
        "chain_share_of_pyvi": round(min(bare) / min(chain), 3),
        "stages_chars_per_s": {k: round(chars / v) for k, v in stages.items()},
        "stages_seconds": {k: round(v, 3) for k, v in stages.items()},
        "targets": {"chars_per_s": TARGET_CHARS_PER_S, "share_of_pyvi": TARGET_SHARE_OF_PYVI},
    }
    print(f"{len(texts)} texts, {chars:,} chars, best of {args.rounds}")
    print(f"  chain      {figures['chain_chars_per_s']:>10,} chars/s  ({figures['chain_seconds']} s)")
    print(f"  bare pyvi  {figures['bare_pyvi_chars_per_s']:>10,} chars/s  ({figures['bare_pyvi_seconds']} s)")
    print(f"  chain / bare pyvi speed: {figures['chain_share_of_pyvi']:.2f} (target >= {TARGET_SHARE_OF_PYVI})")
    for name, value in figures["stages_chars_per_s"].items():
        print(f"    {name:<22} {value:>12,} chars/s")
    write_result(result_path("analysis", args.limit, DEFAULT_LIMIT), figures)


if __name__ == "__main__":
    main()

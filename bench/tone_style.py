"""Which tone-mark style makes pyvi join more compounds? (chooses ``normalize.TONE_STYLE``)

Takes real sentences that contain an open oa/oe/uy syllable with a tone mark (the only syllables the
two styles spell differently), writes each in both styles, segments both, and counts how many of those
syllables pyvi puts inside a multi-syllable word.

    python bench/tone_style.py [--limit 3000]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.text.normalize import _OLD_RE, _NEW_RE, clean, to_new_tone_style, to_old_tone_style  # noqa: E402
from indexer.text.segment import segment, sentences  # noqa: E402

DATA = Path(os.environ.get("VNLEX_SHARED_DATA", ROOT.parent / "shared" / "data"))


def affected_sentences(limit: int) -> list[str]:
    """Real sentences from phapdien_articles with at least one style-dependent syllable."""
    out = []
    with gzip.open(DATA / "phapdien_articles" / "phapdien_articles.jsonl.gz", "rt", encoding="utf-8") as f:
        for n, line in enumerate(f):
            if n % 10:  # every tenth article: spread over all 301 subject headings
                continue
            text = clean(json.loads(line)["text"])
            for s, e in sentences(text):
                sent = text[s:e]
                if _OLD_RE.search(sent) or _NEW_RE.search(sent):
                    out.append(sent)
                    if len(out) >= limit:
                        return out
    return out


def _spans(sent: str) -> list[tuple[int, int]]:
    return [(w.start, w.end) for w in segment(sent)]


def _dictionary() -> set[str]:
    """pyvi's own multi-syllable words (old style, lowercase, space-separated)."""
    from indexer.text.segment import _tokenizer
    tok = _tokenizer()
    return tok.bi_grams | tok.tri_grams


def joined_share(sents: list[str], convert, pattern) -> tuple[int, int, int]:
    """(style syllables inside a compound, those compounds found in pyvi's dictionary, all style syllables).

    A join is only worth something when it is a real word: the dictionary check (in one spelling for
    both styles) keeps a style that glues too much from winning on count alone.
    """
    words_ok = _dictionary()
    joined = in_dict = total = 0
    for sent in sents:
        sent = convert(sent)
        spots = [m.start() for m in pattern.finditer(sent)]
        words = segment(sent)
        for pos in spots:
            total += 1
            hit = next((w for w in words if w.start <= pos < w.end and "_" in w.text), None)
            if hit:
                joined += 1
                in_dict += to_old_tone_style(hit.text.replace("_", " ")).lower() in words_ok
    return joined, in_dict, total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=3000, help="sentences to measure")
    args = ap.parse_args()
    sents = affected_sentences(args.limit)
    old = joined_share(sents, to_old_tone_style, _TO_OLD_SPOT)
    new = joined_share(sents, to_new_tone_style, _TO_NEW_SPOT)
    differ = sum(_spans(to_old_tone_style(s)) != _spans(to_new_tone_style(s)) for s in sents)
    result = {
        "sentences": len(sents), "segmented_differently": differ,
        "style_syllables": old[2],
        "old_style_joined": old[0], "new_style_joined": new[0],
        "old_style_joined_dictionary_words": old[1], "new_style_joined_dictionary_words": new[1],
        "old_style_dictionary_word_rate": round(old[1] / max(old[2], 1), 4),
        "new_style_dictionary_word_rate": round(new[1] / max(new[2], 1), 4),
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "tone_style.json").write_text(json.dumps(result, indent=2) + "\n")


# The spots to count, in each style's own spelling: ``_NEW_RE`` matches old-style pairs (the ones it
# would convert to the new style) and ``_OLD_RE`` matches new-style pairs.
_TO_OLD_SPOT = _NEW_RE
_TO_NEW_SPOT = _OLD_RE

if __name__ == "__main__":
    main()

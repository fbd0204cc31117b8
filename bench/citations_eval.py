"""Precision and recall of ``extract_citations`` on the labelled sentences.

Usage::

    python bench/citations_eval.py [--data tests/data/citations_labelled.jsonl] [--show-errors]

The labelled set (``tests/data/citations_labelled.jsonl``) holds real sentences quoted from
``../shared`` (the Thanh Hóa seed page, web_page_excerpts, the Bình Dương ``trich_yeu`` field, gazette
"Căn cứ" lines and other sentences of congbao_8chude, phapdien_articles, congbao_phapdien_webtext and
vbpl_review_scraped); ``source`` names the file and record of each. One line per sentence::

    {"id": "L002", "split": "dev", "source": "seed:…", "text": "…", "citations": [
     {"number": "93/KH-UBND", "date": "2023-04-18"}, {"name": "Luật hoạt động Chữ thập đỏ"}]}

``split``: "dev" sentences (L…) were labelled while the extractor was built, by reading each sentence
next to the extractor's output and correcting it, so their figures are optimistic; "heldout" sentences
(H…) were drawn afterwards with another seed, labelled from the text alone, and scored once before
any further change to the extractor.

Labelling conventions: every occurrence is listed, in text order; a law named before its number
("Luật Đầu tư số 61/2020/QH14") is one numbered citation; a law's year is not part of its name;
"Luật sửa đổi, bổ sung một số điều của Luật A" is one citation; QCVN/TCVN "N:YYYY" standards count
as numbered citations; form codes ("Mẫu số 01/PLI"), licences ("Giấy phép số 28/GP-BC"), file
names ("…15-2018-ND-CP.doc") and "Hiến pháp" used as a common noun ("tuân thủ Hiến pháp và pháp
luật") do not. ``date`` is given where the sentence states the issue date.

Numbered citations are matched on ``key`` (fold of the number), name-only citations on the folded
name, per sentence as multisets. Prints the figures and writes ``bench/results/citations_eval.json``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from indexer.cite.citations import extract_citations, number_key  # noqa: E402
from indexer.text.normalize import clean, fold  # noqa: E402

DEFAULT_DATA = REPO / "tests" / "data" / "citations_labelled.jsonl"
RESULTS = REPO / "bench" / "results" / "citations_eval.json"


def name_key(name: str) -> str:
    """Folded name without punctuation: "Luật Phòng, chống ma túy" → "luat phong chong ma tuy"."""
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", fold(name).lower()).split())


def _split(cites: list[dict]) -> tuple[Counter, Counter, dict]:
    numbers, names, dates = Counter(), Counter(), {}
    for c in cites:
        if c.get("number"):
            k = number_key(c["number"])
            numbers[k] += 1
        else:
            k = "name:" + name_key(c["name"])
            names[k] += 1
        if c.get("date"):
            dates.setdefault(k, []).append(c["date"])
    return numbers, names, dates


def _score(tp: int, n_pred: int, n_gold: int) -> dict:
    p = tp / n_pred if n_pred else 1.0
    r = tp / n_gold if n_gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"tp": tp, "predicted": n_pred, "gold": n_gold, "precision": round(p, 4),
            "recall": round(r, 4), "f1": round(f, 4)}


def evaluate(rows: list[dict], show_errors: bool = False) -> dict:
    """Micro-averaged precision/recall for numbered and name-only citations, and date accuracy."""
    tot = Counter()
    errors = []
    for row in rows:
        pred = [c.to_dict() for c in extract_citations(clean(row["text"]))]
        g_num, g_name, g_date = _split(row["citations"])
        p_num, p_name, p_date = _split(pred)
        tot["num_tp"] += sum((g_num & p_num).values())
        tot["num_pred"] += sum(p_num.values())
        tot["num_gold"] += sum(g_num.values())
        tot["name_tp"] += sum((g_name & p_name).values())
        tot["name_pred"] += sum(p_name.values())
        tot["name_gold"] += sum(g_name.values())
        for k, gold_dates in g_date.items():
            got = p_date.get(k, [])
            tot["date_gold"] += len(gold_dates)
            tot["date_ok"] += sum((Counter(gold_dates) & Counter(got)).values())
        if (g_num != p_num or g_name != p_name) and show_errors:
            errors.append({"id": row["id"], "missed": sorted((g_num - p_num) + (g_name - p_name)),
                           "extra": sorted((p_num - g_num) + (p_name - g_name))})
    result = {
        "sentences": len(rows),
        "numbered": _score(tot["num_tp"], tot["num_pred"], tot["num_gold"]),
        "name_only": _score(tot["name_tp"], tot["name_pred"], tot["name_gold"]),
        "dates": {"gold": tot["date_gold"], "correct": tot["date_ok"],
                  "accuracy": round(tot["date_ok"] / tot["date_gold"], 4) if tot["date_gold"] else 1.0},
    }
    if show_errors:
        result["errors"] = errors
    return result


def _print(label: str, result: dict) -> None:
    for kind in ("numbered", "name_only"):
        s = result[kind]
        print(f"{label:8s} {kind:10s} precision {s['precision']:.4f}  recall {s['recall']:.4f}  "
              f"f1 {s['f1']:.4f}  (tp {s['tp']}, predicted {s['predicted']}, gold {s['gold']})")
    d = result["dates"]
    print(f"{label:8s} dates      {d['correct']}/{d['gold']} correct ({d['accuracy']:.4f}); "
          f"{result['sentences']} sentences")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="labelled JSONL file")
    parser.add_argument("--show-errors", action="store_true", help="list sentences that differ")
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line]
    result = evaluate(rows, args.show_errors)
    result["data"] = str(args.data.relative_to(REPO)) if args.data.is_relative_to(REPO) else str(args.data)
    _print("all", result)
    result["splits"] = {}
    for split in sorted({r.get("split", "") for r in rows} - {""}):
        result["splits"][split] = evaluate([r for r in rows if r.get("split") == split])
        _print(split, result["splits"][split])
    for e in result.get("errors", []):
        print(f"  {e['id']}: missed {e['missed']} extra {e['extra']}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

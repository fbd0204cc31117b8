"""Precision and recall of ``read_relations`` per relation, on labelled real sentences.

Usage::

    python bench/relations_eval.py [--data tests/data/relations_labelled.jsonl] [--show-errors]

The labelled set (``tests/data/relations_labelled.jsonl``) holds one citation per line: a sentence
quoted from ``../shared`` (``source``: the gazette full texts ``congbao_8chude_fulltext``, the gazette
web pages ``congbao_phapdien_webtext``, the Bình Dương ``trich_yeu`` field, the Thanh Hóa seed page,
law articles of ``vbpl_review_scraped``;
``doc``: the record), the cited ``number`` and its ``relation``, labelled by reading the sentence::

    {"source": "binhduong_van_ban_chi_dao_dieu_hanh", "doc": "…", "number": "28/CT-TTg",
     "relation": "thuc_hien", "split": "dev", "sentence": "triển khai thực hiện chỉ thị số 28/ct-ttg …"}

How it was drawn: citations sampled at random from each source (with a fixed seed), half of them from
sentences holding a cue word, plus sentences holding "thay thế", "bãi bỏ" or "hết hiệu lực" (those are
rare and matter most); citations whose relation cannot be told from the text were left out (the page's
own number, vbpl.vn's "Văn bản bị thay thế/bãi bỏ/hủy bỏ/đình chỉ" lists, which merge two relations).

``split`` — how far the figures can be trusted:

* "dev": gazette full texts, Bình Dương abstracts and the seed. The cue tables were written while reading
  this module's output on those sources, and corrected on these very sentences: optimistic figures.
* "heldout": the gazette web pages (``congbao_phapdien_webtext``), never read while the cues were written,
  labelled from the text alone. Scored first at accuracy 0.863 (thay_the+bai_bo+het_hieu_luc: 2 said, both
  wrong: "… về việc công bố Danh mục văn bản … đã hết hiệu lực" and a list heading), then 0.887 after fixes
  found on dev and these; then the pages' flattened "Lược đồ" headings ("Văn bản căn cứ [2] …") were read
  (``cues.OUTLINE``) after their misses were seen here: no longer blind.
* "blind": articles of laws and decrees from ``vbpl_review_scraped`` (a source never read before),
  drawn and labelled after every cue above was written, scored once, nothing changed after
  (accuracy 0.964; thay_the+bai_bo+het_hieu_luc precision 1.0 on 5 said, recall 0.833).

Labelling conventions: a footnote of a consolidated text ("5 Khoản này được bãi bỏ theo … Thông tư số
X") is the citing text's own amendment history: ``bi_bai_bo`` / ``bi_sua_doi``; replacing a phrase, a
form or an annex of X is ``sua_doi`` (``bi_sua_doi`` passive); "thu hồi quyết định số X" is ``bai_bo``;
a document named in another's abstract ("Nghị định số A sửa đổi Nghị định số B") is ``dan_chieu``;
"thực hiện theo quy định tại …" is ``dan_chieu``; a news text reporting that someone implements X is
``thuc_hien``. Accuracy counts only citations whose number the extractor finds in the sentence.

Prints the figures and writes ``bench/results/relations_eval.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from indexer.cite.citations import extract_citations, number_key  # noqa: E402
from indexer.cite.cues import RELATIONS  # noqa: E402
from indexer.cite.relations import STRONG, read_relations  # noqa: E402
from indexer.text.normalize import clean  # noqa: E402
from bench.common import write_result  # noqa: E402

DEFAULT_DATA = REPO / "tests" / "data" / "relations_labelled.jsonl"
RESULTS = REPO / "bench" / "results" / "relations_eval.json"


def predict(sentence: str, number: str) -> str | None:
    """The relation read for ``number`` in ``sentence``; ``None`` when the number is not found."""
    text = clean(sentence)
    found = extract_citations(text)
    key = number_key(number)
    for cite, reading in zip(found, read_relations(text, found)):
        if cite.key == key:
            return reading.relation
    return None


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 3) if b else None


def score(rows: list[dict]) -> dict:
    """Per relation precision/recall/support, accuracy, and precision of thay_the + bai_bo + het_hieu_luc."""
    pairs = [(r["relation"], predict(r["sentence"], r["number"])) for r in rows]
    found = [(gold, got) for gold, got in pairs if got is not None]
    gold_n, got_n = Counter(g for g, _ in found), Counter(p for _, p in found)
    right = Counter(g for g, p in found if g == p)
    per = {rel: {"precision": _ratio(right[rel], got_n[rel]), "recall": _ratio(right[rel], gold_n[rel]),
                 "support": gold_n[rel], "predicted": got_n[rel]}
           for rel in RELATIONS if gold_n[rel] or got_n[rel]}
    said = [(g, p) for g, p in found if p in STRONG]
    return {"citations": len(rows), "numbers_found": len(found),
            "accuracy": _ratio(sum(right.values()), len(found)),
            "strong_precision": _ratio(sum(g == p for g, p in said), len(said)), "strong_predicted": len(said),
            "strong_recall": _ratio(sum(g == p for g, p in said), sum(gold_n[r] for r in STRONG)),
            "per_relation": per}


def _print(name: str, s: dict) -> None:
    print(f"\n{name}: {s['citations']} citations, number found in {s['numbers_found']}; relation accuracy "
          f"{s['accuracy']}; thay_the+bai_bo+het_hieu_luc precision {s['strong_precision']} "
          f"({s['strong_predicted']} said), recall {s['strong_recall']}")
    print(f"  {'relation':<16}{'precision':>10}{'recall':>8}{'support':>9}{'said':>6}")
    for rel, m in s["per_relation"].items():
        fmt = lambda v: "—" if v is None else f"{v:.3f}"  # noqa: E731
        print(f"  {rel:<16}{fmt(m['precision']):>10}{fmt(m['recall']):>8}{m['support']:>9}{m['predicted']:>6}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--show-errors", action="store_true", help="print every sentence read wrong")
    args = ap.parse_args(argv)
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = {"data": str(args.data.relative_to(REPO)) if args.data.is_relative_to(REPO) else str(args.data),
           "all": score(rows)}
    for split in sorted({r["split"] for r in rows}):
        out[split] = score([r for r in rows if r["split"] == split])
    for name in ["all"] + sorted({r["split"] for r in rows}):
        _print(name, out[name])
    if args.show_errors:
        for r in rows:
            got = predict(r["sentence"], r["number"])
            if got != r["relation"]:
                print(f"\n[{r['split']}] {r['number']}: labelled {r['relation']}, read {got}\n  {r['sentence']}")
    write_result(RESULTS, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

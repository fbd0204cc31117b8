"""Read-only looks at a built index: ``stats`` for people, ``verify`` against the corpus."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

from whoosh import index as whoosh_index

from indexer.index.build import BuildError
from indexer.index.entries import canonical_agency
from indexer.index.folders import live_dir
from indexer.index.schema import FACETS, INFO_FILE
from indexer.read.reader import read_corpus

__all__ = ["index_stats", "format_stats", "verify"]

# the schema's facet columns, as ``stats`` names them ("by_type" for doc_type, "by_<name>" for the rest)
_KEYS = {f: "by_type" if f == "doc_type" else f"by_{f}" for f in FACETS}


def _open(index: Path):
    live = live_dir(Path(index))
    if live is None:
        raise BuildError(f"no index at {index}: run `python -m indexer build` first")
    return live, whoosh_index.open_dir(str(live))


def most_cited(searcher, limit: int = 10) -> list[dict]:
    """The entries cited by the most other entries (their ``cite_count``, which tells two documents
    of one number apart by year), each with its number as written ("28/2013/NĐ-CP", not the key)."""
    top = sorted(((f.get("cite_count") or 0, f) for f in searcher.all_stored_fields() if f.get("cite_count")),
                 key=lambda t: (-t[0], t[1].get("doc_key") or "", t[1]["id"]))[:limit]
    return [{"key": f.get("doc_key") or "", "number": f.get("doc_number") or f.get("doc_key") or "", "cited_by": n,
             "id": f["id"], "title": f.get("title", ""), "year": f.get("year") or ""} for n, f in top]


def index_stats(index: Path) -> dict:
    """Counts by every facet column (kind, type, agency, year, field, signer, status), the
    most-cited documents, size and build info."""
    live, ix = _open(index)
    info = json.loads((live / INFO_FILE).read_text(encoding="utf-8"))
    counts: dict[str, Counter] = {f: Counter() for f in FACETS}
    with ix.searcher() as s:
        for fields in s.all_stored_fields():
            for f in FACETS:
                counts[f][fields.get(f) or "(none)"] += 1
        top = most_cited(s)
        total = s.doc_count()
    size = sum(p.stat().st_size for p in live.iterdir() if p.is_file())
    return {
        "index_dir": str(live), "entries": total,
        **{_KEYS[f]: dict(sorted(c.items()) if f == "year" else c.most_common()) for f, c in counts.items()},
        "most_cited": top, "size_bytes": size, "built_at": info.get("built_at"),
        "build_seconds": info.get("seconds"), "updated_at": info.get("updated_at"),
        "corpus": info.get("corpus"), "files_skipped": info.get("files_skipped"),
    }


def format_stats(data: dict) -> str:
    """``index_stats`` as aligned text."""
    lines = [f"index      {data['index_dir']}", f"entries    {data['entries']}",
             f"size       {data['size_bytes'] / 1e6:.1f} MB",
             f"built      {data['built_at']} in {data['build_seconds']} s"
             + (f", updated {data['updated_at']}" if data.get("updated_at") else "")]
    for key in _KEYS.values():
        lines.append(f"{key.replace('_', ' ')}:")
        lines += [f"  {n:>7}  {name}" for name, n in list(data[key].items())[:25]]
    lines.append("most cited:")
    lines += [f"  {c['cited_by']:>7}  {c['number']}  {c['title']}" for c in data["most_cited"]]
    return "\n".join(lines)


_COMPARED = ("title", "body", "doc_number", "doc_type", "agency", "signer", "content_hash")


def verify(corpus: list[Path], index: Path, sample: int = 200, seed: int = 0) -> tuple[list[str], int]:
    """Problems found comparing the index with the corpus (empty when consistent), and entries compared."""
    _, ix = _open(index)
    docs = {d.id: d for d in read_corpus(corpus).documents}
    problems = []
    with ix.searcher() as s:
        indexed = {f["id"]: f for f in s.all_stored_fields() if f["kind"] != "cited"}
        problems += [f"missing from the index: {i}" for i in sorted(set(docs) - set(indexed))]
        problems += [f"in the index but not in the corpus: {i}" for i in sorted(set(indexed) - set(docs))]
        ids = sorted(set(docs) & set(indexed))
        checked = random.Random(seed).sample(ids, min(sample, len(ids)))
        for doc_id in checked:
            doc, fields = docs[doc_id], indexed[doc_id]
            for name in _COMPARED:
                want = canonical_agency(doc.agency) if name == "agency" else getattr(doc, name)
                if want != fields.get(name, ""):
                    problems.append(f"{doc_id}: stored {name} differs from the corpus")
            if doc.date and (fields.get("date") is None or fields["date"].date().isoformat() != doc.date):
                problems.append(f"{doc_id}: stored date differs from the corpus")
    return problems, len(checked)

"""spill + the build's two passes: entries on disk and stubs in memory give the entries an in-memory pass makes."""

import gzip
import json
import shutil
from collections import Counter
from datetime import datetime

import pytest

from conftest import shared_path
from indexer.index.build import _read_entries, build, entry_hash, live_dir, real_years
from indexer.index.entries import apply_aliases, cited_entries, document_entry, law_aliases
from indexer.index.spill import BATCH, EntrySpill, split_entry
from indexer.read.reader import MAX_RECORD_BYTES, read_corpus

LAWS = 40  # vbpl.vn laws whose articles join the tiny corpus: they cite, amend and replace each other


@pytest.fixture(scope="module")
def corpus(tiny_corpus, tmp_path_factory):
    """The tiny corpus and every article of the first ``LAWS`` laws of ``vbpl_review_scraped``, as records."""
    dest = tmp_path_factory.mktemp("spill") / "corpus"
    shutil.copytree(tiny_corpus, dest)
    with gzip.open(shared_path("vbpl_review_scraped/vbpl_review_scraped.jsonl.gz"), "rt", encoding="utf-8") as f, \
            open(dest / "vbpl.jsonl", "w", encoding="utf-8") as out:
        for _, law in zip(range(LAWS), map(json.loads, f)):
            for chapter in law.get("chapters") or []:
                for art in chapter.get("articles") or []:
                    title = f"{art.get('number') or ''}. {art.get('heading') or ''}".strip(". ")
                    out.write(json.dumps({"id": f"{law['id']}:{art['id']}", "kind": "document", "title": title,
                                          "body": art.get("body") or "", "doc_number": law["id"]},
                                         ensure_ascii=False) + "\n")
    return dest


def _in_memory(corpus) -> tuple[list[dict], dict]:
    """What a build made before entries were spilled: every entry in memory, relations over them all."""
    entries = [document_entry(d) for d in read_corpus([corpus]).documents]
    aliases = law_aliases(entries)
    entries = [apply_aliases(e, aliases) for e in entries]
    entries += cited_entries(entries, real_years(entries))
    for e in entries:
        e["entry_hash"] = entry_hash(e)
    return entries, aliases


def test_the_streamed_entries_are_those_made_in_memory(corpus, tmp_path):
    expected, aliases = _in_memory(corpus)
    # the sample exercises what the stubs carry: cite counts, statuses the text gives, law names
    assert sum(e["cite_count"] > 0 for e in expected) > 100
    assert sum("derived" in e["status_basis"] for e in expected) > 10
    assert len(aliases) > 5
    spill = EntrySpill(tmp_path / "entries.pickle")
    got, kinds = _read_entries([corpus], spill, None, MAX_RECORD_BYTES, None)
    assert len(got) == len(expected)
    assert list(got) == expected
    assert list(got.drain()) == expected  # read again, dropping the stubs as it goes
    assert got.stubs == [None] * got.from_documents
    assert got.aliases == aliases
    assert kinds == Counter(e["kind"] for e in expected)


def test_a_build_leaves_no_spill_in_its_folder(corpus, tmp_path):
    stats = build([corpus], tmp_path / "index", jobs=1)
    assert stats.entries == len(_in_memory(corpus)[0])
    assert not (live_dir(tmp_path / "index") / "spill").exists()


def test_a_spill_gives_back_what_it_was_given_in_order_any_number_of_times(tmp_path):
    items = [{"id": f"e{i}", "date": datetime(2020, 1, 1 + i % 28), "cites": [{"key": str(i)}]}
             for i in range(2 * BATCH + 7)]  # two whole batches and a part
    spill = EntrySpill(tmp_path / "s.pickle")
    for item in items:
        spill.add(item)
    assert len(spill) == len(items)
    assert list(spill) == items
    assert list(spill) == items


def test_a_stub_reads_like_its_entry_and_keeps_only_what_relations_need():
    pool: dict = {}
    citer = {"id": "a", "kind": "article", "doc_key": "", "doc_number": "", "doc_type": "", "year": "2020",
             "date": datetime(2020, 5, 1), "title": "Quán triệt Chỉ thị số 43-CT/TW", "agency": "UBND tỉnh Thanh Hóa",
             "effective_date": "", "cites": [{"key": "43-ct/tw", "number": "43-CT/TW", "start": 10, "raw": "x"}],
             "citations": "43-ct/tw", "cite_count": 0, "status": "", "status_basis": {"record": ""}, "body": "…"}
    stub, rest = split_entry(citer, pool)
    assert (stub["id"], stub["year"], stub.get("effective_date"), stub["cites"][0]["key"]) == ("a", "2020", "", "43-ct/tw")
    assert stub["cites"][0].get("start") is None  # offsets and raw text stay in the spill
    assert rest["cites"] == citer["cites"] and "cite_count" not in rest and rest["body"] == "…"
    undated = dict(citer, id="b", cites=[], citations="")
    del undated["date"]
    other, _ = split_entry(undated, pool)
    assert other.get("date") is None and "date" not in other
    with pytest.raises(KeyError):
        other["date"]
    # cites nothing: never anyone's citer, so neither its id nor its title is kept
    assert (other["id"], other.get("title")) == (None, None)
    assert other["year"] is stub["year"]  # repeated values are one object

"""build / update / lock: real index from a tiny real corpus; exact counts and the citation graph."""

import json
import os
import shutil
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from indexer.index.build import BuildError, build, builds_dir, is_stale, live_dir
from indexer.index.lock import IndexLock, LockedError
from indexer.index.overview import index_stats, verify
from indexer.index.update import update


def _stored(index: Path) -> dict[str, dict]:
    ix = whoosh_index.open_dir(str(live_dir(index)))
    with ix.searcher() as s:
        return {f["id"]: f for f in s.all_stored_fields()}


def _citers(index: Path, key: str) -> list[str]:
    ix = whoosh_index.open_dir(str(live_dir(index)))
    with ix.searcher() as s:
        return sorted(s.stored_fields(n)["id"] for n in s.document_numbers(citations=key))


SEED_ID = "file:thanhhoa-article-2023-04-22.txt"


def test_build_counts_and_kinds(tiny_index):
    entries = _stored(tiny_index)
    kinds = sorted(e["kind"] for e in entries.values())
    # 1 seed article; 4 Bình Dương + 5 congbao records + 1 vbpl page = 10 documents
    assert kinds.count("article") == 1
    assert kinds.count("document") == 10
    info = json.loads((live_dir(tiny_index) / "build_info.json").read_text(encoding="utf-8"))
    assert info["entries"] == len(entries)
    assert info["files_read"] == info["files_used"] + info["files_skipped"] == 3


def test_cited_document_entry_lists_its_citers(tiny_index):
    # the seed article cites Chỉ thị 43-CT/TW; no record bears that number
    entries = _stored(tiny_index)
    cited = entries["cite:43-ct/tw"]
    assert (cited["kind"], cited["doc_number"], cited["doc_type"]) == ("cited", "43-CT/TW", "Chỉ thị")
    assert cited["cite_count"] == 1
    assert _citers(tiny_index, "43-ct/tw") == [SEED_ID]


def test_year_less_number_of_another_year_is_another_document(tiny_index):
    # four real Chỉ thị 18/CT-TTg (2012, 2013, 2015, 2016) are records; the seed cites the one of
    # 09/7/2018, so that one becomes a cited entry of its own, dated from the citation
    entries = _stored(tiny_index)
    eighteen = sorted((e["kind"], e["year"]) for e in entries.values() if e.get("doc_key") == "18/ct-ttg")
    assert eighteen == [("cited", "2018"), ("document", "2012"), ("document", "2013"),
                        ("document", "2015"), ("document", "2016")]
    cited = entries["cite:18/ct-ttg@2018"]
    assert cited["date"].date().isoformat() == "2018-07-09"


def test_real_document_record_is_merged_not_duplicated(tiny_corpus, tmp_path):
    # a record numbered 43-CT/TW makes the cited entry go away: the record stands for it
    corpus = tmp_path / "corpus"
    shutil.copytree(tiny_corpus, corpus)
    with open(corpus / "records.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps({"id": "ct43", "kind": "document", "doc_number": "43-CT/TW", "doc_type": "Chỉ thị",
                            "title": "Chỉ thị về tăng cường sự lãnh đạo của Đảng đối với công tác của Hội Chữ thập đỏ",
                            "agency": "Ban Bí thư"}, ensure_ascii=False) + "\n")
    index = tmp_path / "index"
    build([corpus], index)
    entries = _stored(index)
    assert "cite:43-ct/tw" not in entries
    assert entries["ct43"]["doc_key"] == "43-ct/tw"
    assert _citers(index, "43-ct/tw") == [SEED_ID]


def test_update_after_add_change_delete(tiny_corpus, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(tiny_corpus, corpus)
    index = tmp_path / "index"
    build([corpus], index)
    before = _stored(index)
    # add: a new article citing 43-CT/TW; delete: the vbpl page
    (corpus / "new.jsonl").write_text(json.dumps({
        "id": "new-article", "kind": "article", "title": "Quán triệt Chỉ thị số 43-CT/TW",
        "body": "Các cấp ủy tiếp tục thực hiện Chỉ thị số 43-CT/TW của Ban Bí thư.", "date": "2024-01-02"},
        ensure_ascii=False) + "\n", encoding="utf-8")
    os.remove(corpus / "vbpl_thuoctinh.html")
    stats = update([corpus], index)
    after = _stored(index)
    assert (stats.files_added, stats.files_changed, stats.files_removed) == (1, 0, 1)
    assert (stats.entries_added, stats.entries_changed, stats.entries_removed) == (1, 0, 1)
    assert set(after) - set(before) == {"new-article"}
    assert len(set(before) - set(after)) == 1
    assert after["cite:43-ct/tw"]["cite_count"] == 2
    assert _citers(index, "43-ct/tw") == [SEED_ID, "new-article"]
    # change: the new article no longer cites it
    (corpus / "new.jsonl").write_text(json.dumps({
        "id": "new-article", "kind": "article", "title": "Quán triệt nghị quyết",
        "body": "Các cấp ủy tiếp tục thực hiện.", "date": "2024-01-02"}, ensure_ascii=False) + "\n", encoding="utf-8")
    stats = update([corpus], index)
    assert (stats.files_changed, stats.entries_changed) == (1, 1)
    assert _stored(index)["cite:43-ct/tw"]["cite_count"] == 1
    # change a page whose id comes from its path: same id, one entry changed, none added
    seed = corpus / "thanhhoa-article-2023-04-22.txt"
    seed.write_text(seed.read_text(encoding="utf-8").replace("Lâm Anh", "Thêm một đoạn.\n\nLâm Anh"), encoding="utf-8")
    stats = update([corpus], index)
    assert (stats.files_changed, stats.entries_added, stats.entries_changed) == (1, 0, 1)
    assert "Thêm một đoạn." in _stored(index)[SEED_ID]["body"]
    assert verify([corpus], index)[0] == []
    assert not is_stale([corpus], index)


def test_interrupted_build_leaves_the_old_index_serving(tiny_corpus, tmp_path, monkeypatch):
    index = tmp_path / "index"
    build([tiny_corpus], index)
    live = live_dir(index)
    count = len(_stored(index))

    import indexer.index.build as build_module

    def boom(*args, **kwargs):
        raise KeyboardInterrupt  # as if the build were stopped half-way through writing
    monkeypatch.setattr(build_module, "_verify_count", boom)
    with pytest.raises(KeyboardInterrupt):
        build([tiny_corpus], index)
    assert live_dir(index) == live
    assert len(_stored(index)) == count
    assert not (index.parent / "index.lock").exists()
    monkeypatch.undo()
    build([tiny_corpus], index)  # the next build clears the debris and succeeds
    assert [p.name for p in builds_dir(index).iterdir() if p.name.endswith(".tmp")] == []
    assert live_dir(index) != live


def test_concurrent_build_is_refused(tiny_corpus, tmp_path):
    index = tmp_path / "index"
    with IndexLock(index):
        lock = index.with_name("index.lock")
        lock.write_text(json.dumps({"pid": 1, "since": 0}))  # PID 1 is always alive
        with pytest.raises(LockedError, match="index is being rebuilt by PID 1"):
            build([tiny_corpus], index)
        lock.write_text(json.dumps({"pid": os.getpid(), "since": 0}))


def test_stale_lock_is_cleared(tiny_corpus, tmp_path):
    index = tmp_path / "index"
    index.with_name("index.lock").write_text(json.dumps({"pid": 2 ** 22 + 12345, "since": 0}))
    build([tiny_corpus], index)
    assert live_dir(index) is not None
    assert not index.with_name("index.lock").exists()


def test_empty_corpus_fails_with_advice(tmp_path):
    (tmp_path / "corpus").mkdir()
    with pytest.raises(BuildError, match="no usable documents"):
        build([tmp_path / "corpus"], tmp_path / "index")
    assert live_dir(tmp_path / "index") is None


def test_stats(tiny_index):
    data = index_stats(tiny_index)
    assert data["by_kind"]["article"] == 1
    assert data["by_kind"]["document"] == 10
    assert data["most_cited"][0]["cited_by"] == 1


def test_parallel_writers_give_the_same_index(tiny_corpus, tmp_path, monkeypatch):
    import indexer.index.build as build_module

    monkeypatch.setattr(build_module, "PARALLEL_MIN", 1)  # the tiny corpus is far below the real bar
    build([tiny_corpus], tmp_path / "serial", jobs=1)
    build([tiny_corpus], tmp_path / "parallel", jobs=2)
    serial, parallel = _stored(tmp_path / "serial"), _stored(tmp_path / "parallel")
    assert parallel.keys() == serial.keys()
    assert all(parallel[k] == serial[k] for k in serial)
    ix = whoosh_index.open_dir(str(live_dir(tmp_path / "parallel")))
    assert len(ix._segments()) == 2
    with ix.searcher() as s:
        assert sorted(s.stored_fields(n)["id"] for n in s.document_numbers(citations="43-ct/tw")) == [SEED_ID]


def _postings(index: Path) -> dict[str, tuple]:
    """Every entry's terms in every text field, by id: what a search sees, independent of doc order."""
    ix = whoosh_index.open_dir(str(live_dir(index)))
    out: dict[str, list] = {}
    with ix.searcher() as s:
        r = s.reader()
        ids = {n: s.stored_fields(n)["id"] for n in r.all_doc_ids()}
        for field in ("text", "text_w", "text_b", "title", "citations", "doc_key"):
            for term in r.lexicon(field):
                m = r.postings(field, term)
                while m.is_active():
                    if m.id() in ids:
                        out.setdefault(ids[m.id()], []).append((field, term, m.weight()))
                    m.next()
    return {k: tuple(sorted(v)) for k, v in out.items()}


def test_rebuild_writes_only_what_changed_and_equals_a_fresh_build(tiny_corpus, tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    shutil.copytree(tiny_corpus, corpus)
    index = tmp_path / "index"
    first = build([corpus], index)
    assert first.entries_written == first.entries  # nothing to start from
    again = build([corpus], index)
    assert (again.entries_written, again.entries_deleted) == (0, 0)
    # a new article citing 43-CT/TW (its cited entry changes: cite_count 2), the vbpl page removed
    (corpus / "new.jsonl").write_text(json.dumps({
        "id": "new-article", "kind": "article", "title": "Quán triệt Chỉ thị số 43-CT/TW",
        "body": "Các cấp ủy tiếp tục thực hiện Chỉ thị số 43-CT/TW của Ban Bí thư.", "date": "2024-01-02"},
        ensure_ascii=False) + "\n", encoding="utf-8")
    os.remove(corpus / "vbpl_thuoctinh.html")
    monkeypatch.setattr("indexer.index.build.REUSE_MAX_SHARE", 1.0)  # the tiny corpus changes by more than 25%
    old = live_dir(index)
    files = {f.name: (f.stat().st_size, f.stat().st_mtime_ns, f.read_bytes()) for f in old.iterdir()}
    stats = build([corpus], index)
    assert live_dir(index) != old  # a new directory, switched to; the old one's files untouched
    assert {f.name: (f.stat().st_size, f.stat().st_mtime_ns, f.read_bytes()) for f in old.iterdir()} == files
    reference = tmp_path / "reference"
    fresh = build([corpus], reference, fresh=True)
    assert stats.entries == fresh.entries == first.entries  # +1 article, -1 document (its cited entries stay)
    # written: the new article and the 43-CT/TW cited entry; deleted: the vbpl page and the old cited entry
    assert (stats.entries_written, stats.entries_deleted) == (2, 2)
    assert _stored(index) == _stored(reference)
    assert _postings(index) == _postings(reference)
    assert _stored(index)["cite:43-ct/tw"]["cite_count"] == 2
    assert verify([corpus], index)[0] == []


def test_rebuild_after_large_changes_starts_from_nothing(tiny_corpus, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(tiny_corpus, corpus)
    index = tmp_path / "index"
    build([corpus], index)
    os.remove(corpus / "records.jsonl")  # 9 of 11 documents
    stats = build([corpus], index)
    assert stats.entries_written == stats.entries
    assert stats.entries_deleted == 0


def test_a_failing_writer_process_fails_the_build_with_its_traceback(tiny_corpus, tmp_path):
    from indexer.read.reader import read_corpus
    from indexer.index.entries import document_entry
    from indexer.index.parallel import ParallelWriteError, write_parallel
    from indexer.index.schema import build_schema

    entries = [document_entry(d) for d in read_corpus([tiny_corpus]).documents]
    entries[-1] = dict(entries[-1], cite_count="not a number")  # NUMERIC field: Whoosh raises in the worker
    whoosh_index.create_in(str(tmp_path), build_schema())
    with pytest.raises(ParallelWriteError, match="an index writer process failed:(?s:.*)ValueError"):
        write_parallel(str(tmp_path), entries, jobs=2)

"""``indexer.index.bulkwrite``: the bulk writer's index is Whoosh's own, field by field, on real text.

The same real corpus (the tiny corpus of ``conftest`` and 600 Pháp điển articles) is built with
Whoosh's ``add_document`` (``BULK_WRITE = False``) and with the bulk writer, in one process and in
two writer processes that each roll over to new segments; every field's lexicon, postings, stored
fields, columns, lengths and totals are compared, and the answers of the search service.
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema

from conftest import shared_path, write_tiny_corpus
from indexer.index import build as build_module
from indexer.index import bulkwrite, postarrays
from indexer.index.build import build, live_dir
from indexer.index.bulkwrite import BulkSegment, BulkWriteError, can_write
from indexer.index.schema import WRITER_OPTIONS, build_schema
from indexer.text.analysis import (pair_analyzer, pair_terms, syllable_analyzer, syllable_terms, word_analyzer,
                                   word_terms)
from indexer.text.normalize import normalize
from indexer.text.segment import forget, join_flags, prime
from indexer.index.whoosh_internals import decode_public, raw_postings

PHAPDIEN = "phapdien_articles/phapdien_articles.jsonl.gz"

# Queries from the bench's speed set and the ALQAC questions' kind: words, a number, a phrase, no diacritics.
QUERIES = ["hòa giải", "Phạm vi điều chỉnh", "quyền và nghĩa vụ", "thủ tục hành chính", "pham vi dieu chinh",
           "\"chứng thực bản sao\"", "82/2020/NĐ-CP", "Người lao động có quyền đơn phương chấm dứt hợp đồng",
           "xử phạt vi phạm hành chính trong lĩnh vực", "doanh nghiep"]


def _phapdien_rows(step: int, count: int) -> list[dict]:
    """Every ``step``-th row of the Pháp điển articles file, ``count`` of them, in file order."""
    rows = []
    with gzip.open(shared_path(PHAPDIEN), "rt", encoding="utf-8") as f:
        for n, line in enumerate(f):
            if n % step == 0:
                rows.append(json.loads(line))
                if len(rows) == count:
                    break
    return rows


def _record(row: dict) -> dict:
    """A Pháp điển article as a record (as ``bench/common.phapdien_record``)."""
    return {"id": row["_id"], "kind": "document", "title": row.get("heading") or "", "body": row.get("text") or "",
            "doc_number": row.get("src_so_hieu") or "", "doc_type": row.get("src_loai_van_ban") or "",
            "agency": row.get("src_co_quan_ban_hanh") or "", "date": row.get("src_ngay_ban_hanh") or "",
            "url": row.get("source_url") or "", "field": row.get("de_muc_ten") or "", "source": "phapdien.moj.gov.vn"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    dest = write_tiny_corpus(tmp_path_factory.mktemp("bulk") / "corpus")
    seen, lines = set(), []
    for row in _phapdien_rows(step=10, count=600):  # every 10th of the first 6,000: many codes and topics
        if row["_id"] not in seen:
            seen.add(row["_id"])
            lines.append(json.dumps(_record(row), ensure_ascii=False))
    (dest / "phapdien.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return dest


def _build(corpus: Path, where: Path, bulk: bool, jobs: int, monkeypatch, cache_from: Path | None = None,
           max_postings: int = bulkwrite.MAX_SEGMENT_POSTINGS) -> Path:
    index = where / "index"
    if cache_from is not None:  # the first build's segmentations: pyvi runs once for the module
        shutil.copy(cache_from.with_name("index.segcache"), index.with_name("index.segcache"))
    with monkeypatch.context() as m:
        m.setattr(build_module, "BULK_WRITE", bulk)
        m.setattr(build_module, "PARALLEL_MIN", 100)
        m.setattr(bulkwrite, "MAX_SEGMENT_POSTINGS", max_postings)
        build([corpus], index, jobs=jobs, fresh=True)
    return index


@pytest.fixture(scope="module")
def indexes(corpus, tmp_path_factory):
    """Whoosh's writer and the bulk writer, one process (one segment each) and two (several segments)."""
    written = []  # posting arrays files the switch had to write (decoded from the segments), per build
    write_missing = postarrays.write_missing
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(postarrays, "write_missing", lambda folder: written.append(write_missing(folder)) or written[-1])
        old = _build(corpus, tmp_path_factory.mktemp("old"), False, 1, mp)
        new = _build(corpus, tmp_path_factory.mktemp("new"), True, 1, mp, cache_from=old)
        old2 = _build(corpus, tmp_path_factory.mktemp("old2"), False, 2, mp, cache_from=old)
        new2 = _build(corpus, tmp_path_factory.mktemp("new2"), True, 2, mp, cache_from=old, max_postings=40_000)
    return {"old": old, "new": new, "old2": old2, "new2": new2, "arrays written at the switch": written}


def _snapshot(index: Path) -> dict:
    """Everything a reader says about the index, keyed by entry id (doc numbers differ between
    segment layouts): per field the lexicon, each term's statistics and postings (id → weight, through
    Whoosh's public matcher), lengths per entry and in total; stored fields and columns per entry."""
    ix = whoosh_index.open_dir(str(live_dir(index)))
    with ix.searcher() as s:
        r = s.reader()
        ids = {n: fields["id"] for n, fields in r.iter_docs()}
        out = {"doc_count": r.doc_count(), "doc_count_all": r.doc_count_all(),
               "stored": {ids[n]: fields for n, fields in r.iter_docs()}}
        for name, field in ix.schema.items():
            if field.column_type:
                column = r.column_reader(name, translate=False)  # undated entries: a raw default Whoosh cannot turn into a date
                out[f"column {name}"] = {ids[n]: column[n] for n in ids}
            if not field.indexed:
                continue
            out[f"length total {name}"] = r.field_length(name)
            out[f"lengths {name}"] = {ids[n]: r.doc_field_length(n, name) for n in ids}
            terms = list(r.lexicon(name))
            out[f"lexicon {name}"] = terms
            postings = {}
            for term in terms:
                info = r.term_info(name, term)
                m = r.postings(name, term)
                found = {}
                while m.is_active():
                    found[ids[m.id()]] = m.weight()
                    m.next()
                postings[term] = (info.weight(), info.doc_frequency(), info.max_weight(), info.min_length(),
                                  info.max_length(), found)
            out[f"postings {name}"] = postings
        segments = len(r.leaf_readers())
    return out | {"segments": segments}


@pytest.fixture(scope="module")
def snapshots(indexes):
    return {name: _snapshot(index) for name, index in indexes.items() if isinstance(index, Path)}


def test_one_process_segment_files_are_byte_for_byte_whooshs(indexes):
    def files(index):  # Whoosh's files of the segment; not the posting arrays derived from them (they name it)
        return {p.name.split(".", 1)[1]: p.read_bytes() for p in live_dir(index).glob("MAIN_*.*")
                if p.suffix != postarrays.SUFFIX}
    old, new = files(indexes["old"]), files(indexes["new"])
    assert sorted(old) == sorted(new)
    assert [name for name in old if old[name] != new[name]] == []
    assert {"pst", "trm", "_stored.col", "_text_len.col", "kind.col"} <= set(old)


def test_the_bulk_writer_writes_each_segment_a_complete_arrays_file(indexes, tmp_path):
    # Whoosh's writers' segments get their arrays files at the switch (long lists decoded back from the
    # segment); the bulk writer's come from the postings it holds, with every term of the fields: none
    # is left for the switch to write, the long lists are listed as the switch lists them, and every
    # term's list is Whoosh's own (a term the file lacks is not in the segment)
    assert indexes["arrays written at the switch"] == [1, 0, 2, 0]
    segments = short = long = 0
    for name in ("new", "new2"):
        folder = live_dir(indexes[name])
        with whoosh_index.open_dir(str(folder)).reader() as reader:
            for leaf, _ in reader.leaf_readers():
                mine = postarrays.PostingArrays(postarrays.file_for(folder, leaf), leaf.segment().segment_id(),
                                                leaf.doc_count_all())
                again = tmp_path / f"{name}-{leaf.segment().segment_id()}{postarrays.SUFFIX}"
                postarrays.write_segment(leaf, again)
                switch = postarrays.PostingArrays(again, leaf.segment().segment_id(), leaf.doc_count_all())
                assert mine.complete and not switch.complete
                for fieldname in postarrays.FIELDS:
                    assert mine.terms(fieldname).keys() == switch.terms(fieldname).keys()
                    for k, (term, info) in enumerate(leaf.iter_field(fieldname)):
                        text = term.decode("utf-8")
                        if info.doc_frequency() < postarrays.MIN_POSTINGS and k % 5:
                            continue  # every fifth short list, every long one
                        ids, weights = decode_public(raw_postings(leaf, fieldname, text), 0)
                        got = mine.get(fieldname, text)
                        assert got[0].tolist() == ids[0].tolist() and got[1].tolist() == weights[0].tolist(), text
                        short += info.doc_frequency() < postarrays.MIN_POSTINGS
                        long += info.doc_frequency() >= postarrays.MIN_POSTINGS
                    for absent in ("không-có-từ-này", "", "\uffff", "zzzz zzzz"):
                        assert mine.get(fieldname, absent) is None and (fieldname, absent) not in leaf
                segments += 1
    assert segments > 5 and short > 5000 and long > 100


@pytest.mark.parametrize("name", ["new", "new2", "old2"])
def test_every_field_equals_whooshs_writers_field_by_field(snapshots, name):
    want, got = snapshots["old"], snapshots[name]
    assert got["doc_count"] == want["doc_count"] > 600
    assert sorted(got) == sorted(want)
    for key in want:
        if key != "segments":
            assert (key, got[key]) == (key, want[key])


def test_two_writer_processes_rolled_over_to_several_segments(snapshots):
    # 40,000 postings a segment: each writer process wrote several; Whoosh's writers one each
    assert (snapshots["old"]["segments"], snapshots["new"]["segments"], snapshots["old2"]["segments"]) == (1, 1, 2)
    assert snapshots["new2"]["segments"] > 4


def test_the_service_answers_the_same(indexes):
    from search_app.params import SearchParams
    from search_app.search import SearchService

    def answers(index):
        svc = SearchService(index)
        out = []
        for q in QUERIES:
            found = svc.search(SearchParams(q=q, per_page=50))
            out.append((q, found.total, sorted((r["score"], r["id"]) for r in found.results), found.facets))
        return out

    want = answers(indexes["old"])
    assert sum(total for _, total, _, _ in want) > 100
    assert answers(indexes["new"]) == want
    assert answers(indexes["new2"]) == want


def _real_texts(count: int) -> list[str]:
    """Titles and bodies of Pháp điển articles, as the build indexes them (title, blank line, body)."""
    rows = _phapdien_rows(step=7, count=count)
    return [f"{row.get('heading') or ''}\n\n{row.get('text') or ''}" for row in rows]


def test_syllable_and_pair_terms_equal_the_analyzer_chains_on_real_texts():
    syl, pair = syllable_analyzer(), pair_analyzer()
    texts = _real_texts(3000) + ["", "Kế hoạch số 93/KH-UBND", "Đ", "1.500.000 đồng", "https://vbpl.vn/x ..."]
    for text in texts:
        assert (text[:60], syllable_terms(text)) == (text[:60], [t.text for t in syl(text)])
        assert (text[:60], pair_terms(text)) == (text[:60], [t.text for t in pair(text)])


def test_word_terms_equal_the_word_analyzer_on_real_texts():
    word = word_analyzer()
    for text in _real_texts(500):
        prime(normalize(text), join_flags(normalize(text)))  # pyvi once for both
        assert (text[:60], word_terms(text)) == (text[:60], [t.text for t in word(text)])
        forget()


def test_a_schema_with_positions_is_left_to_whooshs_writer(tmp_path):
    schema = Schema(id=ID(stored=True), body=TEXT(phrase=True))
    assert (can_write(schema), can_write(build_schema())) == (False, True)
    ix = whoosh_index.create_in(str(tmp_path), schema)
    writer = ix.writer(**WRITER_OPTIONS)
    with pytest.raises(BulkWriteError):
        BulkSegment(writer)
    writer.cancel()


def test_boosts_are_refused_not_dropped(tmp_path):
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    segment = BulkSegment(ix.writer(**WRITER_OPTIONS))
    with pytest.raises(BulkWriteError, match="_boost"):
        segment.add_document(id="a", kind="article", _boost=2.0)
    segment.cancel()


def test_a_failure_segmenting_ahead_fails_the_build_and_leaves_the_index_alone(tiny_corpus, tmp_path, monkeypatch):
    # pyvi runs in a thread of the build while citations are extracted: what fails there fails the build
    import threading

    from indexer.index.segcache import SegmentCacheError

    real = build_module.segment_batches

    def disk_full(*args, **kwargs):  # only in the build's segmenting thread: the rest would succeed
        if threading.current_thread() is threading.main_thread():
            return real(*args, **kwargs)
        raise SegmentCacheError("segmentation cache failed (disk full, in this test)")

    monkeypatch.setattr(build_module, "segment_batches", disk_full)
    with pytest.raises(SegmentCacheError, match="disk full"):
        build([tiny_corpus], tmp_path / "index", jobs=2, fresh=True)
    assert live_dir(tmp_path / "index") is None

"""Posting arrays files (indexer.index.postarrays): what they hold is what Whoosh's postings are, the
engine answers alike with and without them, a damaged or foreign file is not used, every build and
update writes them, and the warm-up scores the longest lists they list."""

from __future__ import annotations

import json
import logging
import os
import shutil

import numpy as np
import pytest
from whoosh import index as whoosh_index

from indexer.index import postarrays
from indexer.index.schema import INFO_FILE, SCHEMA_VERSION
from indexer.text.normalize import fold
from indexer.index.whoosh_internals import decode_public, raw_postings
from search_app.engine import Evaluator, IndexArrays, SegmentCache
from search_app.params import parse_params
from search_app.search import SearchService

from conftest import two_segment_index
from test_engine import FACETS, QUERIES

MIN = 2  # the seed's paragraphs are few: lists of two postings stand for long ones


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """The two-segment index, each segment with its arrays file (lists of ``MIN`` postings or more)."""
    path = tmp_path_factory.mktemp("arrays")
    ix = two_segment_index(path)
    with ix.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            postarrays.write_segment(leaf, postarrays.file_for(path, leaf), min_postings=MIN)
    return path


def _leaves(folder):
    reader = whoosh_index.open_dir(str(folder)).reader()
    return reader, reader.leaf_readers()


def test_an_arrays_file_lists_every_long_list_as_whoosh_holds_it(folder):
    reader, leaves = _leaves(folder)
    listed = 0
    for leaf, _ in leaves:
        arrays = postarrays.PostingArrays(postarrays.file_for(folder, leaf), leaf.segment().segment_id(),
                                          leaf.doc_count_all())
        for fieldname in postarrays.FIELDS:
            expected = {t.decode("utf-8") for t, info in leaf.iter_field(fieldname) if info.doc_frequency() >= MIN}
            assert set(arrays.terms(fieldname)) == expected and expected, fieldname
            for text in expected:
                ids, weights = arrays.get(fieldname, text)
                slow_ids, slow_weights = decode_public(raw_postings(leaf, fieldname, text), 0)
                assert ids.tolist() == slow_ids[0].tolist()  # deleted entries included, as Whoosh's lists
                assert weights.tolist() == slow_weights[0].tolist()
                listed += 1
    assert arrays.get("text", "không-có-từ-này") is None
    assert listed > 100
    reader.close()


@pytest.mark.parametrize("q", QUERIES, ids=str)
def test_the_engine_answers_alike_with_and_without_arrays_files(folder, tmp_path, q):
    bare = tmp_path / "bare"
    shutil.copytree(folder, bare, ignore=shutil.ignore_patterns("*" + postarrays.SUFFIX))
    answers = []
    for path in (folder, bare):
        with whoosh_index.open_dir(str(path)).searcher() as s:
            segments = SegmentCache()
            got = Evaluator(IndexArrays(s, FACETS, segments=segments), s).run(q)
            answers.append((np.flatnonzero(got.match).tolist(), got.score.tolist()))
            used = [segments.arrays_file(leaf) is not None for leaf, _ in s.reader().leaf_readers()]
            assert used == ([True, True] if path == folder else [False, False])
    assert answers[0] == answers[1] and answers[0][0]  # the same entries, scores equal to the last bit


def test_a_damaged_or_foreign_arrays_file_is_not_used(folder, tmp_path, caplog):
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    reader, leaves = _leaves(copy)
    (first, _), (second, _) = leaves
    truncated = postarrays.file_for(copy, first)
    truncated.write_bytes(truncated.read_bytes()[:-8])
    shutil.copy(postarrays.file_for(copy, first), postarrays.file_for(copy, second))  # another segment's
    segments = SegmentCache()
    caplog.set_level(logging.ERROR, logger="search_app.engine")
    assert segments.arrays_file(first) is None and segments.arrays_file(second) is None
    assert "bytes, the header lists" in caplog.text and "written for segment" in caplog.text
    ids, _ = segments.postings(first, "text", "hội")  # read from Whoosh's blocks instead
    assert ids.tolist() == decode_public(raw_postings(first, "text", "hội"), 0)[0][0].tolist()
    for text in ("đỏ", "chữ", "thập"):
        segments.postings(first, "text", text)
    assert caplog.text.count("not used") == 2  # once per file, not once per term read
    reader.close()


def test_an_arrays_file_that_differs_from_whoosh_is_not_used(folder, tmp_path, caplog):
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    reader, leaves = _leaves(copy)
    leaf = leaves[0][0]
    path = postarrays.file_for(copy, leaf)
    arrays = postarrays.PostingArrays(path, leaf.segment().segment_id(), leaf.doc_count_all())
    text = arrays.longest("text", 1)[0]
    start, count = arrays.terms("text")[text]
    data = bytearray(path.read_bytes())
    at = len(data) - 8 * len(arrays._ids) + 4 * start  # the term's first doc number
    data[at:at + 4] = np.int32(9999).tobytes()
    path.write_bytes(bytes(data))
    with caplog.at_level(logging.ERROR, logger="search_app.engine"):
        assert SegmentCache().arrays_file(leaf) is None
    assert f"text:{text!r} differs from Whoosh's postings" in caplog.text
    reader.close()


def test_build_and_update_give_every_segment_an_arrays_file(tiny_corpus, tmp_path):
    from indexer.index.build import build
    from indexer.index.update import update

    corpus = tmp_path / "corpus"
    shutil.copytree(tiny_corpus, corpus)
    index = tmp_path / "index"
    build([corpus], index, jobs=1)

    def files(path):
        with whoosh_index.open_dir(str(path)).reader() as reader:
            return [postarrays.file_for(path, leaf) for leaf, _ in reader.leaf_readers()]

    first = index.resolve()
    before = files(first)
    assert before and all(p.exists() for p in before)
    with whoosh_index.open_dir(str(first)).reader() as reader:
        assert all(SegmentCache().arrays_file(leaf) is not None for leaf, _ in reader.leaf_readers())
    (corpus / "added.jsonl").write_text('{"id": "them-1", "kind": "article", "title": "Bài thêm", '
                                        '"body": "Nội dung bài viết thêm về phổ biến pháp luật."}\n', encoding="utf-8")
    update([corpus], index, jobs=1)
    second = index.resolve()
    after = files(second)
    assert second != first and len(after) == len(before) + 1 and all(p.exists() for p in after)
    kept = [p for p in after if (first / p.name).exists()]
    assert kept and all(os.path.samefile(p, first / p.name) for p in kept)  # hard links of the unchanged


def test_the_warm_up_scores_the_longest_lists_first(folder, tmp_path):
    """The service scores them in the background when it opens an index version; ``warm_up(wait)``
    (what ``serve`` calls before it listens) waits for it."""
    served = tmp_path / "served"
    shutil.copytree(folder, served)
    (served / INFO_FILE).write_text(json.dumps({"schema_version": SCHEMA_VERSION}), encoding="utf-8")
    svc = SearchService(served)
    try:
        svc.warm_up(wait=30)
        s = svc.searcher()
        a = svc.arrays(s)
        assert a.warmed.is_set()
        longest = max((info.doc_frequency(), t.decode("utf-8")) for t, info in s.reader().iter_field("text"))[1]
        assert ("text", longest) in a._scored
        assert ("text_f", fold(longest)) in a._scored  # the same syllable typed without diacritics
        assert len(a._scored) > 100
        hits = a._scored.get_or_make(("text", longest), lambda: None)
        svc.search(parse_params({"q": longest}))  # a query of a warmed term scores nothing new for it
        assert a._scored.get_or_make(("text", longest), lambda: None) is hits
    finally:
        svc.close()


def test_build_if_stale_gives_an_older_index_its_arrays_files(tiny_corpus, tmp_path):
    """An index built before posting arrays files existed gets them from ``make run``'s
    ``build --if-stale`` without a rebuild (each file appears whole: a serving process that has not
    seen one keeps decoding Whoosh's blocks until it opens a new version)."""
    from click.testing import CliRunner

    from indexer.cli import main

    index = tmp_path / "index"
    args = ["build", "--if-stale", "--corpus", str(tiny_corpus), "--index", str(index)]
    assert CliRunner().invoke(main, args).exit_code == 0
    live = index.resolve()
    files = sorted(live.glob("*" + postarrays.SUFFIX))
    assert files
    for f in files:
        f.unlink()
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0 and index.resolve() == live
    assert again.output.strip() == (f"index {index} is up to date with {tiny_corpus} "
                                    f"(posting arrays written for {len(files)} segment(s))")
    assert sorted(live.glob("*" + postarrays.SUFFIX)) == files


def test_arrays_files_that_cannot_be_written_do_not_stop_a_folder_going_live(folder, tmp_path, caplog):
    """Derived data: a write that fails (here a folder where the file's temporary name should be) is
    one warning, no file, and the switch goes on; the engine then decodes Whoosh's blocks."""
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("*" + postarrays.SUFFIX))
    reader, leaves = _leaves(copy)
    blocked = postarrays.file_for(copy, leaves[0][0])
    blocked.with_name(f"{blocked.name}.tmp{os.getpid()}").mkdir()  # its temporary name (written in this process)
    reader.close()
    with caplog.at_level(logging.WARNING, logger="indexer.index.postarrays"):
        assert postarrays.write_missing(copy) == 0
    assert "not written (IsADirectoryError" in caplog.text
    assert not blocked.exists()


def test_the_warm_up_takes_the_longest_lists_first_and_stops_at_half_its_cache(folder):
    reader, leaves = _leaves(folder)
    counts: dict[tuple[str, str], int] = {}
    for leaf, _ in leaves:
        arrays = postarrays.PostingArrays(postarrays.file_for(folder, leaf), leaf.segment().segment_id(),
                                          leaf.doc_count_all())
        for fieldname in postarrays.FIELDS:
            for text, (_, count) in arrays.terms(fieldname).items():
                counts[fieldname, text] = counts.get((fieldname, text), 0) + count
                if fieldname == "text":
                    counts["text_f", fold(text)] = counts.get(("text_f", fold(text)), 0) + count
    order = [key for key, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    reader.close()
    with whoosh_index.open_dir(str(folder)).searcher() as s:
        a = IndexArrays(s, FACETS, segments=SegmentCache(), scored_bytes=40_000)
        done = a.warm(s)
        warmed = list(a._scored._items)  # least recently used first
        assert 3 <= done < len(order) and warmed == order[:done][::-1]  # longest first, then stopped
        assert a._scored.bytes > a._scored.limit // 2
        ev = Evaluator(a, s)
        for key in order[done:]:  # terms a first pass of queries adds push out the shortest warmed first
            ev._base(*key)
            if order[done - 1] not in a._scored:
                break
        assert order[done - 1] not in a._scored and order[0] in a._scored

"""``indexer.index.whoosh_internals``: the bulk decoder reads what Whoosh's own matcher reads, the
length bytes are Whoosh's, and the service refuses to serve when the decoder and Whoosh disagree."""

from __future__ import annotations

import numpy as np
import pytest
from whoosh import index as whoosh_index

from indexer.index import whoosh_internals as wi
from indexer.index.schema import FACETS, WRITER_OPTIONS, build_schema
from search_app import create_app
from search_app.engine import Evaluator, IndexArrays


@pytest.fixture(scope="module")
def searcher(tiny_index):
    with whoosh_index.open_dir(str(tiny_index.resolve())).searcher() as s:
        yield s


def _terms(s, fieldname: str, n: int = 40) -> list[bytes]:
    return [t for _, t in zip(range(n), s.reader().lexicon(fieldname))]


@pytest.mark.parametrize("fieldname", ["text", "text_b", "text_w", "kind", "citations"])
def test_bulk_decoding_equals_whooshs_matcher_on_every_term_read(searcher, fieldname):
    reader = searcher.reader()
    for term in _terms(searcher, fieldname):
        for leaf, offset in reader.leaf_readers():
            if (fieldname, term) not in leaf:
                continue
            ids, weights = wi.decode_postings(wi.raw_postings(leaf, fieldname, term), offset)
            slow = wi.raw_postings(leaf, fieldname, term)
            pairs = []
            while slow.is_active():
                pairs.append((slow.id() + offset, slow.weight()))
                slow.next()
            assert (fieldname, term, list(zip(np.concatenate(ids).tolist(), np.concatenate(weights).tolist()))) \
                == (fieldname, term, [(i, float(np.float32(w))) for i, w in pairs])


def test_length_bytes_are_the_ones_whoosh_scores_with(searcher):
    reader = searcher.reader()
    for leaf, _ in reader.leaf_readers():
        got = wi.LENGTH_OF_BYTE[wi.field_length_bytes(leaf, "text")]
        want = [leaf.doc_field_length(d, "text") or 1 for d in range(leaf.doc_count_all())]
        assert got.tolist() == [float(w) for w in want]


def test_the_check_compares_the_postings_of_the_most_frequent_probed_terms(searcher):
    reader = searcher.reader()
    # "kind" has 3 terms (article, cited, document) covering every entry once
    expected = reader.doc_count_all() + sum(
        reader.doc_frequency(f, t) for f in ("text", "text_b") for t in wi._probe_terms(reader, f))
    assert wi.check_decoder(searcher) == expected


def test_a_decoder_that_disagrees_with_whoosh_stops_serving_with_a_503(tiny_index, monkeypatch, caplog):
    real = wi.decode_postings
    calls = []

    def drops_the_last_posting(matcher, offset):  # what a change in Whoosh's block format could cause
        calls.append(1)
        ids, weights = real(matcher, offset)
        return [np.concatenate(ids)[:-1]], [np.concatenate(weights)[:-1]]

    monkeypatch.setattr(wi, "decode_postings", drops_the_last_posting)
    client = create_app({"INDEX_DIR": str(tiny_index), "TESTING": True}).test_client()
    answers = [client.get("/api/search", query_string={"q": q}) for q in ("pháp luật", "hòa giải", "pháp luật")]
    assert [a.status_code for a in answers] == [503, 503, 503]
    assert "the search engine's check of this index failed" in answers[-1].get_json()["error"]["message"]
    # checked once for this index version: one log line, the decoder not run again for each request
    assert (len(calls), [r.message.startswith("not serving") for r in caplog.records if r.levelname == "ERROR"]) \
        == (1, [True])


def test_postings_of_a_segment_whose_first_blocks_are_all_deleted_are_read_whole(tmp_path):
    # Found by the staff soak test: Whoosh's postings() filter had already moved past the deleted
    # entries when the engine unwrapped it, so a segment's deleted first block was lost.
    from whoosh import query

    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    with ix.writer(**WRITER_OPTIONS) as w:
        for n in range(300):  # more than two blocks of postings (Whoosh writes 128 a block)
            w.add_document(id=str(n), kind="article", year="2024")
    with ix.writer(**WRITER_OPTIONS) as w:
        for n in range(200):
            w.delete_by_term("id", str(n))
    with ix.searcher() as s:
        (leaf, offset), = s.reader().leaf_readers()
        assert leaf.postings("kind", "article").child.id() == 200  # the wrapped matcher has moved
        ids, _ = wi.decode_postings(wi.raw_postings(leaf, "kind", "article"), offset)
        assert np.concatenate(ids).tolist() == list(range(300))  # as Whoosh's statistics count them
        engine = Evaluator(IndexArrays(s, FACETS), s)
        assert np.flatnonzero(engine.run(query.Term("kind", "article")).match).tolist() == list(range(200, 300))
        assert wi.check_decoder(s, fields=("kind",)) == 300


def test_a_new_index_version_reuses_what_was_read_from_the_segments_it_kept(tiny_corpus, tmp_path):
    # After an update the unchanged segments are the same files (hard links, same segment ids): what was
    # read from them (their arrays files) is reused, and the answers are exactly those of a service opened afresh.
    import json
    import shutil

    from indexer.index.build import build
    from indexer.index.update import update
    from search_app.params import SearchParams
    from search_app.search import SearchService

    corpus = tmp_path / "corpus"
    shutil.copytree(tiny_corpus, corpus)
    build([corpus], tmp_path / "index")
    svc = SearchService(tmp_path / "index")
    params = SearchParams(q="pháp luật", per_page=50)
    svc.search(params)
    s_old = svc.searcher()
    (leaf, _), = [(l, o) for l, o in s_old.reader().leaf_readers()]
    before = svc._segments.postings(leaf, "text", "pháp")

    record = {"id": "them-1", "kind": "article", "title": "Bài mới về pháp luật", "body": "Nội dung pháp luật mới."}
    (corpus / "them.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    update([corpus], tmp_path / "index")
    import search_app.searchers as searchers
    saved, searchers.REFRESH_EVERY = searchers.REFRESH_EVERY, 0.0
    try:
        got = svc.search(params)
        s_new = svc.searcher()
    finally:
        searchers.REFRESH_EVERY = saved
    assert s_new is not s_old
    kept = [l for l, _ in s_new.reader().leaf_readers() if l.segment().segment_id() == leaf.segment().segment_id()]
    assert len(kept) == 1
    arrays = svc._segments.arrays_file(leaf)  # the bulk writer's complete file: short lists too, never decoded
    assert arrays is not None and arrays.complete and svc._segments.arrays_file(kept[0]) is arrays  # opened once
    again = svc._segments.postings(kept[0], "text", "pháp")
    assert again[0].tolist() == before[0].tolist() == [8, 9] and not again[0].flags.owndata  # a view of the file
    fresh = SearchService(tmp_path / "index").search(params)
    assert ([r["id"] for r in got.results], got.total, got.facets) == \
        ([r["id"] for r in fresh.results], fresh.total, fresh.facets)
    assert "them-1" in [r["id"] for r in got.results]


@pytest.fixture(scope="module")
def long_lists(tmp_path_factory):
    """An index whose common words span several of Whoosh's 128-posting blocks, in two segments, with
    entries deleted from both: the seed's sentences, repeated under 400 ids per segment."""
    from conftest import seed_paragraphs
    from indexer.index.entries import TEXT_FIELDS, entry_text

    ix = whoosh_index.create_in(str(tmp_path_factory.mktemp("long")), build_schema())
    sentences = seed_paragraphs()
    for part in range(2):
        w = ix.writer(**WRITER_OPTIONS)
        for n in range(400):
            body = sentences[n % len(sentences)]
            w.add_document(id=f"e{part}-{n}", kind="article", title=body[:30], body=body,
                           **dict.fromkeys(TEXT_FIELDS, entry_text(body[:30], body)))
        w.commit(merge=False)
    w = ix.writer(**WRITER_OPTIONS)
    for doomed in ("e0-0", "e0-129", "e1-77", "e1-399"):
        w.delete_by_term("id", doomed)
    w.commit(merge=False)
    with ix.searcher() as s:
        yield s


def test_bulk_decoding_of_lists_of_several_blocks(long_lists):
    reader = long_lists.reader()
    checked = 0
    for leaf, offset in reader.leaf_readers():
        for fieldname, term in [(f, t) for f in ("text", "text_w", "text_b") for t, info in leaf.iter_field(f)
                                if info.doc_frequency() > 2 * 128]:  # three blocks or more
            checked += 1
            ids, weights = wi.decode_postings(wi.raw_postings(leaf, fieldname, term), offset)
            slow_ids, slow_weights = wi.decode_public(wi.raw_postings(leaf, fieldname, term), offset)
            assert np.concatenate(ids).tolist() == slow_ids[0].tolist()
            assert np.concatenate(weights).tolist() == slow_weights[0].tolist()
    assert checked >= 10


@pytest.mark.parametrize("fieldname", ["date", "undated", "cite_count"])
def test_numeric_columns_read_in_one_piece_equal_whooshs(searcher, fieldname):
    for leaf, _ in searcher.reader().leaf_readers():
        fast = wi.numeric_column(leaf, fieldname)
        assert fast is not None
        assert fast.tolist() == list(leaf.column_reader(fieldname, translate=False))
    assert wi.numeric_column(searcher.reader().leaf_readers()[0][0], "doc_type") is None  # text: Whoosh reads it


@pytest.mark.parametrize("min_postings", [1, 2, 129, 300])
def test_long_terms_are_the_lexicons_terms_of_that_many_postings(long_lists, min_postings):
    fields = ("text", "text_b", "title", "kind")
    for leaf, _ in long_lists.reader().leaf_readers():
        got = wi.long_terms(leaf, fields + ("no_such_field",), min_postings)
        assert got == {f: [(t, info.doc_frequency()) for t, info in leaf.iter_field(f)
                           if info.doc_frequency() >= min_postings] for f in fields}
        assert any(got.values())

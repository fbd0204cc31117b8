"""The numpy engine against Whoosh itself: same postings, same matches, same scores, same facet counts.

The index here has two segments and a deleted entry (doc numbers offset, a hole to skip), built from
real sentences of the seed article (thanhhoa-article-2023-04-22.txt). Its schema has, beside the
project's, an indexed folded field ``text_f``: Whoosh's answers on it are the oracle for the folded
postings the engine computes from ``text``.
"""

from datetime import datetime

import numpy as np
import pytest
from whoosh import query as Q
from whoosh import sorting

from indexer.text.analysis import folded_analyzer
from indexer.index.entries import entry_text
from search_app import engine
from search_app.engine import Evaluator, Hits, IndexArrays, union
from search_app.query import WEIGHTS, ExactPhrase, compose, parse_query

from conftest import seed_paragraphs, two_segment_index

FACETS = ("doc_type", "agency", "year", "kind")


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    return two_segment_index(tmp_path_factory.mktemp("engine"))


@pytest.fixture(scope="module")
def searcher(ix):
    s = ix.searcher()
    yield s
    s.close()


@pytest.fixture(scope="module")
def ev(searcher):
    return Evaluator(IndexArrays(searcher, FACETS), searcher)


def test_fixture_has_two_segments_and_a_deletion(searcher):
    leaves = list(searcher.reader().leaf_readers())
    assert len(leaves) == 2 and leaves[1][1] > 0
    assert searcher.doc_count() == searcher.doc_count_all() - 1


@pytest.mark.parametrize("fieldname, text", [("text_f", "chu"), ("text", "chữ"), ("text_w", "chữ_thập_đỏ"),
                                             ("text_b", "thap do"), ("text_f", "hoi"), ("text_f", "dang"),
                                             ("title", "nhằm"), ("title", "đạo")])  # one posting: inlined in the term info
def test_postings_are_whooshs_own(ev, searcher, fieldname, text):
    ids, weights = ev.a.postings(searcher, fieldname, text)  # deleted entries included, as in Whoosh's df
    assert len(ids) == searcher.reader().doc_frequency(fieldname, text)
    live = ev.a.live[ids]
    ids, weights = ids[live], weights[live]
    m = searcher.reader().postings(fieldname, text)  # deleted entries left out
    expected = []
    while m.is_active():
        expected.append((m.id(), m.weight()))
        m.next()
    assert expected
    assert list(zip(ids.tolist(), weights.tolist())) == expected


def _whoosh(searcher, q) -> dict[int, float]:
    return {hit.docnum: hit.score for hit in searcher.search(q, limit=None)}


QUERIES = [
    Q.Term("text_f", "chu", boost=0.25),
    Q.Or([Q.Term("text", "hội"), Q.Term("text_w", "chữ_thập_đỏ", boost=2.0), Q.Term("title", "hội")]),
    Q.And([Q.Term("text_f", "chu"), Q.Term("text_f", "thap"), Q.Term("text_f", "do")], boost=0.5),
    Q.AndMaybe(Q.And([Q.Term("text_f", "hoi"), Q.Term("text_f", "chu")]),
               Q.Or([Q.Term("text", "hội", boost=3.0), Q.Term("title", "chữ")])),
    Q.AndNot(Q.Term("text_f", "hoi"), Q.Term("text_f", "tinh")),
    Q.Or([Q.Term("kind", "document", boost=7.0), Q.Term("text_f", "dang")]),
]


@pytest.mark.parametrize("q", QUERIES, ids=str)
def test_matches_and_scores_are_whooshs(ev, searcher, q):
    expected = _whoosh(searcher, q)
    got = ev.run(q)
    assert sorted(np.flatnonzero(got.match).tolist()) == sorted(expected)
    assert len(expected) > 0
    for docnum, score in expected.items():
        assert got.score[docnum] == pytest.approx(score, rel=1e-9)


@pytest.mark.parametrize("text", ["chữ thập đỏ", "hoi chu thap do", "công tác hội"])
def test_a_composed_query_without_phrases_scores_as_whoosh(ev, searcher, text, monkeypatch):
    monkeypatch.setitem(WEIGHTS, "phrase", 0)  # Whoosh can only phrase-match ``text_f`` here
    q = compose(parse_query(text), [])
    expected = _whoosh(searcher, q)
    got = ev.run(q)
    assert sorted(np.flatnonzero(got.match).tolist()) == sorted(expected) and expected
    for docnum, score in expected.items():
        assert got.score[docnum] == pytest.approx(score, rel=1e-9)


@pytest.mark.parametrize("text", ["chữ thập đỏ", "hoi chu thap do", "công tác hội", "hội chữ thập đỏ tỉnh"])
def test_every_way_of_matching_gives_the_same_entries_and_bits(searcher, text, monkeypatch):
    # DENSE_SHARE 1: lists matched by binary search, AndMaybe's optional part looked up at the required
    # entries (Evaluator._at); 10**9: arrays over the index, the optional part evaluated whole.
    # BITS_SHARE 0: no list has a bitmap; 10**9: every list has one (an And of them and-s the bitmaps)
    q = compose(parse_query(text), [])
    got = {}
    for dense in (1, 10**9):
        for bits in (0, 10**9):
            monkeypatch.setattr(engine, "DENSE_SHARE", dense)
            monkeypatch.setattr(engine, "BITS_SHARE", bits)
            hits = Evaluator(IndexArrays(searcher, ("kind",)), searcher).hits(q)
            got[dense, bits] = (hits.ids.tolist(), hits.score.tolist())
    assert '"' in str(q) and "ANDMAYBE" in str(q)  # phrases and an optional part: every path of _at
    assert len(set(map(str, got.values()))) == 1 and got[1, 0][0]


def test_cache_limits_follow_the_index_unless_given():
    assert engine.cache_limits(1000) == (engine.CACHE_BYTES, engine.SCORED_BYTES)
    assert engine.cache_limits(1_000_000) == (1024 * 1_000_000, 4096 * 1_000_000)
    postings, scored = engine.cache_limits(1_000_000, total_mb=500)
    assert (postings + scored, postings) == (500 * 2**20, 500 * 2**20 // 5)


def test_the_app_sizes_the_caches_as_configured(tiny_index):
    from search_app import create_app

    svc = create_app({"INDEX_DIR": str(tiny_index), "TESTING": True, "CACHE_MB": 100}).extensions["vnlex_search"]
    s = svc.searcher()
    assert svc.arrays(s)._scored.limit + svc.arrays(s)._postings.limit == 100 * 2**20


def _with_phrase(searcher, words: list[str]) -> set[int]:
    """Oracle: live entries whose folded syllables (the analysis itself) hold ``words`` in a row."""
    out = set()
    for n in searcher.reader().all_doc_ids():
        f = searcher.stored_fields(n)
        syl = [t.text for t in folded_analyzer()(entry_text(f["title"], f["body"]))]
        if any(syl[i:i + len(words)] == words for i in range(len(syl))):
            out.add(n)
    return out


@pytest.mark.parametrize("words", [["chu", "thap", "do"], ["hoi", "chu", "thap", "do"], ["cong", "tac"]])
def test_phrases_match_where_the_syllables_stand_in_a_row_and_score_as_whoosh(ev, searcher, words):
    expected = _with_phrase(searcher, words)
    got = ev.run(ExactPhrase("text_f", words))
    assert set(np.flatnonzero(got.match).tolist()) == expected and expected
    # Whoosh scores a phrase as the sum of its words' scores where it matches
    terms = _whoosh(searcher, Q.And([Q.Term("text_f", w) for w in words]))
    for docnum in expected:
        assert got.score[docnum] == pytest.approx(terms[docnum], rel=1e-9)


def _split_triples(paragraphs: list[str]) -> list[list[str]]:
    """Folded ``a b c`` whose pairs ``a b`` and ``b c`` stand in one paragraph that never says ``a b c``."""
    out = []
    for p in paragraphs:
        syl = [t.text for t in folded_analyzer()(p)]
        pairs, triples = set(zip(syl, syl[1:])), set(zip(syl, syl[1:], syl[2:]))
        out += [[a, b, c] for a, b in sorted(pairs) for b2, c in sorted(pairs)
                if b2 == b and (a, b, c) not in triples and len({a, b, c}) == 3]
    return out


def test_an_exact_phrase_is_checked_on_the_text(ev, searcher):
    # "đạo của hội" (the pairs "đạo của", "của hội" in one paragraph, apart): the pairs over-match,
    # the text decides
    triples = _split_triples(seed_paragraphs())[:40]
    over = 0
    for words in triples:
        exact = _with_phrase(searcher, words)
        pairs = set(np.flatnonzero(ev.run(Q.Phrase("text_f", words)).match).tolist())
        assert exact < pairs
        assert set(np.flatnonzero(ev.run(ExactPhrase("text_f", words)).match).tolist()) == exact
        over += len(pairs - exact)
    assert len(triples) == 40 and over >= 40


def test_deleted_entries_never_match(ev, searcher):
    deleted = next(n for n in range(searcher.doc_count_all()) if searcher.reader().is_deleted(n))
    assert not ev.run(Q.Every()).match[deleted]
    assert ev.run(Q.Every()).match.sum() == searcher.doc_count()


def test_facet_counts_are_whooshs_grouped_counts(ev, searcher):
    # the counts the service shows (search_app.fields: each facet's own reading of its column)
    from search_app.fields import BY_FIELD

    q = Q.Term("text_f", "cong")
    facets = {f: sorting.FieldFacet(f, maptype=sorting.Count) for f in FACETS}
    results = searcher.search(q, limit=None, groupedby=facets)
    match = ev.run(q).match
    got = {f: BY_FIELD[f].counts(*ev.a.facets[f], match) for f in FACETS}
    for f in FACETS:
        expected: dict[str, int] = {}
        for value, n in results.groups(f).items():
            for part in (value.split("; ") if BY_FIELD[f].multi else [value]):
                if part:
                    expected[part] = expected.get(part, 0) + n
        assert (f, got[f]) == (f, expected)
    assert sum(got["kind"].values()) == len(results)


def test_dates_filter_as_a_date_range(ev, searcher):
    start, end = datetime(2019, 1, 1), datetime(2020, 12, 31, 23, 59)
    expected = set(searcher.docs_for_query(Q.DateRange("date", start, end)))
    got = set(np.flatnonzero(ev.a.date_mask(start, end) & ev.a.live).tolist())
    assert got == expected and expected


def test_past_verify_max_candidates_the_pairs_decide(ev, searcher, monkeypatch):
    words = _split_triples(seed_paragraphs())[0]
    pairs = set(np.flatnonzero(ev.run(Q.Phrase("text_f", words)).match).tolist())

    def exact_matches() -> set[int]:  # a new index version's arrays: a phrase's matches are kept per version
        fresh = Evaluator(IndexArrays(searcher, FACETS), searcher)
        return set(np.flatnonzero(fresh.run(ExactPhrase("text_f", words)).match).tolist())

    monkeypatch.setattr("search_app.engine.VERIFY_MAX", len(pairs) - 1)  # too many to read them all
    assert exact_matches() == pairs
    monkeypatch.setattr("search_app.engine.VERIFY_MAX", len(pairs))
    assert exact_matches() == _with_phrase(searcher, words)


@pytest.mark.parametrize("seed", range(4))
def test_lists_of_entries_combine_alike_by_search_and_through_one_array(seed):
    """``Hits`` and ``union`` take one of two ways by the lists' lengths; both give the set algebra's
    answer with the scores summed in order (a huge ``size`` forces the binary search; the real one, an
    array over the index)."""
    rng = np.random.default_rng(seed)
    size, huge = 4000, 10**12

    def hits(n):
        return Hits(np.sort(rng.choice(size, n, replace=False)), rng.random(n))

    def as_dict(h):
        return {} if h is None else dict(zip(h.ids.tolist(), h.score.tolist()))

    parts = [hits(n) for n in (3, 300, 2500, 40)]
    expected: dict[int, float] = {}
    for p in parts:
        for i, v in as_dict(p).items():
            expected[i] = expected.get(i, 0.0) + v
    for got in (union(parts, size), union(parts, 10**6)):  # through an array over the index; by sorting
        assert as_dict(got) == expected
        assert np.all(np.diff(got.ids) > 0)  # ascending, no repeats: what binary search relies on
    a, b = parts[2], hits(1800)
    da, db = as_dict(a), as_dict(b)
    for way in (size, huge):
        assert as_dict(engine.common([a, b], way)) == {i: da[i] + db[i] for i in da if i in db}
        assert np.all(np.diff(engine.common([a, b], way).ids) > 0) and np.all(np.diff(a.without(b, way).ids) > 0)
        assert as_dict(engine.common([a], way, [b])) == {i: da[i] for i in da if i in db}
        assert as_dict(a.plus(b, way)) == {i: da[i] + db[i] if i in db else da[i] for i in da}
        assert as_dict(a.without(b, way)) == {i: da[i] for i in da if i not in db}
        assert engine.common([a, Hits(np.array([size + 5]), np.ones(1))], way) is None
    # lists with bitmaps: and-ed word by word when of similar lengths (the first three), else narrowed
    # (a short one among them); the same entries and sums, added in the lists' order
    with_bits = [Hits(p.ids, p.score, engine.Bits(p.ids, size)) for p in (a, b, hits(2000), hits(60))]
    for lists in (with_bits[:3], with_bits):
        both = set.intersection(*(set(as_dict(p)) for p in lists))
        assert both and as_dict(engine.common(lists, size)) == {i: sum(as_dict(p)[i] for p in lists) for i in both}


@pytest.mark.parametrize("q", [Q.Term("text_f", "chu"), Q.Term("text", "hội"), Q.Term("title", "nhằm", boost=2.0),
                               Q.Or([Q.Term("text", "hội"), Q.Term("text_w", "chữ_thập_đỏ")]),
                               Q.And([Q.Term("text_f", "chu"), Q.Term("text_f", "thap")])],
                         ids=str)
def test_a_term_and_a_pair_of_terms_score_exactly_as_whoosh(ev, searcher, q):
    """Whoosh's BM25F bracketed as Whoosh brackets it; two clauses added in Whoosh's order."""
    expected = _whoosh(searcher, q)
    got = ev.run(q)
    assert expected and {d: float(got.score[d]) for d in np.flatnonzero(got.match).tolist()} == expected


def _shapes(n: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    return {
        "random": rng.random(n),
        "rising": np.arange(n, dtype=float),          # the strided sample sees only small values at its start
        "falling": np.arange(n, 0, -1, dtype=float),
        "all tied": np.full(n, 2.5),
        "three values": rng.integers(0, 3, n).astype(float),
        "one outlier": np.r_[np.zeros(n - 1), 9.0],
        "BM25-like": np.round(rng.gamma(2.0, 1.5, n), 2),  # many ties at every rank
    }


@pytest.mark.parametrize("shape", list(_shapes(10)))
@pytest.mark.parametrize("n, k", [(10, 1), (10, 10), (engine.KTH_SAMPLE_FROM, 10), (200_003, 1), (200_003, 10),
                                  (200_003, 100), (200_003, 3_000)])
def test_kth_largest_is_what_a_full_partition_says(shape, n, k):
    values = _shapes(n)[shape]
    assert engine.kth_largest(values, k) == np.partition(values, n - k)[n - k]


@pytest.mark.parametrize("size", [100, 100_000])  # dense (one array over the index) and sorted paths
def test_entries_scored_zero_are_still_held(size):
    # the dense paths read "held" from positive scores; a part scored 0 (or below) must not vanish
    evens, threes = np.arange(0, 100, 2), np.arange(0, 100, 3)
    zero, one = Hits(evens, np.zeros(len(evens))), Hits(threes, np.ones(len(threes)))
    both = np.union1d(evens, threes)
    got = union([zero, one], size)
    assert (got.ids.tolist(), got.score.tolist()) == (both.tolist(), [float(i % 3 == 0) for i in both])
    found, theirs = engine.lookup(np.arange(100), zero, size)
    assert (np.flatnonzero(found).tolist(), theirs.tolist()) == (evens.tolist(), [0.0] * len(evens))


@pytest.mark.parametrize("n", [0, 1, 40, 3000, 9000])
def test_a_bitmap_holds_the_entries_and_finds_their_places(n):
    """``words_of``/``ids_of`` round trip (few entries set bit by bit, many through a mask), and
    ``Bits.find`` says what binary search says: held or not, and where in the list."""
    rng = np.random.default_rng(n)
    size = 10_000
    ids = np.sort(rng.choice(size, n, replace=False)).astype(np.int64)
    assert engine.ids_of(engine.words_of(ids, size)).tolist() == ids.tolist()
    mask = np.zeros(size, bool)
    mask[ids] = True
    assert engine.mask_words(mask).tolist() == engine.words_of(ids, size).tolist()
    assert engine.popcount(engine.words_of(ids, size)) == n
    probe = rng.integers(0, size, 5000).astype(np.int64)
    found, at = engine.Bits(ids, size).find(probe)
    place = np.searchsorted(ids, probe)
    assert found.tolist() == [bool(p < n and ids[p] == x) for p, x in zip(place, probe)]
    assert at.tolist() == place[found].tolist()


def test_a_phrase_of_no_words_matches_nothing_on_every_path(ev):
    q = Q.Phrase("text", [])
    assert ev.hits(q) is None and ev.matches(q) is None and not ev.bound(q).any()
    held, score = ev._at(q, np.arange(ev.a.size))
    assert not held.any() and not score.any()


@pytest.mark.parametrize("n", [0, 1, 40, 3000, 9000])
def test_a_lists_scores_are_spread_over_every_entry_of_some_blocks(n):
    """``Blocks.spread`` puts a list's scores at the places of its entries among every entry of some
    blocks, and says which it holds: through the list's bitmap and by binary search alike, as a
    search of each entry in the list says."""
    rng = np.random.default_rng(n)
    size = 10_000
    ids = np.sort(rng.choice(size, n, replace=False)).astype(np.int64)
    score = rng.random(n) + 0.5
    blocks = engine.Blocks(np.sort(rng.choice(engine.n_words(size), 60, replace=False)).astype(np.int64))
    entries = blocks.entries(np.arange(len(blocks)))
    assert entries.tolist() == [64 * int(w) + j for w in blocks.words for j in range(64)]
    place = np.minimum(np.searchsorted(ids, entries), max(n - 1, 0))
    held = (ids[place] == entries) if n else np.zeros(len(entries), bool)
    expected = np.where(held, score[place] if n else 0.0, 0.0)
    for bits in (None, engine.Bits(ids, size)):
        got_held, got_score = blocks.spread(Hits(ids, score, bits), np.zeros(len(blocks)))
        assert got_held.tolist() == held.tolist() and got_score.tolist() == expected.tolist()
    assert 0 < held.sum() < n or n < 40  # some of the list's entries, not all


def test_a_kept_term_on_a_large_index_keeps_its_blocks_peaks_and_counts_them(searcher, monkeypatch):
    """From ``BLOCKS_FROM`` entries a kept term has its best score in each block of 64 entries made
    with it (the same as made on demand) and the cache counts their bytes; below, it has none."""
    for blocks_from, kept in ((10**12, False), (0, True)):
        monkeypatch.setattr(engine, "BLOCKS_FROM", blocks_from)
        ev = Evaluator(IndexArrays(searcher, FACETS), searcher)
        got = ev._base("text_f", "chu")
        assert (got.peaks is not None) == kept
        on_demand = Hits(got.ids, got.score).block_max(ev.a.size)
        expected = np.zeros(-(-ev.a.size // 64))
        np.maximum.at(expected, got.ids // 64, got.score)
        assert got.block_max(ev.a.size).tolist() == on_demand.tolist() == expected.tolist()
        arrays = [got.ids, got.score, got.bits.words, got.bits.before, *(got.peaks or ())]
        assert ev.a._scored.bytes == engine.ENTRY_BYTES + sum(x.nbytes for x in arrays)  # the only term kept

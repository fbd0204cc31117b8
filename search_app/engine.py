"""Query evaluation with numpy over the index's own postings: the search service's scoring engine.

Whoosh matches a query one posting at a time in pure Python; a common Vietnamese syllable is in
tens of thousands of entries, which put a query at p50 80 ms / p95 500 ms on 62k articles. Here the
Whoosh index stays the store (analysis, terms, postings, statistics, stored fields) and a query is
evaluated as array arithmetic over every entry at once:

- each term's postings are read once, block by block through Whoosh's own codec, and kept as numpy
  arrays in a bounded cache that every serving thread shares (``IndexArrays``);
- scores are Whoosh's BM25F with Whoosh's statistics (idf, average and per-entry field lengths), and
  ``And`` / ``Or`` / ``AndMaybe`` / boosts combine them as Whoosh's matchers do (tested against
  Whoosh on the same queries);
- folded syllables (``text_f``: what a query typed without diacritics matches) are not indexed: a
  folded syllable's postings are the sum of those of every ``text`` syllable that folds to it
  (``chu`` = ``chữ`` + ``chú`` + ``chủ`` + …), which gives exactly the frequencies, document
  frequency and lengths an indexed folded field would (tested against one);
- phrases are pairs of adjacent folded syllables (the ``text_b`` field; no field keeps positions,
  which were most of the cost of writing the index); a quoted phrase of more than two syllables is
  then checked on the entry's stored text;
- every match is counted, so totals and facet counts are exact;
- on a large index a page ranked by relevance is found from the matches as a bitmap (common terms
  and phrases keep one) and the blocks of 64 entries (a bitmap's word) whose bound (the terms' best scores there) can
  still beat the k-th best score found (``Evaluator.matches``, ``bound``, ``best``): the same page,
  totals and facets, without scoring every match.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from whoosh import query as Q
from whoosh.util.times import datetime_to_long

from indexer.index.postarrays import FIELDS as POSTING_FIELDS, PostingArrays, file_for
from indexer.index.whoosh_internals import (LENGTH_OF_BYTE, decode_postings, field_length_bytes, numeric_column,
                                            raw_postings, segment_folder)
from indexer.text.analysis import pairs_of
from indexer.index.entries import entry_text
from indexer.text.normalize import clean, fold
from search_app.query import ExactPhrase

__all__ = ["IndexArrays", "SegmentCache", "Scored", "Hits", "Bits", "union", "lookup", "words_of", "ids_of",
           "mask_words", "popcount",
           "PAIR_FIELD", "FOLDED", "VERIFY_MAX", "CACHE_BYTES", "SCORED_BYTES", "BytesLru", "cache_limits"]

log = logging.getLogger(__name__)

PAIR_FIELD = "text_b"
FOLDED = {"text_f": "text"}  # a field computed from another: its terms are the other's, folded
# A quoted phrase of 3+ syllables matches where all its pairs do; up to this many such candidates
# are then read and checked (beyond that, a false match among thousands is immaterial and reading
# them would cost what this engine exists to avoid).
VERIFY_MAX = 1000
# Memory of the caches, per index version, at least the first figure and otherwise in proportion to
# the index (a term's list grows with it, so a cache of a fixed size holds fewer and fewer of the terms
# queries keep asking for: on 250k entries 256 MB of scored terms were computed again every pass):
# a scored term costs 16 bytes an entry it is in; the warm-up fills WARM_SHARE of its cache.
CACHE_BYTES, CACHE_BYTES_PER_ENTRY = 64 * 2**20, 1024  # postings over the whole index (scoring, folding read them)
SCORED_BYTES, SCORED_BYTES_PER_ENTRY = 256 * 2**20, 4096  # scored terms (common ones are asked for again and again)
WARM_SHARE = 0.95  # of the scored-terms cache that the warm-up fills, longest lists first
B, K1 = 0.75, 1.2          # Whoosh's BM25F defaults, which the index's schema uses
SEGMENT_CACHE_BYTES = 128 * 2**20  # postings decoded from Whoosh's blocks, per segment, across versions
SMALL_ENTRIES = 512
# Two lists of entries are matched by binary search unless both hold more than 1/DENSE_SHARE of the
# index; then through one array over the index (one pass, no search).
DENSE_SHARE = 32  # field lengths and folded lexicons kept (a handful per segment)
# A term in at least 1/BITS_SHARE of the index is also kept as a bitmap with each word's running count
# (``Bits``): whether an entry is in it, and where, is then two array reads, not a binary search, and
# the set of a query's matches is found with word-wide and/or over such bitmaps (``Evaluator.matches``).
BITS_SHARE = 32
# The best results of a query matching many entries are found block by block (``Evaluator.best``), a
# block being the 64 entries of one word of a bitmap: each term keeps its best score in every block, and
# a block whose bound cannot beat the k-th best score found so far is never scored...
# ... and when the blocks not scored yet that still can hold more than 1/SCORED_SHARE of the matches,
# every match is scored at once instead (a flat top: many entries near the best score, the bounds
# prune little).
# The k-th best found first is low: what is left is sized so only once 1/SIZED_AFTER of the blocks
# holding matches were scored (at 1M entries up to 61 of 15,625).
SCORED_SHARE = 2
SIZED_AFTER = 256
# From this many entries a page ranked by relevance is found so (``search.SearchService._evaluate_best``),
# and a kept term or phrase keeps its best score in each block it has entries in, made with it (counted
# in the cache's bytes, and so made by the background warm-up for the common terms). ``bench/blocks.py``
# (the speed queries both ways in one process, same answers): p50/p95 at 1M 7.2/16.4 ms against
# 10.6/29.5 scoring every match; at 250k 5.7/14.1 against 5.2/10.4, at 62k 3.6/6.9 against 3.1/5.9.
BLOCKS_FROM = 500_000
# A batch of blocks whose entries are at least 1/PLACES_SHARE matches is scored at every entry, each
# list read in runs (``Blocks``): at 1M entries, 35-140 ns an entry of the blocks (every clause of
# the query), against 150-520 ns a match looked up one by one.
PLACES_SHARE = 3
BOUND_SLACK = 1e-9  # bounds are sums of floats like the scores they bound: a little room for rounding


@dataclass
class Scored:
    """Which entries match (``match``) and their scores (``score``, 0 where they do not)."""

    match: np.ndarray
    score: np.ndarray


ENTRY_BYTES = 300  # what a cache entry costs beside its arrays (key, tuple, array headers): a miss is not free


def _nbytes(value) -> int:
    """Bytes of a cached value: arrays, a tuple of them, Hits, or None."""
    if value is None:
        return ENTRY_BYTES
    if isinstance(value, Hits):
        return (ENTRY_BYTES + value.ids.nbytes + value.score.nbytes + (value.bits.nbytes if value.bits else 0)
                + (sum(a.nbytes for a in value.peaks) if value.peaks else 0))
    return ENTRY_BYTES + sum(a.nbytes for a in value)


class BytesLru:
    """Values kept by key up to a number of bytes, least recently used dropped first; thread-safe.
    ``get_or_make(key, make)`` runs ``make()`` outside the lock (two threads may both make a value;
    the first one stored is kept)."""

    def __init__(self, limit: int):
        self.limit, self.bytes = limit, 0
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key) -> bool:
        return key in self._items

    def refresh(self, keys) -> None:
        """Mark the values of ``keys`` (those kept) used, in that order: the last one most recently."""
        with self._lock:
            for key in keys:
                if key in self._items:
                    self._items.move_to_end(key)

    def get_or_make(self, key, make):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        got = make()
        with self._lock:
            if key in self._items:
                return self._items[key]
            self._items[key] = got
            self.bytes += _nbytes(got)
            while self.bytes > self.limit and len(self._items) > 1:
                _, old = self._items.popitem(last=False)
                self.bytes -= _nbytes(old)
        return got


class SegmentCache:
    """What is read from one segment, kept across index versions: decoded postings (doc numbers
    within the segment, deleted entries included), field lengths and folded lexicons.

    A segment never changes once written (Whoosh never rewrites a segment file; deletions live in the
    table of contents, and the engine masks them per version), and ``update`` or a build that starts
    from the live index keeps every segment it did not touch: a new version then reads only its new
    segments, and the first queries after a switch are not cold. Keyed by Whoosh's segment id.
    """

    def __init__(self, limit_bytes: int = SEGMENT_CACHE_BYTES):
        self._postings = BytesLru(limit_bytes)
        self._small: OrderedDict = OrderedDict()  # lengths and folded lexicons, least recently used first
        self._lock = threading.Lock()

    def postings(self, leaf, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray] | None:
        """The segment's doc numbers and weights of a term (deleted entries included); ``None`` when
        the segment lacks it. A list in the segment's arrays file is a view of the mapped file (not
        worth a place in the cache; the term table is not even looked at), and a complete arrays file
        (every term of its fields, as the bulk writer writes them) answers for the segment alone."""
        arrays = self.arrays_file(leaf)
        got = arrays.get(fieldname, text) if arrays is not None else None
        if got is not None or (arrays is not None and arrays.complete and fieldname in POSTING_FIELDS):
            return got  # a complete file lacks only what the segment lacks: no look-up in Whoosh's table
        if (fieldname, text) not in leaf:
            return None
        return self._postings.get_or_make((leaf.segment().segment_id(), fieldname, text),
                                          lambda: self._decoded(leaf, fieldname, text))

    @staticmethod
    def _decoded(leaf, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Whoosh's blocks of a short list, or of any list of a segment without an arrays file."""
        ids, weights = decode_postings(raw_postings(leaf, fieldname, text), 0)
        got = (np.concatenate(ids), np.concatenate(weights))
        for array in got:  # shared by every version and thread that reads this segment
            array.flags.writeable = False
        return got

    def arrays_file(self, leaf) -> PostingArrays | None:
        """The segment's posting arrays file (``indexer.index.postarrays``) mapped into memory, once it
        was checked against Whoosh's own postings; ``None`` when there is none or it is not right."""
        return self._once((leaf.segment().segment_id(), "arrays"), lambda: _open_arrays(leaf))

    def keep_only(self, segment_ids: set[str]) -> None:
        """Forget the posting arrays files of segments no kept index version reads: their build folder
        may be deleted, and its disk space is freed only once nothing maps the file."""
        with self._lock:
            for key in [k for k in self._small if k[1] == "arrays" and k[0] not in segment_ids]:
                del self._small[key]

    def lengths(self, leaf, fieldname: str) -> np.ndarray:
        return self._once((leaf.segment().segment_id(), "lengths", fieldname),
                          lambda: field_length_bytes(leaf, fieldname))

    def column_codes(self, leaf, fieldname: str) -> tuple[np.ndarray, list[str]]:
        """A segment's text column: each entry's code into the segment's sorted distinct values."""
        def read():
            values = [v or "" for v in leaf.column_reader(fieldname)]
            labels = sorted(set(values))
            index = {v: i for i, v in enumerate(labels)}
            return np.asarray([index[v] for v in values], dtype=np.int32), labels
        return self._once((leaf.segment().segment_id(), "codes", fieldname), read)

    def column_numbers(self, leaf, fieldname: str) -> np.ndarray:
        """A segment's numeric column, as stored (``translate=False``)."""
        def read():
            got = numeric_column(leaf, fieldname)
            return got if got is not None else np.asarray(list(leaf.column_reader(fieldname, translate=False)))
        return self._once((leaf.segment().segment_id(), "numbers", fieldname), read)

    def folded(self, leaf, fieldname: str) -> dict[str, tuple[str, ...]]:
        """``folded term → the segment's terms of ``fieldname`` that fold to it``."""
        def read():
            out: dict[str, list[str]] = {}
            for term in leaf.lexicon(fieldname):
                term = term.decode("utf-8")
                out.setdefault(fold(term), []).append(term)
            return {k: tuple(v) for k, v in out.items()}
        return self._once((leaf.segment().segment_id(), "folded", fieldname), read)

    def _once(self, key, read):
        with self._lock:
            if key in self._small:  # ``None`` too: "no arrays file" is an answer, read once
                self._small.move_to_end(key)
                return self._small[key]
        got = read()
        with self._lock:
            self._small[key] = got
            while len(self._small) > SMALL_ENTRIES:  # segments merged away long ago go first
                self._small.popitem(last=False)
        return got


def cache_limits(entries: int, total_mb: int | None = None) -> tuple[int, int]:
    """Bytes of the (postings, scored terms) caches of an index of ``entries``: in proportion to it
    (``CACHE_BYTES_PER_ENTRY``, ``SCORED_BYTES_PER_ENTRY``, at least ``CACHE_BYTES``, ``SCORED_BYTES``),
    or ``total_mb`` shared in the same ratio (``serve``'s ``VNLEX_CACHE_MB``)."""
    if total_mb:
        total = total_mb * 2**20
        share = CACHE_BYTES_PER_ENTRY / (CACHE_BYTES_PER_ENTRY + SCORED_BYTES_PER_ENTRY)
        return int(total * share), total - int(total * share)
    return (max(CACHE_BYTES, CACHE_BYTES_PER_ENTRY * entries), max(SCORED_BYTES, SCORED_BYTES_PER_ENTRY * entries))


def _open_arrays(leaf) -> PostingArrays | None:
    """``leaf``'s posting arrays file, if it has one and its longest lists equal Whoosh's postings."""
    folder = segment_folder(leaf)
    if not folder:
        return None
    path = file_for(Path(folder), leaf)
    try:
        arrays = PostingArrays(path, leaf.segment().segment_id(), leaf.doc_count_all())
    except FileNotFoundError:
        return None
    except Exception as exc:  # noqa: BLE001 - derived data: any damage means "decode Whoosh's blocks"
        log.error("posting arrays %s not used: %s: %s", path, type(exc).__name__, exc)
        return None
    for fieldname in POSTING_FIELDS:
        for text in arrays.longest(fieldname, 2) + arrays.short_sample(fieldname):
            ids, weights = decode_postings(raw_postings(leaf, fieldname, text), 0)
            mine = arrays.get(fieldname, text)
            if not (np.array_equal(mine[0], np.concatenate(ids)) and np.array_equal(mine[1], np.concatenate(weights))):
                log.error("posting arrays %s not used: %s:%r differs from Whoosh's postings", path, fieldname, text)
                return None
    return arrays


class IndexArrays:
    """Per-entry columns and decoded postings of one index generation, shared by all threads.

    Built from one searcher; postings are then read through whichever thread's searcher asks (a
    Whoosh reader's files are not shared between threads).
    """

    def __init__(self, searcher, facet_fields: tuple[str, ...], cache_bytes: int | None = None,
                 segments: SegmentCache | None = None, scored_bytes: int | None = None):
        """``cache_bytes`` and ``scored_bytes`` bound the postings and scored-terms caches (default:
        ``cache_limits`` of the index's size)."""
        self.segments = segments if segments is not None else SegmentCache()
        reader = searcher.reader()
        self.size = reader.doc_count_all()
        postings_limit, scored_limit = cache_limits(self.size)
        self.live = np.ones(self.size, dtype=bool)
        leaves = reader.leaf_readers()
        for leaf, offset in leaves:
            if leaf.has_deletions():
                self.live[np.fromiter(leaf.segment().deleted_docs(), dtype=np.int64) + offset] = False
        self.facets = {f: self._codes(leaves, f) for f in facet_fields}
        date = self._numbers(leaves, "date")  # as stored: datetimes as longs, "no date" as the column default
        self.date = np.where(date > np.iinfo(np.int64).max, 0, date).astype(np.int64)
        self.undated = self._numbers(leaves, "undated", reader.schema["undated"]).astype(np.int64)
        self._lengths: dict[str, np.ndarray] = {}
        self._postings = BytesLru(cache_bytes or postings_limit)  # (field, term) → postings over the whole index
        self._scored = BytesLru(scored_bytes or scored_limit)  # (field, term) → Hits (``term_hits``)
        self._folded: dict[str, dict[str, list[str]]] = {}
        self._lock = threading.Lock()
        self._folding = threading.Lock()  # held while a folded lexicon is read (``folded_terms``)
        self._memo: dict = {}  # what the service derives once per index version (``once``)
        self.warmed = threading.Event()  # set when ``warm`` ran (or gave up)
        self.retired = threading.Event()  # set when the service dropped this version: stop warming it
        self.segment_ids = tuple(leaf.segment().segment_id() for leaf, _ in reader.leaf_readers())

    # --- columns ----------------------------------------------------------------------------------

    def _codes(self, leaves, fieldname: str) -> tuple[np.ndarray, list[str]]:
        """A text column as codes into its sorted distinct values (each segment's read once)."""
        parts = [self.segments.column_codes(leaf, fieldname) for leaf, _ in leaves]
        labels = sorted(set().union(*(p[1] for p in parts)))
        index = {v: i for i, v in enumerate(labels)}
        codes = [np.asarray([index[v] for v in mine], dtype=np.int32)[local] for local, mine in parts]
        return (np.concatenate(codes) if codes else np.zeros(0, np.int32)), labels

    def _numbers(self, leaves, fieldname: str, field=None) -> np.ndarray:
        """A numeric column as stored (each segment's read once); through ``field.from_column_value``
        when a field is given (a stored number → the number indexed)."""
        parts = [self.segments.column_numbers(leaf, fieldname) for leaf, _ in leaves]
        raw = np.concatenate(parts) if parts else np.zeros(0, np.int64)
        if field is None or not len(raw):
            return raw
        values, where = np.unique(raw, return_inverse=True)  # a handful of distinct values
        return np.asarray([field.from_column_value(int(v)) for v in values.tolist()])[where]

    def lengths(self, searcher, fieldname: str) -> np.ndarray:
        """Each entry's length of ``fieldname`` as Whoosh scores it (its one-byte approximation)."""
        fieldname = FOLDED.get(fieldname, fieldname)  # folding keeps every token: the same lengths
        got = self._lengths.get(fieldname)
        if got is None:
            parts = [self.segments.lengths(leaf, fieldname) for leaf, _ in searcher.reader().leaf_readers()]
            got = LENGTH_OF_BYTE[np.concatenate(parts) if parts else np.zeros(0, np.uint8)]
            self._lengths[fieldname] = got
        return got

    def date_mask(self, start, end) -> np.ndarray:
        """Dated entries from ``start`` to ``end`` (datetimes, either may be ``None``)."""
        ok = self.undated == 0
        if start is not None:
            ok &= self.date >= datetime_to_long(start)
        if end is not None:
            ok &= self.date <= datetime_to_long(end)
        return ok

    def once(self, name: str, make):
        """``make()``, computed once for this index version (the law table, the filter menus)."""
        got = self._memo.get(name)
        if got is None:
            got = self._memo.setdefault(name, make())
        return got

    # --- postings ---------------------------------------------------------------------------------

    def postings(self, searcher, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Doc numbers (ascending, deleted entries included) and weights of ``text`` in
        ``fieldname``; cached, shared."""
        return self._postings.get_or_make((fieldname, text), lambda: self._read(searcher, fieldname, text))

    def term_hits(self, searcher, fieldname: str, text: str, compute):
        """``compute(fieldname, text)`` (a term's scored entries: fixed for one index version), kept
        in a bounded cache beside the postings, so a common term is scored once, not per query."""
        return self._scored.get_or_make((fieldname, text), lambda: compute(fieldname, text))

    def warm(self, searcher, stop: threading.Event | None = None) -> int:
        """Read and score the longest posting lists of the fields queries read, longest first, until
        ``WARM_SHARE`` of the scored-terms cache is full (a common syllable is in most queries: its first reader
        should not pay for it). Uses the segments' posting arrays files to find them; an index
        without them is not warmed. Returns how many terms were scored."""
        leaves = searcher.reader().leaf_readers()
        if tuple(leaf.segment().segment_id() for leaf, _ in leaves) != self.segment_ids:
            return 0  # not this version's segments (an index written in place since): nothing to warm
        longest: dict[tuple[str, str], int] = {}
        for leaf, _ in leaves:
            arrays = self.segments.arrays_file(leaf)
            if arrays is None:
                continue
            for fieldname in POSTING_FIELDS:
                for text, (_, count) in arrays.terms(fieldname).items():
                    longest[fieldname, text] = longest.get((fieldname, text), 0) + count
                    if fieldname == "text":  # what the same syllable typed without diacritics reads
                        longest["text_f", fold(text)] = longest.get(("text_f", fold(text)), 0) + count
        ev, done = Evaluator(self, searcher), []
        for key, _ in sorted(longest.items(), key=lambda kv: (-kv[1], kv[0])):
            stopped = (stop is not None and stop.is_set()) or self.retired.is_set()
            if stopped or self._scored.bytes > self._scored.limit * WARM_SHARE:
                break
            ev._base(*key)
            done.append(key)
        # the longest lists as the most recently used: what queries then add pushes out the shortest
        # warmed first (in the order scored, a first pass of new terms dropped the longest, ~0.8 s of
        # them to score again at 1M entries)
        self._scored.refresh(reversed(done))
        return len(done)

    def folded_terms(self, searcher, fieldname: str) -> dict[str, list[str]]:
        """``folded term → the terms of FOLDED[fieldname] that fold to it``, read once."""
        with self._lock:
            got = self._folded.get(fieldname)
        if got is not None:
            return got
        with self._folding:  # one thread reads it (5 s at 1M entries); one that asks meanwhile waits
            with self._lock:
                got = self._folded.get(fieldname)
            if got is None:
                got = {}  # the union of the segments' folded lexicons
                for leaf, _ in searcher.reader().leaf_readers():
                    for folded, terms in self.segments.folded(leaf, FOLDED[fieldname]).items():
                        have = got.get(folded)
                        got[folded] = terms if have is None else tuple(dict.fromkeys(have + terms))
                with self._lock:
                    self._folded[fieldname] = got
        return got

    def doc_frequency(self, searcher, fieldname: str, text: str) -> int:
        """Entries holding ``text`` in ``fieldname`` (deleted ones too, as Whoosh counts)."""
        if fieldname in FOLDED:
            return len(self.postings(searcher, fieldname, text)[0])
        return searcher.reader().doc_frequency(fieldname, text)

    def avg_field_length(self, searcher, fieldname: str) -> float:
        return searcher.avg_field_length(FOLDED.get(fieldname, fieldname)) or 1

    def scorable(self, searcher, fieldname: str) -> bool:
        return fieldname in FOLDED or searcher.schema[fieldname].scorable

    def _read(self, searcher, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        if fieldname in FOLDED:  # the sum of every spelling's postings
            parts = [self._read(searcher, FOLDED[fieldname], t)
                     for t in self.folded_terms(searcher, fieldname).get(text, ())]
            if len(parts) <= 1:
                return parts[0] if parts else (np.zeros(0, np.int64), np.zeros(0, np.float32))
            got = union([Hits(i, w) for i, w in parts], self.size)
            return got.ids, got.score.astype(np.float32)
        parts = []
        for leaf, offset in searcher.reader().leaf_readers():
            got = self.segments.postings(leaf, fieldname, text)  # deleted entries too
            if got is not None:
                parts.append((got, offset))
        if len(parts) == 1 and parts[0][1] == 0 and parts[0][0][0].dtype == np.int64:
            return parts[0][0]  # one decoded segment at offset 0: its own arrays, not a copy
        ids = np.empty(sum(len(got[0]) for got, _ in parts), np.int64)
        weights = np.empty(len(ids), np.float32)
        at = 0
        for (i, w), offset in parts:  # into one array each, numbered across the index
            np.add(i, offset, out=ids[at:at + len(i)])
            weights[at:at + len(i)] = w
            at += len(i)
        return ids, weights


class Evaluator:
    """Evaluates one Whoosh query tree for one request, on ``arrays`` through ``searcher``.

    Each node's result is the entries it matches, ascending, and their scores (``Hits``): what a node
    costs follows the postings it reads and the entries it matches, not the size of the index (an
    ``Or`` of many long lists is summed in one array over the index, which is faster there). A term's
    score is Whoosh's to the last bit (its formula, bracketed alike); a node adds its children's scores
    in the query's order, as Whoosh does for two; Whoosh adds a longer ``Or`` in a tree ordered by the
    lists' sizes, so there the sum may differ from Whoosh's in the last bits (tests allow 1e-9).
    """

    def __init__(self, arrays: IndexArrays, searcher):
        self.a, self.s = arrays, searcher
        self.reader = searcher.reader()
        self._n = float(self.reader.doc_count_all())
        self._terms: dict = {}
        self._whole: dict = {}  # nodes ``_at`` evaluates whole, by query

    def hits(self, q) -> "Hits | None":
        """The live entries ``q`` matches and their scores, or ``None`` when it matches nothing."""
        got = self._eval(q)
        if got is None:
            return None
        keep = self.a.live[got.ids]
        if keep.all():
            return got
        return Hits(got.ids[keep], got.score[keep]) if keep.any() else None

    def run(self, q) -> Scored:
        got = self._eval(q)
        match, score = np.zeros(self.a.size, bool), np.zeros(self.a.size)
        if got is not None:
            match[got.ids] = True
            score[got.ids] = got.score
        return Scored(match & self.a.live, score)

    def count(self, q) -> int:
        got = self.hits(q)
        return 0 if got is None else len(got.ids)

    # Each node gives its Hits (deleted entries included), or None when it matches nothing.

    def _eval(self, q):
        for cls, method in self._METHODS:
            if isinstance(q, cls):
                return method(self, q)
        raise TypeError(f"cannot evaluate {type(q).__name__}")

    def _term(self, q: Q.Term):
        got = self._base(q.fieldname, q.text)
        return None if got is None else got.boosted(q.boost)

    def _base(self, fieldname: str, text: str):
        """The Hits of one term, unboosted, computed once per request (and kept per index version)."""
        key = (fieldname, text)
        if key not in self._terms:
            self._terms[key] = self.a.term_hits(self.s, fieldname, text, self._compute)
        return self._terms[key]

    def _compute(self, fieldname: str, text: str):
        ids, weights = self.a.postings(self.s, fieldname, text)
        if not len(ids):
            return None
        if self.a.scorable(self.s, fieldname):  # Whoosh's BM25F, with Whoosh's statistics
            df = len(ids)  # deleted entries too, as Whoosh counts (``doc_frequency``): no second look-up
            idf = math.log(self._n / (df + 1)) + 1
            avgfl = self.a.avg_field_length(self.s, fieldname)
            fl = self.a.lengths(self.s, fieldname)[ids]
            tf = weights.astype(np.float64)
            score = idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))  # whoosh.scoring.bm25
        else:  # Whoosh scores an unscorable field (ID, no lengths) by the posting's weight
            score = weights.astype(np.float64)
        return self._kept(ids, score)

    def _kept(self, ids: np.ndarray, score: np.ndarray) -> "Hits":
        """A term's or phrase's Hits as the cache keeps them: read-only (shared by every request; each
        use makes its own arrays), with a bitmap when the list is common (``BITS_SHARE``), and its best
        score in each block on an index that ``best`` serves (``BLOCKS_FROM``)."""
        score.flags.writeable = False
        return Hits(ids, score, Bits(ids, self.a.size) if len(ids) * BITS_SHARE >= self.a.size else None,
                    _peaks(ids, score) if self.a.size >= BLOCKS_FROM else None)

    def _or(self, q: Q.Or):
        parts = [p for p in (self._eval(c) for c in q.subqueries) if p is not None]
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0].boosted(q.boost)
        return union(parts, self.a.size).boosted(q.boost)

    def _and(self, q: Q.And):
        """Entries in every child, scored by adding the children's scores in the query's order, as
        Whoosh does (``common``)."""
        parts = []
        for c in q.subqueries:
            part = self._eval(c)
            if part is None:
                return None
            parts.append(part)
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0].boosted(q.boost)
        got = common(parts, self.a.size)
        return None if got is None else got.boosted(q.boost)

    def _andmaybe(self, q: Q.AndMaybe):
        required = self._eval(q.a)
        if required is None:
            return None
        if len(required.ids) * DENSE_SHARE > self.a.size:  # most of the index: evaluated over it, once
            optional = self._eval(q.b)
            return (required if optional is None else required.plus(optional, self.a.size)).boosted(q.boost)
        held, theirs = self._at(q.b, required.ids)  # only where it can count: the required entries
        if not held.any():
            return required.boosted(q.boost)
        score = required.score.copy()
        score[held] += theirs[held]
        return Hits(required.ids, score).boosted(q.boost)

    def _at(self, q, cand) -> tuple[np.ndarray, np.ndarray]:
        """(held, score) of ``q`` at the entries ``cand`` (ascending numbers, or every entry of some
        ``Blocks``): what ``_eval(q)`` gives there, bit for bit (children's scores added in the same
        order), from the terms' lists looked up at ``cand`` instead of unions over the index (a phrase:
        its kept Hits). Prefixes and ``Every`` are evaluated whole, once a request, and looked up."""
        # every array here is a new one (``_held_at`` makes them): a node adds to its first child's
        if isinstance(q, Q.Term):
            held, score = self._base_at(q.fieldname, q.text, cand)
        elif isinstance(q, Q.AndMaybe):  # the required part's score, the optional one's added where held
            held, score = self._at(q.a, cand)
            score += self._at(q.b, cand)[1]  # (0 where not held; where ``q.a`` is not: zeroed below)
            score = np.where(held, score, 0.0)
        elif isinstance(q, Q.AndNot):
            held, score = self._at(q.a, cand)
            held &= ~self._at(q.b, cand)[0]
            score = np.where(held, score, 0.0)
        elif isinstance(q, Q.WrappingQuery):
            return self._at(q.child, cand)
        elif type(q) in (Q.Or, Q.And):
            if not q.subqueries:
                return np.zeros(len(cand), bool), np.zeros(len(cand))
            held, score = self._at(q.subqueries[0], cand)
            for c in q.subqueries[1:]:
                h, s = self._at(c, cand)
                if type(q) is Q.Or:
                    held |= h
                else:
                    held &= h
                score += s  # what a child does not hold adds 0: no masked adds (a few times slower)
            if type(q) is Q.And:
                score = np.where(held, score, 0.0)
        elif isinstance(q, Q.Phrase):
            if len(q.words) == 1:
                held, score = self._base_at(q.fieldname, q.words[0], cand)
            else:
                held, score = self._held_at(self._phrase_of(q), cand)
        else:  # evaluated whole, once a request (``best`` asks again block by block)
            if q not in self._whole:
                self._whole[q] = self._eval(q)
            return self._held_at(self._whole[q], cand)
        if q.boost != 1:
            score *= q.boost
        return held, score

    def _base_at(self, fieldname: str, text: str, cand) -> tuple[np.ndarray, np.ndarray]:
        """(held, unboosted score) of one term at the entries ``cand`` (the request's own scored term)."""
        return self._held_at(self._base(fieldname, text), cand)

    def _held_at(self, got: "Hits | None", cand) -> tuple[np.ndarray, np.ndarray]:
        """(held, score: 0 where not held) of the entries ``cand`` in ``got``."""
        score = np.zeros(len(cand))
        if got is None:
            return np.zeros(len(cand), bool), score
        if isinstance(cand, Blocks):
            return cand.spread(got, score)
        held, theirs = lookup(cand, got, self.a.size)
        score[held] = theirs
        return held, score

    def _andnot(self, q: Q.AndNot):
        positive = self._eval(q.a)
        if positive is None:
            return None
        negative = self._eval(q.b)
        if negative is None:
            return positive
        got = positive.without(negative, self.a.size)
        return None if got is None else got.boosted(q.boost)

    def _prefix(self, q: Q.Prefix):
        ids = [self.a.postings(self.s, q.fieldname, t.decode("utf-8") if isinstance(t, bytes) else t)[0]
               for t in self.reader.expand_prefix(q.fieldname, q.text)]
        ids = [i for i in ids if len(i)]
        if not ids:
            return None
        ids = union([Hits(i, np.zeros(len(i))) for i in ids], self.a.size).ids
        return Hits(ids, np.full(len(ids), float(q.boost)))

    def _every(self, q: Q.Every):
        ids = np.flatnonzero(self.a.live)
        return Hits(ids, np.full(len(ids), float(q.boost))) if len(ids) else None

    def _nothing(self, q):
        return None

    def _phrase(self, q: Q.Phrase):
        """Where every pair of adjacent folded syllables is (``text_b``), with diacritics typed
        (field ``text``) each syllable as typed too; scored as Whoosh scores a phrase: the sum of its
        words' scores in the phrase's field."""
        words = tuple(q.words)
        if not words:
            return None
        if len(words) == 1:
            return self._term(Q.Term(q.fieldname, words[0], boost=q.boost))
        got = self._phrase_of(q)
        return None if got is None else got.boosted(q.boost)

    def _phrase_of(self, q: Q.Phrase):
        """The Hits of a phrase of several words, unboosted."""
        words = tuple(q.words)
        return self._phrase_base(q.fieldname, words, isinstance(q, ExactPhrase) and len(words) > 2)

    def _phrase_base(self, fieldname: str, words: tuple[str, ...], exact: bool):
        """A phrase's Hits, unboosted, computed once per request and kept as a term's are (a phrase of
        common words is asked for again and again)."""
        key = (f"phrase:{fieldname}:{int(exact)}", " ".join(words))
        if key not in self._terms:
            self._terms[key] = self.a.term_hits(self.s, *key, lambda *_: self._phrase_compute(fieldname, words, exact))
        return self._terms[key]

    def _phrase_compute(self, fieldname: str, words: tuple[str, ...], exact: bool):
        folded = [fold(w) for w in words]
        pairs = [self._base(PAIR_FIELD, pair) for pair in dict.fromkeys(pairs_of(folded))]
        if not words or any(got is None for got in pairs):  # (a pair missing: no word's list is scored)
            return None
        scored = [self._base(fieldname, w) for w in words]
        if any(got is None for got in scored):
            return None
        where = common(scored, self.a.size, pairs)
        if where is not None and exact:
            where = self._verified(folded, where)
        return None if where is None else self._kept(where.ids, where.score)

    def _verified(self, folded: list[str], where: "Hits") -> "Hits | None":
        """Candidates whose text has the folded syllables in a row (only punctuation or spaces
        between them, as the analysis sees it), when there are few enough to read."""
        live = self.a.live[where.ids]
        if np.count_nonzero(live) > VERIFY_MAX:
            return where
        pattern = re.compile(r"(?<!\w)" + r"\W+".join(map(re.escape, folded)) + r"(?!\w)")
        keep = np.zeros(len(where.ids), bool)
        for i in np.flatnonzero(live).tolist():
            fields = self.s.stored_fields(int(where.ids[i]))
            keep[i] = bool(pattern.search(fold(clean(entry_text(fields.get("title", ""), fields.get("body", ""))))))
        return Hits(where.ids[keep], where.score[keep]) if keep.any() else None

    def _wrappingquery(self, q: Q.WrappingQuery):
        return self._eval(q.child)

    # --- many matches: the set as a bitmap, the best scored block by block ---------------------------

    def matches(self, q) -> np.ndarray | None:
        """The entries ``q`` matches as a bitmap (``words_of``; deleted entries included), or ``None``
        when it matches nothing: the same set as ``_eval``, from the terms' bitmaps, no score summed."""
        if isinstance(q, Q.Term):
            got = self._base(q.fieldname, q.text)
            return None if got is None else got.words(self.a.size)
        if isinstance(q, Q.Phrase):
            if len(q.words) <= 1:
                return self.matches(Q.Term(q.fieldname, q.words[0])) if q.words else None
            got = self._phrase_of(q)
            return None if got is None else got.words(self.a.size)
        if isinstance(q, Q.AndMaybe):
            return self.matches(q.a)
        if isinstance(q, Q.AndNot):
            positive = self.matches(q.a)
            negative = None if positive is None else self.matches(q.b)
            return positive if negative is None else _nonempty(positive & ~negative)
        if isinstance(q, (Q.And, Q.Or)):
            parts = [self.matches(c) for c in q.subqueries]
            if isinstance(q, Q.And):
                if not parts or any(p is None for p in parts):
                    return None
                return _nonempty(np.bitwise_and.reduce(parts))
            parts = [p for p in parts if p is not None]
            return np.bitwise_or.reduce(parts) if parts else None
        if isinstance(q, Q.WrappingQuery):
            return self.matches(q.child)
        got = self._eval(q)  # prefixes, everything, nothing
        return None if got is None else words_of(got.ids, self.a.size)

    def bound(self, q) -> np.ndarray:
        """In each block (a bitmap's word), a score no entry ``q`` matches there exceeds: the terms'
        best scores in the block, added and boosted as ``_eval`` adds and boosts their scores."""
        nb = n_words(self.a.size)
        if isinstance(q, Q.Term):
            got = self._base(q.fieldname, q.text)
            return np.zeros(nb) if got is None else got.block_max(self.a.size) * q.boost
        if isinstance(q, Q.Phrase):
            if len(q.words) == 1:
                return self.bound(Q.Term(q.fieldname, q.words[0], boost=q.boost))
            got = self._phrase_of(q)
            return np.zeros(nb) if got is None else got.block_max(self.a.size) * q.boost
        if isinstance(q, (Q.And, Q.Or)):
            return sum((self.bound(c) for c in q.subqueries), np.zeros(nb)) * q.boost
        if isinstance(q, Q.AndMaybe):
            return (self.bound(q.a) + self.bound(q.b)) * q.boost
        if isinstance(q, Q.AndNot):
            return self.bound(q.a) * q.boost
        if isinstance(q, Q.WrappingQuery):
            return self.bound(q.child)
        return np.full(nb, max(float(q.boost), 0.0))  # prefixes, everything: each match scores the boost

    def best(self, q, within: np.ndarray, k: int, factors=()) -> tuple[np.ndarray, np.ndarray]:
        """(entries, scores) of the best ``k`` of the entries of the bitmap ``within`` (all matched by
        ``q``), best first, ties in index order: what sorting every match by ``_eval``'s score says,
        each score multiplied by ``factor`` where ``(query, factor)`` of ``factors`` matches too.

        Blocks are scored best bound first, in batches that double; scoring stops when the ``k``-th
        best score found beats every bound left, so a query matching most of the index scores a few
        blocks of it. Once ``k`` are found, the blocks whose bound reaches the ``k``-th best are all
        that may still hold better: a batch never goes past them, and when those not scored yet hold
        more than 1/``SCORED_SHARE`` of the matches (a flat top: the bounds prune little), every match
        is scored at once instead (cheaper per match; from 1/``SIZED_AFTER`` of the blocks scored on)."""
        bound = self.bound(q)
        for _, factor in factors:
            bound = bound * max(factor, 1.0)
        bound = bound * (1 + BOUND_SLACK) + BOUND_SLACK
        held = np.flatnonzero(within)
        order = held[np.argsort(-bound[held], kind="stable")]
        ranked = -bound[order]  # ascending
        matches = np.cumsum(np.bitwise_count(within[order]))  # in the blocks up to each of ``order``
        ids, score = np.zeros(0, np.int64), np.zeros(0)
        at, step, left = 0, 4, len(order)
        while at < left:
            batch = Blocks(np.sort(order[at:min(at + step, left)]))
            inside = _flags(within[batch.words])
            at, step = at + len(batch.words), step * 2
            if np.count_nonzero(inside) * PLACES_SHARE >= len(batch):  # each entry, lists read in runs
                cand, got = self._scores_at(q, batch, factors, inside)
            else:  # its matches, looked up one by one
                cand, got = self._scores_at(q, batch.entries(np.flatnonzero(inside)), factors)
            ids, score = _top(np.concatenate([ids, cand]), np.concatenate([score, got]), k)
            if len(ids) == k:  # the blocks that may hold better (a tie too: ties go to the lower number)
                left = int(np.searchsorted(ranked, -score[-1], side="right"))
                if (at < left and at * SIZED_AFTER >= len(order)
                        and (matches[left - 1] - matches[at - 1]) * SCORED_SHARE > matches[-1]):
                    return self._best_of_all(q, within, k, factors)
        return ids, score

    def _scores_at(self, q, places, factors, inside: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(the entries of ``places`` (numbers, or ``Blocks`` and the mask ``inside`` of those wanted)
        that ``q`` matches, their scores times each factor of ``factors`` whose query matches them too:
        as ``search._evaluate`` applies a preference, in order)."""
        held, got = self._at(q, places)
        at = np.flatnonzero(held if inside is None else held & inside)
        got = got[at]
        for fq, factor in factors:
            got[self._at(fq, places)[0][at]] *= factor
        return (places.entries(at) if isinstance(places, Blocks) else places[at]), got

    def _best_of_all(self, q, within: np.ndarray, k: int, factors) -> tuple[np.ndarray, np.ndarray]:
        """``best`` by scoring every match (``_eval``)."""
        got = self._eval(q)
        keep = held_in(within, got.ids)
        ids, score = got.ids[keep], got.score[keep]  # (a copy: the factors may change it)
        for fq, factor in factors:
            score[self._at(fq, ids)[0]] *= factor
        return _top(ids, score, k)

    # the classes a query tree is made of, most specific first
    _METHODS = ((Q.Term, _term), (Q.Phrase, _phrase), (Q.Prefix, _prefix), (Q.AndMaybe, _andmaybe),
                (Q.AndNot, _andnot), (Q.And, _and), (Q.Or, _or), (Q.Every, _every),
                (type(Q.NullQuery), _nothing), (Q.WrappingQuery, _wrappingquery))


@dataclass(frozen=True)
class Hits:
    """Entries (ascending numbers, no repeats) and their scores: one query node's result."""

    ids: np.ndarray
    score: np.ndarray

    bits: "Bits | None" = field(default=None, compare=False, repr=False)  # a common term's (``BITS_SHARE``)
    peaks: tuple[np.ndarray, np.ndarray] | None = field(default=None, compare=False, repr=False)  # ``_peaks``

    def boosted(self, boost: float) -> "Hits":
        return self if boost == 1 else Hits(self.ids, self.score * boost, self.bits)

    def words(self, size: int) -> np.ndarray:
        """These entries as a bitmap over an index of ``size`` (``words_of``)."""
        return self.bits.words if self.bits is not None else words_of(self.ids, size)

    def block_max(self, size: int) -> np.ndarray:
        """The best score in each block of 64 entries (a bitmap's word; 0 where none is held), from
        the kept ``peaks`` when these Hits have them."""
        blocks, best = self.peaks if self.peaks is not None else _peaks(self.ids, self.score)
        out = np.zeros(n_words(size))
        out[blocks] = best
        return out

    def _lookup(self, other: "Hits", size: int) -> tuple[np.ndarray, np.ndarray]:
        return lookup(self.ids, other, size)

    def plus(self, other: "Hits", size: int) -> "Hits":
        """These entries, with ``other``'s score added where it matches too."""
        found, theirs = self._lookup(other, size)
        if not found.any():
            return self
        score = self.score.copy()
        score[found] += theirs
        return Hits(self.ids, score)

    def without(self, other: "Hits", size: int) -> "Hits | None":
        found, _ = self._lookup(other, size)
        if not found.any():
            return self
        keep = ~found
        return Hits(self.ids[keep], self.score[keep]) if keep.any() else None


# A page needs the 10th best of maybe 700k scores: np.partition of them all costs ~8 ms at 1M entries,
# one comparison pass ~1 ms. Above this many values a strided sample finds a bound first.
KTH_SAMPLE_FROM = 65_536
KTH_SAMPLE = 4_096


def _top(ids: np.ndarray, score: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The best ``k`` (ids, scores), best first, ties by entry number."""
    if len(ids) > k:
        keep = score >= kth_largest(score, k)
        ids, score = ids[keep], score[keep]
    order = np.lexsort((ids, -score))[:k]
    return ids[order], score[order]


def _peaks(ids: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the blocks of 64 entries ``ids`` (ascending) has entries in, the best score in each)."""
    if not len(ids):
        return np.zeros(0, np.int64), np.zeros(0)
    block = ids >> 6
    starts = _run_starts(block)
    return block[starts], np.maximum.reduceat(score, starts)


def _run_starts(block: np.ndarray) -> np.ndarray:
    """Where each run of equal values of ``block`` (ascending, not empty) starts."""
    return np.flatnonzero(np.concatenate(([True], block[1:] != block[:-1])))


def _nonempty(words: np.ndarray) -> np.ndarray | None:
    return words if words.any() else None


def kth_largest(values: np.ndarray, k: int) -> float:
    """The ``k``-th largest of ``values`` (``1 <= k <= len(values)``), exactly what
    ``np.partition(values, n - k)[n - k]`` says. On many values, the sample's ``r``-th largest is a
    bound: when at least ``k`` values reach it, the ``k``-th largest is among them (else, or on a
    sample that guessed badly, the whole array is partitioned)."""
    n = len(values)
    if n >= KTH_SAMPLE_FROM and k * 64 < n:
        step = n // KTH_SAMPLE
        sample = values[::step]
        r = min(len(sample), 2 * (k // step) + 16)
        bound = np.partition(sample, len(sample) - r)[len(sample) - r]
        above = values[values >= bound]
        if len(above) >= k:
            return np.partition(above, len(above) - k)[len(above) - k]
    return np.partition(values, n - k)[n - k]


COMMON_READS = 4


def common(parts: list[Hits], size: int, filters: list[Hits] = ()) -> Hits | None:
    """Entries in every one of ``parts`` (at least one) and ``filters``, scored by adding the scores of
    ``parts`` in their order (``None`` when there is none). Lists of similar lengths that all have
    bitmaps are and-ed word by word and each read whole once through the result (while their lengths
    sum to at most ``COMMON_READS`` times the look-ups narrowing would make: a look-up costs a few
    reads of an entry); else narrowed from the shortest list up, each step a look-up of what is left."""
    everything = list(parts) + list(filters)
    shortest = min(len(p.ids) for p in everything)
    if (all(p.bits is not None for p in everything)
            and sum(len(p.ids) for p in everything) <= COMMON_READS * shortest * (len(everything) - 1)):
        held = _flags(np.bitwise_and.reduce([p.bits.words for p in everything]))
        ids = np.flatnonzero(held)
        if not len(ids):
            return None
        score = parts[0].score[held[parts[0].ids]]  # (its entries are in ascending order, as ``ids``)
        for p in parts[1:]:
            score = score + p.score[held[p.ids]]
        return Hits(ids, score)
    by_length = sorted(range(len(everything)), key=lambda k: len(everything[k].ids))
    ids = everything[by_length[0]].ids
    theirs = {by_length[0]: everything[by_length[0]].score}  # each part's scores at ``ids``, kept as it narrows
    for k in by_length[1:]:
        found, score = lookup(ids, everything[k], size)
        if not found.all():
            ids = ids[found]
            if not len(ids):
                return None
            theirs = {j: s[found] for j, s in theirs.items()}
        theirs[k] = score
    score = theirs[0]
    for k in range(1, len(parts)):
        score = score + theirs[k]
    return Hits(ids, score)


def lookup(ids: np.ndarray, other: Hits, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Which of the entries ``ids`` (ascending) ``other`` holds (a mask over ``ids``), and ``other``'s
    scores of them. Through ``other``'s bitmap when it has one; else binary search in ``other``, or one
    array over the index when both lists are long."""
    if other.bits is not None:
        found, at = other.bits.find(ids)
        return found, other.score[at]
    if min(len(ids), len(other.ids)) * DENSE_SHARE > size:
        dense = np.zeros(size)
        dense[other.ids] = other.score
        if _positive(other.score):  # (BM25 scores are) a score says where it is held
            theirs = dense[ids]
            found = theirs > 0
            return found, theirs[found]
        held = np.zeros(size, bool)
        held[other.ids] = True
        found = held[ids]
        return found, dense[ids[found]]
    at = np.searchsorted(other.ids, ids)
    inside = at < len(other.ids)
    found = np.zeros(len(ids), bool)
    found[inside] = other.ids[at[inside]] == ids[inside]
    return found, other.score[at[found]]


def _positive(score: np.ndarray) -> bool:
    """Every score above 0 (BM25's are: idf and tf parts are positive, boosts too): then a dense array
    of scores marks the entries held by itself, and no second array of flags is written."""
    return not len(score) or bool(score.min() > 0)


def union(parts: list[Hits], size: int) -> Hits:
    """Entries in any of ``parts``, scores summed in the parts' order. Long lists are summed in one
    array over the index (no sorting); short ones by sorting what they hold."""
    total = sum(len(p.ids) for p in parts)
    if total * 16 > size:
        score = np.zeros(size)
        if all(_positive(p.score) for p in parts):  # the sum says where any part is held
            for p in parts:
                np.add.at(score, p.ids, p.score)  # numpy 2's fast path: ~1.8x the in-place fancy add
            ids = np.flatnonzero(score != 0)  # (numpy finds the nonzero of a bool array ~10x faster)
            return Hits(ids, score[ids])
        seen = np.zeros(size, bool)
        for p in parts:
            score[p.ids] += p.score  # ids do not repeat within a part
            seen[p.ids] = True
        ids = np.flatnonzero(seen)
        return Hits(ids, score[ids])
    ids, where = np.unique(np.concatenate([p.ids for p in parts]), return_inverse=True)
    return Hits(ids, np.bincount(where, weights=np.concatenate([p.score for p in parts]), minlength=len(ids)))


# --- bitmaps ----------------------------------------------------------------------------------------

_ONE = np.uint64(1)


def n_words(size: int) -> int:
    """Words of a bitmap over an index of ``size`` entries."""
    return max(1, -(-size >> 6))


def words_of(ids: np.ndarray, size: int) -> np.ndarray:
    """The entries ``ids`` (ascending, no repeats) as a bitmap over an index of ``size``: bit ``i`` of
    word ``w`` is entry ``64 * w + i`` (the last word padded with zeros)."""
    if len(ids) * 8 < size:  # few: each word's bits or-ed from its run of entries (no pass over the index)
        words = np.zeros(n_words(size), np.uint64)
        if len(ids):
            word = ids >> 6
            starts = _run_starts(word)
            words[word[starts]] = np.bitwise_or.reduceat(np.left_shift(_ONE, (ids & 63).astype(np.uint64)), starts)
        return words
    flags = np.zeros(n_words(size) * 64, bool)
    flags[ids] = True
    return _packed(flags)


def mask_words(mask: np.ndarray) -> np.ndarray:
    """A mask over the index (one bool an entry) as a bitmap (``words_of``)."""
    flags = np.zeros(n_words(len(mask)) * 64, bool)
    flags[:len(mask)] = mask
    return _packed(flags)


def _packed(flags: np.ndarray) -> np.ndarray:
    """Flags, 64 to a word, as the words of a bitmap."""
    return np.packbits(flags, bitorder="little").view("<u8")


def held_in(words: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Which of the entries ``ids`` the bitmap holds (a mask over ``ids``)."""
    return _bit(words[ids >> 6], ids)


def _bit(word: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Each entry's bit in its word (``word[i]``: the word of ``ids[i]``)."""
    return ((word >> (ids & 63).astype(np.uint64)) & _ONE).astype(bool)


def ids_of(words: np.ndarray, offset: int = 0) -> np.ndarray:
    """The entries a bitmap holds, ascending (``offset``: the entry of its first bit). The bits are
    read as bools: numpy finds the nonzero of a bool array ~10x faster than of bytes."""
    nonzero = np.flatnonzero(words)
    if len(nonzero) * 4 > len(words):  # most words hold entries: every bit unpacked, no arithmetic
        return offset + np.flatnonzero(_flags(words))
    at = np.flatnonzero(_flags(words[nonzero]))
    return offset + (nonzero[at >> 6] << 6) + (at & 63)


def _flags(words: np.ndarray) -> np.ndarray:
    """A bitmap's bits as bools, 64 a word (``_packed``'s inverse)."""
    return np.unpackbits(np.ascontiguousarray(words).view(np.uint8), bitorder="little").view(bool)


def popcount(words: np.ndarray) -> int:
    return int(np.bitwise_count(words).sum(dtype=np.int64))


class Blocks:
    """Every entry of some blocks (bitmap words, ascending numbers ``words``) as places to score
    (``Evaluator._at``): entry ``64 * words[i] + j`` is place ``64 * i + j``. A list's entries there
    are read as whole runs of it (``spread``), not looked up one by one."""

    __slots__ = ("words",)

    def __init__(self, words: np.ndarray):
        self.words = words

    def __len__(self) -> int:
        return len(self.words) * 64

    def entries(self, places: np.ndarray) -> np.ndarray:
        return (self.words[places >> 6] << 6) + (places & 63)

    def spread(self, got: Hits, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(held, ``score`` (zeros, one a place) with ``got``'s scores at its places). The entries of
        ``got`` in a block are a run of its list: from its bitmap's running counts when it has one,
        else by binary search for the block's first and last entries."""
        if got.bits is not None:
            words = got.bits.words[self.words]
            held = _flags(words)
            score[np.flatnonzero(held)] = got.score[_runs(got.bits.before[self.words], np.bitwise_count(words))]
            return held, score  # (numbers scatter ~2x faster than a mask)
        first = np.searchsorted(got.ids, self.words << 6)
        count = np.searchsorted(got.ids, (self.words + 1) << 6) - first
        at = _runs(first, count)
        places = (np.repeat(np.arange(len(self.words)), count) << 6) + (got.ids[at] & 63)
        held = np.zeros(len(score), bool)
        held[places] = True
        score[places] = got.score[at]
        return held, score


def _runs(first: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Positions ``first[i]``, …, ``first[i] + count[i] - 1`` of every ``i``, in order."""
    count = count.astype(np.int64)
    ends = np.cumsum(count)
    return np.arange(ends[-1] if len(ends) else 0) + np.repeat(first.astype(np.int64) - (ends - count), count)


class Bits:
    """A list of entries as a bitmap, with how many entries come before each word: whether an entry is
    in the list and where it stands there are found in constant time."""

    __slots__ = ("words", "before")

    def __init__(self, ids: np.ndarray, size: int):
        self.words = words_of(ids, size)
        self.words.flags.writeable = False  # shared by every request: combined into new bitmaps only
        self.before = np.zeros(len(self.words), np.int32)
        np.cumsum(np.bitwise_count(self.words[:-1]), out=self.before[1:])

    @property
    def nbytes(self) -> int:
        return self.words.nbytes + self.before.nbytes

    def find(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(which of ``ids`` the list holds, their positions in it)."""
        word = ids >> 6
        w = self.words[word]
        found = _bit(w, ids)
        below = w[found] & ((_ONE << (ids[found] & 63).astype(np.uint64)) - _ONE)  # the list's bits before it
        return found, self.before[word[found]] + np.bitwise_count(below).astype(np.int64)

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
- every match is counted, so totals and facet counts are exact.
"""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from whoosh import query as Q
from whoosh.util.times import datetime_to_long

from indexer.index.whoosh_internals import LENGTH_OF_BYTE, decode_postings, field_length_bytes, raw_postings
from indexer.text.analysis import pairs_of
from indexer.index.entries import entry_text
from indexer.text.normalize import clean, fold
from search_app.query import ExactPhrase

__all__ = ["IndexArrays", "SegmentCache", "Scored", "PAIR_FIELD", "FOLDED", "VERIFY_MAX", "CACHE_BYTES"]

PAIR_FIELD = "text_b"
FOLDED = {"text_f": "text"}  # a field computed from another: its terms are the other's, folded
# A quoted phrase of 3+ syllables matches where all its pairs do; up to this many such candidates
# are then read and checked (beyond that, a false match among thousands is immaterial and reading
# them would cost what this engine exists to avoid).
VERIFY_MAX = 1000
CACHE_BYTES = 256 * 2**20  # decoded postings kept for reuse (common terms are asked for again and again)
B, K1 = 0.75, 1.2          # Whoosh's BM25F defaults, which the index's schema uses
SEGMENT_CACHE_BYTES = 256 * 2**20  # decoded postings of segments, kept across index versions
SMALL_ENTRIES = 512  # field lengths and folded lexicons kept (a handful per segment)


@dataclass
class Scored:
    """Which entries match (``match``) and their scores (``score``, 0 where they do not)."""

    match: np.ndarray
    score: np.ndarray


class SegmentCache:
    """What is read from one segment, kept across index versions: decoded postings (doc numbers
    within the segment, deleted entries included), field lengths and folded lexicons.

    A segment never changes once written (Whoosh never rewrites a segment file; deletions live in the
    table of contents, and the engine masks them per version), and ``update`` or a build that starts
    from the live index keeps every segment it did not touch: a new version then reads only its new
    segments, and the first queries after a switch are not cold. Keyed by Whoosh's segment id.
    """

    def __init__(self, limit_bytes: int = SEGMENT_CACHE_BYTES):
        self._postings: OrderedDict = OrderedDict()
        self._bytes, self._limit = 0, limit_bytes
        self._small: OrderedDict = OrderedDict()  # lengths and folded lexicons, least recently used first
        self._lock = threading.Lock()

    def postings(self, leaf, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        key = (leaf.segment().segment_id(), fieldname, text)
        with self._lock:
            got = self._postings.get(key)
            if got is not None:
                self._postings.move_to_end(key)
                return got
        ids, weights = decode_postings(raw_postings(leaf, fieldname, text), 0)
        got = (np.concatenate(ids), np.concatenate(weights))
        for array in got:  # shared by every version and thread that reads this segment
            array.flags.writeable = False
        with self._lock:
            if key not in self._postings:
                self._postings[key] = got
                self._bytes += got[0].nbytes + got[1].nbytes
                while self._bytes > self._limit and len(self._postings) > 1:
                    _, (i, w) = self._postings.popitem(last=False)
                    self._bytes -= i.nbytes + w.nbytes
        return got

    def lengths(self, leaf, fieldname: str) -> np.ndarray:
        return self._once((leaf.segment().segment_id(), "lengths", fieldname),
                          lambda: field_length_bytes(leaf, fieldname))

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
            got = self._small.get(key)
            if got is not None:
                self._small.move_to_end(key)
                return got
        got = read()
        with self._lock:
            self._small[key] = got
            while len(self._small) > SMALL_ENTRIES:  # segments merged away long ago go first
                self._small.popitem(last=False)
        return got


class IndexArrays:
    """Per-entry columns and decoded postings of one index generation, shared by all threads.

    Built from one searcher; postings are then read through whichever thread's searcher asks (a
    Whoosh reader's files are not shared between threads).
    """

    def __init__(self, searcher, facet_fields: tuple[str, ...], cache_bytes: int = CACHE_BYTES,
                 segments: SegmentCache | None = None):
        self.segments = segments if segments is not None else SegmentCache()
        reader = searcher.reader()
        self.size = reader.doc_count_all()
        self.live = np.ones(self.size, dtype=bool)
        for leaf, offset in reader.leaf_readers():
            if leaf.has_deletions():
                dead = [d for d in range(leaf.doc_count_all()) if leaf.is_deleted(d)]
                self.live[np.asarray(dead, dtype=np.int64) + offset] = False
        self.facets = {f: self._codes(reader, f) for f in facet_fields}
        date = np.asarray(list(reader.column_reader("date", translate=False)), dtype=np.uint64)
        self.date = np.where(date > np.iinfo(np.int64).max, 0, date).astype(np.int64)  # no date: column default
        self.undated = np.asarray(list(reader.column_reader("undated")), dtype=np.int64)
        self._lengths: dict[str, np.ndarray] = {}
        self._cache: OrderedDict = OrderedDict()
        self._cache_bytes, self._cache_limit = 0, cache_bytes
        self._folded: dict[str, dict[str, list[str]]] = {}
        self._lock = threading.Lock()
        self._memo: dict = {}  # what the service derives once per index version (``once``)

    # --- columns ----------------------------------------------------------------------------------

    @staticmethod
    def _codes(reader, fieldname: str) -> tuple[np.ndarray, list[str]]:
        values = [v or "" for v in reader.column_reader(fieldname)]
        labels = sorted(set(values))
        index = {v: i for i, v in enumerate(labels)}
        return np.asarray([index[v] for v in values], dtype=np.int32), labels

    def lengths(self, searcher, fieldname: str) -> np.ndarray:
        """Each entry's length of ``fieldname`` as Whoosh scores it (its one-byte approximation)."""
        fieldname = FOLDED.get(fieldname, fieldname)  # folding keeps every token: the same lengths
        got = self._lengths.get(fieldname)
        if got is None:
            parts = [self.segments.lengths(leaf, fieldname) for leaf, _ in searcher.reader().leaf_readers()]
            got = LENGTH_OF_BYTE[np.concatenate(parts) if parts else np.zeros(0, np.uint8)]
            self._lengths[fieldname] = got
        return got

    def values_mask(self, fieldname: str, values) -> np.ndarray:
        """Entries whose facet column ``fieldname`` holds one of ``values``."""
        codes, labels = self.facets[fieldname]
        wanted = [i for i, v in enumerate(labels) if v in set(values)]
        return np.isin(codes, wanted)

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
        key = (fieldname, text)
        with self._lock:
            got = self._cache.get(key)
            if got is not None:
                self._cache.move_to_end(key)
                return got
        got = self._read(searcher, fieldname, text)
        size = got[0].nbytes + got[1].nbytes
        with self._lock:
            if key not in self._cache:
                self._cache[key] = got
                self._cache_bytes += size
                while self._cache_bytes > self._cache_limit and len(self._cache) > 1:
                    _, (i, w) = self._cache.popitem(last=False)
                    self._cache_bytes -= i.nbytes + w.nbytes
        return got

    def folded_terms(self, searcher, fieldname: str) -> dict[str, list[str]]:
        """``folded term → the terms of FOLDED[fieldname] that fold to it``, read once."""
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
            ids, where = np.unique(np.concatenate([i for i, _ in parts]), return_inverse=True)
            weights = np.bincount(where, weights=np.concatenate([w for _, w in parts]))
            return ids, weights.astype(np.float32)
        ids, weights = [], []
        for leaf, offset in searcher.reader().leaf_readers():
            if (fieldname, text) not in leaf:
                continue
            i, w = self.segments.postings(leaf, fieldname, text)  # deleted entries too
            ids.append(i + offset if offset else i)
            weights.append(w)
        if not ids:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        if len(ids) == 1:  # one segment at offset 0: the segment's own arrays, not a copy
            return ids[0], weights[0]
        return np.concatenate(ids), np.concatenate(weights)


class Evaluator:
    """Evaluates one Whoosh query tree for one request, on ``arrays`` through ``searcher``."""

    def __init__(self, arrays: IndexArrays, searcher):
        self.a, self.s = arrays, searcher
        self.reader = searcher.reader()
        self._n = float(self.reader.doc_count_all())
        self._terms: dict = {}

    def run(self, q) -> Scored:
        got = self._eval(q)
        if got is None:
            return Scored(np.zeros(self.a.size, bool), np.zeros(self.a.size))
        match, score = got
        return Scored(match & self.a.live, np.where(match, score, 0.0))

    def count(self, q) -> int:
        return int(np.count_nonzero(self.run(q).match))

    # Each node gives (match, score) over every entry, or None when it matches nothing.

    def _eval(self, q):
        for cls, method in self._METHODS:
            if isinstance(q, cls):
                return method(self, q)
        raise TypeError(f"cannot evaluate {type(q).__name__}")

    def _term(self, q: Q.Term):
        got = self._base(q.fieldname, q.text)
        return None if got is None else (got[0], got[1] * q.boost)

    def _base(self, fieldname: str, text: str):
        """(match, unboosted score) of one term, computed once per request."""
        key = (fieldname, text)
        if key not in self._terms:
            self._terms[key] = self._compute(fieldname, text)
        return self._terms[key]

    def _compute(self, fieldname: str, text: str):
        ids, weights = self.a.postings(self.s, fieldname, text)
        if not len(ids):
            return None
        score = np.zeros(self.a.size)
        if self.a.scorable(self.s, fieldname):  # Whoosh's BM25F, with Whoosh's statistics
            df = self.a.doc_frequency(self.s, fieldname, text)
            idf = math.log(self._n / (df + 1)) + 1
            avgfl = self.a.avg_field_length(self.s, fieldname)
            fl = self.a.lengths(self.s, fieldname)[ids]
            tf = weights.astype(np.float64)
            score[ids] = idf * (tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl))
        else:  # Whoosh scores an unscorable field (ID, no lengths) by the posting's weight
            score[ids] = weights
        match = np.zeros(self.a.size, bool)
        match[ids] = True
        return match, score

    def _or(self, q: Q.Or):
        parts = [p for p in (self._eval(c) for c in q.subqueries) if p is not None]
        if not parts:
            return None
        match, score = parts[0][0].copy(), parts[0][1].copy()
        for m, s in parts[1:]:
            match |= m
            score += s
        return match, score * q.boost

    def _and(self, q: Q.And):
        if not q.subqueries:
            return None
        match, score = None, None
        for c in q.subqueries:
            got = self._eval(c)
            if got is None:
                return None
            match = got[0].copy() if match is None else match & got[0]
            score = got[1].copy() if score is None else score + got[1]
            if not match.any():
                return None
        return match, np.where(match, score, 0.0) * q.boost

    def _andmaybe(self, q: Q.AndMaybe):
        required = self._eval(q.a)
        if required is None:
            return None
        optional = self._eval(q.b)
        score = required[1] if optional is None else required[1] + np.where(required[0], optional[1], 0.0)
        return required[0], score * q.boost

    def _andnot(self, q: Q.AndNot):
        positive = self._eval(q.a)
        if positive is None:
            return None
        negative = self._eval(q.b)
        if negative is None:
            return positive
        match = positive[0] & ~negative[0]
        return match, np.where(match, positive[1], 0.0) * q.boost

    def _prefix(self, q: Q.Prefix):
        terms = list(self.reader.expand_prefix(q.fieldname, q.text))
        match = np.zeros(self.a.size, bool)
        for t in terms:
            ids, _ = self.a.postings(self.s, q.fieldname, t.decode("utf-8") if isinstance(t, bytes) else t)
            match[ids] = True
        return (match, match * float(q.boost)) if match.any() else None

    def _every(self, q: Q.Every):
        return self.a.live.copy(), self.a.live * float(q.boost)

    def _nothing(self, q):
        return None

    def _phrase(self, q: Q.Phrase):
        """Where every pair of adjacent folded syllables is (``text_b``), with diacritics typed
        (field ``text``) each syllable as typed too; scored as Whoosh scores a phrase: the sum of its
        words' scores in the phrase's field."""
        words = list(q.words)
        if not words:
            return None
        if len(words) == 1:
            return self._term(Q.Term(q.fieldname, words[0], boost=q.boost))
        folded = [fold(w) for w in words]
        match = None
        for pair in dict.fromkeys(pairs_of(folded)):
            got = self._base(PAIR_FIELD, pair)
            if got is None:
                return None
            match = got[0].copy() if match is None else match & got[0]
        score = np.zeros(self.a.size)
        for w in words:
            got = self._base(q.fieldname, w)
            if got is None:
                return None
            match &= got[0]
            score += got[1]
        if isinstance(q, ExactPhrase) and len(words) > 2:
            match = self._verified(folded, match)
        if not match.any():
            return None
        return match, np.where(match, score, 0.0) * q.boost

    def _verified(self, folded: list[str], match: np.ndarray) -> np.ndarray:
        """Candidates whose text has the folded syllables in a row (only punctuation or spaces
        between them, as the analysis sees it), when there are few enough to read."""
        candidates = np.flatnonzero(match & self.a.live)
        if len(candidates) > VERIFY_MAX:
            return match
        pattern = re.compile(r"(?<!\w)" + r"\W+".join(map(re.escape, folded)) + r"(?!\w)")
        out = np.zeros(self.a.size, bool)
        for doc in candidates.tolist():
            fields = self.s.stored_fields(doc)
            if pattern.search(fold(clean(entry_text(fields.get("title", ""), fields.get("body", ""))))):
                out[doc] = True
        return out

    def _wrappingquery(self, q: Q.WrappingQuery):
        return self._eval(q.child)

    # the classes a query tree is made of, most specific first
    _METHODS = ((Q.Term, _term), (Q.Phrase, _phrase), (Q.Prefix, _prefix), (Q.AndMaybe, _andmaybe),
                (Q.AndNot, _andnot), (Q.And, _and), (Q.Or, _or), (Q.Every, _every),
                (type(Q.NullQuery), _nothing), (Q.WrappingQuery, _wrappingquery))

"""Writing a new segment in bulk: the segment Whoosh's ``SegmentWriter`` writes, postings grouped per term.

Whoosh adds a document by running each field's analyzer token by token into a pool of
``(field, term, doc, weight, value)`` tuples, sorts the pool at commit and encodes it posting by
posting; that was two thirds of a cold build's CPU (bench/README.md, "Where build time goes"). Here
each text field of an entry is analysed into term counts without Token objects (``syllable_terms``,
``pair_terms``, ``word_terms``: the syllable and pair views from one pass), the counts of every entry
of the segment are kept as flat arrays per field, and at the end each field's postings are grouped by
term with numpy and written block by block (``whoosh_internals.write_field_postings``), byte for byte
what Whoosh writes. Other indexed fields (ids, numbers, dates, citations) go through the field's own
``index()``; stored fields, lengths and columns through Whoosh's per-document writer, as in
``SegmentWriter.add_document``. ``tests/test_bulkwrite.py`` proves both writers' indexes equal.
"""

from __future__ import annotations

from array import array
from collections import Counter
from pathlib import Path
from typing import Callable

import numpy as np
from whoosh.fields import UnknownFieldError
from whoosh.util.numeric import length_to_byte

from indexer.index import postarrays
from indexer.index.whoosh_internals import (bulk_format, mark_added, new_segment_place, per_doc_writer,
                                             write_field_postings)
from indexer.text.analysis import (pair_analyzer, pair_terms, syllable_analyzer, syllable_terms, word_analyzer,
                                   word_terms)

__all__ = ["BulkWriter", "BulkSegment", "BulkWriteError", "can_write", "MAX_SEGMENT_POSTINGS"]

# Postings one segment holds in memory before it is written and the next begins: bounds the memory
# of a writer process at any corpus size. Held, a posting takes 12 bytes and a new term ~130 (a
# segment of 6M postings ~250 MB); writing them out takes ~150 MB more. 62k Pháp điển articles have
# 25–35M postings: each of two writer processes writes three segments.
MAX_SEGMENT_POSTINGS = 6_000_000

# Analyzers whose terms come from ``analysis`` directly, compared with the field's own analyzer.
_VIEWS = ((syllable_analyzer(), syllable_terms), (pair_analyzer(), pair_terms), (word_analyzer(), word_terms))


class BulkWriteError(ValueError):
    """The schema or a document asks for something the bulk writer does not write (use Whoosh's writer)."""


def can_write(schema) -> bool:
    """True when every indexed field of ``schema`` has a posting format the bulk writer encodes."""
    return all(bulk_format(schema[name]) for name in schema.names() if schema[name].indexed)


class _FieldPostings:
    """One field's postings in arrival order: term id, doc number and frequency per posting."""

    __slots__ = ("terms", "tids", "docs", "freqs", "lengths", "analyse")

    def __init__(self, analyse, scorable: bool):
        self.terms: dict = {}            # term (str for analysed views, bytes otherwise) → term id
        self.tids, self.docs, self.freqs = array("I"), array("I"), array("I")
        self.lengths = array("B") if scorable else None  # length byte per doc (0: not in the field)
        self.analyse = analyse           # value → terms, or None: the field's own ``index()``

    def add(self, docnum: int, counts: dict) -> None:
        ids = self.terms
        self.tids.extend([ids.setdefault(t, len(ids)) for t in counts])
        self.freqs.extend(counts.values())
        self.docs.extend(array("I", (docnum,)) * len(counts))

    def grouped(self) -> tuple[list[bytes], np.ndarray, np.ndarray, np.ndarray]:
        """(sorted terms as bytes, bounds, docs, freqs): term ``i``'s postings at ``bounds[i]:bounds[i+1]``."""
        raw = [t.encode("utf-8") if isinstance(t, str) else t for t in self.terms]
        self.terms = {}  # the strings go now: the bytes take their place
        order = sorted(range(len(raw)), key=raw.__getitem__)
        rank = np.empty(len(raw), dtype=np.int64)
        rank[order] = np.arange(len(raw))
        by_term = rank[np.frombuffer(self.tids, dtype=np.uint32)]
        perm = np.argsort(by_term, kind="stable")  # docs stay in increasing order within a term
        bounds = np.searchsorted(by_term[perm], np.arange(len(raw) + 1))
        docs = np.frombuffer(self.docs, dtype=np.uint32)[perm]
        freqs = np.frombuffer(self.freqs, dtype=np.uint32)[perm]
        return [raw[i] for i in order], bounds, docs, freqs


def _field_lists(field, terms: list[bytes], bounds: np.ndarray, docs: np.ndarray,
                 freqs: np.ndarray) -> tuple[list[bytes], np.ndarray, np.ndarray, np.ndarray]:
    """What ``postarrays.write_lists`` takes of one field: its terms, how many postings each, and all
    doc numbers and weights (as Whoosh stores them: ``freq × field boost``, or the boost for a field
    that keeps no frequencies)."""
    boost = field.format.field_boost
    weights = freqs * boost if bulk_format(field) == "frequency" else np.full(len(docs), float(boost))
    return terms, np.diff(bounds), docs.astype("<i4"), weights.astype("<f4")


class BulkWriter:
    """``add_document`` into bulk-written segments, a new one whenever the current one holds
    ``max_postings``: ``open_segment()`` gives a fresh ``SegmentWriter``, ``close_segment(writer)``
    commits or finalizes it once its postings are written. ``close()`` after the last document."""

    def __init__(self, open_segment: Callable[[], object], close_segment: Callable[[object], None],
                 max_postings: int | None = None):
        self._open, self._close = open_segment, close_segment
        self.max_postings = max_postings or MAX_SEGMENT_POSTINGS
        self._segment: BulkSegment | None = None
        self.segments = 0  # closed so far

    def add_document(self, **fields) -> None:
        if self._segment is None:
            self._segment = BulkSegment(self._open())
        self._segment.add_document(**fields)
        if self._segment.postings >= self.max_postings:
            self.close()

    def close(self) -> None:
        """Write the current segment's postings and close it (nothing when no document was added since)."""
        segment, self._segment = self._segment, None
        if segment is None:
            return
        try:
            segment.flush()
        except BaseException:
            segment.writer.cancel()
            raise
        self._close(segment.writer)
        self.segments += 1

    def cancel(self) -> None:
        segment, self._segment = self._segment, None
        if segment is not None:
            segment.writer.cancel()


class BulkSegment:
    """Adds documents to a fresh ``SegmentWriter`` (nothing added yet) and writes their postings in bulk.

    ``add_document(**fields)`` as Whoosh's writer; ``flush()`` writes the postings into the segment
    (after the last document, before the writer's commit or ``finalize_segment``); ``commit()`` does
    both for a writer of its own. Documents cannot be deleted or updated through it.
    """

    def __init__(self, writer):
        self.writer = writer
        self.schema = writer.schema
        if not can_write(self.schema):
            raise BulkWriteError("a field of this schema has a posting format the bulk writer does not encode")
        self._perdoc, self._base = per_doc_writer(writer)
        self._count = 0
        self._fields: dict[str, _FieldPostings] = {}
        self.postings = 0  # held so far: what the segment's memory grows with

    def _field(self, name: str, field) -> _FieldPostings:
        fp = self._fields.get(name)
        if fp is None:
            analyse = next((terms for ana, terms in _VIEWS if field.analyzer == ana), None)
            fp = self._fields[name] = _FieldPostings(analyse, field.scorable)
        return fp

    def add_document(self, **fields) -> None:
        """Add one document: the same stored fields, lengths, columns and postings as ``add_document``."""
        schema, perdoc = self.schema, self._perdoc
        names = sorted(fields)
        for name in names:
            if name.startswith("_"):
                raise BulkWriteError(f"{name!r}: boosts and custom stored values are not supported here")
            if name not in schema:
                raise UnknownFieldError(f"No field named {name!r} in {schema}")
        docnum = self._base + self._count
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = self._index(name, field, value, docnum) if field.indexed else 0
                perdoc.add_field(name, field, value if field.stored else None, length)
                if field.column_type:
                    perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._count += 1

    def _index(self, name: str, field, value, docnum: int) -> int:
        """Record the postings of one field value; return its length (0 unless the field is scorable)."""
        fp = self._field(name, field)
        if fp.analyse is None:
            counts = self._own_terms(name, field, value)
        elif isinstance(value, str):
            counts = Counter(fp.analyse(value))
        else:
            raise BulkWriteError(f"field {name!r}: a text field's value must be a string, not {type(value).__name__}")
        if not counts:
            return 0
        fp.add(docnum, counts)
        self.postings += len(counts)
        if fp.lengths is None:
            return 0
        length = sum(counts.values())
        missing = docnum - len(fp.lengths)
        if missing:
            fp.lengths.extend(bytes(missing))
        fp.lengths.append(length_to_byte(length))
        return length

    @staticmethod
    def _own_terms(name: str, field, value) -> dict:
        """Terms and frequencies from the field's own ``index()``, checked against what the bulk format
        derives from the frequency (weight ``freq × boost`` or ``boost``)."""
        frequency = bulk_format(field) == "frequency"
        boost = field.format.field_boost
        counts = {}
        for term, freq, weight, _ in field.index(value):
            if weight != (freq * boost if frequency else boost):
                raise BulkWriteError(f"field {name!r}: term {term!r} has weight {weight}, not its frequency's")
            counts[term] = freq
        return counts

    def flush(self) -> int:
        """Write every field's postings into the segment, and its complete posting arrays file beside it
        (``postarrays.write_lists``: what ``write_missing`` would otherwise decode back from the segment,
        long lists only, ~5 s at the end of a 62k build), and mark the documents added; return their number."""
        folder, segment_id = new_segment_place(self.writer)
        lists = {}
        for name in sorted(self._fields):
            fp = self._fields[name]
            if not fp.terms:
                continue
            terms, bounds, docs, freqs = fp.grouped()
            lengths = None
            if fp.lengths is not None:
                lengths = np.zeros(self._base + self._count, dtype=np.uint8)
                lengths[:len(fp.lengths)] = np.frombuffer(fp.lengths, dtype=np.uint8)
            field = self.schema[name]
            write_field_postings(self.writer, name, field, terms, bounds, docs, freqs, lengths)
            if folder and name in postarrays.FIELDS:
                lists[name] = _field_lists(field, terms, bounds, docs, freqs)
            del self._fields[name]  # free as we go: the next field's arrays take its place
        self._fields.clear()
        if self._count:
            mark_added(self.writer, self._count)
            if folder and not self._base:
                postarrays.write_lists(Path(folder) / (segment_id + postarrays.SUFFIX), segment_id, self._count,
                                       lists)
        return self._count

    def commit(self) -> None:
        """``flush()`` then commit the writer (cancelled if anything fails)."""
        try:
            self.flush()
        except BaseException:
            self.writer.cancel()
            raise
        self.writer.commit()

    def cancel(self) -> None:
        self.writer.cancel()

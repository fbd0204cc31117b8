"""Every use of Whoosh's private names, in one room, each with what it relies on.

The search engine reads postings in bulk and the parallel build commits segments written by several
processes; Whoosh has no public API for either. Everything here relies on Whoosh-Reloaded 2.7.5's
``whoosh3`` codec and ``SegmentWriter`` (asserted at import: another version must be checked by hand,
then the pin below moved). The search service also compares ``decode_postings`` with Whoosh's public
matcher on real terms of each index it opens (``check_decoder``) and refuses to serve when they differ.
"""

from __future__ import annotations

import numpy as np
import whoosh
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.numeric import byte_to_length

__all__ = ["WHOOSH_VERSION", "DecoderMismatch", "raw_postings", "decode_postings", "decode_public", "field_length_bytes",
           "LENGTH_OF_BYTE", "unsafe_segment_writer", "finalize_segment", "commit_segments", "check_decoder"]

WHOOSH_VERSION = (2, 7, 5)
if tuple(whoosh.__version__[:3]) != WHOOSH_VERSION:
    raise ImportError(f"vnlex reads Whoosh's internals as of Whoosh-Reloaded {WHOOSH_VERSION}, found "
                      f"{whoosh.__version__}: check indexer/index/whoosh_internals.py against it, then move the pin")


class DecoderMismatch(RuntimeError):
    """The bulk posting decoder disagrees with Whoosh's own matcher: results would be wrong."""


# A field's length as Whoosh scores it is one byte per entry (``length_to_byte``); this table turns
# the byte back into the length Whoosh's BM25F uses. Byte 0 (the entry lacks the field) maps to 1 so
# nothing divides by 0: such an entry has no postings in the field anyway.
LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
LENGTH_OF_BYTE[0] = 1.0


def raw_postings(leaf, fieldname: str, text):
    """A segment's matcher of a term with its deleted entries left in, as Whoosh's statistics count them
    (the engine masks deleted entries from results itself).

    ``leaf.postings()`` wraps the matcher in a ``FilterMatcher`` when the segment has deletions, and
    that wrapper has already moved its child past the leading deleted entries — past whole blocks when
    they are all deleted — so unwrapping it loses postings. Relies on ``SegmentReader._terms.matcher``
    (what ``postings()`` calls before wrapping) and ``_text_to_bytes``.
    """
    text = leaf._text_to_bytes(fieldname, text)
    return leaf._terms.matcher(fieldname, text, leaf.schema[fieldname].format)


def decode_postings(matcher, offset: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Doc numbers (+ ``offset``) and weights of one segment's postings of a term (a ``raw_postings``
    matcher, not yet moved), as arrays per block.

    Relies on ``W3LeafMatcher``: ``_data`` is the block's unpickled ``(ids, weights, values)`` tuple
    loaded by ``_read_data()``; ids are delta-coded unless ``_byteids`` (vector postings); weights are
    ``None`` (all 1), one float for the block, or an array; ``_lastblock`` / ``_goto(_nextoffset)``
    walk the blocks. Any other matcher goes through the public interface.
    """
    if isinstance(matcher, FilterMatcher):
        raise TypeError("decode_postings needs raw_postings(), not a FilterMatcher that has already moved")
    if not isinstance(matcher, W3LeafMatcher):
        return decode_public(matcher, offset)
    m = matcher
    ids, weights = [], []
    while True:
        if m._data is None:
            m._read_data()
        raw_ids, w, _ = m._data
        block = np.asarray(raw_ids, dtype=np.int64)
        block = (block if m._byteids else np.cumsum(block)) + offset
        ids.append(block)
        n = len(block)
        if w is None:
            weights.append(np.ones(n, dtype=np.float32))
        elif isinstance(w, float):
            weights.append(np.full(n, w, dtype=np.float32))
        else:
            weights.append(np.asarray(w, dtype=np.float32))
        if m._lastblock:
            return ids, weights
        m._goto(m._nextoffset)


def decode_public(matcher, offset: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The same through Whoosh's public matcher interface, one posting at a time (slow, always right)."""
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id() + offset)
        weights.append(matcher.weight())
        matcher.next()
    return [np.asarray(ids, dtype=np.int64)], [np.asarray(weights, dtype=np.float32)]


def field_length_bytes(leaf, fieldname: str) -> np.ndarray:
    """One segment's per-entry length bytes of ``fieldname`` (zeros where the column is absent).

    Relies on the segment reader's ``_perdoc`` (a ``W3PerDocReader``) and the codec's column name
    for lengths, ``_{fieldname}_len``, read with ``LENGTHS_COLUMN``.
    """
    n = leaf.doc_count_all()
    name = f"_{fieldname}_len"
    if not leaf._perdoc.has_column(name):
        return np.zeros(n, np.uint8)
    raw = np.frombuffer(bytes(leaf._perdoc.column_reader(name, LENGTHS_COLUMN).load()), dtype=np.uint8)
    return np.pad(raw[:n], (0, n - min(n, len(raw))))


# --- the parallel build ------------------------------------------------------------------------------

def unsafe_segment_writer(ix, **options):
    """A ``SegmentWriter`` that does not take the index lock (``_lk=False``): several processes each
    write a segment of their own; only the parent commits them (``commit_segments``)."""
    from whoosh.writing import SegmentWriter

    return SegmentWriter(ix, _lk=False, **options)


def finalize_segment(writer):
    """Close a worker's segment without committing the index (``_finalize_segment``, as ``MpWriter``)."""
    return writer._finalize_segment()


def commit_segments(writer, segments: list) -> None:
    """Make ``segments`` (from ``finalize_segment``) part of the index in one table of contents, as
    Whoosh's ``MpWriter`` does: ``_merge_segments``, ``_close_segment``, ``_commit_toc``, ``_finish``."""
    final = writer._merge_segments(None, False, False)
    writer._close_segment()
    writer._commit_toc(final + segments)
    writer._finish()


# --- the self-check ----------------------------------------------------------------------------------

def _probe_terms(reader, fieldname: str, scan: int = 400, keep: int = 3) -> list[bytes]:
    """A few terms of ``fieldname`` with many postings (several blocks): the first ``scan`` terms of
    the lexicon, most frequent first."""
    terms = []
    for i, term in enumerate(reader.lexicon(fieldname)):
        if i >= scan:
            break
        terms.append((reader.doc_frequency(fieldname, term), term))
    return [t for _, t in sorted(terms, reverse=True)[:keep]]


def check_decoder(searcher, fields: tuple[str, ...] = ("text", "text_b", "kind")) -> int:
    """Decode a few real terms of each field both ways; raise ``DecoderMismatch`` if they differ.
    Returns how many postings were compared."""
    reader = searcher.reader()
    compared = 0
    for fieldname in fields:
        if fieldname not in searcher.schema:
            continue
        for term in _probe_terms(reader, fieldname):
            for leaf, offset in reader.leaf_readers():
                if (fieldname, term) not in leaf:
                    continue
                fast_ids, fast_w = decode_postings(raw_postings(leaf, fieldname, term), offset)
                slow_ids, slow_w = decode_public(raw_postings(leaf, fieldname, term), offset)
                fast_ids, slow_ids = np.concatenate(fast_ids), slow_ids[0]
                if not (np.array_equal(fast_ids, slow_ids) and np.allclose(np.concatenate(fast_w), slow_w[0])):
                    raise DecoderMismatch(f"the bulk posting decoder disagrees with Whoosh on {fieldname}:{term!r}: "
                                          f"{len(fast_ids)} vs {len(slow_ids)} postings")
                compared += len(slow_ids)
    return compared

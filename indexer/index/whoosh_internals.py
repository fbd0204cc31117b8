"""Every use of Whoosh's private names, in one room, each with what it relies on.

The search engine reads postings in bulk, the parallel build commits segments written by several
processes and the build's bulk writer encodes posting blocks itself; Whoosh has no public API for any
of them. Everything here relies on Whoosh-Reloaded 2.7.5's
``whoosh3`` codec and ``SegmentWriter`` (asserted at import: another version must be checked by hand,
then the pin below moved). The search service also compares ``decode_postings`` with Whoosh's public
matcher on real terms of each index it opens (``check_decoder``) and refuses to serve when they differ.
"""

from __future__ import annotations

import io
import pickle
import struct
import zlib
from itertools import chain, repeat
from pickle import dumps

import numpy as np
import whoosh
from whoosh import formats
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3LeafMatcher
from whoosh.columns import NumericColumn
from whoosh.matching.wrappers import FilterMatcher
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

__all__ = ["WHOOSH_VERSION", "DecoderMismatch", "raw_postings", "decode_postings", "decode_public", "field_length_bytes",
           "LENGTH_OF_BYTE", "numeric_column", "segment_folder", "long_terms", "unsafe_segment_writer", "finalize_segment", "commit_segments", "check_decoder",
           "per_doc_writer", "mark_added", "bulk_format", "write_field_postings"]

WHOOSH_VERSION = (2, 7, 5)
if tuple(whoosh.__version__[:3]) != WHOOSH_VERSION:
    raise ImportError(f"vnlex reads Whoosh's internals as of Whoosh-Reloaded {WHOOSH_VERSION}, found "
                      f"{whoosh.__version__}: check indexer/index/whoosh_internals.py against it, then move the pin")


class DecoderMismatch(RuntimeError):
    """The bulk posting decoder disagrees with Whoosh's own matcher: results would be wrong."""


_BLOCK_LENGTH = struct.Struct("!i")  # a posting block's length as ``StructFile.write_int`` writes it
_RECORD_LENGTHS = struct.Struct("!ii")  # a term table record's key and value lengths (``filetables._lengths``)
_FIELD_NUMBER = struct.Struct("!H")  # a term key's field (``W3TermsReader._keycoder``)
_DOC_FREQUENCY = struct.Struct("!I")

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
    matcher, not yet moved), as arrays.

    Reads the term's whole extent in one read and walks its blocks without Whoosh's matcher; relies
    on ``W3LeafMatcher``'s ``_postfile``, ``_startoffset``, ``_length``, ``_byteids`` and on the block
    layout ``W3PostingsWriter._write_block`` writes: the header magic, then per block a big-endian int
    (its length, negative for the last block), a pickled info tuple ``(count, last id, max weight,
    compression, min length byte, max length byte)`` and the data: a pickled ``(ids, weights, values)``
    tuple, zlib-compressed when the info says so. Ids are delta-coded within each block (the first
    from 0); weights are ``None`` (all 1), one float for the block, or a tuple. Vector postings
    (``_byteids``) and any other matcher go through the public interface.
    """
    if isinstance(matcher, FilterMatcher):
        raise TypeError("decode_postings needs raw_postings(), not a FilterMatcher that has already moved")
    if not isinstance(matcher, W3LeafMatcher) or matcher._byteids:
        return decode_public(matcher, offset)
    length = matcher._length  # read back from the term index as a 1-tuple (``W3TermInfo.from_bytes``)
    buf = matcher._postfile.get(matcher._startoffset, length[0] if isinstance(length, tuple) else length)
    if buf[:4] != WHOOSH3_HEADER_MAGIC:
        raise DecoderMismatch(f"postings of {matcher._term!r} do not start with Whoosh's block header")
    view, reader = memoryview(buf), io.BytesIO(buf)
    deltas, weights, counts, lasts = [], [], [], []
    pos, last = 4, False
    while not last:
        length = _BLOCK_LENGTH.unpack_from(buf, pos)[0]
        last, length = length < 0, abs(length)
        end = pos + _BLOCK_LENGTH.size + length
        reader.seek(pos + _BLOCK_LENGTH.size)
        count, last_id, _, compression, _, _ = pickle.load(reader)
        data = view[reader.tell():end]
        ids, w, _ = pickle.loads(zlib.decompress(data) if compression else data)
        deltas.append(ids)
        weights.append(repeat(1.0, count) if w is None else repeat(w, count) if isinstance(w, float) else w)
        counts.append(count)
        lasts.append(last_id)
        pos = end
    total = sum(counts)
    steps = np.fromiter(chain.from_iterable(deltas), dtype=np.int64, count=total)
    starts = np.cumsum(counts[:-1], dtype=np.int64)  # each later block's first id is from 0, not from the block before
    steps[starts] -= np.asarray(lasts[:-1], dtype=np.int64)
    ids = np.cumsum(steps)
    if offset:
        ids += offset
    return [ids], [np.fromiter(chain.from_iterable(weights), dtype=np.float32, count=total)]


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
    column = leaf._perdoc.column_reader(name, LENGTHS_COLUMN)
    count = min(column._count, n)  # one byte per entry, in one read (``numeric_column``)
    raw = np.frombuffer(column._dbfile.get(column._basepos, count) if count else b"", dtype=np.uint8)
    return np.pad(raw, (0, n - count))


def long_terms(leaf, fieldnames, min_postings: int) -> dict[str, list[tuple[bytes, int]]]:
    """The terms of ``fieldnames`` with at least ``min_postings`` postings in one segment, with how many
    (deleted entries included), in lexicon order: the segment's term table read in one piece and
    walked with ``struct``, instead of a term info object made for each of its (many) terms.

    Relies on ``W3TermsReader``: ``_tindex`` (an ``OrderedHashReader``: records from ``startofdata``
    to ``endofdata``, each two big-endian ints (key and value lengths), the key, the value),
    ``_fieldmap`` (field name → the unsigned short that starts each key, then the term's bytes) and
    ``W3TermInfo``'s layout (``!BfIBBfII``: the doc frequency is the int at byte 5).
    """
    terms = leaf._terms
    table = terms._tindex
    wanted = {terms._fieldmap[f]: f for f in fieldnames if f in terms._fieldmap}
    out: dict[str, list[tuple[bytes, int]]] = {f: [] for f in wanted.values()}
    start, end = table.startofdata, table.endofdata
    buf = table.dbfile.get(start, end - start)
    pos, lengths, number = 0, _RECORD_LENGTHS, _FIELD_NUMBER
    while pos < len(buf):
        keylen, datalen = lengths.unpack_from(buf, pos)
        key = pos + lengths.size
        fieldname = wanted.get(number.unpack_from(buf, key)[0])
        if fieldname is not None:
            count = _DOC_FREQUENCY.unpack_from(buf, key + keylen + 5)[0]
            if count >= min_postings:
                out[fieldname].append((bytes(buf[key + number.size:key + keylen]), count))
        pos = key + keylen + datalen
    return out


def segment_folder(leaf) -> str:
    """The folder of a segment's files ("" when they are not in one): a ``FileStorage``'s ``folder``,
    through the ``OverlayStorage`` (``b``: the index's own storage) of a compound segment."""
    storage = leaf.storage()
    while not hasattr(storage, "folder") and hasattr(storage, "b"):
        storage = storage.b
    return getattr(storage, "folder", "") or ""


def numeric_column(leaf, fieldname: str) -> np.ndarray | None:
    """One segment's numeric column as an array, its values as stored (``translate=False``), read in
    one piece instead of one Python call per entry; ``None`` when the column is not one Whoosh writes
    as fixed-width numbers (read it through ``column_reader`` then).

    Relies on ``NumericColumn.Reader``: ``_dbfile.get(_basepos, n)`` holds ``_count`` big-endian values
    of struct type ``_typecode``; entries past ``_count`` hold ``_default``.
    """
    column = leaf.column_reader(fieldname, translate=False)
    if type(column) is not NumericColumn.Reader or getattr(column, "_reverse", False):
        return None
    n, count = leaf.doc_count_all(), min(column._count, leaf.doc_count_all())
    raw = column._dbfile.get(column._basepos, count * column._fixedlen) if count else b""
    values = np.frombuffer(raw, dtype=np.dtype(column._typecode).newbyteorder(">"), count=count)
    out = np.full(n, column._default, dtype=values.dtype.newbyteorder("="))
    out[:count] = values
    return out


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


# --- the bulk writer (``indexer.index.bulkwrite``) ---------------------------------------------------

_TERMINFO = struct.Struct("!BfIBBfII")  # W3TermInfo._struct: inlined, weight, df, min/max length byte, max weight, min/max id
_BLOCK_MAGIC = WHOOSH3_HEADER_MAGIC  # written before a term's first block
# What ``length_to_byte(byte_to_length(b))`` gives: a block's min/max length is stored as a length
# read back from the length column (a byte), then encoded as a byte again.
_BYTE_AGAIN = np.array([length_to_byte(byte_to_length(b)) for b in range(256)], dtype=np.int64)


def per_doc_writer(writer):
    """The ``SegmentWriter``'s per-document writer (``perdocwriter``: stored fields, lengths, columns)
    and the number its next document gets (``docnum``)."""
    return writer.perdocwriter, writer.docnum


def new_segment_place(writer) -> tuple[str, str]:
    """(folder, segment id) of the segment a ``SegmentWriter`` writes (``storage``, ``newsegment``);
    the folder is "" when the storage is not a folder's."""
    return getattr(writer.storage, "folder", "") or "", writer.newsegment.segment_id()


def mark_added(writer, count: int) -> None:
    """Tell a ``SegmentWriter`` that ``count`` documents were written past it, as ``add_document`` would
    (``docnum``, ``_added``): its commit then finishes the segment with that document count."""
    writer.docnum += count
    writer._added = True


def bulk_format(fieldobj) -> str | None:
    """``"frequency"`` or ``"existence"``: the posting formats ``write_field_postings`` encodes;
    ``None`` for any other (positions, characters …) or a field with term vectors."""
    fmt = fieldobj.format
    if fieldobj.vector or fieldobj.separate_spelling():
        return None
    if type(fmt) is formats.Frequency:
        return "frequency"
    if type(fmt) is formats.Existence:
        return "existence"
    return None


def write_field_postings(writer, fieldname: str, fieldobj, terms: list[bytes], bounds: np.ndarray,
                         docs: np.ndarray, freqs: np.ndarray, length_bytes: np.ndarray | None) -> None:
    """Write one field's postings into ``writer``'s segment, byte for byte as ``W3FieldWriter`` and
    ``W3PostingsWriter`` would from ``add_postings``.

    ``terms`` are sorted; term ``i``'s postings are ``docs[bounds[i]:bounds[i+1]]`` (increasing) with
    ``freqs`` (how often the term occurs there); ``length_bytes[doc]`` is the doc's length byte of the
    field (what the length column holds; ``None`` when the field keeps no lengths). Relies on
    ``W3FieldWriter._postfile``, ``_tindex``, ``_fieldid``, ``start_field``/``finish_field``, the codec's
    ``_blocklimit`` and ``_compression``, the block layout of ``W3PostingsWriter._write_block`` (magic,
    signed length, pickled info ``(count, last id, max weight, compression, min/max length byte)``, the
    compressed pickle of ``(delta ids, weights, values)``; weights ``None`` when all 1, one float when
    all equal) and ``W3TermInfo.to_bytes``. Terms are never inlined: the codec inlines fewer than
    ``inlinelimit`` = 1 postings. Weights are ``freq × field_boost`` (Frequency) or ``field_boost``
    (Existence), the values 4-byte frequencies (Frequency) or nothing.
    """
    kind = bulk_format(fieldobj)
    fw = writer.fieldwriter
    codec = fw._codec
    if kind is None or codec._inlinelimit != 1:
        raise ValueError(f"field {fieldname!r}: the bulk writer cannot encode its postings")
    if not terms:
        return
    fw.start_field(fieldname, fieldobj)
    bounds = np.asarray(bounds, dtype=np.int64)
    first = 0
    while first < len(terms):  # bounded chunks: ~80 bytes a posting and ~400 a term in _write_terms
        last = max(first + 1, int(np.searchsorted(bounds, bounds[first] + _CHUNK_POSTINGS, side="right")) - 1)
        last = min(last, len(terms), first + _CHUNK_TERMS)
        a, b = bounds[first], bounds[last]
        _write_terms(fw, kind, fieldobj.format.field_boost, terms[first:last], bounds[first:last + 1] - a,
                     docs[a:b], freqs[a:b], length_bytes)
        first = last
    fw.finish_field()


_CHUNK_POSTINGS = 1_000_000
_CHUNK_TERMS = 50_000


def _write_terms(fw, kind: str, boost: float, terms: list[bytes], bounds: np.ndarray, docs: np.ndarray,
                 freqs: np.ndarray, length_bytes: np.ndarray | None) -> None:
    """``write_field_postings`` for some consecutive terms of the field started in ``fw``."""
    codec = fw._codec
    limit, comp = codec._blocklimit, codec._compression
    docs = docs.astype(np.int64)
    freqs = freqs.astype(np.int64)
    weights = freqs * boost if kind == "frequency" else np.full(len(docs), float(boost))
    w32 = weights.astype(np.float32)
    values = freqs.astype(">u4") if kind == "frequency" else None

    # Blocks: each term's postings cut every ``limit``.
    counts = np.diff(bounds)
    nblocks = (counts + limit - 1) // limit
    term_first = np.concatenate(([0], np.cumsum(nblocks)))
    block_term = np.repeat(np.arange(len(terms)), nblocks)
    starts = bounds[block_term] + (np.arange(len(block_term)) - term_first[block_term]) * limit
    ends = np.minimum(starts + limit, bounds[block_term + 1])
    deltas = np.diff(docs, prepend=0)
    deltas[starts] = docs[starts]
    lens = (length_bytes[docs].astype(np.int64) if length_bytes is not None
            else np.zeros(len(docs), dtype=np.int64))
    min_len = np.minimum.reduceat(np.where(lens == 0, 256, lens), starts)
    min_len = np.where(min_len == 256, 0, _BYTE_AGAIN[np.minimum(min_len, 255)])
    max_len = _BYTE_AGAIN[np.maximum.reduceat(lens, starts)]
    max_w = np.maximum.reduceat(weights, starts)
    w_lo, w_hi = np.minimum.reduceat(w32, starts), np.maximum.reduceat(w32, starts)
    if np.array_equal(weights, np.floor(weights)):  # whole numbers: any order of summing is exact
        w_sum = np.add.reduceat(w32.astype(np.float64), starts).tolist()
    else:  # Python's sum, block by block, as W3TermInfo.add_block
        w_sum = [sum(w32[a:b].tolist()) for a, b in zip(starts.tolist(), ends.tolist())]
    t_min_len = np.minimum.reduceat(np.where(min_len == 0, 256, min_len), term_first[:-1])
    t_min_len = np.where(t_min_len == 256, 0, t_min_len).tolist()
    t_max_len = np.maximum.reduceat(max_len, term_first[:-1]).tolist()
    t_max_w = np.maximum.reduceat(max_w, term_first[:-1]).tolist()
    first_id, last_id = docs[bounds[:-1]].tolist(), docs[bounds[1:] - 1].tolist()

    postfile, tindex = fw._postfile, fw._tindex
    prefix = pack_ushort(fw._fieldid)
    write, tell, add_term = postfile.write, postfile.tell, tindex.add
    starts_l, ends_l, firsts = starts.tolist(), ends.tolist(), term_first.tolist()
    block_last = docs[ends - 1].tolist()
    max_w_l, min_len_l, max_len_l = max_w.tolist(), min_len.tolist(), max_len.tolist()
    uniform, ones = (w_lo == w_hi).tolist(), ((w_lo == 1.0) & (w_hi == 1.0)).tolist()
    w_lo_l = w_lo.tolist()
    for t, term in enumerate(terms):
        offset = tell()
        write(_BLOCK_MAGIC)
        total = 0
        last_block = firsts[t + 1] - 1
        for k in range(firsts[t], last_block + 1):
            a, b = starts_l[k], ends_l[k]
            if ones[k]:
                mini_w = None
            elif uniform[k]:
                mini_w = w_lo_l[k]
            else:
                mini_w = tuple(w32[a:b].tolist())
            data = (tuple(deltas[a:b].tolist()), mini_w, None if values is None else values[a:b].tobytes())
            data = dumps(data, 2)
            if comp:
                data = zlib.compress(data, comp)
            info = dumps((b - a, block_last[k], max_w_l[k], comp, min_len_l[k], max_len_l[k]), 2)
            size = len(info) + len(data)
            write(pack_int(-size if k == last_block else size))
            write(info)
            write(data)
            total += w_sum[k]
        length = tell() - offset
        add_term(prefix + term, _TERMINFO.pack(False, total, int(counts[t]), t_min_len[t], t_max_len[t],
                                               t_max_w[t], first_id[t], last_id[t])
                 + pack_long(offset) + pack_int(length))


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

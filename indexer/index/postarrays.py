"""Each segment's posting lists as plain arrays, in a file beside the segment.

Whoosh keeps a term's postings as zlib-compressed pickles of 128 postings; reading a common syllable
(25,000 entries of 62k) back costs ~4 ms of unpickling, paid again by every new serving process and,
for the segments it wrote, after every ``update``: the first queries of a process were 3–6× slower
than the same queries once read. This file holds what the search engine would decode, as it would
decode it: for the fields queries read (``FIELDS``), every term with at least ``MIN_POSTINGS`` postings
(a shorter list is one block), or every term (a complete file, below), its doc numbers within the segment
(deleted entries included, as Whoosh's postings keep them) and weights. The engine maps the file into
memory (``PostingArrays``) and slices it: no decoding, and the pages are the operating system's, shared
by every process that serves the folder.

The file is named after its segment (``MAIN_<segment id>.vnpost``), so it lives and dies with it:
Whoosh's own clean-up deletes a merged-away segment's files by that pattern, and ``update`` hard-links
an unchanged segment's file into the new build folder with the segment. It is derived data: written
(``write_missing``) for the segments that lack one just before a build folder goes live
(``folders.switch``), checked against Whoosh's postings when a server first reads it, and ignored —
the engine decodes Whoosh's blocks instead — when absent, unreadable or wrong.

Layout: ``MAGIC``, a little-endian u64 header length, the JSON header (segment id, entries, per field
``[[term, start, count], …]``), zero padding to 8 bytes, then the doc numbers (int32, little-endian)
and the weights (float32) of all listed terms, each term's ``count`` from its ``start``.

A *complete* file (``COMPLETE_MAGIC``, written by the bulk writer, which holds every posting of the
segment it writes: ``write_lists``) has every term of ``FIELDS``, not only the long lists: the header
lists the long ones as above and adds ``postings`` (how many doc numbers), ``size`` (bytes after the
header) and ``short``: per field ``[terms, key bytes, keys, ends, starts, counts]``, the offsets (from
where the doc numbers start, 8-aligned) of the field's short lists' terms (sorted UTF-8, one after the
other), where each term's key ends, and its lists' starts and counts (int64, little-endian). A term
such a file lacks is not in the segment, so the engine never looks in Whoosh's term table for it.
"""

from __future__ import annotations

import json
import logging
import mmap
import multiprocessing
import os
import shutil
import struct
import sys
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from indexer.index.whoosh_internals import decode_postings, long_terms, raw_postings

__all__ = ["FIELDS", "MIN_POSTINGS", "SUFFIX", "write_missing", "write_segment", "write_lists", "usable",
           "PostingArrays", "file_for"]

log = logging.getLogger(__name__)

FIELDS = ("text", "text_w", "text_b", "title")  # what queries read (search_app.query); others are short
MIN_POSTINGS = 128  # Whoosh's block size: a list this long or longer spans blocks
PARALLEL_ENTRIES = 20_000  # segments this big are written by processes of their own, side by side
SUFFIX = ".vnpost"
MAGIC = b"VNPOST1\n"  # the long lists only (``write_segment``): a term not listed may be in the segment
COMPLETE_MAGIC = b"VNPOST2\n"  # every term of ``FIELDS`` (``write_lists``): a term not found is not there
_LENGTH = struct.Struct("<Q")


def file_for(folder: Path, leaf) -> Path:
    """Where the arrays of ``leaf``'s segment are: ``MAIN_<id>.vnpost`` beside its other files."""
    return Path(folder) / (leaf.segment().segment_id() + SUFFIX)


def write_segment(leaf, path: Path, min_postings: int = MIN_POSTINGS) -> int:
    """Write the arrays of one segment (a Whoosh segment reader) to ``path``: every term of ``FIELDS``
    with at least ``min_postings`` postings, one term's list in memory at a time (the weights go to a
    second temporary file, appended at the end). Returns how many postings were written."""
    listed = long_terms(leaf, FIELDS, min_postings)
    header: dict = {"segment": leaf.segment().segment_id(), "entries": leaf.doc_count_all(), "fields": {}}
    start = 0
    for fieldname, terms in listed.items():
        header["fields"][fieldname] = []
        for term, count in terms:
            header["fields"][fieldname].append([term.decode("utf-8"), start, count])
            start += count
    side = path.with_name(f"{path.name}.tmp{os.getpid()}w")
    try:
        with _written(path, MAGIC, header) as out, open(side, "w+b") as weights:
            for fieldname, terms in listed.items():
                for term, count in terms:
                    got_ids, got_weights = decode_postings(raw_postings(leaf, fieldname, term), 0)
                    if sum(len(a) for a in got_ids) != count:
                        raise ValueError(f"{fieldname}:{term!r} has {sum(map(len, got_ids))} postings, its term "
                                         f"info says {count}")
                    for part in got_ids:
                        out.write(part.astype("<i4").tobytes())
                    for part in got_weights:
                        weights.write(part.astype("<f4").tobytes())
            weights.seek(0)
            shutil.copyfileobj(weights, out, 2**20)
    finally:
        side.unlink(missing_ok=True)
    return start


def write_lists(path: Path, segment_id: str, entries: int,
                fields: dict[str, tuple[list[bytes], np.ndarray, np.ndarray, np.ndarray]]) -> int:
    """Write the complete arrays file of a segment being written (``bulkwrite``, which holds its postings):
    ``fields`` gives per field of ``FIELDS`` every term (sorted), its number of postings, and the doc
    numbers and weights of all of them one term after the other. Long lists are listed in the header
    as ``write_segment`` lists them; the others in a sorted table per field (``COMPLETE_MAGIC``), so that a
    term the file lacks is known to be absent from the segment. Returns how many postings were written."""
    header: dict = {"segment": segment_id, "entries": entries, "fields": {}, "short": {}}
    names = [f for f in FIELDS if f in fields]
    total = sum(len(fields[f][2]) for f in names)
    start = 0
    tables = []  # (field, keys blob, key ends, starts, counts) of the short lists
    for name in names:
        terms, counts, _, _ = fields[name]
        starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64) + start
        long = counts >= MIN_POSTINGS
        header["fields"][name] = [[terms[i].decode("utf-8"), int(starts[i]), int(counts[i])]
                                  for i in np.flatnonzero(long).tolist()]
        short = np.flatnonzero(~long).tolist()
        keys = [terms[i] for i in short]
        ends = np.cumsum([len(k) for k in keys], dtype=np.int64) if keys else np.zeros(0, np.int64)
        tables.append((name, b"".join(keys), ends, starts[short], counts[short].astype(np.int64)))
        start += int(np.sum(counts))
    # each table's parts after the ids and weights, 8-aligned; offsets from where the ids start
    layout, at = {}, 8 * total
    for name, blob, ends, starts, counts in tables:
        parts = []
        for data in (blob, ends, starts, counts):
            parts.append(at)
            at = _aligned(at + (len(data) if isinstance(data, bytes) else 8 * len(data)))
        layout[name] = [len(ends), len(blob), *parts]
    header["short"], header["postings"], header["size"] = layout, total, at
    with _written(path, COMPLETE_MAGIC, header) as out:
        base = out.tell()
        for name in names:
            out.write(np.ascontiguousarray(fields[name][2], dtype="<i4").tobytes())
        for name in names:
            out.write(np.ascontiguousarray(fields[name][3], dtype="<f4").tobytes())
        for name, blob, ends, starts, counts in tables:
            for offset, data in zip(layout[name][2:], (blob, ends, starts, counts)):
                out.write(b"\0" * (base + offset - out.tell()))
                out.write(data if isinstance(data, bytes) else data.astype("<i8").tobytes())
        out.write(b"\0" * (base + at - out.tell()))
    return total


@contextmanager
def _written(path: Path, magic: bytes, header: dict):
    """A file open to write after ``magic``, the header's length and the header (padded to 8 bytes),
    given ``path``'s name only once it is whole on disk; removed if writing it fails."""
    body = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    try:
        with open(tmp, "wb") as out:
            head = magic + _LENGTH.pack(len(body)) + body
            out.write(head + b"\0" * (_aligned(len(head)) - len(head)))
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _aligned(n: int) -> int:
    return n + (-n % 8)


def usable(folder: Path, leaf) -> bool:
    """Whether ``leaf``'s segment has an arrays file whose header and size are right."""
    try:
        PostingArrays(file_for(folder, leaf), leaf.segment().segment_id(), leaf.doc_count_all())
        return True
    except Exception:  # noqa: BLE001 - any damage means "write it again"
        return False


def write_missing(folder: Path) -> int:
    """Write the arrays of every segment of the index in ``folder`` that has none (or a damaged one),
    big segments in parallel (one process each, up to the cores this process may use); returns how
    many files were written. A failure is logged: the engine decodes Whoosh's blocks instead."""
    from whoosh import index as whoosh_index

    try:
        with whoosh_index.open_dir(str(folder)).reader() as reader:
            missing = [(leaf.segment().segment_id(), leaf.doc_count_all()) for leaf, _ in reader.leaf_readers()
                       if not usable(Path(folder), leaf)]
        big = [seg for seg, n in missing if n >= PARALLEL_ENTRIES]
        workers = min(len(big), len(os.sched_getaffinity(0)))
        if workers > 1:
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
                list(pool.map(_write_one, [str(folder)] * len(big), big))
        for seg, _ in missing:
            if workers <= 1 or seg not in big:
                _write_one(str(folder), seg)
    except Exception as exc:  # noqa: BLE001 - derived data: whatever failed, the build still goes live
        log.warning("posting arrays of %s not written (%s: %s): searches decode Whoosh's postings instead", folder,
                    type(exc).__name__, exc)
        return 0
    return len(missing)


def _write_one(folder: str, segment_id: str) -> None:
    from whoosh import index as whoosh_index

    with whoosh_index.open_dir(folder).reader() as reader:
        for leaf, _ in reader.leaf_readers():
            if leaf.segment().segment_id() == segment_id:
                write_segment(leaf, file_for(Path(folder), leaf))


class PostingArrays:
    """One segment's arrays file, mapped into memory: ``get(field, term)`` → (doc numbers as int32,
    weights as float32: read-only views of the file) or ``None`` when the file does not have the term.
    ``complete``: the file has every term of ``FIELDS`` (a term it lacks is not in the segment);
    otherwise only the long lists (read the others from Whoosh)."""

    def __init__(self, path: Path, segment_id: str, entries: int):
        with open(path, "rb") as f:
            self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        magic = self._map[:len(MAGIC)]
        if magic not in (MAGIC, COMPLETE_MAGIC):
            raise ValueError(f"{path.name}: not a posting arrays file")
        self.complete = magic == COMPLETE_MAGIC
        (length,) = _LENGTH.unpack_from(self._map, len(MAGIC))
        at = len(MAGIC) + _LENGTH.size
        header = json.loads(self._map[at:at + length].decode("utf-8"))
        if header.get("segment") != segment_id or header.get("entries") != entries:
            raise ValueError(f"{path.name}: written for segment {header.get('segment')} of {header.get('entries')} "
                             f"entries, not {segment_id} of {entries}")
        self._terms = {field: {term: (start, count) for term, start, count in listed}
                       for field, listed in header["fields"].items()}
        at += length + (-(at + length) % 8)
        if self.complete:
            total, size = header["postings"], header["size"]
        else:
            total = sum(count for listed in header["fields"].values() for _, _, count in listed)
            size = 8 * total
        if len(self._map) != at + size:
            raise ValueError(f"{path.name}: {len(self._map)} bytes, the header lists {at + size}")
        self._ids = np.frombuffer(self._map, dtype="<i4", count=total, offset=at)
        self._weights = np.frombuffer(self._map, dtype="<f4", count=total, offset=at + 4 * total)
        self._short = {field: _ShortTerms(self._map, at, *spec) for field, spec in header.get("short", {}).items()}

    def get(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray] | None:
        got = self._terms.get(fieldname, {}).get(text)
        if got is None:
            short = self._short.get(fieldname)
            got = short.find(text.encode("utf-8")) if short is not None else None
            if got is None:
                return None
        start, count = got
        return self._ids[start:start + count], self._weights[start:start + count]  # views of the mapped file

    def longest(self, fieldname: str, n: int) -> list[str]:
        """The ``n`` terms of ``fieldname`` with the most postings (for checks and warm-up)."""
        listed = self._terms.get(fieldname, {})
        return sorted(listed, key=lambda t: (-listed[t][1], t))[:n]

    def short_sample(self, fieldname: str) -> list[str]:
        """The first and the last of the short lists' terms of ``fieldname`` (for checks)."""
        short = self._short.get(fieldname)
        if short is None or not short.count:
            return []
        return sorted({short.key(0).decode("utf-8"), short.key(short.count - 1).decode("utf-8")})

    def terms(self, fieldname: str) -> dict[str, tuple[int, int]]:
        """The long lists' terms of ``fieldname``: term → (start, count)."""
        return self._terms.get(fieldname, {})


class _ShortTerms:
    """One field's table of short lists in a complete file: its terms sorted (UTF-8, one after the
    other, with where each ends), where each one's postings start and how many; ``find`` is a binary
    search over the mapped file (no object per term: a segment has millions of pair terms)."""

    def __init__(self, data: mmap.mmap, base: int, count: int, size: int, keys: int, ends: int, starts: int,
                 counts: int):
        if base + counts + 8 * count > len(data) or base + keys + size > len(data):
            raise ValueError("a table of short lists runs past the end of the file")
        if sys.byteorder != "little":  # the numbers are little-endian and read as this machine's own
            raise ValueError("tables of short lists are read on little-endian machines only")
        self.count = count
        self._data, self._keys = data, base + keys
        view = memoryview(data)
        self._ends = view[base + ends:base + ends + 8 * count].cast("q")
        self._starts = view[base + starts:base + starts + 8 * count].cast("q")
        self._counts = view[base + counts:base + counts + 8 * count].cast("q")

    def key(self, i: int) -> bytes:
        begin = self._ends[i - 1] if i else 0
        return self._data[self._keys + begin:self._keys + self._ends[i]]

    def find(self, term: bytes) -> tuple[int, int] | None:
        lo, hi = 0, self.count
        while lo < hi:
            mid = (lo + hi) // 2
            if self.key(mid) < term:
                lo = mid + 1
            else:
                hi = mid
        if lo < self.count and self.key(lo) == term:
            return self._starts[lo], self._counts[lo]
        return None

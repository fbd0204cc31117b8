"""Each segment's long posting lists as plain arrays, in a file beside the segment.

Whoosh keeps a term's postings as zlib-compressed pickles of 128 postings; reading a common syllable
(25,000 entries of 62k) back costs ~4 ms of unpickling, paid again by every new serving process and,
for the segments it wrote, after every ``update``: the first queries of a process were 3–6× slower
than the same queries once read. This file holds what the search engine would decode, as it would
decode it: for the fields queries read (``FIELDS``), every term with at least ``MIN_POSTINGS`` postings
(a shorter list is one block: as fast to decode as to find), its doc numbers within the segment
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
"""

from __future__ import annotations

import json
import logging
import mmap
import multiprocessing
import os
import shutil
import struct
from concurrent.futures import ProcessPoolExecutor
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
MAGIC = b"VNPOST1\n"
_LENGTH = struct.Struct("<Q")


def file_for(folder: Path, leaf) -> Path:
    """Where the arrays of ``leaf``'s segment are: ``MAIN_<id>.vnpost`` beside its other files."""
    return Path(folder) / (leaf.segment().segment_id() + SUFFIX)


def write_segment(leaf, path: Path, min_postings: int = MIN_POSTINGS) -> int:
    """Write the arrays of one segment (a Whoosh segment reader) to ``path``: every term of ``FIELDS``
    with at least ``min_postings`` postings, one term's list in memory at a time (the weights go to a
    second temporary file, appended at the end). Returns how many postings were written."""
    listed = long_terms(leaf, FIELDS, min_postings)

    def lists():
        for fieldname, terms in listed.items():
            for term, count in terms:
                got_ids, got_weights = decode_postings(raw_postings(leaf, fieldname, term), 0)
                if sum(len(a) for a in got_ids) != count:
                    raise ValueError(f"{fieldname}:{term!r} has {sum(map(len, got_ids))} postings, its term "
                                     f"info says {count}")
                yield got_ids, got_weights

    return _write_file(path, leaf.segment().segment_id(), leaf.doc_count_all(), listed, lists())


def write_lists(path: Path, segment_id: str, entries: int, listed: dict[str, list[tuple[bytes, int]]],
                ids: list[np.ndarray], weights: list[np.ndarray]) -> int:
    """Write the arrays file of a segment being written (``bulkwrite``, which holds its postings):
    ``listed`` as ``long_terms`` gives it, and per field of it the doc numbers and the weights of its
    terms one after the other. The same bytes as ``write_segment`` once the segment is written."""
    return _write_file(path, segment_id, entries, listed, (([i], [w]) for i, w in zip(ids, weights)))


def _write_file(path: Path, segment_id: str, entries: int, listed: dict[str, list[tuple[bytes, int]]],
                lists) -> int:
    """The file: the header of ``listed`` (field → ``[(term, count)]``), then what ``lists`` yields
    (``(doc numbers, weights)``, each a list of arrays, in the order of ``listed``)."""
    header: dict = {"segment": segment_id, "entries": entries, "fields": {}}
    start = 0
    for fieldname, terms in listed.items():
        header["fields"][fieldname] = []
        for term, count in terms:
            header["fields"][fieldname].append([term.decode("utf-8"), start, count])
            start += count
    body = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    pad = -(len(MAGIC) + _LENGTH.size + len(body)) % 8
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    side = path.with_name(f"{path.name}.tmp{os.getpid()}w")
    try:
        with open(tmp, "wb") as out, open(side, "w+b") as weights:
            out.write(MAGIC + _LENGTH.pack(len(body)) + body + b"\0" * pad)
            for got_ids, got_weights in lists:
                for part in got_ids:
                    out.write(part.astype("<i4").tobytes())
                for part in got_weights:
                    weights.write(part.astype("<f4").tobytes())
            weights.seek(0)
            shutil.copyfileobj(weights, out, 2**20)
            out.flush()
            os.fsync(out.fileno())  # whole on disk before it has its name
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
        side.unlink(missing_ok=True)
    return start


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
    weights as float32: read-only views of the file) or ``None`` when the file does not list the term
    (read it from Whoosh then)."""

    def __init__(self, path: Path, segment_id: str, entries: int):
        with open(path, "rb") as f:
            self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        if self._map[:len(MAGIC)] != MAGIC:
            raise ValueError(f"{path.name}: not a posting arrays file")
        (length,) = _LENGTH.unpack_from(self._map, len(MAGIC))
        at = len(MAGIC) + _LENGTH.size
        header = json.loads(self._map[at:at + length].decode("utf-8"))
        if header.get("segment") != segment_id or header.get("entries") != entries:
            raise ValueError(f"{path.name}: written for segment {header.get('segment')} of {header.get('entries')} "
                             f"entries, not {segment_id} of {entries}")
        self._terms = {field: {term: (start, count) for term, start, count in listed}
                       for field, listed in header["fields"].items()}
        total = sum(count for listed in header["fields"].values() for _, _, count in listed)
        at += length + (-(at + length) % 8)
        if len(self._map) != at + 8 * total:
            raise ValueError(f"{path.name}: {len(self._map)} bytes, the header lists {at + 8 * total}")
        self._ids = np.frombuffer(self._map, dtype="<i4", count=total, offset=at)
        self._weights = np.frombuffer(self._map, dtype="<f4", count=total, offset=at + 4 * total)

    def get(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray] | None:
        got = self._terms.get(fieldname, {}).get(text)
        if got is None:
            return None
        start, count = got
        return self._ids[start:start + count], self._weights[start:start + count]  # views of the mapped file

    def longest(self, fieldname: str, n: int) -> list[str]:
        """The ``n`` terms of ``fieldname`` with the most postings (for checks and warm-up)."""
        listed = self._terms.get(fieldname, {})
        return sorted(listed, key=lambda t: (-listed[t][1], t))[:n]

    def terms(self, fieldname: str) -> dict[str, tuple[int, int]]:
        return self._terms.get(fieldname, {})

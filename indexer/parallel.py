"""Writing one index from several processes: each writes its own segment, the parent commits them all.

Whoosh analyses and encodes postings in pure Python, so one writer uses one core. Here ``jobs``
forked workers each take every ``jobs``-th entry (inherited through ``fork``, not pickled; so are the
primed segmentations), write a segment into the new index directory without taking the lock, and
hand the segment back; the parent then writes one table of contents listing all of them. This is what
Whoosh's own ``MpWriter(multisegment=True)`` does, with workers that die with their parent (a killed
build leaves no orphans) and no pickling of the documents.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import multiprocessing
import queue
import signal
import traceback
from typing import Callable

from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from indexer.schema import WRITER_OPTIONS

__all__ = ["write_parallel", "die_with_parent", "ParallelWriteError"]

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
_shard_entries: list[dict] = []  # set in the parent just before the fork


class ParallelWriteError(RuntimeError):
    """A worker failed; its traceback is in the message."""


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies (no orphans after ``kill -9``)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: workers may outlive a killed parent
        pass


def _worker(index_dir: str, shard: int, jobs: int, results, limitmb: int) -> None:
    die_with_parent()
    try:
        ix = whoosh_index.open_dir(index_dir)
        writer = SegmentWriter(ix, _lk=False, limitmb=limitmb, **WRITER_OPTIONS)
        done = 0
        for entry in _shard_entries[shard::jobs]:
            writer.add_document(**entry)
            done += 1
            if done % 200 == 0:
                results.put(("progress", 200))
        results.put(("progress", done % 200))
        results.put(("segment", writer._finalize_segment() if done else None))
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises
        results.put(("error", traceback.format_exc()))


def write_parallel(index_dir: str, entries: list[dict], jobs: int,
                   progress: Callable[[int], None] | None = None, limitmb: int = 128) -> None:
    """Add ``entries`` to the (empty) index at ``index_dir`` with ``jobs`` worker processes."""
    global _shard_entries
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    _shard_entries = entries
    workers = [ctx.Process(target=_worker, args=(index_dir, k, jobs, results, limitmb), daemon=True)
               for k in range(jobs)]
    gc.freeze()  # the workers inherit the entries: a collection there must not touch (and copy) them
    try:
        try:
            for w in workers:
                w.start()
        finally:
            gc.unfreeze()
        segments = _collect(results, workers, progress)
    finally:
        _shard_entries = []
        for w in workers:
            if w.is_alive():
                w.terminate()
            w.join()
    _commit_segments(index_dir, [s for s in segments if s is not None])


def _collect(results, workers, progress) -> list:
    segments: list = []
    while len(segments) < len(workers):
        try:
            kind, value = results.get(timeout=5)
        except queue.Empty:
            if not any(w.is_alive() for w in workers):
                raise ParallelWriteError("index writer processes ended without a result") from None
            continue
        if kind == "error":
            raise ParallelWriteError(f"an index writer process failed:\n{value}")
        if kind == "segment":
            segments.append(value)
        elif progress:
            progress(value)
    return segments


def _commit_segments(index_dir: str, segments: list) -> None:
    """Write the table of contents that makes the workers' segments the index (as ``MpWriter`` does)."""
    ix = whoosh_index.open_dir(index_dir)
    writer = ix.writer(**WRITER_OPTIONS)
    try:
        final = writer._merge_segments(None, False, False)
        writer._close_segment()
        writer._commit_toc(final + segments)
        writer._finish()
    except BaseException:
        writer.cancel()
        raise

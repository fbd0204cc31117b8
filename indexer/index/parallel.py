"""Writing one index from several processes: each writes its own segment, the parent commits them all.

Whoosh analyses and encodes postings in pure Python, so one writer uses one core. Here ``jobs``
forked workers each get every ``jobs``-th entry through a queue (the primed segmentations they
inherit through ``fork``), write a segment into the new index directory without taking the lock, and
hand the segment back; the parent then writes one table of contents listing all of them. This is what
Whoosh's own ``MpWriter(multisegment=True)`` does, with workers that die with their parent (a killed
build leaves no orphans).

Entries are sent, not inherited: a worker that reads inherited objects writes their reference counts
and so copies every memory page they sit on; on 62k articles that grew the build by ~800 MB.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import multiprocessing
import queue
import signal
import threading
import traceback
from typing import Callable

from whoosh import index as whoosh_index

from indexer.index.bulkwrite import BulkWriter
from indexer.index.schema import WRITER_OPTIONS
from indexer.index.whoosh_internals import commit_segments, finalize_segment, unsafe_segment_writer

__all__ = ["write_parallel", "die_with_parent", "ParallelWriteError"]

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
SEND_BATCH = 50  # entries per message to a worker


class ParallelWriteError(RuntimeError):
    """A worker failed; its traceback is in the message."""


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies (no orphans after ``kill -9``)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: workers may outlive a killed parent
        pass


def _worker(index_dir: str, inbox, results, limitmb: int, bulk: bool) -> None:
    die_with_parent()
    try:
        ix = whoosh_index.open_dir(index_dir)
        segments: list = []
        if bulk:  # one or more segments (a new one each ``MAX_SEGMENT_POSTINGS``), postings in bulk
            writer = BulkWriter(lambda: unsafe_segment_writer(ix, **WRITER_OPTIONS),
                                lambda w: segments.append(finalize_segment(w)))
        else:
            writer = unsafe_segment_writer(ix, limitmb=limitmb, **WRITER_OPTIONS)
        done = 0
        while (batch := inbox.get()) is not None:
            for entry in batch:
                writer.add_document(**entry)
            done += len(batch)
            results.put(("progress", len(batch)))
        if bulk:
            writer.close()
        elif done:
            segments.append(finalize_segment(writer))
        results.put(("segments", segments))
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises
        results.put(("error", traceback.format_exc()))


def _feed(entries: list[dict], inboxes: list, stop: threading.Event) -> None:
    """Send the entries to the workers in turn, in batches, then ``None`` to each."""
    jobs = len(inboxes)
    size = max(1, min(SEND_BATCH, len(entries) // (4 * jobs)))  # a few entries: every worker gets some
    for k, start in enumerate(range(0, len(entries), size)):
        if not _put(inboxes[k % jobs], entries[start:start + size], stop):
            return
    for inbox in inboxes:
        _put(inbox, None, stop)


def _put(inbox, item, stop: threading.Event) -> bool:
    """Put ``item`` unless the build is stopping (a dead worker never empties its queue)."""
    while not stop.is_set():
        try:
            inbox.put(item, timeout=1)
            return True
        except queue.Full:
            continue
    return False


def write_parallel(index_dir: str, entries: list[dict], jobs: int,
                   progress: Callable[[int], None] | None = None, limitmb: int = 48, bulk: bool = False) -> None:
    """Add ``entries`` to the (empty) index at ``index_dir`` with ``jobs`` worker processes, each
    writing with ``bulkwrite.BulkWriter`` (``bulk``) or Whoosh's ``SegmentWriter`` (pool of ``limitmb``)."""
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    inboxes = [ctx.Queue(maxsize=4) for _ in range(jobs)]
    workers = [ctx.Process(target=_worker, args=(index_dir, inboxes[k], results, limitmb, bulk), daemon=True)
               for k in range(jobs)]
    stop = threading.Event()
    feeder = threading.Thread(target=_feed, args=(entries, inboxes, stop), daemon=True)
    gc.freeze()  # what the workers inherit: a collection there must not touch (and copy) it
    try:
        try:
            for w in workers:
                w.start()
        finally:
            gc.unfreeze()
        feeder.start()
        segments = _collect(results, workers, progress)
    finally:
        stop.set()
        for w in workers:
            if w.is_alive():
                w.terminate()
            w.join()
        for inbox in inboxes:
            inbox.cancel_join_thread()
    _commit_segments(index_dir, [s for worker in segments for s in worker])


def _collect(results, workers, progress) -> list[list]:
    """Each worker's list of segments, in the order the workers finish."""
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
        if kind == "segments":
            segments.append(value)
        elif progress:
            progress(value)
    return segments


def _commit_segments(index_dir: str, segments: list) -> None:
    """Write the table of contents that makes the workers' segments the index (as ``MpWriter`` does)."""
    ix = whoosh_index.open_dir(index_dir)
    writer = ix.writer(**WRITER_OPTIONS)
    try:
        commit_segments(writer, segments)
    except BaseException:
        writer.cancel()
        raise

"""Writing one index from several processes: each writes its own segment, the parent commits them all.

Whoosh analyses and encodes postings in pure Python, so one writer uses one core. Here ``jobs``
forked workers each get every ``jobs``-th batch of entries through a queue (their segmentations from
the build's segmentation cache, pyvi for what it lacks), write a segment into the new index directory
without taking the lock, and
hand the segment back; the parent then writes one table of contents listing all of them. This is what
Whoosh's own ``MpWriter(multisegment=True)`` does, with workers that die with their parent (a killed
build leaves no orphans).

Entries are sent, not inherited: a worker that reads inherited objects writes their reference counts
and so copies every memory page they sit on; on 62k articles that grew the build by ~800 MB.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import queue
import threading
import traceback
from itertools import islice
from pathlib import Path
from typing import Callable, Iterable

from whoosh import index as whoosh_index

from indexer.index.bulkwrite import BulkWriter
from indexer.index.schema import WRITER_OPTIONS
from indexer.index.segcache import SegmentCache, die_with_parent, prime_segmentations
from indexer.text.segment import forget
from indexer.index.whoosh_internals import commit_segments, finalize_segment, unsafe_segment_writer

__all__ = ["write_parallel", "Writers", "die_with_parent", "ParallelWriteError"]

log = logging.getLogger(__name__)

SEND_BATCH = 50  # entries per message to a worker
# Batches waiting for each worker. Entries go to the workers in turn (the same entry lands in the same
# segment every build); while one worker writes out a full segment (~7 s on the 62k build) the feeder
# waits on its queue, and with 4 batches queued the other worker sat idle for most of that time. 64
# batches (~3,200 entries, a few tens of MB) keep it busy through a segment's writing.
INBOX_BATCHES = 64


class ParallelWriteError(RuntimeError):
    """A worker failed; its traceback is in the message."""


def _worker(index_dir: str, inbox, results, limitmb: int, bulk: bool, segment_cache: str | None,
            parent: int) -> None:
    die_with_parent(parent)
    try:
        cache = None  # opened with the first batch: the build's own connection has set the file up by then
        ix = whoosh_index.open_dir(index_dir)
        segments: list = []
        if bulk:  # one or more segments (a new one each ``MAX_SEGMENT_POSTINGS``), postings in bulk
            writer = BulkWriter(lambda: unsafe_segment_writer(ix, **WRITER_OPTIONS),
                                lambda w: segments.append(finalize_segment(w)))
        else:
            writer = unsafe_segment_writer(ix, limitmb=limitmb, **WRITER_OPTIONS)
        done = 0
        while (batch := inbox.get()) is not None:
            if segment_cache and cache is None:
                cache = SegmentCache(Path(segment_cache))
            if cache is not None:
                prime_segmentations((e["text"] for e in batch), cache)
            for entry in batch:
                writer.add_document(**entry)
            forget()
            done += len(batch)
            results.put(("progress", len(batch)))
        if bulk:
            writer.close()
        elif done:
            segments.append(finalize_segment(writer))
        if cache is not None:
            results.put(("cache", (cache.hits, cache.misses)))
            cache.close()
        results.put(("segments", segments))
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises
        results.put(("error", traceback.format_exc()))


def _feed(entries: Iterable[dict], count: int, inboxes: list, stop: threading.Event, failed: list) -> None:
    """Send the entries to the workers in turn, in batches, then ``None`` to each (what reading the
    entries raised goes to ``failed``)."""
    jobs = len(inboxes)
    size = max(1, min(SEND_BATCH, count // (4 * jobs)))  # a few entries: every worker gets some
    entries = iter(entries)
    k = 0
    try:
        while batch := list(islice(entries, size)):
            if not _put(inboxes[k % jobs], batch, stop):
                return
            k += 1
    except BaseException as exc:  # noqa: BLE001 - raised again by write_parallel
        failed.append(exc)
        stop.set()
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


class Writers:
    """``jobs`` writer processes, forked now and fed later (``write``, once). A build starts them before
    it reads the corpus, while it is small: forked later, from a parent holding every entry's stub
    (~1 GB at 1M entries), each shared a third of that in its memory footprint (PSS), however little of
    it they touched. ``close()`` ends them (``write`` does, and a failed build must)."""

    def __init__(self, index_dir: str, jobs: int, bulk: bool = False, segment_cache: Path | None = None,
                 limitmb: int = 48):
        self.index_dir = index_dir
        ctx = multiprocessing.get_context("fork")
        self._results = ctx.Queue()
        self._inboxes = [ctx.Queue(maxsize=INBOX_BATCHES) for _ in range(jobs)]
        cache = str(segment_cache) if segment_cache else None
        self._workers = [ctx.Process(target=_worker, daemon=True,
                                     args=(index_dir, inbox, self._results, limitmb, bulk, cache, os.getpid()))
                         for inbox in self._inboxes]
        self._stop = threading.Event()
        gc.freeze()  # what the workers inherit: a collection there must not touch (and copy) it
        try:
            for w in self._workers:
                w.start()
        finally:
            gc.unfreeze()

    def write(self, entries: Iterable[dict], count: int | None = None,
              progress: Callable[[int], None] | None = None) -> tuple[int, int]:
        """Send ``entries`` (``count`` of them: ``len(entries)`` unless given; read once) to the workers,
        then commit their segments into the index; returns their segmentation cache (hits, misses)."""
        failed: list[BaseException] = []
        count = len(entries) if count is None else count
        feeder = threading.Thread(target=_feed, args=(entries, count, self._inboxes, self._stop, failed), daemon=True)
        feeder.start()
        try:
            segments, counts = _collect(self._results, self._workers, progress, failed)
        finally:
            self.close()
            feeder.join()
        _commit_segments(self.index_dir, [s for worker in segments for s in worker])
        return counts

    def close(self) -> None:
        self._stop.set()
        for w in self._workers:
            if w.is_alive():
                w.terminate()
            w.join()
        for inbox in self._inboxes:
            inbox.cancel_join_thread()


def write_parallel(index_dir: str, entries: Iterable[dict], jobs: int,
                   progress: Callable[[int], None] | None = None, limitmb: int = 48, bulk: bool = False,
                   segment_cache: Path | None = None, count: int | None = None) -> tuple[int, int]:
    """Add ``entries`` (``count`` of them: ``len(entries)`` unless given; read once) to the (empty) index at
    ``index_dir`` with ``jobs`` worker processes, each writing with ``bulkwrite.BulkWriter`` (``bulk``) or
    Whoosh's ``SegmentWriter`` (pool of ``limitmb``), segmenting from ``segment_cache`` when given. Returns
    the workers' segmentation cache (hits, misses)."""
    return Writers(index_dir, jobs, bulk, segment_cache, limitmb).write(entries, count, progress)


def _collect(results, workers, progress, failed: list) -> tuple[list[list], tuple[int, int]]:
    """Each worker's list of segments, in the order the workers finish, and their cache (hits, misses)."""
    segments: list = []
    hits = misses = 0
    while len(segments) < len(workers):
        if failed:
            raise failed[0]
        try:
            kind, value = results.get(timeout=1)
        except queue.Empty:
            if not any(w.is_alive() for w in workers):
                raise ParallelWriteError("index writer processes ended without a result") from None
            continue
        if kind == "error":
            raise ParallelWriteError(f"an index writer process failed:\n{value}")
        if kind == "segments":
            segments.append(value)
        elif kind == "cache":
            hits, misses = hits + value[0], misses + value[1]
        elif progress:
            progress(value)
    return segments, (hits, misses)


def _commit_segments(index_dir: str, segments: list) -> None:
    """Write the table of contents that makes the workers' segments the index (as ``MpWriter`` does)."""
    ix = whoosh_index.open_dir(index_dir)
    writer = ix.writer(**WRITER_OPTIONS)
    try:
        commit_segments(writer, segments)
    except BaseException:
        writer.cancel()
        raise

"""Segmentation ahead of the index writer: in worker processes, with a cache keyed by content hash.

pyvi is the slowest step of a build. Texts are segmented before Whoosh sees them, in ``jobs``
processes, and each result is primed into ``segment`` so the word analyzer never runs pyvi itself.
Results persist in a SQLite file beside the index, keyed by the SHA-1 of the normalized text, so a
rebuild of unchanged text runs no pyvi at all.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import multiprocessing
import os
import signal
import sqlite3
import zlib
from pathlib import Path
from typing import Iterable

from indexer.text.normalize import normalize
from indexer.text.segment import join_flags, prime

__all__ = ["SegmentCache", "SegmentCacheError", "prime_segmentations", "segment_batches", "make_pool",
           "die_with_parent"]

_PR_SET_PDEATHSIG = 1

log = logging.getLogger(__name__)


class SegmentCacheError(OSError):
    """The segmentation cache could not be read or written (disk full, permissions, corruption)."""


def _guarded(method):
    """Turn SQLite failures into a ``SegmentCacheError`` that says which file and what to do."""
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise SegmentCacheError(f"segmentation cache {self.path} failed ({exc}): free disk space or "
                                    "delete that file, then build again; the live index is untouched") from exc
    return wrapper


def _digest(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8")).digest()


class SegmentCache:
    """A persistent map ``sha1(normalized text)`` → pyvi join flags; ``None`` path keeps it in memory."""

    @_guarded
    def __init__(self, path: Path | None):
        self.path = path
        # several writer processes may add the segmentations they missed at once: wait for each other
        self.db = sqlite3.connect(str(path) if path else ":memory:", timeout=60)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS seg (digest BLOB PRIMARY KEY, flags BLOB)")
        self.hits = self.misses = 0

    @_guarded
    def get_many(self, digests: list[bytes]) -> dict[bytes, bytes]:
        found: dict[bytes, bytes] = {}
        for i in range(0, len(digests), 500):
            chunk = digests[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for digest, blob in self.db.execute(f"SELECT digest, flags FROM seg WHERE digest IN ({marks})", chunk):
                found[digest] = zlib.decompress(blob)
        return found

    @_guarded
    def known(self, digests: list[bytes]) -> set[bytes]:
        """Which of ``digests`` the cache holds (their flags not read)."""
        found: set[bytes] = set()
        for i in range(0, len(digests), 500):
            chunk = digests[i:i + 500]
            marks = ",".join("?" * len(chunk))
            found.update(d for (d,) in self.db.execute(f"SELECT digest FROM seg WHERE digest IN ({marks})", chunk))
        return found

    @_guarded
    def put_many(self, items: Iterable[tuple[bytes, bytes]]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO seg VALUES (?, ?)",
                            ((d, zlib.compress(f, 1)) for d, f in items))
        self.db.commit()

    def close(self) -> None:
        self.db.close()


def _flags(text: str) -> bytes:
    return join_flags(text)


def _lookup(raw_texts: Iterable[str], cache: SegmentCache, read) -> tuple[list[str], list[bytes], object, list]:
    """The distinct normalized ``raw_texts``, their digests, what ``read`` (``cache.get_many`` or
    ``cache.known``) says the cache holds of them, and the (text, digest) pairs it lacks; counted."""
    texts = list(dict.fromkeys(normalize(t) for t in raw_texts if t))
    digests = [_digest(t) for t in texts]
    known = read(digests)
    cache.hits += len(known)
    todo = [(t, d) for t, d in zip(texts, digests) if d not in known]
    cache.misses += len(todo)
    return texts, digests, known, todo


def _start(texts: list[str], jobs: int, pool):
    """pyvi over ``texts``: done here (few texts, or no pool), or started in ``pool`` (``_flags_of``)."""
    if pool is None or len(texts) < 8:
        return [_flags(t) for t in texts]
    return pool.map_async(_flags, texts, chunksize=max(1, min(64, len(texts) // (jobs * 4) or 1)))


def _flags_of(started) -> list[bytes]:
    return started if isinstance(started, list) else started.get()


def prime_segmentations(raw_texts: Iterable[str], cache: SegmentCache, jobs: int = 1, pool=None) -> None:
    """Segment every distinct text (cache first, then pyvi in ``pool``) and prime ``segment`` with it."""
    texts, digests, known, todo = _lookup(raw_texts, cache, cache.get_many)
    fresh = list(zip((d for _, d in todo), _flags_of(_start([t for t, _ in todo], jobs, pool))))
    cache.put_many(fresh)
    known.update(fresh)
    for text, digest in zip(texts, digests):
        prime(text, known[digest])


def segment_batches(batches: Iterable[list[str]], cache: SegmentCache, jobs: int = 1, pool=None) -> None:
    """Make sure the cache holds the segmentation of every text of ``batches`` (an endless stream while
    a build reads), pipelined: a batch is in the pool while the previous one's results are compressed
    and stored and the next one is normalized and looked up, so the pool's processes do not wait at
    the end of each batch."""
    pending = None
    for raw in batches:
        _, _, _, todo = _lookup(raw, cache, cache.known)
        started = _start([t for t, _ in todo], jobs, pool)
        if pending is not None:
            cache.put_many(zip(pending[0], _flags_of(pending[1])))
        pending = ([d for _, d in todo], started)
    if pending is not None:
        cache.put_many(zip(pending[0], _flags_of(pending[1])))


def die_with_parent(parent: int | None = None) -> None:
    """Ask Linux to SIGKILL this process when its parent dies (no orphans after ``kill -9``).

    ``parent``: the pid of the process that forked this one. A parent killed after the fork but before
    this call sends no signal (the request is for a death to come): then this process is already
    someone else's child, and ends at once."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: workers may outlive a killed parent
        return
    if parent is not None and os.getppid() != parent:
        os._exit(1)


def make_pool(jobs: int):
    """A fork pool of ``jobs`` segmenting workers, or ``None`` for in-process work."""
    if jobs <= 1:
        return None
    return multiprocessing.get_context("fork").Pool(jobs, initializer=die_with_parent, initargs=(os.getpid(),))

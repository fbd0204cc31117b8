"""Searcher ownership: one Whoosh searcher per serving thread, moved to each new index version.

``indexer`` never changes the files of a build folder that may be served: ``build`` and ``update``
write a new folder (hard links to the unchanged segment files) and switch the ``index`` symlink to it.
So a searcher is never refreshed in place (Whoosh's ``refresh()`` shares segment readers between the
old and the new searcher, and closing the old one then closes the new one's files): a thread that sees
the link or the generation change opens the new index whole. Searchers are per thread and a thread
serves one request at a time, so the searchers a thread replaced are closed when its next public call
starts (``recovering``), and a call whose searcher went stale (its folder deleted) is answered again on
the live index. The columns and decoded postings of an index version (``engine.IndexArrays``) are
shared by every thread, after the engine's decoder was checked against Whoosh on that version.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
import weakref
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.reading import ReaderClosed

from indexer.index.schema import SCHEMA_VERSION, built_schema_version
from indexer.index.whoosh_internals import DecoderMismatch, check_decoder, segment_folder
from search_app.engine import IndexArrays, SegmentCache, cache_limits
from search_app.fields import FACET_FIELDS

__all__ = ["Searchers", "NoIndexError", "EngineCheckError", "recovering", "REFRESH_EVERY", "KEEP_ARRAYS"]

log = logging.getLogger(__name__)

REFRESH_EVERY = 0.5  # seconds between checks for a rebuilt or updated index, per thread
KEEP_ARRAYS = 2  # index versions whose columns and decoded postings are kept (the old and the new)


def _close_all(searchers: set) -> None:
    for s in list(searchers):
        s.close()
        searchers.discard(s)


# What a searcher raises when the files it reads are gone (an old build folder deleted) or were
# closed under it: the thread drops that searcher, opens the live index and answers again.
_STALE_ERRORS = (ReaderClosed, OSError)


def recovering(method):
    """A public call of the service: closes the searchers this thread replaced before it (no call of
    this thread uses them any more); if the call's searcher went stale, runs it once more on a
    freshly opened one."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        local = self._local
        depth = getattr(local, "depth", 0)
        if depth == 0:
            self._close_retired()
        local.depth = depth + 1
        try:
            try:
                return method(self, *args, **kwargs)
            except _STALE_ERRORS as exc:
                if depth:  # the outermost call answers again, from the start
                    raise
                log.warning("searcher of %s went stale (%s: %s): reopening", self.index_dir, type(exc).__name__, exc)
                self._forget_searcher()
                return method(self, *args, **kwargs)
        finally:
            local.depth = depth
    return wrapper


class NoIndexError(RuntimeError):
    """There is no index to search yet."""


class EngineCheckError(NoIndexError):
    """The engine's posting decoder disagrees with Whoosh on this index: no answer beats a wrong one."""


class Searchers:
    """The searchers and shared arrays of the index at ``index_dir`` (a directory or the build symlink)."""

    def __init__(self, index_dir: str | os.PathLike, cache_mb: int | None = None):
        """``cache_mb``: memory of each index version's caches (``engine.cache_limits``; ``None``: in
        proportion to the index)."""
        self.index_dir = Path(index_dir)
        self.cache_mb = cache_mb
        self._local = threading.local()
        # shared by every thread, per index version: while threads move to a new version (within
        # REFRESH_EVERY) both are read, and the arrays of neither are rebuilt again and again
        self._arrays: dict[tuple, IndexArrays] = {}
        self._arrays_lock = threading.Lock()
        self._failed: dict[tuple, str] = {}  # index versions whose engine check failed, and why
        self._segments = SegmentCache()  # what each segment gave, kept across versions (engine.SegmentCache)
        self._open: set = set()  # every searcher not yet closed, of any thread: closed with the service
        self._stopping = threading.Event()  # ends background warm-ups
        weakref.finalize(self, _close_all, self._open)

    def close(self) -> None:
        """Close every searcher this service opened (each holds a handful of open index files)."""
        self._stopping.set()
        _close_all(self._open)

    # --- searcher ownership (see the module's docstring) -------------------------------------------

    def _target(self) -> Path:
        return self.index_dir.resolve()

    def searcher(self):
        """This thread's searcher, reopened when the index changed; ``NoIndexError`` if none."""
        local = self._local
        now = time.monotonic()
        s = getattr(local, "searcher", None)
        if s is not None and now - local.checked < REFRESH_EVERY:
            return s
        target = self._target()
        if s is not None and target == local.target:
            try:
                if s.up_to_date():
                    local.checked = now
                    return s
            except OSError:  # the folder went away under us: open the live one below
                pass
        return self._replace(self._open_searcher(target), target, now)

    def _open_searcher(self, target: Path):
        if not whoosh_index.exists_in(str(target)):
            raise NoIndexError(f"no index at {self.index_dir}: run `python -m indexer build`")
        version = built_schema_version(target)
        if version != SCHEMA_VERSION:  # between deploying new code and rebuilding: say so, don't 500
            raise NoIndexError(f"the index at {self.index_dir} has schema version {version}, this version "
                               f"reads {SCHEMA_VERSION}: run `python -m indexer build`")
        return whoosh_index.open_dir(str(target)).searcher()

    def _replace(self, new, target: Path, now: float):
        local = self._local
        self._retire(getattr(local, "searcher", None))
        self._open.add(new)
        local.searcher, local.target, local.checked = new, target, now
        return new

    def _retire(self, s) -> None:
        if s is not None:
            self._local.__dict__.setdefault("retired", []).append(s)

    def _close_retired(self) -> None:
        retired = getattr(self._local, "retired", None)
        while retired:
            s = retired.pop()
            s.close()
            self._open.discard(s)

    def _forget_searcher(self) -> None:
        """Drop this thread's searcher (it went stale); the next ``searcher()`` opens the live index."""
        self._retire(getattr(self._local, "searcher", None))
        self._local.searcher = None

    def arrays(self, s) -> IndexArrays:
        """Columns and decoded postings of the index ``s`` reads, shared by every serving thread."""
        # what ``s`` itself reads (not where the link points now: another thread may have moved on):
        # its folder, generation and segments
        reader = s.reader()
        leaves = reader.leaf_readers()
        folder = segment_folder(leaves[0][0]) if leaves else ""
        key = (folder, reader.generation(), tuple(leaf.segment().segment_id() for leaf, _ in leaves))
        got = self._arrays.get(key)
        if got is not None:
            return got
        failed = self._failed.get(key)
        if failed is not None:  # checked once: the same 503, not the check again under the lock
            raise EngineCheckError(failed)
        with self._arrays_lock:
            got = self._arrays.get(key)
            if got is None:
                self._check_engine(s, key)
                postings, scored = cache_limits(reader.doc_count_all(), self.cache_mb)
                got = self._arrays[key] = IndexArrays(s, FACET_FIELDS, cache_bytes=postings, scored_bytes=scored,
                                                      segments=self._segments)
                self._warm(got, folder)
                while len(self._arrays) > KEEP_ARRAYS:  # the oldest version: no thread reads it any more
                    self._arrays.pop(next(iter(self._arrays))).retired.set()
                self._segments.keep_only({seg for a in self._arrays.values() for seg in a.segment_ids})
        return got

    def _warm(self, arrays: IndexArrays, folder: str) -> None:
        """Score the index version's most common terms in the background (``IndexArrays.warm``), with a
        searcher of its own, so the first visitors after a start or a switch do not pay for them."""
        def work():
            started = time.monotonic()
            try:
                with whoosh_index.open_dir(folder).searcher() as s:
                    done = arrays.warm(s, self._stopping)
                    if not (self._stopping.is_set() or arrays.retired.is_set()):
                        self._warm_more(s, arrays)
                        self._warm_behind(s, arrays, lambda: self._stopping.is_set() or arrays.retired.is_set())
                log.info("warmed %s: %d common terms scored in %.1f s", folder, done, time.monotonic() - started)
            except Exception as exc:  # noqa: BLE001 - e.g. the folder was deleted: the version is gone anyway
                log.info("warm-up of %s stopped: %s: %s", folder, type(exc).__name__, exc)
            finally:
                arrays.warmed.set()
        if folder:
            threading.Thread(target=work, name="vnlex-warm-up", daemon=True).start()
        else:
            arrays.warmed.set()

    def _warm_more(self, s, arrays: IndexArrays) -> None:
        """What else a new index version should have ready before its first visitor (a subclass's)."""

    def _warm_behind(self, s, arrays: IndexArrays, stop) -> None:
        """What the background warm-up alone reads after that (a subclass's; ``stop()``: give up)."""

    def _check_engine(self, s, key: tuple) -> None:
        """Refuse to serve an index whose postings the engine's bulk decoder reads differently from
        Whoosh (wrong results, silently, otherwise): a 503 and one log line, until the index changes."""
        try:
            compared = check_decoder(s)
        except DecoderMismatch as exc:
            log.error("not serving %s: %s", self.index_dir, exc)
            self._failed[key] = (f"the search engine's check of this index failed ({exc}); the server log says "
                                 "more: check indexer/index/whoosh_internals.py against the installed Whoosh")
            raise EngineCheckError(self._failed[key]) from None
        log.info("engine check of %s: %d postings read alike by the engine and by Whoosh", self.index_dir,
                 compared)

    @recovering
    def doc_count(self) -> int:
        return self.searcher().doc_count()

    @recovering
    def health(self) -> dict:
        """Index age and size, for ``/healthz``; ``NoIndexError`` when it cannot be served (no index,
        another schema, a failed engine check: the arrays of the version are made, so checked, here)."""
        s = self.searcher()
        self.arrays(s)
        target = self._target()
        built = max((p.stat().st_mtime for p in target.iterdir() if p.suffix == ".toc"), default=0.0)
        return {"status": "ok", "entries": s.doc_count(), "index": target.name,
                "index_age_seconds": round(time.time() - built, 1)}

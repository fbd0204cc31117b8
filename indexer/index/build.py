"""Full builds with an atomic switch, incremental updates, and the lock that keeps them apart.

The build folders, the symlink switch and what happens on failure are in ``folders``: the
live index is never written to, so readers of it keep working, and a failed or killed build
leaves it untouched.

Every entry carries a digest of all it stores and indexes (``entry_hash``). When the live index is of
this schema and most of the corpus is unchanged, the fresh directory starts as the live index's
segment files (hard links: Whoosh never rewrites a segment file) and only the entries whose digest
is new are analysed and written, those whose digest is gone deleted: the same entries as a build
from nothing, in a fraction of the time. ``fresh=True`` (``build --fresh``) always starts from nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import shutil
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from itertools import islice
from pathlib import Path
from typing import Callable, Iterable, Iterator

from whoosh import index as whoosh_index

from indexer.index.folders import (MANIFEST_FILE, REPORT_FILE, WriteError, builds_dir, fresh_dir as _fresh_dir,
                                  link_index as _link_index, live_dir, switch as _switch, writing)
from indexer.read.reader import MAX_RECORD_BYTES, ReadProgress, iter_corpus
from indexer.index.entries import TEXT_FIELDS, apply_aliases, cited_entries, document_entry, law_aliases
from indexer.index.lock import IndexLock
from indexer.index.schema import INFO_FILE, SCHEMA_VERSION, WRITER_OPTIONS, build_schema, built_schema_version
from indexer.index.bulkwrite import BulkWriter
from indexer.index.parallel import Writers
from indexer.index.segcache import SegmentCache, make_pool, prime_segmentations, segment_batches
from indexer.index.spill import EntrySpill, Stub, join_entry, split_entry
from indexer.text.segment import forget

__all__ = ["BuildError", "BuildStats", "build", "live_dir", "builds_dir", "write_entries", "BATCH",
           "WriteError"]

log = logging.getLogger(__name__)

BATCH = 500  # entries segmented and written per round: bounds memory on large corpora
PARALLEL_MIN = 2000  # below this many entries one writer is faster than forking several
# A new index's segments are written by ``bulkwrite.BulkWriter`` (the same segment files, a third of
# the CPU); False: by Whoosh's ``add_document``, kept to compare the two (tests/test_bulkwrite.py).
BULK_WRITE = True
# Start from the live index only when the entries to write plus the deleted ones it would carry are
# at most this share of all entries; beyond that a build from nothing is about as fast, and compact.
REUSE_MAX_SHARE = 0.25
AHEAD_BATCHES = 8  # batches of texts read but not yet segmented
SPILL_DIR = "spill"  # in the new build folder, removed before it is renamed: entries between the passes


class BuildError(Exception):
    """A build could not finish; the live index is untouched."""


@dataclass(frozen=True)
class BuildStats:
    """What a build or update did, for the CLI's summary line and ``build_info.json``."""

    entries: int
    articles: int
    documents: int
    cited: int
    files_read: int
    files_used: int
    files_skipped: int
    records_skipped: int
    seconds: float
    built_at: str
    index_dir: str
    segment_cache_hits: int = 0
    segment_cache_misses: int = 0
    entries_written: int = 0   # analysed and written by this build; the rest were the live index's
    entries_deleted: int = 0   # of the live index's entries, gone or changed

    def summary(self) -> str:
        reused = self.entries - self.entries_written
        how = (f", {self.entries_written} written, {reused} unchanged from the live index, "
               f"{self.entries_deleted} removed" if reused else "")
        return (f"{self.entries} entries ({self.articles} articles, {self.documents} documents, "
                f"{self.cited} cited-only{how}) from {self.files_used}/{self.files_read} files, "
                f"{self.files_skipped} files and {self.records_skipped} records skipped, "
                f"{self.seconds:.1f} s")


def write_entries(writer, entries: Iterable[dict], cache: SegmentCache, jobs: int, pool,
                  progress: Callable[[int], None] | None = None) -> None:
    """Segment (cache, then pool) and add ``entries`` in batches of ``BATCH``."""
    entries = iter(entries)
    while batch := list(islice(entries, BATCH)):
        prime_segmentations((e["text"] for e in batch), cache, jobs, pool)
        for entry in batch:
            writer.add_document(**entry)
        forget()
        if progress:
            progress(len(batch))


def corpus_manifest(files: Iterable[Path]) -> dict[str, dict]:
    """``path → {size, mtime_ns}`` of the corpus files: what ``update`` and staleness checks compare."""
    out = {}
    for path in files:
        st = path.stat()
        out[str(path)] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns}
    return out


def _write_new_index(new_dir: Path, entries: _Entries, cache: SegmentCache, jobs: int,
                     progress: Callable[[int], None] | None, pool=None, writers: Writers | None = None) -> None:
    """Write the index in ``new_dir`` (created, or by ``writers`` already): in one writer, or in
    ``jobs`` segment writers for large corpora (``writers``, when started ahead).

    Either way pyvi runs in ``jobs`` processes, for cache misses only: in the pool, or in the writer
    processes, which read from the cache what ``_SegmentAhead`` put there and segment the rest
    (the cited-only entries) themselves. ``pool`` and ``writers`` are taken over (ended).
    """
    ix = (whoosh_index.open_dir(str(new_dir)) if writers is not None
          else whoosh_index.create_in(str(new_dir), build_schema()))
    pool = pool or make_pool(jobs)
    try:
        if jobs > 1 and len(entries) >= PARALLEL_MIN:
            pool.terminate()
            pool = None
            if writers is None:  # forked now: this process's own connection to the cache is closed first
                cache.close()  # (its counts stay; see build())
                writers = Writers(str(new_dir), jobs, BULK_WRITE, cache.path)
            writers.write(entries.drain(), len(entries), progress)  # ends them, whatever happens
            return
        if writers is not None:  # too few entries to be worth them
            writers.close()
        if BULK_WRITE:
            _write_bulk(ix, entries.drain(), cache, jobs, pool, progress)
        else:
            _write_one(ix, entries.drain(), cache, jobs, pool, progress)
    finally:
        if pool is not None:
            pool.terminate()


def _write_bulk(ix, entries: Iterable[dict], cache: SegmentCache, jobs: int, pool,
                progress: Callable[[int], None] | None) -> None:
    """Add ``entries`` to the new index ``ix`` in bulk-written segments, each committed as it fills."""
    writer = BulkWriter(lambda: ix.writer(**WRITER_OPTIONS), lambda w: w.commit(merge=False))
    try:
        write_entries(writer, entries, cache, jobs, pool, progress)
        writer.close()
    except BaseException:
        writer.cancel()
        raise


def _write_one(ix, entries: Iterable[dict], cache: SegmentCache, jobs: int, pool,
               progress: Callable[[int], None] | None, delete: Iterable[int] = ()) -> None:
    """In one writer: delete the doc numbers ``delete``, add ``entries``, commit (cancel on any error)."""
    writer = ix.writer(limitmb=256, **WRITER_OPTIONS)
    try:
        for docnum in delete:
            writer.delete_document(docnum)
        write_entries(writer, entries, cache, jobs, pool, progress)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


def _verify_count(new_dir: Path, expected: int) -> None:
    ix = whoosh_index.open_dir(str(new_dir))
    with ix.searcher() as s:
        found = s.doc_count()
    if found != expected:
        raise BuildError(f"verification failed: {found} entries in the new index, {expected} expected")


def entry_hash(entry: dict) -> str:
    """Digest of everything ``entry`` stores and indexes (its text fields are its title and body)."""
    data = {k: v for k, v in entry.items() if k not in TEXT_FIELDS and k != "entry_hash"}
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _reuse_plan(index: Path, entries: Iterable[dict]) -> tuple[Path, list[int], set[str]] | None:
    """(live dir, its doc numbers to delete, hashes of the entries to write) when starting from the
    live index pays; reads ``entries`` once (after the live index proved of this schema)."""
    live = live_dir(index)
    if live is None or built_schema_version(live) != SCHEMA_VERSION:
        return None
    try:
        ix = whoosh_index.open_dir(str(live))
    except (OSError, ValueError, whoosh_index.IndexError):
        return None
    with ix.searcher() as s:
        reader = s.reader()
        column = reader.column_reader("entry_hash")
        have = {column[n]: n for n in reader.all_doc_ids()}
        carried = reader.doc_count_all() - reader.doc_count()
    wanted = {e["entry_hash"] for e in entries}
    stale = sorted(n for h, n in have.items() if h not in wanted)
    fresh = wanted - have.keys()
    if len(fresh) + len(stale) + carried > REUSE_MAX_SHARE * len(wanted):
        return None
    return live, stale, fresh


def _write_changes(new_dir: Path, stale: list[int], fresh: Iterable[dict], count: int, cache: SegmentCache,
                   jobs: int, progress: Callable[[int], None] | None) -> None:
    """Delete ``stale`` doc numbers from the copy in ``new_dir`` and add the ``count`` ``fresh`` entries."""
    pool = make_pool(jobs) if count > BATCH else None
    try:
        _write_one(whoosh_index.open_dir(str(new_dir)), fresh, cache, jobs, pool, progress, delete=stale)
    finally:
        if pool is not None:
            pool.terminate()


class _SegmentAhead:
    """pyvi over the texts of entries as the build makes them, in the segmenting pool, while the parent
    goes on extracting citations (one core) for the rest: the pool's processes would wait otherwise.

    A thread of the parent feeds ``segment_batches`` batch by batch with its own connection to the
    segmentation cache (SQLite connections stay in their thread), which is where the results go (the
    writers read them from there); ``finish()`` waits for it and raises
    what it raised. Used for builds that write every entry (the segmentations would be wasted when
    most entries are carried over from the live index).
    """

    def __init__(self, cache_path: Path, jobs: int, pool):
        self._queue: queue.Queue = queue.Queue(maxsize=AHEAD_BATCHES)  # reading waits for pyvi: bounded memory
        self._batch: list[str] = []
        self.hits = self.misses = 0
        self.error: BaseException | None = None
        self._discard = False  # the build failed: what is still queued is not worth segmenting
        self._thread = threading.Thread(target=self._run, args=(cache_path, jobs, pool), daemon=True)
        self._thread.start()

    def add(self, text: str) -> None:
        self._batch.append(text)
        if len(self._batch) >= BATCH:
            self._queue.put(self._batch)
            self._batch = []

    def _run(self, cache_path: Path, jobs: int, pool) -> None:
        cache = None
        try:
            cache = SegmentCache(cache_path)
            segment_batches(self._batches(), cache, jobs, pool)
        except BaseException as exc:  # noqa: BLE001 - raised again by finish()
            self.error = exc
            while self._queue.get() is not None:
                pass
        finally:
            if cache is not None:
                self.hits, self.misses = cache.hits, cache.misses
                cache.close()

    def _batches(self) -> Iterator[list[str]]:
        while (batch := self._queue.get()) is not None:
            if not self._discard:  # else drain the queue without work
                yield batch

    def finish(self, discard: bool = False) -> None:
        """Wait for every text added to be segmented and primed (idempotent); ``discard``: for the
        thread to stop without segmenting what is still queued."""
        self._discard = self._discard or discard
        if self._thread.is_alive():
            self._queue.put(self._batch)
            self._batch = []
            self._queue.put(None)
            self._thread.join()
        if self.error is not None and not discard:
            raise self.error


class _Entries:
    """A corpus's entries between the build's two passes: the document entries in an ``EntrySpill``
    (their stubs in memory, ``None`` for those no relation reads), then the cited-only entries.
    Iterating yields every entry in that order, complete, with aliases, relations and hash applied."""

    def __init__(self, spill: EntrySpill, stubs: list[Stub | None], cited: list[dict], aliases: dict, report):
        self.spill, self.stubs, self.cited, self.aliases, self.report = spill, stubs, cited, aliases, report
        self.from_documents = len(stubs)

    def __len__(self) -> int:
        return self.from_documents + len(self.cited)

    def __iter__(self) -> Iterator[dict]:
        for rest, stub in zip(self.spill, self.stubs):
            entry = apply_aliases(join_entry(rest, stub), self.aliases) if stub is not None else rest
            entry["entry_hash"] = entry_hash(entry)
            yield entry
        yield from self.cited

    def drain(self) -> Iterator[dict]:
        """Iterate once more, dropping each stub once its entry is out (the writing pass: memory falls
        as it goes)."""
        for k, entry in enumerate(self):
            if k < self.from_documents:
                self.stubs[k] = None
            yield entry


def _read_entries(corpus: list[Path], spill: EntrySpill, ahead: _SegmentAhead | None, max_record_bytes: int,
                  on_read: Callable[[ReadProgress], None] | None) -> tuple[_Entries, Counter]:
    """First pass: read ``corpus`` record by record, make each document's entry (its text goes to
    ``ahead``), spill what relations do not need; then settle law aliases, cited-only entries (their
    text to ``ahead`` too), cite counts and statuses over the stubs. Returns the entries and their
    count by kind."""
    reader = iter_corpus(corpus, max_record_bytes=max_record_bytes, progress=on_read)
    stubs: list[Stub | None] = []
    kinds: Counter = Counter()
    pool: dict = {}
    for doc in reader:  # the reader reports and skips a repeated id
        entry = document_entry(doc)
        kinds[entry["kind"]] += 1
        if ahead is not None and entry["text"]:
            ahead.add(entry["text"])
        if entry["cites"] or entry["kind"] == "document":
            stub, rest = split_entry(entry, pool)
        else:  # nothing to settle: apply_aliases would leave it as it is
            stub, rest = None, entry
        stubs.append(stub)
        spill.add(rest)
    spill.close()
    del pool
    related = [s for s in stubs if s is not None]
    aliases = law_aliases(related)
    for stub in related:
        apply_aliases(stub, aliases)
    cited = cited_entries(related, real_years(related))
    for e in cited:
        e["entry_hash"] = entry_hash(e)
        if ahead is not None and e["text"]:
            ahead.add(e["text"])
    kinds["cited"] += len(cited)
    return _Entries(spill, stubs, cited, aliases, reader.report), kinds


def _writes_everything(index: Path, fresh: bool) -> bool:
    """True when the build cannot start from the live index (``fresh``, none, or of another schema)."""
    live = live_dir(index)
    return fresh or live is None or built_schema_version(live) != SCHEMA_VERSION


def build(corpus: list[Path], index: Path, jobs: int = 1,
          progress: Callable[[int], None] | None = None,
          on_total: Callable[[int], None] | None = None, fresh: bool = False,
          max_record_bytes: int = MAX_RECORD_BYTES,
          on_read: Callable[[ReadProgress], None] | None = None) -> BuildStats:
    """Rebuild the whole index from ``corpus`` into a fresh directory, then switch to it.

    Unless ``fresh``, the new directory starts from the live index when most entries are unchanged
    (see the module's docstring). ``max_record_bytes`` bounds one record or page file (larger ones
    are reported and skipped); ``on_read`` follows the reading, ``on_total``/``progress`` the writing.
    Entries wait for the writing in a file of the new folder (``spill``), not in memory."""
    started = time.perf_counter()
    index = Path(index)
    index.parent.mkdir(parents=True, exist_ok=True)
    with IndexLock(index):
        cache_path = index.with_name(index.name + ".segcache")
        pool = ahead = writers = None
        cache = None
        try:
            with writing(_fresh_dir(index)) as new_dir:
                if jobs > 1 and _writes_everything(index, fresh):
                    # a new index: the writer processes and the segmenting pool are forked first, while this
                    # process is small and before it opens the segmentation cache (a child that inherits a
                    # SQLite connection in use sees its locks held for ever: the cache then never opens there)
                    whoosh_index.create_in(str(new_dir), build_schema())
                    writers = Writers(str(new_dir), jobs, BULK_WRITE, cache_path)
                    pool = make_pool(jobs)
                    ahead = _SegmentAhead(cache_path, jobs, pool)
                (new_dir / SPILL_DIR).mkdir()
                spill = EntrySpill(new_dir / SPILL_DIR / "entries.pickle")
                try:
                    entries, kinds = _read_entries(corpus, spill, ahead, max_record_bytes, on_read)
                except BaseException:
                    spill.close()
                    if ahead is not None:
                        ahead.finish(discard=True)
                    raise
                if ahead is not None:
                    ahead.finish()
                report = entries.report
                if report.files_used == 0 and report.records_used == 0:
                    raise BuildError(f"no usable documents in {', '.join(map(str, corpus))}: "
                                     "point --corpus at a folder of portal pages or .jsonl records")
                if on_total:
                    on_total(len(entries))
                plan = None if fresh else _reuse_plan(index, entries)
                cache = SegmentCache(cache_path)
                if ahead is not None:
                    cache.hits, cache.misses = ahead.hits, ahead.misses
                written, deleted = _write_build(new_dir, plan, entries, cache, jobs, progress, pool, writers)
                pool = writers = None  # taken over by the writing
                shutil.rmtree(new_dir / SPILL_DIR)
                stats = _stats(len(entries), kinds, report, started, index, cache, written, deleted)
                _write_sidecars(new_dir, stats, report, corpus, entries.aliases)
                final = new_dir.with_name(new_dir.name[:-len(".tmp")])
                new_dir.rename(final)
        finally:
            if pool is not None:
                pool.terminate()
            if writers is not None:
                writers.close()
            if cache is not None:
                cache.close()
        _switch(index, final)
        log.info("build: %s", stats.summary())
        return stats


def _write_build(new_dir: Path, plan, entries: _Entries, cache: SegmentCache, jobs: int,
                 progress: Callable[[int], None] | None, pool=None, writers: Writers | None = None) -> tuple[int, int]:
    """Write ``entries`` into ``new_dir`` (from nothing, or from the live index's files by ``plan``)
    and verify the count; return (entries written, live entries deleted). ``pool`` and ``writers``
    are taken over."""
    if plan is None:
        _write_new_index(new_dir, entries, cache, jobs, progress, pool, writers)
        written, deleted = len(entries), 0
    else:
        if pool is not None:
            pool.terminate()
        if writers is not None:
            writers.close()
        live, stale, todo = plan
        if progress:
            progress(len(entries) - len(todo))
        _link_index(live, new_dir)
        _write_changes(new_dir, stale, (e for e in entries if e["entry_hash"] in todo), len(todo), cache, jobs,
                       progress)
        written, deleted = len(todo), len(stale)
    _verify_count(new_dir, len(entries))
    return written, deleted


def real_years(entries: list[dict]) -> dict[str, set[str]]:
    """``number key → years`` of the real documents in ``entries`` (``""`` for an undated one)."""
    out: dict[str, set[str]] = {}
    for e in entries:
        if e["doc_key"] and e["kind"] == "document":
            out.setdefault(e["doc_key"], set()).add(e["year"])
    return out


def _stats(total: int, kinds: Counter, report, started: float, index: Path, cache: SegmentCache,
           written: int, deleted: int) -> BuildStats:
    return BuildStats(
        entries=total, articles=kinds["article"], documents=kinds["document"], cited=kinds["cited"],
        files_read=report.files_read, files_used=report.files_used, files_skipped=report.files_skipped,
        records_skipped=report.records_skipped, seconds=round(time.perf_counter() - started, 2),
        built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"), index_dir=str(index),
        segment_cache_hits=cache.hits, segment_cache_misses=cache.misses, entries_written=written,
        entries_deleted=deleted)


def _write_sidecars(new_dir: Path, stats: BuildStats, report, corpus: list[Path], aliases: dict) -> None:
    """``build_info.json``, the corpus report and the manifest that ``update`` compares against."""
    from indexer.read.reader import iter_files  # the same file walk the reader used

    info = asdict(stats) | {"schema_version": SCHEMA_VERSION, "corpus": [str(c) for c in corpus],
                            "report": report.to_dict(),
                            "law_aliases": sorted([k, y, v] for (k, y), v in aliases.items())}
    (new_dir / INFO_FILE).write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
    (new_dir / REPORT_FILE).write_text("\n".join(report.lines()) + "\n", encoding="utf-8")
    manifest = corpus_manifest(iter_files(corpus))
    (new_dir / MANIFEST_FILE).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def is_stale(corpus: list[Path], index: Path) -> bool:
    """True when there is no index, it is of another schema, or the corpus files differ from its manifest."""
    from indexer.read.reader import iter_files

    live = live_dir(Path(index))
    if live is None:
        return True
    try:
        info = json.loads((live / INFO_FILE).read_text(encoding="utf-8"))
        manifest = json.loads((live / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    return info.get("schema_version") != SCHEMA_VERSION or manifest != corpus_manifest(iter_files(corpus))

"""Incremental update of the live index: only added, changed and removed files are read again.

Files are compared with the manifest of the last build or update (size and mtime first, then the
entries' content hashes), so an untouched file costs one ``stat``. The cited-document entries whose
keys the changed entries cite (or cited before) are recomputed from the index itself, and so are the
``cite_count`` and status of the real documents of those keys (a document's status depends on the
entries that replace or repeal it).

The live folder is never written to (a running ``serve`` reads it): the changes are written into a
new build folder that starts as hard links to the live one's segment files, which is then verified
and switched to like a build (``folders``). An update that changes nothing writes no folder.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from whoosh import index as whoosh_index

from indexer.index.build import BuildError, corpus_manifest, entry_hash, write_entries
from indexer.index.folders import MANIFEST_FILE, REPORT_FILE, fresh_dir, link_index, live_dir, switch, writing
from indexer.read.reader import MAX_RECORD_BYTES, corpus_root, iter_files, read_file
from indexer.index.entries import (TEXT_FIELDS, apply_aliases, cited_for_key, document_entry, entry_text, keyword,
                                   link_document)
from indexer.index.lock import IndexLock
from indexer.index.schema import INFO_FILE, SCHEMA_VERSION, WRITER_OPTIONS
from indexer.index.segcache import SegmentCache, make_pool

__all__ = ["UpdateStats", "update"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UpdateStats:
    """What an update changed."""

    files_added: int
    files_changed: int
    files_removed: int
    entries_added: int
    entries_changed: int
    entries_removed: int
    cited_recomputed: int
    problems: tuple[str, ...]
    seconds: float

    def summary(self) -> str:
        return (f"files +{self.files_added} ~{self.files_changed} -{self.files_removed}; entries "
                f"+{self.entries_added} ~{self.entries_changed} -{self.entries_removed}; "
                f"{self.cited_recomputed} cited entries recomputed; {len(self.problems)} problems; "
                f"{self.seconds:.1f} s")


def _write_json(path: Path, data) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def _diff(old: dict, new: dict) -> tuple[list[str], list[str], list[str]]:
    added = sorted(set(new) - set(old))
    removed = sorted(set(old) - set(new))
    changed = sorted(p for p in set(new) & set(old) if new[p] != old[p])
    return added, changed, removed


def _indexed_by_file(searcher, path: str) -> dict[str, dict]:
    return {f["id"]: f for f in (searcher.stored_fields(n) for n in searcher.document_numbers(source_file=path))}


def update(corpus: list[Path], index: Path, jobs: int = 1,
           progress: Callable[[int], None] | None = None,
           on_total: Callable[[int], None] | None = None,
           max_record_bytes: int = MAX_RECORD_BYTES) -> UpdateStats:
    """Bring the index in line with ``corpus`` without a full rebuild (a new folder, then a switch)."""
    started = time.perf_counter()
    index = Path(index)
    files = iter_files(corpus)  # a mistyped corpus path is the first thing to say
    with IndexLock(index):
        live = live_dir(index)
        if live is None:
            raise BuildError(f"no index at {index}: run `python -m indexer build` first")
        try:
            info = json.loads((live / INFO_FILE).read_text(encoding="utf-8"))
            old = json.loads((live / MANIFEST_FILE).read_text(encoding="utf-8"))
        except ValueError:
            raise BuildError(f"the index at {index} has a damaged {INFO_FILE} or {MANIFEST_FILE}: run a full "
                             "build (`python -m indexer build`)") from None
        if info.get("schema_version") != SCHEMA_VERSION:
            raise BuildError("the index was built by another version of the indexer: run a full build")
        new = corpus_manifest(files)
        added, changed, removed = _diff(old, new)
        counts, recomputed, problems, final = (0, 0, 0), 0, [], None
        if added or changed or removed:
            cache = SegmentCache(index.with_name(index.name + ".segcache"))
            try:
                with writing(fresh_dir(index)) as new_dir:
                    link_index(live, new_dir)
                    ix = whoosh_index.open_dir(str(new_dir))
                    counts, touched, problems = _apply_files(ix, corpus, added + changed, removed, cache, jobs,
                                                             (progress, on_total), info,
                                                             max_record_bytes)
                    recomputed = _recompute_cited(ix, touched, cache)
                    if any(counts) or recomputed:
                        _finish(new_dir, ix, live, info, new, problems)
                        final = new_dir.with_name(new_dir.name[:-len(".tmp")])
                        new_dir.rename(final)
                    else:
                        shutil.rmtree(new_dir)
            finally:
                cache.close()
        if final is not None:
            switch(index, final)
        else:  # nothing to index (no file changed, or only their dates): the live folder stays
            _write_json(live / MANIFEST_FILE, new)
        return UpdateStats(len(added), len(changed), len(removed), *counts, recomputed,
                           tuple(problems), round(time.perf_counter() - started, 2))


def _finish(new_dir: Path, ix, live: Path, info: dict, manifest: dict, problems: list[str]) -> None:
    """The sidecars of the updated folder: manifest, ``build_info.json`` and the corpus report."""
    _write_json(new_dir / MANIFEST_FILE, manifest)
    info = dict(info, updated_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    with ix.searcher() as s:
        info["entries"] = s.doc_count()
    _write_json(new_dir / INFO_FILE, info)
    report = (live / REPORT_FILE).read_text(encoding="utf-8") if (live / REPORT_FILE).exists() else ""
    if problems:
        report += f"update {info['updated_at']}: {len(problems)} problems\n" + "".join(p + "\n" for p in problems)
    (new_dir / REPORT_FILE).write_text(report, encoding="utf-8")


def _apply_files(ix, corpus: list[Path], paths: list[str], removed: list[str], cache, jobs, progress: tuple,
                 info: dict, max_record_bytes: int):
    """Re-read ``paths``, drop ``removed``; return (added, changed, removed) counts, touched keys, problems."""
    aliases = {(k, y): v for k, y, v in info.get("law_aliases", [])}  # the last build's law names
    touched: set[str] = set()
    problems: list[str] = []
    fresh: list[dict] = []
    n_added = n_changed = n_removed = 0
    with ix.searcher() as s:
        before = {p: _indexed_by_file(s, p) for p in paths + removed}
    writer = ix.writer(**WRITER_OPTIONS)
    try:
        for path in removed:
            for doc_id, fields in before[path].items():
                writer.delete_by_term("id", doc_id)
                touched.update(_keys_of(fields))
                n_removed += 1
        for path in paths:
            docs, file_problems = read_file(Path(path), root=corpus_root(path, corpus),
                                             max_record_bytes=max_record_bytes)
            problems += [f"{p.path}:{p.line}: {p.reason}" for p in file_problems]
            old = before[path]
            for doc in docs:
                prev = old.pop(doc.id, None)
                if prev is not None and prev.get("content_hash") == doc.content_hash:
                    continue  # unchanged: not analysed again (citations, relations)
                entry = apply_aliases(document_entry(doc), aliases)
                entry["entry_hash"] = entry_hash(entry)
                if prev is not None:
                    touched.update(_keys_of(prev))
                    n_changed += 1
                else:
                    n_added += 1
                touched.update(_keys_of(entry))
                writer.delete_by_term("id", doc.id)
                fresh.append(entry)
            for doc_id, fields in old.items():  # entries gone from a changed file
                writer.delete_by_term("id", doc_id)
                touched.update(_keys_of(fields))
                n_removed += 1
        step, on_total = progress
        if on_total:
            on_total(len(fresh))
        pool = make_pool(jobs) if len(fresh) > 20 else None
        try:
            write_entries(writer, fresh, cache, jobs, pool, step)
        finally:
            if pool is not None:
                pool.terminate()
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return (n_added, n_changed, n_removed), touched, problems


def _keys_of(fields: dict) -> set[str]:
    """Keys whose cited entries depend on this entry: what it cites, and its own number."""
    keys = {keyword(c["key"]) for c in fields.get("cites") or [] if c.get("key")}
    if fields.get("doc_key") and fields.get("kind") == "document":
        keys.add(fields["doc_key"])
    return keys


def _recompute_cited(ix, keys: set[str], cache) -> int:
    """Rewrite the cited-only entries of every key in ``keys`` from what the index now holds, and
    the real documents of those keys whose ``cite_count`` or status changed.

    Entries are found by their key's own postings (a handful each), never by intersecting with
    ``kind``: that term is in nearly every entry, and walking it once per key was most of an update.
    """
    if not keys:
        return 0
    writer = ix.writer(**WRITER_OPTIONS)
    try:
        fresh = []
        with ix.searcher() as s:
            for key in sorted(keys):
                years, documents = set(), []
                for n in s.document_numbers(doc_key=key):
                    fields = s.stored_fields(n)
                    if fields["kind"] == "cited":
                        writer.delete_document(n)
                    elif fields["kind"] == "document":
                        years.add(fields["year"])
                        documents.append((n, fields))
                citing = [(f, c) for f in (s.stored_fields(n) for n in s.document_numbers(citations=key))
                          for c in f["cites"] if keyword(c["key"]) == key]
                cited = cited_for_key(key, citing, years)
                fresh += cited
                fresh += _relinked(writer, documents, citing, years | {e["year"] for e in cited})
        for entry in fresh:
            entry["entry_hash"] = entry_hash(entry)
        write_entries(writer, fresh, cache, 1, None)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return len(keys)


def _relinked(writer, documents: list[tuple[int, dict]], citing: list[tuple[dict, dict]], years: set[str]) -> list[dict]:
    """The real documents (doc number, stored fields) whose ``cite_count`` or status the citations
    ``citing`` change, as entries to write again (the old ones are deleted)."""
    out = []
    for n, fields in documents:
        entry = dict(fields, **dict.fromkeys(TEXT_FIELDS, entry_text(fields.get("title", ""), fields.get("body", ""))),
                     undated=0 if fields.get("date") else 1)
        link_document(entry, citing, years)
        if (entry["cite_count"], entry["status"], entry["status_basis"]) != (
                fields.get("cite_count"), fields.get("status"), fields.get("status_basis")):
            writer.delete_document(n)
            out.append(entry)
    return out

"""Replicas: serve a finished build folder copied from the primary, switched to like a build.

A replica never builds. The primary's finished build folder (``var/index.builds/<name>``, never a
``*.tmp``) is copied into the replica's builds folder under ``<name>.tmp`` (rsync; ``switch`` and
pruning never touch a ``*.tmp`` folder), renamed to ``<name>`` once the copy is whole, then
``adopt``-ed: read end to end and checked, and only then switched to with ``folders.switch`` (one
rename of the ``var/index`` symlink; the previous build is kept, older ones pruned). The recipe for N
replicas is in the README ("Replicas") and ``deploy/replicate.sh``.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index

from indexer.index.folders import MANIFEST_FILE, REPORT_FILE, builds_dir, live_dir, switch
from indexer.index.lock import IndexLock
from indexer.index.schema import INFO_FILE, SCHEMA_VERSION
from indexer.index.whoosh_internals import DecoderMismatch, check_decoder, field_length_bytes

__all__ = ["AdoptError", "Adopted", "IN_PROGRESS", "check_build", "adopt"]

log = logging.getLogger(__name__)

IN_PROGRESS = (".tmp", ".partial")  # a copy (or a build) still being written: never adopted
# Columns every segment has, because every entry carries these fields (``entries``): a segment
# without one of their files is a copy that lost it, not an index without the field.
ALWAYS_COLUMNS = ("_stored", "kind", "entry_hash", "undated")


class AdoptError(Exception):
    """A build folder cannot be adopted (missing, incomplete, damaged, another schema); the live index
    is unchanged."""


@dataclass(frozen=True)
class Adopted:
    """What ``adopt`` did: the build now live, its entries, and whether it was live already."""

    name: str
    entries: int
    previous: str | None
    already_live: bool = False


def _sidecars(folder: Path) -> dict:
    """The build's ``build_info.json`` (its manifest and corpus report must be there too)."""
    missing = [n for n in (INFO_FILE, MANIFEST_FILE, REPORT_FILE) if not (folder / n).is_file()]
    if missing:
        raise AdoptError(f"{folder} is not a finished build: {', '.join(missing)} missing; copy the whole folder again")
    try:
        info = json.loads((folder / INFO_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AdoptError(f"{folder / INFO_FILE} is unreadable ({exc}); copy the whole folder again") from None
    if info.get("schema_version") != SCHEMA_VERSION:
        raise AdoptError(f"{folder} has schema version {info.get('schema_version')}, this code reads "
                         f"{SCHEMA_VERSION}: deploy the same code version on the primary and the replicas")
    return info


def _missing_files(folder: Path, segments) -> list[str]:
    names = []
    for seg in segments:
        names += [seg.make_filename(ext) for ext in (".trm", ".pst")]
        names += [seg.make_filename(f".{col}.col") for col in ALWAYS_COLUMNS]
    return [n for n in names if not (folder / n).is_file()]


def _read_all(ix) -> int:
    """Read every file of the index as the server would: stored fields, columns, lengths, every
    term's postings; and the engine's decoder check. Returns the entries."""
    with ix.searcher() as s:
        for leaf, _ in s.reader().leaf_readers():
            for _fields in leaf.all_stored_fields():
                pass
            for name, field in ix.schema.items():
                if field.column_type and leaf.has_column(name):
                    list(leaf.column_reader(name, translate=False))
                if field.scorable:
                    field_length_bytes(leaf, name)
            for fieldname, text in leaf.all_terms():
                leaf.postings(fieldname, text).all_ids()
        check_decoder(s)
        return s.doc_count()


def check_build(folder: Path) -> int:
    """Check that ``folder`` is a whole build of this schema, readable end to end; return its entries."""
    folder = Path(folder)
    if not folder.is_dir():
        raise AdoptError(f"no build folder at {folder}")
    if folder.name.endswith(IN_PROGRESS):
        raise AdoptError(f"{folder} is a copy in progress: rename it without {folder.suffix} once the copy "
                         f"has finished, then adopt that")
    info = _sidecars(folder)
    if not whoosh_index.exists_in(str(folder)):
        raise AdoptError(f"{folder} holds no Whoosh index (no table of contents); copy the whole folder again")
    try:
        ix = whoosh_index.open_dir(str(folder))
        missing = _missing_files(folder, whoosh_index.TOC.read(ix.storage, ix.indexname).segments)
        if missing:
            more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
            raise AdoptError(f"{folder} is incomplete: {missing[0]}{more} missing; copy the whole folder again")
        entries = _read_all(ix)
    except AdoptError:
        raise
    except DecoderMismatch as exc:
        raise AdoptError(f"{folder}: the search engine's check failed ({exc}); the server would refuse it") from None
    except Exception as exc:  # a cut or damaged file fails in whatever way its reader happens to
        kind = type(exc).__name__
        kind = kind if type(exc).__module__ == "builtins" else f"{type(exc).__module__}.{kind}"
        detail = (str(exc).splitlines() or [""])[0]
        raise AdoptError(f"{folder} is damaged ({kind}: {detail}); copy the whole folder again") from None
    if entries != info.get("entries"):
        raise AdoptError(f"{folder} holds {entries} entries, its {INFO_FILE} says {info.get('entries')}; "
                         f"copy the whole folder again")
    return entries


def _in_builds(folder: Path, index: Path) -> Path:
    """``folder`` as a path in ``index``'s builds folder (a bare name is looked up there)."""
    builds = builds_dir(index)
    if len(folder.parts) == 1 and not folder.exists():
        folder = builds / folder
    if not folder.exists():
        raise AdoptError(f"no build folder at {folder}")
    if folder.resolve().parent != builds.resolve():
        raise AdoptError(f"{folder} is not in {builds}: copy it there first (the index link points into that folder)")
    return builds / folder.name


def adopt(folder: Path, index: Path) -> Adopted:
    """Make the copied build ``folder`` the live index at ``index`` once it is checked whole."""
    index = Path(index)
    folder = _in_builds(Path(folder), index)
    live = live_dir(index)
    if live is not None and live == folder.resolve():  # adopted before: nothing to check or switch
        return Adopted(folder.name, _sidecars(folder).get("entries", 0), live.name, already_live=True)
    entries = check_build(folder)
    with IndexLock(index):
        os.utime(folder)  # a copy keeps the primary's time; pruning keeps the newest builds, this one first
        switch(index, folder)
    log.info("adopted %s (%d entries) at %s", folder.name, entries, index)
    return Adopted(folder.name, entries, live.name if live is not None else None)

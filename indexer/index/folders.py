"""Build folders: where a build or an update writes, and the atomic switch that makes it live.

Layout, for ``--index var/index``::

    var/index            symlink to the live build folder (switched atomically with ``os.replace``)
    var/index.builds/    one folder per build or update; the live one and the one before it are kept
    var/index.lock       PID of the build or update in progress
    var/index.segcache   pyvi segmentations keyed by content hash (makes rebuilds of unchanged text fast)

A served folder is never written to: a build or an update writes a new ``*.tmp`` folder (an update
starts it as hard links to the live folder's segment files, which Whoosh never rewrites), and only a
complete, verified folder is renamed and switched to. A failed write removes its folder and leaves
the live index as it was; one killed outright leaves a ``*.tmp`` folder that the next build clears.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from whoosh import index as whoosh_index

from indexer.index import postarrays
from indexer.index.schema import INFO_FILE
from indexer.index.segcache import SegmentCacheError

__all__ = ["WriteError", "builds_dir", "live_dir", "fresh_dir", "link_index", "switch", "writing",
           "REPORT_FILE", "MANIFEST_FILE", "KEEP_BUILDS", "DEFAULT_INDEX", "os_reason", "NO_ROOM"]

log = logging.getLogger(__name__)

REPORT_FILE = "corpus_report.txt"
MANIFEST_FILE = "manifest.json"
DEFAULT_INDEX = "var/index"  # where the CLI and the app look unless told (``--index``, ``VNLEX_INDEX_DIR``)
KEEP_BUILDS = 2  # the live build folder and the one before it (readers still on it move on within REFRESH_EVERY, half a second)


class WriteError(Exception):
    """Writing a new build folder failed (disk full, permission denied …); the live index is unchanged."""


def builds_dir(index: Path) -> Path:
    return index.with_name(index.name + ".builds")


def live_dir(index: Path) -> Path | None:
    """The folder the live index is in, or ``None`` when there is no index yet."""
    if index.is_symlink() or index.is_dir():
        real = index.resolve()
        if whoosh_index.exists_in(str(real)):
            return real
    return None


def fresh_dir(index: Path) -> Path:
    """A new, empty ``*.tmp`` build folder (debris of killed builds is cleared first)."""
    root = builds_dir(index)
    root.mkdir(parents=True, exist_ok=True)
    for debris in root.glob("*.tmp"):  # left by a build that was killed
        shutil.rmtree(debris, ignore_errors=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    path = root / f"{stamp}-{os.getpid()}.tmp"
    path.mkdir()
    return path


def link_index(live: Path, new_dir: Path) -> None:
    """The live index's Whoosh files in ``new_dir``: hard links (copies where links are refused)."""
    for f in live.iterdir():
        if f.name in (INFO_FILE, REPORT_FILE, MANIFEST_FILE) or f.name.endswith("WRITELOCK") or not f.is_file():
            continue
        try:
            os.link(f, new_dir / f.name)
        except OSError:
            shutil.copy2(f, new_dir / f.name)


def _folder_mb(folder: Path) -> float:
    total = 0
    for f in folder.rglob("*"):
        try:
            total += f.stat().st_size if f.is_file() and f.stat().st_nlink == 1 else 0
        except OSError:
            pass
    return total / 2**20


# Why a write failed, as staff read it; the first three mean "no room".
_REASONS = {errno.ENOSPC: "no space left on the disk", errno.EDQUOT: "disk quota exceeded",
            errno.EFBIG: "a file grew past the file size limit",
            errno.EACCES: "permission denied", errno.EPERM: "permission denied",
            errno.EROFS: "the file system is read-only"}
NO_ROOM = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def os_reason(exc: OSError) -> str:
    """``OSError(ENOSPC)`` → ``"no space left on the disk"``; else the system's own words."""
    return _REASONS.get(exc.errno, exc.strerror or str(exc))


def _write_error(exc: OSError, new_dir: Path, freed: float) -> WriteError:
    what = os_reason(exc)
    where = exc.filename or new_dir
    return WriteError(f"{what} while writing {where}: the partial index ({freed:.1f} MB) was removed and the "
                      f"live index is unchanged; free space or fix permissions, then run the command again")


@contextmanager
def writing(new_dir: Path) -> Iterator[Path]:
    """Remove ``new_dir`` if anything fails inside; an ``OSError`` becomes a one-line ``WriteError``
    (the segmentation cache's own error, which names its file and what to do, stays as it is)."""
    try:
        yield new_dir
    except SegmentCacheError:
        shutil.rmtree(new_dir, ignore_errors=True)
        raise
    except OSError as exc:
        freed = _folder_mb(new_dir)
        shutil.rmtree(new_dir, ignore_errors=True)
        raise _write_error(exc, new_dir, freed) from exc
    except BaseException:
        shutil.rmtree(new_dir, ignore_errors=True)
        raise


def switch(index: Path, new_dir: Path) -> None:
    """Point ``index`` at ``new_dir`` in one rename; keep the previous build, drop older ones. The
    segments of ``new_dir`` that have no posting arrays file get one first (``postarrays``)."""
    written = postarrays.write_missing(new_dir)
    if written:
        log.info("posting arrays written for %d new segment(s) of %s", written, new_dir.name)
    if index.exists() and not index.is_symlink():  # an index made by hand: move it aside once
        index.rename(builds_dir(index) / f"adopted-{int(time.time())}")
    link = index.with_name(index.name + ".switch")
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(os.path.relpath(new_dir, index.parent))
    previous = index.resolve() if index.is_symlink() else None
    os.replace(link, index)
    if previous is not None and previous.is_dir():
        os.utime(previous)  # "the one before" is the one just replaced, however long ago it was built
    keep = {new_dir.name}
    done = sorted((p for p in builds_dir(index).iterdir() if p.is_dir() and not p.name.endswith(".tmp")),
                  key=lambda p: p.stat().st_mtime)
    keep.update(p.name for p in done[-KEEP_BUILDS:])
    for old in done:
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)

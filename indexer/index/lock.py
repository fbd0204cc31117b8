"""One build or update at a time: a PID lock file beside the index, stale locks detected."""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

__all__ = ["IndexLock", "LockedError"]

log = logging.getLogger(__name__)


class LockedError(Exception):
    """Another live process holds the index lock."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


class IndexLock:
    """``with IndexLock(Path("var/index")):`` creates ``var/index.lock`` or fails at once."""

    def __init__(self, index: Path):
        self.path = Path(index).with_name(Path(index).name + ".lock")

    def holder(self) -> int | None:
        """PID in the lock file, or ``None`` when there is none or it is unreadable."""
        try:
            return int(json.loads(self.path.read_text())["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _try_create(self) -> bool:
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w") as f:
            json.dump({"pid": os.getpid(), "since": time.time()}, f)
        return True

    def __enter__(self) -> "IndexLock":
        if self._try_create():
            return self
        pid = self.holder()
        if pid is not None and pid != os.getpid() and _alive(pid):
            raise LockedError(f"index is being rebuilt by PID {pid} (lock file {self.path}); "
                              "wait for it to finish, or stop that process")
        log.warning("clearing stale lock %s (PID %s is not running)", self.path, pid)
        self.path.unlink(missing_ok=True)
        if not self._try_create():
            raise LockedError(f"index lock {self.path} was taken by another process just now; try again")
        return self

    def __exit__(self, *exc) -> None:
        if self.holder() == os.getpid():
            self.path.unlink(missing_ok=True)

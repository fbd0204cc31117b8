"""Background threads that run while their owner is inside a ``with`` block (load clients, probes).

Subclasses set ``self.stop`` (an ``Event`` their threads watch) and ``self.threads`` in ``__init__``.
"""

from __future__ import annotations

import threading


class ThreadGroup:
    """Starts ``threads`` on entering; on leaving sets ``stop`` and joins each (``join_timeout`` s)."""

    stop: threading.Event
    threads: list[threading.Thread]
    join_timeout: float = 30.0

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=self.join_timeout)

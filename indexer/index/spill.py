"""A build's entries between its two passes, on disk: its memory does not grow with the corpus.

An entry's cited-by count and status depend on every other entry (``entries.cited_entries``), so a
build makes all entries before it writes any. Held in memory, a 1M-record corpus took 10 GB before
the first segment was written. Here the first pass keeps in memory only what relations need of each
entry (``STUB_FIELDS``: its number, date, citations, status — none of its text), and writes the rest
to a file in the build folder; the second pass reads it back in order and joins the two.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Iterator

__all__ = ["EntrySpill", "STUB_FIELDS", "split_entry", "join_entry"]

BATCH = 256  # entries per pickle: big enough that pickling is cheap, small enough to stream

# What ``law_aliases``, ``apply_aliases`` and ``cited_entries`` read or settle of an entry.
STUB_FIELDS = ("id", "kind", "doc_key", "doc_number", "doc_type", "year", "date", "title", "agency",
               "effective_date", "cites", "citations", "cite_count", "status", "status_basis")


def split_entry(entry: dict) -> tuple[dict, dict]:
    """(stub: ``STUB_FIELDS`` of ``entry``, rest: every other field) — together, ``entry``."""
    stub = {k: entry[k] for k in STUB_FIELDS if k in entry}
    return stub, {k: v for k, v in entry.items() if k not in stub}


def join_entry(rest: dict, stub: dict) -> dict:
    """The entry again, with what the first pass settled in ``stub``."""
    rest.update(stub)
    return rest


class EntrySpill:
    """Dicts appended to ``path`` in batches of pickles and read back in the same order (any number of times)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.count = 0
        self._batch: list[dict] = []
        self._fh = open(self.path, "wb")

    def add(self, item: dict) -> None:
        self._batch.append(item)
        self.count += 1
        if len(self._batch) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._batch:
            pickle.dump(self._batch, self._fh, protocol=pickle.HIGHEST_PROTOCOL)
            self._batch = []

    def close(self) -> None:
        """Write what is pending; reading needs it closed."""
        if not self._fh.closed:
            self._flush()
            self._fh.close()

    def __iter__(self) -> Iterator[dict]:
        self.close()
        with open(self.path, "rb") as fh:
            while True:
                try:
                    batch = pickle.load(fh)
                except EOFError:
                    return
                yield from batch

    def __len__(self) -> int:
        return self.count

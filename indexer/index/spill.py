"""A build's entries between its two passes, on disk: its memory does not grow with the corpus.

An entry's cited-by count and status depend on every other entry (``entries.cited_entries``), so a
build makes all entries before it writes any. Held in memory, a 1M-record corpus took 10 GB before
the first segment was written. Here the first pass keeps in memory only what relations need of each
entry (a ``Stub``: its number, date, citations, status — none of its text — in slots, repeated values
shared), and writes the entry to a file in the build folder; the second pass reads it back in order
and sets what the first pass settled (``SETTLED``).
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Iterator

from indexer.index.entries import LAW_TYPES

__all__ = ["EntrySpill", "Stub", "CiteStub", "STUB_FIELDS", "CITE_FIELDS", "SETTLED", "split_entry", "join_entry"]

BATCH = 256  # entries per pickle: big enough that pickling is cheap, small enough to stream

# What ``law_aliases``, ``apply_aliases`` and ``cited_entries`` read or settle of an entry.
STUB_FIELDS = ("id", "kind", "doc_key", "doc_number", "doc_type", "year", "date", "title", "agency",
               "effective_date", "cites", "citations", "cite_count", "status", "status_basis")


# What the relations read of a citation (``entries.cited_entries``, ``apply_status``, ``law_aliases``);
# ``name_key`` is set by ``apply_aliases``.
CITE_FIELDS = ("number", "key", "name_key", "doc_type", "issuer_code", "issuer_name", "year", "date", "subject",
               "name", "relation", "partial", "effect_date")
# Fields whose values repeat from entry to entry (a law's number in each of its articles, a handful of
# types, agencies, years and statuses): one object per distinct value in the build's ``pool``.
_POOLED = frozenset(("kind", "doc_key", "doc_number", "doc_type", "year", "date", "agency", "effective_date",
                     "status", "number", "key", "issuer_code", "issuer_name", "subject", "name", "relation",
                     "effect_date"))


class _Slotted:
    """Fields in slots, read and written like a dict (``stub["year"]``, ``stub.get("date")``), in a
    fraction of a dict's memory. A field the dict lacked (``date`` of an undated entry) is absent here too."""

    __slots__ = ()

    def _fill(self, values: dict, pool: dict) -> None:
        for key in self.__slots__:
            if key in values:
                value = values[key]
                if key in _POOLED:
                    value = pool.setdefault((key, value), value)
                setattr(self, key, value)

    def __getitem__(self, key: str):
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None

    def __setitem__(self, key: str, value) -> None:
        setattr(self, key, value)

    def __contains__(self, key: str) -> bool:
        return hasattr(self, key)

    def get(self, key: str, default=None):
        return getattr(self, key, default)


class CiteStub(_Slotted):
    """A citation's ``CITE_FIELDS``."""

    __slots__ = CITE_FIELDS

    def __init__(self, cite: dict, pool: dict):
        self._fill(cite, pool)


_OF_CITERS = ("id", "doc_number", "title", "agency", "effective_date")


class Stub(_Slotted):
    """An entry's ``STUB_FIELDS``, its citations as ``CiteStub``s: what the relations need of it."""

    __slots__ = STUB_FIELDS

    def __init__(self, entry: dict, pool: dict):
        self._fill(entry, pool)
        self.cites = [CiteStub(c, pool) for c in entry["cites"]]
        if not self.cites:  # what only a citer's summary reads (``citer_summary``, ``apply_status``)
            for key in _OF_CITERS:
                if hasattr(self, key) and (key != "title" or entry["doc_type"] not in LAW_TYPES):
                    delattr(self, key)  # a law's title names it (``law_aliases``)
            self.id = None  # compared with its citers' ids only (``link_document``), never one of them
        basis = entry["status_basis"]
        if basis.keys() == {"record"}:  # one dict per status: ``apply_status`` replaces it, never changes it
            self.status_basis = pool.setdefault(("status_basis", basis["record"]), basis)


# Settled by the first pass from the stubs; the rest of a stub's fields are the entry's own. ``cites``
# and ``citations`` stay with the entry in the spill (aliases are applied to them again on joining).
SETTLED = ("cite_count", "status", "status_basis")


def split_entry(entry: dict, pool: dict) -> tuple[Stub, dict]:
    """(stub of ``entry``, what the spill keeps: every field but those the stub brings back). ``pool``
    keeps one object per repeated value across the build's stubs."""
    return Stub(entry, pool), {k: v for k, v in entry.items() if k not in SETTLED}


def join_entry(rest: dict, stub: Stub) -> dict:
    """The entry again, with what the first pass settled in ``stub`` (aliases not yet applied)."""
    for key in SETTLED:
        rest[key] = getattr(stub, key)
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

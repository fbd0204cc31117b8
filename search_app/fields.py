"""One registry of the filterable fields: URL parameter, index column, Vietnamese label, canonical form.

Modelled on elasticsearch-dsl's ``FacetedSearch``: each ``Facet`` owns its filter (``mask``) and how its
counts are read (``counts``); params, search, views, feeds and tests read ``FACETS`` and nothing else.
A facet's column holds one value per entry (``indexer.index.schema``); ``multi`` facets hold several joined
by ``"; "`` (lĩnh vực: ``"Phổ biến, giáo dục pháp luật; Dân tộc"``) and count each part.
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from indexer.index.entries import canonical_agency, canonical_field, canonical_status

__all__ = ["Facet", "FacetCounter", "FACETS", "BY_PARAM", "BY_FIELD", "FACET_FIELDS", "PARAM_LABELS", "KIND_LABELS"]

KIND_LABELS = {"article": "Bài viết", "document": "Văn bản", "cited": "Văn bản được trích dẫn"}


def _same(value: str) -> str:
    return " ".join(value.split())


@dataclass(frozen=True)
class Facet:
    """A filter and its facet: ``?type=Chỉ thị`` keeps entries whose ``doc_type`` column is "Chỉ thị"."""

    param: str                                  # URL / API parameter, repeatable
    field: str                                  # index column (``indexer.index.schema``)
    label: str                                  # Vietnamese label in the UI
    canonical: Callable[[str], str] = _same     # a typed value → the form the index holds (its column's form)
    choices: dict[str, str] = field(default_factory=dict)  # a closed set: value → label
    pattern: str = ""                           # what a value must look like, e.g. a year
    hint: str = ""                              # the Vietnamese message when it does not
    multi: bool = False                         # several values per entry, joined by "; "
    by_value: bool = False                      # facet listed by value (newest year first), not by count

    def display(self, value: str) -> str:
        """The label a person reads for ``value`` (``article`` → ``Bài viết``)."""
        return self.choices.get(value, value)

    def check(self, value: str) -> str | None:
        """``None`` when ``value`` can be used, else the Vietnamese reason."""
        if self.choices and value not in self.choices:
            return f"{self.label} phải là một trong: {', '.join(self.choices.values())}."
        if self.pattern and not re.fullmatch(self.pattern, value):
            return self.hint
        return None

    def _parts(self, label: str) -> list[str]:
        return [p for p in label.split("; ") if p] if self.multi else ([label] if label else [])

    def mask(self, codes: np.ndarray, labels: list[str], values) -> np.ndarray:
        """Entries holding any of ``values`` (canonicalised) in this facet's column."""
        wanted = {self.canonical(v) for v in values}
        hit = [i for i, label in enumerate(labels) if wanted & set(self._parts(label))]
        return np.isin(codes, hit)

    def counts(self, codes: np.ndarray, labels, match: np.ndarray) -> dict[str, int]:
        """How many matching entries hold each value: largest first (years: newest first). ``match``:
        a mask over the entries or their numbers (numbers are faster to count when they are few)."""
        return self.named(labels, self.tally(codes, labels, match))

    @staticmethod
    def tally(codes: np.ndarray, labels, match: np.ndarray) -> np.ndarray:
        """How many matching entries hold each label (``per_label[code]``; ``match`` as in ``counts``)."""
        return np.bincount(codes[match], minlength=len(labels))

    def named(self, labels, per_label: np.ndarray) -> dict[str, int]:
        """``counts`` from the entries counted by label (``per_label[code]``) already."""
        if self.multi:  # each part of a joined label counts the label's entries
            part_of, label_of, parts = _parts_table(tuple(labels))
            per_label = np.bincount(part_of, weights=per_label[label_of], minlength=len(parts)).astype(np.int64)
            labels = parts
        hit = np.flatnonzero(per_label)
        out = {labels[i]: n for i, n in zip(hit.tolist(), per_label[hit].tolist()) if labels[i]}
        key = (lambda kv: kv[0]) if self.by_value else (lambda kv: (-kv[1], kv[0]))
        return dict(sorted(out.items(), key=key, reverse=self.by_value))


@lru_cache(maxsize=64)
def _parts_table(labels: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """For joined labels (``"A; B"``): each (part, label) pair as two arrays, and the distinct parts."""
    parts: dict[str, int] = {}
    part_of, label_of = [], []
    for i, label in enumerate(labels):
        for part in (p for p in label.split("; ") if p):
            part_of.append(parts.setdefault(part, len(parts)))
            label_of.append(i)
    return np.asarray(part_of, dtype=np.int64), np.asarray(label_of, dtype=np.int64), list(parts)

# Facets whose value combinations number at most JOINT_MAX share one code an entry (their joint value):
# a set of entries is then counted by one gather and one bincount for them all, not one per facet
# (7 facets over 450k of 1M entries: ~7 ms one by one). Fewer entries than JOINT_FROM are counted one
# facet at a time: a joint count's table would cost more than they do.
JOINT_MAX = 2**17
JOINT_FROM = 2**14


class FacetCounter:
    """Every facet's counts over a set of entries, per label (``Facet.named`` names them), from the
    columns ``{field: (codes, labels)}``: facets grouped by their joint value (``JOINT_MAX``)."""

    def __init__(self, columns: dict[str, tuple[np.ndarray, list[str]]], facets=None):
        self.columns = columns
        self.facets = tuple(f for f in (FACETS if facets is None else facets) if f.field in columns)
        groups: list[list[Facet]] = []  # largest facets first, each in the first group it fits
        for f in sorted(self.facets, key=lambda f: -self._values(f)):
            fits = [g for g in groups if np.prod([self._values(m) for m in g]) * self._values(f) <= JOINT_MAX]
            fits[0].append(f) if fits else groups.append([f])
        self.groups = [(tuple(g), self._joint(g)) for g in groups if len(g) > 1]
        self.alone = tuple(g[0] for g in groups if len(g) == 1)

    def _values(self, facet: Facet) -> int:
        return max(1, len(self.columns[facet.field][1]))

    def _joint(self, group: list[Facet]) -> np.ndarray:
        """Each entry's joint value of the facets of ``group`` (the first facet's code varies slowest)."""
        joint = np.zeros(len(self.columns[group[0].field][0]), np.int32)
        for f in group:
            joint = joint * self._values(f) + self.columns[f.field][0]
        return joint

    def per_label(self, entries: np.ndarray) -> dict[str, np.ndarray]:
        """Each facet's count of ``entries`` (numbers, or a mask over the index) holding each label."""
        if (entries.sum() if entries.dtype == bool else len(entries)) < JOINT_FROM:
            return {f.field: self._count(f, entries) for f in self.facets}
        out = {f.field: self._count(f, entries) for f in self.alone}
        for group, joint in self.groups:
            shape = tuple(self._values(f) for f in group)
            table = np.bincount(joint[entries], minlength=int(np.prod(shape))).reshape(shape)
            for axis, f in enumerate(group):
                out[f.field] = table.sum(axis=tuple(i for i in range(len(group)) if i != axis))
        return out

    def _count(self, facet: Facet, entries: np.ndarray) -> np.ndarray:
        return facet.tally(*self.columns[facet.field], entries)

    def counts(self, entries: np.ndarray) -> dict[str, dict[str, int]]:
        """``Facet.counts`` of every facet (keyed by field)."""
        return self.named(self.per_label(entries))

    def named(self, per_label: dict[str, np.ndarray]) -> dict[str, dict[str, int]]:
        return {f.field: f.named(self.columns[f.field][1], per_label[f.field][:len(self.columns[f.field][1])])
                for f in self.facets}


FACETS = (
    Facet("type", "doc_type", "Loại văn bản"),
    Facet("agency", "agency", "Cơ quan ban hành", canonical=canonical_agency),
    Facet("field", "field", "Lĩnh vực", canonical=canonical_field, multi=True),
    Facet("status", "status", "Tình trạng hiệu lực", canonical=canonical_status),
    Facet("signer", "signer", "Người ký"),  # stored as the source writes it (``indexer verify`` compares it)
    Facet("year", "year", "Năm", pattern=r"(?:1[89]|20)\d\d", by_value=True,
          hint="Năm phải gồm 4 chữ số, ví dụ 2023."),
    Facet("kind", "kind", "Loại mục", choices=KIND_LABELS),
)
BY_PARAM = {f.param: f for f in FACETS}
BY_FIELD = {f.field: f for f in FACETS}
FACET_FIELDS = tuple(f.field for f in FACETS)

# Every request parameter's Vietnamese name, for error messages that name the box a person filled in.
PARAM_LABELS = {"q": "Từ khóa", "from": "Từ ngày", "to": "Đến ngày", "sort": "Sắp xếp", "page": "Trang",
                "per_page": "Số kết quả mỗi trang", **{f.param: f.label for f in FACETS}}

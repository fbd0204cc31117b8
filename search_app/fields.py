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

__all__ = ["Facet", "FACETS", "BY_PARAM", "BY_FIELD", "FACET_FIELDS", "PARAM_LABELS", "KIND_LABELS"]

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
        return self.named(labels, np.bincount(codes[match], minlength=len(labels)))

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

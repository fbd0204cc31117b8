"""Search parameters from a request: validated into ``SearchParams`` or a ``ParamError`` naming the bad one.

Filters are kept as data (``FILTERS``): each maps a request parameter to an index field and may repeat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

__all__ = ["ParamError", "SearchParams", "parse_params", "FILTERS", "SORTS", "PER_PAGE_CHOICES", "parse_date"]


class ParamError(ValueError):
    """A request parameter has a value the search cannot use."""

    def __init__(self, param: str, message: str):
        super().__init__(message)
        self.param = param
        self.message = message


# request parameter → (index field, Vietnamese label for the UI)
FILTERS = {
    "type": ("doc_type", "Loại văn bản"),
    "agency": ("agency", "Cơ quan ban hành"),
    "kind": ("kind", "Loại mục"),
    "year": ("year", "Năm"),
}
KIND_VALUES = ("article", "document", "cited")
SORTS = ("relevance", "date", "date_asc")
PER_PAGE_CHOICES = (10, 20, 50)
MAX_PAGE = 1000
MAX_VALUE_CHARS = 300


@dataclass(frozen=True)
class SearchParams:
    """One validated search request."""

    q: str = ""
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (param, values), params in FILTERS order
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10

    def values(self, param: str) -> tuple[str, ...]:
        return dict(self.filters).get(param, ())


_DATE_FORMS = (
    (re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$"), "%Y-%m-%d"),   # e.g. 2023-04-18
    (re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$"), "%d/%m/%Y"),   # e.g. 18/4/2023
    (re.compile(r"^\d{1,2}-\d{1,2}-\d{4}$"), "%d-%m-%Y"),   # e.g. 18-04-2023
)


def parse_date(param: str, value: str) -> date | None:
    """``"18/4/2023"`` or ``"2023-04-18"`` → ``date(2023, 4, 18)``; ``""`` → ``None``."""
    value = value.strip()
    if not value:
        return None
    for pattern, form in _DATE_FORMS:
        if pattern.match(value):
            try:
                return datetime.strptime(value, form).date()
            except ValueError:
                break
    raise ParamError(param, f"'{value[:40]}' is not a date: use YYYY-MM-DD or DD/MM/YYYY")


def _int(args, param: str, default: int, low: int, high: int) -> int:
    raw = (args.get(param) or "").strip()
    if not raw:
        return default
    if not re.fullmatch(r"\d{1,7}", raw):
        raise ParamError(param, f"{param} must be a whole number from {low} to {high}")
    value = int(raw)
    if not low <= value <= high:
        raise ParamError(param, f"{param} must be from {low} to {high}, not {value}")
    return value


def parse_params(args) -> SearchParams:
    """Validate a request's ``args`` (a MultiDict or a dict of lists/str) into ``SearchParams``."""
    getlist = args.getlist if hasattr(args, "getlist") else (lambda k: [v for v in [args.get(k)] if v])
    filters = []
    for param in FILTERS:
        values = tuple(dict.fromkeys(v.strip() for v in getlist(param) if v and v.strip()))
        if any(len(v) > MAX_VALUE_CHARS for v in values):
            raise ParamError(param, f"{param} is longer than {MAX_VALUE_CHARS} characters")
        if param == "kind" and any(v not in KIND_VALUES for v in values):
            raise ParamError(param, f"kind must be one of {', '.join(KIND_VALUES)}")
        if values:
            filters.append((param, values))
    sort = (args.get("sort") or "relevance").strip()
    if sort not in SORTS:
        raise ParamError("sort", f"sort must be one of {', '.join(SORTS)}")
    date_from = parse_date("from", args.get("from") or "")
    date_to = parse_date("to", args.get("to") or "")
    if date_from and date_to and date_from > date_to:
        raise ParamError("from", "from is after to")
    per_page = _int(args, "per_page", 10, 10, 50)
    return SearchParams(q=(args.get("q") or "")[:2000], filters=tuple(filters), date_from=date_from,
                        date_to=date_to, sort=sort, page=_int(args, "page", 1, 1, MAX_PAGE), per_page=per_page)

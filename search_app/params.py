"""Search parameters from a request: validated into ``SearchParams`` or a ``ParamError`` naming the bad one.

The filters are the facets of ``fields.FACETS``; each may repeat (``type=Kế hoạch&type=Chỉ thị``).
``SearchParams.args()`` is the one way back to a URL: only what is set, in one order, so every
link of a results page (chips, facets, pages, sort, export, feed) keeps the whole search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime

from search_app.fields import FACETS, PARAM_LABELS

__all__ = ["ParamError", "SearchParams", "parse_params", "SORTS", "PER_PAGE_CHOICES", "parse_date", "vn_date"]


class ParamError(ValueError):
    """A request parameter has a value the search cannot use; ``message`` is Vietnamese."""

    def __init__(self, param: str, message: str):
        super().__init__(message)
        self.param = param
        self.message = message

    @property
    def label(self) -> str:
        """The Vietnamese name of the parameter (the box a person filled in)."""
        return PARAM_LABELS.get(self.param, self.param)


SORTS = ("relevance", "date", "date_asc")
PER_PAGE_CHOICES = (10, 20, 50)
MAX_PAGE = 1000
MAX_VALUE_CHARS = 300


def vn_date(value: date | str | None) -> str:
    """``date(2023, 4, 18)`` or ``"2023-04-18"`` → ``"18/04/2023"``; anything else → ``""``."""
    if isinstance(value, str):
        value = _iso(value)
    return value.strftime("%d/%m/%Y") if value else ""


def _iso(value: str) -> date | None:
    try:
        return datetime.strptime(value[:10], "%Y-%m-%d").date()
    except ValueError:
        return None


@dataclass(frozen=True)
class SearchParams:
    """One validated search request."""

    q: str = ""
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (param, values), params in FACETS order
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10

    def values(self, param: str) -> tuple[str, ...]:
        return dict(self.filters).get(param, ())

    def args(self) -> list[tuple[str, str]]:
        """The request parameters of this search, only those set (defaults left out)."""
        out = [("q", self.q)] if self.q.strip() else []
        out += [(param, v) for param, values in self.filters for v in values]
        out += [(k, vn_date(d)) for k, d in (("from", self.date_from), ("to", self.date_to)) if d]
        out += [("sort", self.sort)] if self.sort != "relevance" else []
        out += [("per_page", str(self.per_page))] if self.per_page != 10 else []
        out += [("page", str(self.page))] if self.page != 1 else []
        return out

    def with_filter(self, param: str, value: str) -> SearchParams:
        """This search with one more filter value (page 1)."""
        filters = dict(self.filters)
        filters[param] = tuple(dict.fromkeys(filters.get(param, ()) + (value,)))
        ordered = tuple((f.param, filters[f.param]) for f in FACETS if f.param in filters)
        return replace(self, filters=ordered, page=1)

    def without(self, param: str, value: str | None = None) -> SearchParams:
        """This search without a filter value, or without a date (``"from"``/``"to"``) (page 1)."""
        if param in ("from", "to"):
            return replace(self, page=1, **{"date_from" if param == "from" else "date_to": None})
        filters = tuple((p, tuple(v for v in vs if p != param or v != value)) for p, vs in self.filters)
        return replace(self, filters=tuple((p, vs) for p, vs in filters if vs), page=1)


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
    raise ParamError(param, f"«{value[:40]}» không phải là một ngày: hãy nhập theo dạng ngày/tháng/năm "
                            f"(dd/mm/yyyy), ví dụ 18/04/2023.")


def _int(args, param: str, default: int, low: int, high: int) -> int:
    raw = (args.get(param) or "").strip()
    if not raw:
        return default
    value = int(raw) if re.fullmatch(r"\d{1,7}", raw) else None
    if value is None or not low <= value <= high:
        raise ParamError(param, f"{PARAM_LABELS[param]} phải là một số từ {low} đến {high}.")
    return value


def parse_params(args) -> SearchParams:
    """Validate a request's ``args`` (a MultiDict or a dict of lists/str) into ``SearchParams``."""
    getlist = args.getlist if hasattr(args, "getlist") else (
        lambda k: (lambda v: v if isinstance(v, list) else [v] if v else [])(args.get(k)))
    filters = []
    for facet in FACETS:
        values = tuple(dict.fromkeys(v.strip() for v in getlist(facet.param) if v and v.strip()))
        for v in values:
            if len(v) > MAX_VALUE_CHARS:
                raise ParamError(facet.param, f"{facet.label} dài quá {MAX_VALUE_CHARS} ký tự.")
            if (reason := facet.check(v)) is not None:
                raise ParamError(facet.param, reason)
        if values:
            filters.append((facet.param, values))
    sort = (args.get("sort") or "relevance").strip()
    if sort not in SORTS:
        raise ParamError("sort", "Sắp xếp phải là: liên quan nhất (relevance), mới nhất (date) "
                                 "hoặc cũ nhất (date_asc).")
    date_from = parse_date("from", args.get("from") or "")
    date_to = parse_date("to", args.get("to") or "")
    if date_from and date_to and date_from > date_to:
        raise ParamError("from", f"Từ ngày {vn_date(date_from)} ở sau đến ngày {vn_date(date_to)}.")
    per_page = _int(args, "per_page", 10, 10, 50)
    return SearchParams(q=(args.get("q") or "")[:2000], filters=tuple(filters), date_from=date_from,
                        date_to=date_to, sort=sort, page=_int(args, "page", 1, 1, MAX_PAGE), per_page=per_page)



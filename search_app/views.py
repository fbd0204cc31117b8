"""HTML pages: search, entry, document number. Server-rendered, every state in the URL."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, render_template, request, url_for

from search_app.params import FILTERS, PER_PAGE_CHOICES, SORTS, parse_params
from search_app.service import get_service
from search_app.snippets import citation_href, linked_text

bp = Blueprint("views", __name__)

KIND_LABELS = {"article": "Bài viết", "document": "Văn bản", "cited": "Văn bản được trích dẫn"}
SORT_LABELS = {"relevance": "Liên quan nhất", "date": "Mới nhất", "date_asc": "Cũ nhất"}
FACET_LABELS = {"doc_type": "Loại văn bản", "agency": "Cơ quan ban hành", "year": "Năm", "kind": "Loại mục"}
FACET_PARAMS = {field: param for param, (field, _) in FILTERS.items()}


def url_with(add: dict | None = None, remove: tuple[str, str] | None = None, **replace) -> str:
    """The current search URL with a filter value added or removed, or parameters replaced; page reset."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "page" and k not in replace]
    if remove:
        args = [(k, v) for k, v in args if (k, v) != remove]
    if add:
        args += [(k, v) for k, v in add.items() if (k, v) not in args]
    args += [(k, v) for k, v in replace.items() if v not in (None, "")]
    return url_for("views.search_page") + ("?" + urlencode(args) if args else "")


@bp.app_context_processor
def _helpers():
    return {"url_with": url_with, "KIND_LABELS": KIND_LABELS, "SORT_LABELS": SORT_LABELS,
            "FACET_LABELS": FACET_LABELS, "FACET_PARAMS": FACET_PARAMS, "citation_href": citation_href}


@bp.get("/")
def search_page():
    params = parse_params(request.args)
    svc = get_service()
    resp = svc.search(params)
    return render_template("search.html", params=params, resp=resp, options=svc.options(),
                           sorts=SORTS, per_page_choices=PER_PAGE_CHOICES)


def _full_text(entry: dict) -> str:
    offset = len(entry["title"]) + 2 if entry.get("title") and entry.get("body") else 0
    return linked_text(entry.get("body", ""), entry.get("citations", []), offset)


@bp.get("/entry/<path:entry_id>")
def entry_page(entry_id: str):
    entry = get_service().entry(entry_id)
    if entry is None:
        abort(404)
    return render_template("entry.html", entry=entry, full_text=_full_text(entry))


@bp.get("/van-ban/<path:number>")
def number_page(number: str):
    entry, key = get_service().by_number(number)
    if entry is None:
        abort(404)
    return render_template("entry.html", entry=entry, full_text=_full_text(entry), number=number, key=key)


@bp.get("/healthz")
def healthz():
    return get_service().health()

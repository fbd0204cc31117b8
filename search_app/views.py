"""HTML pages: search, entry, document number. Server-rendered, every state of a search in its URL."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from urllib.parse import urlencode

from flask import Blueprint, abort, redirect, render_template, request, url_for

from indexer.text.normalize import fold
from search_app.fields import BY_FIELD, FACETS, KIND_LABELS
from search_app.params import PER_PAGE_CHOICES, SORTS, SearchParams, parse_params, vn_date
from search_app.service import get_service
from search_app.snippets import citation_href, linked_text

bp = Blueprint("views", __name__)

SORT_LABELS = {"relevance": "Liên quan nhất", "date": "Mới nhất", "date_asc": "Cũ nhất"}
FORM_SENT = "go"  # the name of the search form's buttons: a request from the form, to be tidied
EXPORT_CAP = 1000  # rows in one CSV / JSON export (all pages of a search, up to this many)


_DEFAULTS = {"q": "", "sort": "relevance", "per_page": 10, "page": 1}


def search_url(params: SearchParams, endpoint: str = "views.search_page", **changes) -> str:
    """The URL of ``params`` (only what is set) at ``endpoint``, with ``q``/``sort``/``per_page``/``page``
    changed (``None``: back to the default)."""
    params = replace(params, **{k: _DEFAULTS[k] if v is None else v for k, v in changes.items()})
    args = params.args()
    return url_for(endpoint) + ("?" + urlencode(args) if args else "")


def chips(params: SearchParams) -> list[tuple[str, str]]:
    """``[(text, URL without it)]`` for every active filter, dates included ("Đang lọc")."""
    out = []
    for facet in FACETS:
        for value in params.values(facet.param):
            out.append((f"{facet.label}: {facet.display(value)}", search_url(params.without(facet.param, value))))
    for param, label, value in (("from", "Từ ngày", params.date_from), ("to", "Đến ngày", params.date_to)):
        if value:
            out.append((f"{label}: {vn_date(value)}", search_url(params.without(param))))
    return out


def filter_url(param: str, value: str) -> str:
    """The search for every entry with this value: ``filter_url("field", "Dân tộc")`` → ``/?field=D%C3%A2n+t%E1%BB%99c``."""
    return search_url(SearchParams().with_filter(param, value))


@bp.app_context_processor
def _helpers():
    return {"KIND_LABELS": KIND_LABELS, "SORT_LABELS": SORT_LABELS, "FACETS": FACETS, "BY_FIELD": BY_FIELD,
            "citation_href": citation_href, "search_url": search_url, "vn_date": vn_date, "filter_url": filter_url,
            "EXPORT_CAP": EXPORT_CAP, "data_as_of": get_service().index_info()}  # {} without an index


@bp.app_template_filter("vn_datetime")
def vn_datetime(value: str) -> str:
    """``"2026-12-06T09:10:00+0700"`` → ``"06/12/2026 02:10 UTC"``; ``""`` when it is not a time."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return ""
    moment = moment.astimezone(timezone.utc) if moment.tzinfo else moment
    return moment.strftime("%d/%m/%Y %H:%M") + (" UTC" if moment.tzinfo else "")


@bp.get("/")
def search_page():
    params = parse_params(request.args)
    if request.args.get(FORM_SENT):
        # the form sends every box, empty or not, and its button: the URL keeps only what is set
        return redirect(search_url(params))
    svc = get_service()
    resp = svc.search(params)
    return render_template("search.html", params=params, resp=resp, options=svc.options(), chips=chips(params),
                           sorts=SORTS, per_page_choices=PER_PAGE_CHOICES, unaccented=fold(params.q).strip(),
                           clear_all=search_url(SearchParams(q=params.q, sort=params.sort, per_page=params.per_page)),
                           unfiltered=search_url(SearchParams(q=params.q)))


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

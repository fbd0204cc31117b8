"""HTML pages: search, entry, document number. Server-rendered, every state of a search in its URL."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timezone
from urllib.parse import urlencode

from flask import Blueprint, abort, redirect, render_template, request, url_for

from indexer.text.normalize import fold
from search_app.fields import BY_FIELD, BY_PARAM, FACETS, KIND_LABELS
from indexer.cite.cues import LABELS, RELATIONS, REVERSE_LABELS
from search_app.params import PER_PAGE_CHOICES, SORTS, ParamError, SearchParams, parse_params, vn_date
from search_app.searchers import NoIndexError
from search_app.entry_pages import relation_groups, relation_problem
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
    return linked_text(entry.get("body", ""), entry.get("citations", []), offset, href=_cite_href)


def _cite_href(cite: dict) -> str:
    """A citation links to the entry of the year its date names, else to the page of its number."""
    return url_for("views.entry_page", entry_id=cite["target"]) if cite.get("target") else citation_href(cite)


# How a long "cited by" list is narrowed on the entry page: parameter → (item field, label, check).
NARROW = {"relation": ("relation", "Quan hệ"), "kind": ("kind", "Loại mục"), "year": ("year", "Năm")}


def narrow_cited_by(items: list[dict], args) -> tuple[list[dict], dict[str, dict[str, int]], dict[str, str]]:
    """``items`` kept by ``?relation=&kind=&year=`` (plain links, no script), the count of each value
    of each (over the items the other two keep), and the values chosen. A value nobody has is a 400."""
    chosen = {p: args.get(p, "").strip() for p in NARROW if args.get(p, "").strip()}
    for param, value in chosen.items():  # the same checks as the search's filters (``fields``)
        problem = relation_problem(value) if param == "relation" else BY_PARAM[param].check(value)
        if problem:
            raise ParamError(param, problem)

    def keeps(item: dict, skip: str = "") -> bool:
        return all(item.get(NARROW[p][0]) == v for p, v in chosen.items() if p != skip)

    counts = {p: dict(Counter(i.get(NARROW[p][0]) or "" for i in items if keeps(i, p))) for p in NARROW}
    counts["relation"] = {r: counts["relation"][r] for r in RELATIONS if r in counts["relation"]}
    counts["year"] = dict(sorted(counts["year"].items(), reverse=True))
    return [i for i in items if keeps(i)], counts, chosen


def narrow_url(entry_id: str, chosen: dict[str, str], param: str, value: str | None) -> str:
    """The entry page with ``param`` set to ``value`` (``None``: removed), the other choices kept."""
    args = {k: v for k, v in {**chosen, param: value}.items() if v}
    return url_for("views.entry_page", entry_id=entry_id, **args) + "#cited-by"


def _render_entry(entry: dict, **extra):
    cited, counts, chosen = narrow_cited_by(entry["cited_by"], request.args)
    return render_template("entry.html", entry=entry, full_text=_full_text(entry), cited=cited, counts=counts,
                           chosen=chosen, NARROW=NARROW, narrow_url=narrow_url, LABELS=LABELS,
                           REVERSE_LABELS=REVERSE_LABELS, cited_groups=relation_groups(cited, REVERSE_LABELS),
                           **extra)


@bp.get("/entry/<path:entry_id>")
def entry_page(entry_id: str):
    entry = get_service().entry(entry_id)
    if entry is None:
        abort(404)
    return _render_entry(entry)


@bp.get("/van-ban/<path:number>")
def number_page(number: str):
    entry, key, several = get_service().by_number(number)
    if entry is None:
        abort(404)
    if several:  # one number, several documents (years): the list, never a guess
        return render_template("number.html", number=number, key=key, entries=several)
    return _render_entry(entry, number=number, key=key)


@bp.get("/healthz")
def healthz():
    """For a load balancer: 200 with the live build folder, entries and age; 503 with the reason when
    the index cannot be served, or when ``?build=NAME`` asks for a build that is not the live one."""
    svc = get_service()
    try:
        health = svc.health()
    except NoIndexError as exc:
        target = svc.index_dir.resolve()
        return {"status": "unavailable", "reason": str(exc), "index": target.name if target.is_dir() else None}, 503
    wanted = request.args.get("build", "").strip()
    if wanted and wanted != health["index"]:
        return {**health, "status": "unavailable", "reason": f"serving build {health['index']}, not {wanted}"}, 503
    return health

"""JSON API: ``/api/search``, ``/api/entries/<id>``, ``/api/citations/<number>``, ``/api/info``; errors in one shape.

Every answer about the index says which data it answers from (``data_as_of``: built / updated, entries).
"""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, request

from search_app.entry_pages import relation_problem
from search_app.params import parse_params
from search_app.service import get_service
from search_app.web import error_response

bp = Blueprint("api", __name__, url_prefix="/api")

@bp.get("/search")
def search():
    params = parse_params(request.args)
    resp = get_service().search(params)
    out = asdict(resp)
    out.pop("number_keys")
    out["notes"] = list(resp.notes)
    out["data_as_of"] = get_service().index_info()
    return out


@bp.get("/info")
def info():
    """When the index was built or last updated and how many entries it holds, and its filters."""
    from search_app.fields import FACETS

    return {"data_as_of": get_service().index_info(),
            "filters": [{"param": f.param, "field": f.field, "label": f.label} for f in FACETS]}


@bp.get("/entries/<path:entry_id>")
def entry(entry_id: str):
    found = get_service().entry(entry_id)
    if found is None:
        return error_response(404, f"Không có mục nào mang mã «{entry_id}».", "id")
    return found


@bp.get("/citations/<path:number>")
def citations(number: str):
    """The entry bearing ``number`` and who cites it; ``?relation=thuc_hien`` keeps one relation;
    ``entries`` lists every document of that number when there are several (years)."""
    relation = request.args.get("relation", "").strip()
    if relation and relation_problem(relation):
        return error_response(400, relation_problem(relation), "relation")
    found, key, several = get_service().citing(number, relation)
    if found is None:
        return error_response(404, f"Kho chưa có văn bản số «{number}».", "number")
    return {"key": key, "entry": found, "cited_by": found["cited_by"], "relation": relation or None,
            "entries": several}

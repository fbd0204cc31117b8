"""JSON API: ``/api/search``, ``/api/entries/<id>``, ``/api/citations/<number>``; errors in one shape."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, request

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
    return out


@bp.get("/entries/<path:entry_id>")
def entry(entry_id: str):
    found = get_service().entry(entry_id)
    if found is None:
        return error_response(404, f"no entry with id {entry_id!r}", "id")
    return found


@bp.get("/citations/<path:number>")
def citations(number: str):
    found, key = get_service().by_number(number)
    if found is None:
        return error_response(404, f"no document numbered {number!r} in the index", "number")
    return {"key": key, "entry": found, "cited_by": found["cited_by"]}

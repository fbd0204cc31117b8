"""A search as data: CSV and JSON exports, an Atom feed (alerts without accounts), OpenSearch.

Each takes the search page's own parameters (``/feed?q=43-CT/TW``), so every link is the page's
URL with another path. Exports hold every page of the result set up to ``EXPORT_CAP`` rows.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import datetime, timezone
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, request, url_for

from search_app.fields import BY_PARAM
from search_app.params import parse_params, vn_date
from search_app.service import get_service
from search_app.views import EXPORT_CAP, search_url

bp = Blueprint("feeds", __name__)

FEED_SIZE = 50
ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ET.register_namespace("", ATOM)
CSV_COLUMNS = (("id", "Mã mục"), ("kind", "Loại mục"), ("doc_number", "Số hiệu"), ("doc_type", "Loại văn bản"),
               ("title", "Tiêu đề / trích yếu"), ("date", "Ngày"), ("agency", "Cơ quan ban hành"),
               ("field", "Lĩnh vực"), ("signer", "Người ký"), ("status", "Tình trạng hiệu lực"),
               ("cite_count", "Số lần được trích dẫn"), ("page", "Trang trong vnlex"), ("url", "Nguồn"))


def _everything():
    """The request's search, every page of it up to ``EXPORT_CAP`` rows (newest first when no query)."""
    params = parse_params(request.args)
    return params, get_service().search(replace(params, page=1, per_page=EXPORT_CAP), snippets=False)


def _entry_url(entry_id: str) -> str:
    return url_for("views.entry_page", entry_id=entry_id, _external=True)


@bp.get("/export.json")
def export_json():
    params, resp = _everything()
    rows = [{k: r.get(k, "") for k, _ in CSV_COLUMNS if k != "page"} | {"page": _entry_url(r["id"])}
            for r in resp.results]
    return {"total": resp.total, "exported": len(rows), "cap": EXPORT_CAP, "truncated": resp.total > len(rows),
            "search": search_url(params, page=None), "data_as_of": get_service().index_info(), "results": rows}


@bp.get("/export.csv")
def export_csv():
    _, resp = _everything()
    out = io.StringIO()
    out.write("\ufeff")  # the BOM tells Excel the file is UTF-8, so Vietnamese shows as written
    writer = csv.writer(out)
    writer.writerow([label for _, label in CSV_COLUMNS])
    kinds = BY_PARAM["kind"]
    for r in resp.results:
        row = r | {"kind": kinds.display(r["kind"]), "date": vn_date(r["date"]), "page": _entry_url(r["id"])}
        writer.writerow([row.get(k, "") for k, _ in CSV_COLUMNS])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="vnlex-ket-qua.csv"'})


def _atom_time(iso: str, fallback: str) -> str:
    """An RFC 3339 time for Atom: an entry's date at midnight UTC, else ``fallback``."""
    return f"{iso}T00:00:00Z" if iso else fallback


def _text(parent, tag: str, text: str, **attrs) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    el.text = text
    return el


@bp.get("/feed")
def feed():
    """The newest ``FEED_SIZE`` entries of a search, newest first (undated last), as Atom."""
    params = replace(parse_params(request.args), page=1, per_page=FEED_SIZE, sort="date")
    svc = get_service()
    resp = svc.search(params)
    info = svc.index_info()
    now = info.get("updated_at") or info.get("built_at") or datetime.now(timezone.utc).isoformat(timespec="seconds")
    now = datetime.fromisoformat(now.replace("Z", "+00:00")).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    root = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: "vi"})
    page = request.host_url.rstrip("/") + search_url(replace(params, sort="relevance", per_page=10))
    _text(root, "title", f"vnlex: {params.q.strip() or 'mục mới'}" + "".join(
        f" · {v}" for _, values in params.filters for v in values))
    _text(root, "subtitle", "Văn bản và bài viết mới nhất khớp với tìm kiếm này (mới nhất trước).")
    _text(root, "id", request.url)
    ET.SubElement(root, f"{{{ATOM}}}link", {"rel": "self", "href": request.url,
                                           "type": "application/atom+xml"})
    ET.SubElement(root, f"{{{ATOM}}}link", {"rel": "alternate", "href": page, "type": "text/html"})
    dated = [r["date"] for r in resp.results if r["date"]]
    _text(root, "updated", _atom_time(max(dated), now) if dated else now)
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    _text(author, "name", "vnlex")
    for r in resp.results:
        entry = ET.SubElement(root, f"{{{ATOM}}}entry")
        link = _entry_url(r["id"])
        _text(entry, "id", link)
        _text(entry, "title", r["title"] or r["doc_number"] or r["id"])
        ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "alternate", "href": link, "type": "text/html"})
        # an undated entry (a document known only from citations) carries the time of the data
        _text(entry, "updated", _atom_time(r["date"], now))
        if r["date"]:
            _text(entry, "published", _atom_time(r["date"], now))
        summary = " · ".join(p for p in (r["doc_number"], r["doc_type"], r["agency"], vn_date(r["date"])) if p)
        _text(entry, "summary", summary or r["title"])
        if r["snippet"]:
            _text(entry, "content", r["snippet"], type="html")
    body = ET.tostring(root, encoding="unicode", xml_declaration=False)
    return Response('<?xml version="1.0" encoding="utf-8"?>\n' + body, mimetype="application/atom+xml")


@bp.get("/opensearch.xml")
def opensearch():
    """An OpenSearch description, so a browser can add vnlex as a search engine."""
    base = request.host_url.rstrip("/")
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">
  <ShortName>vnlex</ShortName>
  <Description>Tra cứu văn bản pháp luật và bài viết trích dẫn chúng</Description>
  <InputEncoding>UTF-8</InputEncoding>
  <Language>vi</Language>
  <Url type="text/html" method="get" template="{base}/?q={{searchTerms}}"/>
  <Url type="application/atom+xml" template="{base}/feed?q={{searchTerms}}"/>
  <Url type="application/opensearchdescription+xml" rel="self" template="{base}/opensearch.xml"/>
</OpenSearchDescription>
"""
    return Response(xml, mimetype="application/opensearchdescription+xml")

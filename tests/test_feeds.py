"""Exports (CSV with a BOM, JSON), the Atom feed of a search and the OpenSearch description, over the tiny index."""

import csv
import io
import xml.etree.ElementTree as ET

import feedparser

from search_app.views import EXPORT_CAP

SEED = "file:thanhhoa-article-2023-04-22.txt"


def page_ids(client, query: str) -> list[str]:
    data = client.get("/api/search?" + query).get_json()
    ids = [r["id"] for r in data["results"]]
    page = 2
    while len(ids) < data["total"]:
        ids += [r["id"] for r in client.get(f"/api/search?{query}&page={page}").get_json()["results"]]
        page += 1
    return ids


def test_csv_export_holds_every_page_in_page_order_with_a_bom(client):
    query = "type=Ch%E1%BB%89+th%E1%BB%8B&type=C%C3%B4ng+v%C4%83n&sort=date"  # 9 entries: Chỉ thị or Công văn
    resp = client.get("/export.csv?" + query + "&page=1")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="vnlex-ket-qua.csv"' in resp.headers["Content-Disposition"]
    raw = resp.get_data()
    assert raw.startswith("\ufeff".encode("utf-8"))  # Excel reads the Vietnamese as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:6] == ["Mã mục", "Loại mục", "Số hiệu", "Loại văn bản", "Tiêu đề / trích yếu", "Ngày"]
    assert [r[0] for r in rows[1:]] == page_ids(client, query)
    assert len(rows) == 1 + 9
    assert {r[3] for r in rows[1:]} == {"Chỉ thị", "Công văn"}
    dates = [r[5] for r in rows[1:] if r[5]]
    assert dates[-1] == "30/05/2012"  # newest first; dates as people read them (Chỉ thị 18/CT-TTg of 2012)
    assert {r[1] for r in rows[1:]} == {"Văn bản", "Văn bản được trích dẫn"}


def test_json_export_states_total_cap_and_the_search(client):
    data = client.get("/export.json?q=ch%E1%BB%89+th%E1%BB%8B&per_page=20&page=1").get_json()
    assert data["cap"] == EXPORT_CAP == 1000
    assert data["total"] == data["exported"] == len(data["results"])
    assert data["truncated"] is False
    assert data["search"] == "/?q=ch%E1%BB%89+th%E1%BB%8B&per_page=20"
    assert [r["id"] for r in data["results"]] == page_ids(client, "q=ch%E1%BB%89+th%E1%BB%8B")
    assert data["data_as_of"]["entries"] == 18


def test_feed_is_valid_atom_newest_first(client):
    resp = client.get("/feed?q=18%2FCT-TTg")
    assert resp.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    ET.fromstring(resp.get_data())  # well-formed XML
    feed = feedparser.parse(resp.get_data())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "vnlex: 18/CT-TTg"
    assert feed.feed.links[1].href == "http://localhost/?q=18%2FCT-TTg"
    published = [e.get("published", "") for e in feed.entries]
    assert len(feed.entries) == 6  # as many as the search finds (4 documents of 18/CT-TTg, the 2018 one, the seed)
    assert published == sorted(published, reverse=True)
    assert feed.entries[0].link == "http://localhost/entry/" + SEED  # the 2023 article is the newest
    assert feed.entries[0].title.startswith("Thanh Hóa ban hành Kế hoạch")


def test_feed_keeps_the_filters_and_ignores_paging(client):
    feed = feedparser.parse(client.get("/feed?type=Ch%E1%BB%89+th%E1%BB%8B&page=2").get_data())
    assert feed.bozo == 0
    assert feed.feed.title == "vnlex: mục mới · Chỉ thị"
    assert len(feed.entries) == 7


def test_opensearch_description(client):
    resp = client.get("/opensearch.xml")
    assert resp.headers["Content-Type"] == "application/opensearchdescription+xml; charset=utf-8"
    root = ET.fromstring(resp.get_data())
    ns = {"os": "http://a9.com/-/spec/opensearch/1.1/"}
    assert root.find("os:ShortName", ns).text == "vnlex"
    templates = {u.get("type"): u.get("template") for u in root.findall("os:Url", ns)}
    assert templates["text/html"] == "http://localhost/?q={searchTerms}"
    assert templates["application/atom+xml"] == "http://localhost/feed?q={searchTerms}"


def test_a_bad_parameter_of_an_export_is_a_400(client):
    assert client.get("/export.csv?year=abc").status_code == 400
    assert client.get("/feed?from=12%2F0").status_code == 400

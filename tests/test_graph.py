"""The citation graph on the demo corpus (``corpus/``): numbers of several years, laws naming
themselves, counts, lowercase numbers, agencies, relations and the status they give, after updates too."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import REPO
from indexer.cite.citations import find_numbers
from indexer.index.build import build
from indexer.index.overview import format_stats, index_stats
from indexer.index.update import update
from search_app import create_app
from search_app.search import SearchService

CORPUS = REPO / "corpus"
ART_2015 = "url:pbgdpl-binhduong.example.vn/pbgdpl/binh-duong-to-chuc-ngay-phap-luat-2015.html"
ART_2019 = "url:pbgdpl-binhduong.example.vn/pbgdpl/pbgdpl-cho-nguoi-chap-hanh-hinh-phat-tu-2019.html"


@pytest.fixture(scope="module")
def demo_index(tmp_path_factory) -> Path:
    index = tmp_path_factory.mktemp("demo") / "index"
    build([CORPUS], index, jobs=1)
    return index


@pytest.fixture(scope="module")
def service(demo_index):
    svc = SearchService(demo_index)
    yield svc
    svc.close()


@pytest.fixture(scope="module")
def client(demo_index):
    return create_app({"INDEX_DIR": str(demo_index), "TESTING": True}).test_client()


def all_ids(service) -> list[str]:
    return sorted(f["id"] for f in service.searcher().all_stored_fields())


# --- one number, two documents: Kế hoạch 3077/KH-UBND of Bình Dương, 2015 and 2019 ------------------

def test_number_of_two_years_lists_both(client):
    html = client.get("/van-ban/3077/KH-UBND").get_data(as_text=True)
    assert "<h1>Các văn bản mang số «3077/KH-UBND»</h1>" in html
    assert 'href="/entry/vb:3077-kh-ubnd-binhduong-2015"' in html
    assert 'href="/entry/vb:3077-kh-ubnd-binhduong-2019"' in html
    data = client.get("/api/citations/3077/KH-UBND").get_json()
    assert [e["id"] for e in data["entries"]] == ["vb:3077-kh-ubnd-binhduong-2015", "vb:3077-kh-ubnd-binhduong-2019"]


def test_each_year_is_cited_by_its_own_article_only(service):
    assert [c["id"] for c in service.entry("vb:3077-kh-ubnd-binhduong-2015")["cited_by"]] == [ART_2015]
    assert [c["id"] for c in service.entry("vb:3077-kh-ubnd-binhduong-2019")["cited_by"]] == [ART_2019]


def test_a_citation_links_to_the_document_of_its_date(client):
    # the 2019 article: "Kế hoạch số 3077/KH-UBND ngày 27/6/2019 …"
    html = client.get(f"/entry/{ART_2019}").get_data(as_text=True)
    assert '<a href="/entry/vb:3077-kh-ubnd-binhduong-2019">Kế hoạch số 3077/KH-UBND</a>' in html
    assert "vb:3077-kh-ubnd-binhduong-2015" not in html


# --- a law naming itself -------------------------------------------------------------------------

def test_a_law_naming_itself_cites_nothing_of_itself(service):
    law = service.entry("vb:14-2012-qh13")  # its text names "Luật Phổ biến, giáo dục pháp luật số 14/2012/QH13"
    assert [c["key"] for c in law["cites"]] == ["luat:danh"]  # "Luật dành các điều riêng …": the extractor's, not a law
    assert law["id"] not in [c["id"] for c in law["cited_by"]]
    assert not [i for i in all_ids(service) if i.startswith("cite:luat:pho bien")]


# --- counts --------------------------------------------------------------------------------------

def test_cite_count_is_the_length_of_cited_by_for_every_entry(service):
    counts = {i: (e["cite_count"], len(e["cited_by"])) for i in all_ids(service) if (e := service.entry(i))}
    assert {i: c for i, c in counts.items() if c[0] != c[1]} == {}
    assert counts["vb:14-2012-qh13"] == (30, 30)  # real documents were 0 before


def test_stats_show_numbers_as_written(demo_index):
    data = index_stats(demo_index)
    numbers = [c["number"] for c in data["most_cited"]]
    assert numbers[:3] == ["14/2012/QH13", "35/2013/QH13", "43-CT/TW"]
    assert "28/2013/NĐ-CP" in numbers
    text = format_stats(data)
    assert "      5  28/2013/NĐ-CP  Nghị định quy định chi tiết" in text
    assert "28/2013/nd-cp" not in text


# --- numbers typed in lowercase ------------------------------------------------------------------

def test_a_lowercase_cong_van_number_is_a_number(client):
    assert find_numbers("6027/ubnd-vx") == [(0, 12, "6027/ubnd-vx")]  # Bình Dương record 1048, typed lowercase
    data = client.get("/api/search", query_string={"q": "2540/ubnd-nc"}).get_json()
    assert data["results"][0]["id"] == "vb:2540-ubnd-nc-binhduong-2021"
    assert data["results"][0]["doc_number"] == "2540/UBND-NC"
    assert client.get("/van-ban/2540/ubnd-nc").status_code == 200


# --- agencies in one spelling per body ------------------------------------------------------------

def test_agencies_in_one_spelling(service):
    agencies = set(service.options()["agency"])
    assert "Ban Bí thư Trung ương Đảng" in agencies and "Ban Bí thư" not in agencies
    assert not {a for a in agencies if a.endswith(".")}
    assert not agencies & {"UBND", "HĐND", "TU", "BCĐ"}
    assert {"UBND tỉnh Bình Dương", "UBND tỉnh Thanh Hóa", "Tỉnh ủy Thanh Hóa", "HĐND tỉnh Thanh Hóa"} <= agencies


# --- relations and the status they give ----------------------------------------------------------

def test_a_replaced_decree_is_no_longer_in_force(service, client):
    # Nghị định 15/2014/NĐ-CP: "… có hiệu lực thi hành kể từ ngày 25/4/2014 và thay thế Nghị định số 160/1999/NĐ-CP"
    old = service.entry("cite:160/1999/nd-cp")
    assert old["status"] == "Hết hiệu lực toàn bộ"
    by = old["status_basis"]["by"]
    assert (by["id"], by["relation"], by["effect_date"]) == ("vb:15-2014-nd-cp", "thay_the", "2014-04-25")
    assert [(g["label"], [i["id"] for i in g["items"]]) for g in old["relations"]["cited_by"]] == [
        ("Văn bản thay thế", ["vb:15-2014-nd-cp"])]
    quote = old["cited_by"][0]["quote"]
    assert (quote["cue"], quote["after"][:35]) == ("thay thế", " Nghị định số 160/1999/NĐ-CP ngày 1")
    # the status column: the filter finds it, the facet counts it
    data = client.get("/api/search", query_string={"status": "Hết hiệu lực toàn bộ", "kind": "cited"}).get_json()
    assert [r["id"] for r in data["results"]] == ["cite:160/1999/nd-cp"]
    assert data["facets"]["status"] == {"Hết hiệu lực toàn bộ": 1}


def test_a_status_given_by_the_record_wins(service):
    entry = service.entry("vb:1915-qd-ubnd-binhduong-2015")
    assert (entry["status"], entry["status_basis"]) == ("Hết hiệu lực toàn bộ", {"record": "Hết hiệu lực toàn bộ"})


def test_entry_page_of_a_plan_shows_its_relations_both_ways(client):
    # Kế hoạch 93/KH-UBND of Thanh Hóa: "Kế hoạch thực hiện Kết luận số 44-KL/TW …", and articles that implement it
    entry = client.get("/api/entries/vb:93-kh-ubnd-thanhhoa-2023").get_json()
    cites = {g["label"]: sorted({i["number"] or i["name"] for i in g["items"]}) for g in entry["relations"]["cites"]}
    assert cites["Thực hiện"] == ["108-KH/TU", "18/CT-TTg", "43-CT/TW", "44-KL/TW", "Luật hoạt động Chữ thập đỏ"]
    cited_by = {g["label"] for g in entry["relations"]["cited_by"]}
    assert "Được thực hiện bởi" in cited_by
    html = client.get("/entry/vb:93-kh-ubnd-thanhhoa-2023").get_data(as_text=True)
    assert '<h3 class="relation rel-thuc_hien">Thực hiện <span class="n">(5)</span></h3>' in html
    assert '<h3 class="relation rel-thuc_hien">Được thực hiện bởi' in html
    assert "<mark>Thực hiện</mark> Kết luận số 44-KL/TW" in html


def test_cited_by_narrowed_by_relation_kind_and_year(client):
    html = client.get("/entry/vb:14-2012-qh13").get_data(as_text=True)
    assert '<nav class="narrow"' in html
    assert 'Văn bản hướng dẫn (1)</a>' in html
    narrowed = client.get("/entry/vb:14-2012-qh13?relation=huong_dan").get_data(as_text=True)
    assert "Đang hiển thị 1 / 30 mục." in narrowed
    assert 'href="/entry/vb:28-2013-nd-cp"' in narrowed
    by_year = client.get("/entry/vb:14-2012-qh13?year=2015&kind=document").get_data(as_text=True)
    assert "Đang hiển thị 1 / 30 mục." in by_year
    resp = client.get("/entry/vb:14-2012-qh13?relation=giai_thich")
    assert resp.status_code == 400 and "Quan hệ" in resp.get_data(as_text=True)


def test_api_filters_cited_by_by_relation(client):
    data = client.get("/api/citations/44-KL/TW?relation=thuc_hien").get_json()
    assert data["relation"] == "thuc_hien" and data["cited_by"]
    assert {c["relation"] for c in data["cited_by"]} == {"thuc_hien"}
    everything = client.get("/api/citations/44-KL/TW").get_json()["cited_by"]
    assert len(data["cited_by"]) == sum(c["relation"] == "thuc_hien" for c in everything)
    bad = client.get("/api/citations/44-KL/TW?relation=giai_thich")
    assert bad.status_code == 400 and bad.get_json()["error"]["param"] == "relation"


# --- update keeps status and counts right ---------------------------------------------------------

REPLACING = {"id": "test:thay-the-10-2016", "kind": "document", "doc_number": "12/2026/TT-BTP",
             "title": "Thông tư quy định về báo cáo viên pháp luật, tuyên truyền viên pháp luật",
             "body": "Thông tư này có hiệu lực thi hành kể từ ngày 01/3/2026 và thay thế Thông tư số 10/2016/TT-BTP "
                     "ngày 22/7/2016 của Bộ trưởng Bộ Tư pháp.",
             "date": "2026-01-15", "doc_type": "Thông tư", "agency": "Bộ Tư pháp"}


def test_update_sets_and_clears_the_status_a_new_record_gives(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    index = tmp_path / "index"
    build([corpus], index, jobs=1)
    extra = corpus / "extra.jsonl"
    extra.write_text(json.dumps(REPLACING, ensure_ascii=False) + "\n", encoding="utf-8")
    update([corpus], index)
    old = entry_now(index, "vb:10-2016-tt-btp")
    assert (old["status"], old["cite_count"], len(old["cited_by"])) == ("Hết hiệu lực toàn bộ", 2, 2)
    assert (old["status_basis"]["by"]["id"], old["status_basis"]["by"]["effect_date"]) == (
        "test:thay-the-10-2016", "2026-03-01")
    extra.unlink()
    update([corpus], index)
    old = entry_now(index, "vb:10-2016-tt-btp")
    assert (old["status"], old["cite_count"], old["status_basis"]) == ("", 1, {"record": ""})


def entry_now(index: Path, entry_id: str) -> dict:
    """The entry as a service opened now reads it (a running one notices a switch within a second)."""
    svc = SearchService(index)
    try:
        return svc.entry(entry_id)
    finally:
        svc.close()

"""JSON API over a real index of a tiny real corpus: numbers in every spelling, filters, citations, errors."""

import re

import pytest

from search_app import create_app

SEED = "file:thanhhoa-article-2023-04-22.txt"


def search(client, **args):
    resp = client.get("/api/search", query_string=args)
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def ids(data):
    return [r["id"] for r in data["results"]]


@pytest.mark.parametrize("q", ["43-CT/TW", "43 - CT/TW", "43-ct/tw", "43- CT/TW", "Chỉ thị số 43-CT/TW",
                               "43 - ct / tw"])
def test_party_number_in_any_spelling_finds_the_directive_then_its_citer(client, q):
    assert ids(search(client, q=q)) == ["cite:43-ct/tw", SEED]


def test_near_miss_separators_find_the_party_number(client):
    data = search(client, q="43/CT-TW")
    assert ids(data) == ["cite:43-ct/tw", SEED]
    assert data["notes"] == ["Số hiệu 43/CT-TW được tìm theo cách viết 43-CT/TW."]


@pytest.mark.parametrize("q, first", [
    ("93/kh-ubnd", "cite:93/kh-ubnd"),            # cited only by the seed article
    ("82/2020/ND-CP", "congbao:5c749a8ad9308f94"),  # congbao page of Nghị định 82/2020/NĐ-CP
    ("82/2020/nđ-cp", "congbao:5c749a8ad9308f94"),
    ("82/2020/NÐ-CP", "congbao:5c749a8ad9308f94"),  # U+00D0
    ("2403/QĐ-UBND", "binhduong:416"),             # the listing typed it as 2403/QÐ-UBND
    ("2403/qd-ubnd", "binhduong:416"),
    ("82 / 2020 / NĐ - CP", "congbao:5c749a8ad9308f94"),
])
def test_number_lookup_ranks_the_document_first(client, q, first):
    assert ids(search(client, q=q))[0] == first


def test_type_and_bare_number_lists_documents_of_that_type(client):
    data = search(client, q="chỉ thị 18")
    assert sorted(ids(data)) == sorted(["cite:18/ct-ttg@2018", "congbao:1f2ae024b01188f0", "congbao:2e3cd7e1bfc36213",
                                        "congbao:2163ee4db7840101", "congbao:b43c4a7989cb566c"])


@pytest.mark.parametrize("q", ["chu thap do", "chữ thập đỏ", "CHỮ THẬP ĐỎ", "chữ thập đỏ"])
def test_folded_and_accented_queries_find_the_article(client, q):
    # the law and the directives named "… chữ thập đỏ" (short entries) may come first; then the article
    found = ids(search(client, q=q))
    assert SEED in found[:3]
    assert set(found) == set(ids(search(client, q="chu thap do")))


def test_phrase_exclusion_and_or(client):
    assert SEED in ids(search(client, q='"hội chữ thập đỏ"'))
    assert ids(search(client, q='"đỏ chữ thập"')) == []
    assert SEED not in ids(search(client, q="chữ thập đỏ -nhân"))
    either = set(ids(search(client, q="khen thưởng OR học sinh")))
    assert either == set(ids(search(client, q="khen thưởng"))) | set(ids(search(client, q="học sinh"))) == {
        "binhduong:0", "binhduong:3974", "cite:34-ct/tw"}


@pytest.mark.parametrize("args, expected", [
    # 4 records of 18/CT-TTg + the cited 43-CT/TW, 34-CT/TW and 18/CT-TTg of 2018
    ({"type": "Chỉ thị"}, 7),
    ({"type": "Chỉ thị", "agency": "Thủ tướng Chính phủ"}, 5),
    ({"type": ["Chỉ thị", "Công văn"]}, 9),
    ({"kind": "article"}, 1),
    ({"kind": "document", "from": "2015-01-01", "to": "31/12/2016"}, 3),
    ({"year": "2013"}, 1),
    ({"year": ["2013", "2012"]}, 2),
    ({"status": "Còn hiệu lực"}, 5),                       # 4 Bình Dương rows + the vbpl.vn page
    ({"status": "Văn bản đang có hiệu lực"}, 5),           # the listing's own wording, canonicalised
    ({"status": "Hết hiệu lực toàn bộ"}, 0),
    ({"signer": "Nguyễn Sinh Hùng"}, 1),                   # signer of 101/2015/QH13 on vbpl.vn
    ({"agency": "Uỷ ban nhân dân tỉnh Bình Dương"}, 4),    # canonical_agency: "UBND tỉnh Bình Dương"
])
def test_filters_narrow_the_result_set(client, args, expected):
    data = search(client, **args)
    assert data["total"] == expected
    if "type" in args:
        wanted = args["type"] if isinstance(args["type"], list) else [args["type"]]
        assert {r["doc_type"] for r in data["results"]} <= set(wanted)


def test_facets_count_the_whole_result_set(client):
    data = search(client, q="18/CT-TTg")
    assert data["facets"]["kind"] == {"document": 4, "article": 1, "cited": 1}
    assert data["facets"]["year"]["2018"] == 1
    assert list(data["facets"]) == ["doc_type", "agency", "field", "status", "signer", "year", "kind"]


def test_year_facet_is_ordered_by_year_newest_first(client):
    years = list(search(client)["facets"]["year"])
    assert years == ["2023", "2022", "2021", "2020", "2018", "2016", "2015", "2014", "2013", "2012"]


def test_status_facet_uses_the_vbpl_wording(client):
    assert search(client)["facets"]["status"] == {"Còn hiệu lực": 5}


def test_search_and_info_say_when_the_data_was_built(client):
    as_of = search(client, q="luật")["data_as_of"]
    assert as_of["entries"] == 18
    assert as_of["updated_at"] == ""
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", as_of["built_at"])
    info = client.get("/api/info").get_json()
    assert info["data_as_of"] == as_of
    assert [f["param"] for f in info["filters"]] == ["type", "agency", "field", "status", "signer", "year", "kind"]


def test_error_messages_are_vietnamese(client):
    error = client.get("/api/search", query_string={"year": "abc"}).get_json()["error"]
    assert error == {"status": 400, "param": "year", "message": "Năm phải gồm 4 chữ số, ví dụ 2023."}


def test_sort_by_date_and_pagination(client):
    data = search(client, sort="date", per_page="10")
    dates = [r["date"] for r in data["results"]]
    assert dates == sorted(dates, reverse=True)
    page2 = search(client, sort="date", per_page="10", page="2")
    assert page2["total"] == data["total"] > 10 and page2["page"] == 2
    assert not set(ids(data)) & set(ids(page2))
    oldest = search(client, sort="date_asc", per_page="10")["results"][0]["date"]
    assert oldest == "2012-05-30"  # Chỉ thị 18/CT-TTg of 2012


def test_snippet_marks_matches_and_escapes_the_rest(client):
    snippet = search(client, q="chu thap do", kind="article")["results"][0]["snippet"]
    assert "<mark>Chữ</mark> <mark>thập</mark> <mark>đỏ</mark>" in snippet
    assert "<script" not in snippet


def test_entry_has_every_field_and_both_citation_lists(client):
    entry = client.get(f"/api/entries/{SEED}").get_json()
    assert entry["author"] == "Lâm Anh"
    assert entry["date"] == "2023-04-22"
    assert entry["body"].startswith("Ngày 18 tháng 4 năm 2023")
    numbers = [c["number"] or c["name"] for c in entry["cites"]]
    assert numbers == ["93/KH-UBND", "44-KL/TW", "43-CT/TW", "108-KH/TU", "Luật hoạt động Chữ thập đỏ", "18/CT-TTg"]
    assert entry["cited_by"] == []


def test_citations_endpoint_any_spelling(client):
    for number in ("18/CT-TTg", "18/ct-ttg", "18 / CT-TTg", "18/CT-TTG"):
        data = client.get(f"/api/citations/{number}").get_json()
        assert data["key"] == "18/ct-ttg"
        assert data["entry"]["kind"] == "document"  # a real 18/CT-TTg record is shown first
        assert data["cited_by"] == []  # the seed cites the 2018 one, not this one
    cited = client.get("/api/entries/cite:18/ct-ttg@2018").get_json()
    assert [c["id"] for c in cited["cited_by"]] == [SEED]


@pytest.mark.parametrize("args, param", [
    ({"from": "2023-13-01"}, "from"),
    ({"to": "hôm qua"}, "to"),
    ({"from": "2024-01-01", "to": "2023-01-01"}, "from"),
    ({"sort": "popular"}, "sort"),
    ({"page": "0"}, "page"),
    ({"page": "abc"}, "page"),
    ({"page": "99"}, "page"),
    ({"per_page": "500"}, "per_page"),
    ({"kind": "blog"}, "kind"),
    ({"year": "abc"}, "year"),
    ({"year": "20"}, "year"),
    ({"from": "12/0"}, "from"),
])
def test_bad_parameters_are_400_naming_the_parameter(client, args, param):
    resp = client.get("/api/search", query_string={"q": "chữ thập đỏ", **args})
    assert resp.status_code == 400
    assert resp.get_json()["error"]["param"] == param
    assert resp.get_json()["error"]["status"] == 400


def test_unknown_entry_and_number_are_404(client):
    assert client.get("/api/entries/nope").get_json()["error"]["status"] == 404
    assert client.get("/api/citations/999/KH-XYZ").status_code == 404


def test_no_index_is_503(tmp_path):
    client = create_app({"INDEX_DIR": str(tmp_path / "none"), "TESTING": True}).test_client()
    resp = client.get("/api/search?q=x")
    assert resp.status_code == 503
    assert resp.get_json()["error"]["status"] == 503


@pytest.mark.parametrize("q", ['"', "(", "AND OR NOT", "a:b", "*a*", "[x TO y]", "\x00", "-", "OR", "\"\"\"", "x" * 10000])
def test_odd_query_strings_never_fail(client, q):
    assert client.get("/api/search", query_string={"q": q}).status_code == 200

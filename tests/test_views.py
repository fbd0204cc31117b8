"""HTML pages through the Flask test client: Vietnamese UI, filters and facets in the URL, errors."""

import re

import pytest

from search_app import create_app

SEED = "file:thanhhoa-article-2023-04-22.txt"


@pytest.fixture(scope="module")
def client(tiny_index):
    return create_app({"INDEX_DIR": str(tiny_index), "TESTING": True}).test_client()


def page(client, url, status=200):
    resp = client.get(url)
    assert resp.status_code == status
    return resp.get_data(as_text=True)


def test_search_page_lists_hits_facets_and_filter_controls(client):
    html = page(client, "/?q=ch%E1%BB%89+th%E1%BB%8B&type=Ch%E1%BB%89+th%E1%BB%8B")  # q=chỉ thị, type=Chỉ thị
    assert '<html lang="vi">' in html
    assert "Tìm thấy <strong>7</strong> kết quả cho «chỉ thị»." in html
    for label in ("Loại văn bản", "Cơ quan ban hành", "Từ ngày", "Đến ngày", "Sắp xếp", "Năm"):
        assert label in html
    assert '<option value="Chỉ thị" selected>' in html
    # the active filter can be removed with one link that keeps the query
    assert re.search(r'<a class="chip" href="/\?q=ch%E1%BB%89\+th%E1%BB%8B"[^>]*>Chỉ thị ×</a>', html)


def test_facet_links_add_a_filter_and_reset_the_page(client):
    html = page(client, "/?q=18%2FCT-TTg&page=1")
    links = re.findall(r'<a href="(/\?[^"]*kind=document[^"]*)">Văn bản</a>', html)
    assert links == ["/?q=18%2FCT-TTg&amp;kind=document"]


def test_entry_page_links_citations_and_lists_both_directions(client):
    html = page(client, f"/entry/{SEED}")
    assert "<h2>Văn bản được trích dẫn <span class=\"n\">(6)</span></h2>" in html
    assert "<h2>Được trích dẫn bởi <span class=\"n\">(0)</span></h2>" in html
    # citations inside the full text are links to their number pages
    assert '<a href="/van-ban/43-CT/TW">Chỉ thị số 43-CT/TW</a>' in html
    assert '<a href="/van-ban/108-KH/TU">Kế hoạch số 108 - KH/TU</a>' in html
    assert "Lâm Anh" in html


def test_number_page_any_spelling(client):
    for url in ("/van-ban/43-CT/TW", "/van-ban/43-ct/tw", "/van-ban/43%20-%20CT/TW"):
        html = page(client, url)
        assert "<h1>Chỉ thị số 43-CT/TW</h1>" in html
        assert "Được trích dẫn bởi <span class=\"n\">(1)</span>" in html


def test_suggestion_is_offered(client):
    html = page(client, "/?q=ch%E1%BB%AF+th%E1%BA%ADb+%C4%91%E1%BB%8F")  # chữ thậb đỏ
    assert 'Có phải bạn muốn tìm: <a href="/?q=ch%E1%BB%AF+th%E1%BA%ADp+%C4%91%E1%BB%8F">chữ thập đỏ</a>?' in html


@pytest.mark.parametrize("url, status, text", [
    ("/?from=2023-02-30", 400, "Giá trị của tham số <code>from</code> không dùng được"),
    ("/?sort=x", 400, "Giá trị của tham số <code>sort</code> không dùng được"),
    ("/entry/khong-co", 404, "Không tìm thấy"),
    ("/van-ban/999/XX-YYY", 404, "Không tìm thấy"),
])
def test_error_pages_speak_vietnamese(client, url, status, text):
    assert text in page(client, url, status)


def test_no_index_page_is_503(tmp_path):
    client = create_app({"INDEX_DIR": str(tmp_path / "none"), "TESTING": True}).test_client()
    assert "Chưa có chỉ mục tìm kiếm" in page(client, "/", 503)


def test_security_headers_on_pages(client):
    resp = client.get("/")
    assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert len(resp.headers["X-Request-Id"]) == 16


def test_healthz_reports_count_and_age(client):
    data = client.get("/healthz").get_json()
    assert data["status"] == "ok"
    assert data["entries"] > 10
    assert data["index_age_seconds"] >= 0

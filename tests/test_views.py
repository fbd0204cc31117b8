"""HTML pages through the Flask test client: Vietnamese UI, filters and facets in the URL, errors."""

import json
import re
import shutil

import pytest

from search_app import create_app
from search_app.views import vn_datetime

SEED = "file:thanhhoa-article-2023-04-22.txt"


def page(client, url, status=200):
    resp = client.get(url)
    assert resp.status_code == status
    return resp.get_data(as_text=True)


def test_search_page_lists_hits_facets_and_filter_controls(client):
    html = page(client, "/?q=ch%E1%BB%89+th%E1%BB%8B&type=Ch%E1%BB%89+th%E1%BB%8B")  # q=chỉ thị, type=Chỉ thị
    assert '<html lang="vi">' in html
    assert "Tìm thấy <strong>7</strong> kết quả cho «chỉ thị»." in html
    for label in ("Loại văn bản", "Cơ quan ban hành", "Từ ngày", "Đến ngày", "Sắp xếp", "Năm", "Lĩnh vực",
                  "Tình trạng hiệu lực"):
        assert label in html
    # the active filter rides along with the form, so "Tìm kiếm" and "Áp dụng" keep it
    assert '<input type="hidden" name="type" value="Chỉ thị">' in html
    # and can be removed with one link that keeps the query
    assert re.search(r'<a class="chip" href="/\?q=ch%E1%BB%89\+th%E1%BB%8B"[^>]*><span>Loại văn bản: Chỉ thị <span', html)


def test_facet_links_add_a_filter_and_reset_the_page(client):
    html = page(client, "/?q=18%2FCT-TTg&page=2", status=400)  # 6 hits: no page 2
    assert "Không có trang 2: kết quả chỉ có 1 trang." in html
    html = page(client, "/?q=18%2FCT-TTg")
    links = re.findall(r'<a href="(/\?[^"]*kind=document[^"]*)">Văn bản</a>', html)
    assert links == ["/?q=18%2FCT-TTg&amp;kind=document"]


@pytest.mark.parametrize("url, clean", [
    # what the form sends (every box, and the button "go"): the URL is tidied to what is set
    ("/?q=lu%E1%BA%ADt&type=&agency=&kind=&from=&to=&sort=relevance&per_page=10&go=1", "/?q=lu%E1%BA%ADt"),
    ("/?type=&from=2015-01-01&to=&go=1", "/?from=01%2F01%2F2015"),
    ("/?sort=date&page=1&q=&go=1", "/?sort=date"),
    ("/?q=&go=1", "/"),
])
def test_a_submitted_form_leads_to_a_url_with_only_what_is_set(client, url, clean):
    resp = client.get(url)
    assert (resp.status_code, resp.headers["Location"]) == (302, clean)
    # the same parameters typed by hand are answered as they are; the page's own links are clean
    html = page(client, url.replace("&go=1", ""))
    assert re.search(r'<a href="([^"]*)" id="export-csv">', html).group(1) == "/export.csv" + clean[1:]
    assert not re.search(r'href="/[^"]*=(?:&amp;|")', html)  # no link with an empty parameter


def test_every_link_of_a_results_page_keeps_every_filter(client):
    # two types (repeated parameter), a year from the facet, a date, a sort and a page size
    args = "q=ch%E1%BB%89+th%E1%BB%8B&type=Ch%E1%BB%89+th%E1%BB%8B&type=C%C3%B4ng+v%C4%83n&year=2012&from=01%2F01%2F2010&sort=date&per_page=20"
    html = page(client, "/?" + args)
    assert "Tìm thấy <strong>1</strong> kết quả cho «chỉ thị»." in html
    for hidden in ('name="type" value="Chỉ thị"', 'name="type" value="Công văn"', 'name="year" value="2012"'):
        assert f"<input type=\"hidden\" {hidden}>" in html
    assert 'name="from" id="f-from" form="s" inputmode="numeric" placeholder="dd/mm/yyyy"' in html
    assert 'value="01/01/2010"' in html
    assert '<option value="date" selected>' in html and '<option value="20" selected>' in html
    chips = re.findall(r'<a class="chip" href="([^"]*)"[^>]*><span>([^<]*) <span', html)
    assert [text for _, text in chips] == ["Loại văn bản: Chỉ thị", "Loại văn bản: Công văn", "Năm: 2012",
                                          "Từ ngày: 01/01/2010"]
    # each chip removes exactly its own value
    assert chips[2][0] == ("/?q=ch%E1%BB%89+th%E1%BB%8B&amp;type=Ch%E1%BB%89+th%E1%BB%8B&amp;type=C%C3%B4ng+v%C4%83n"
                           "&amp;from=01%2F01%2F2010&amp;sort=date&amp;per_page=20")
    assert chips[3][0].endswith("year=2012&amp;sort=date&amp;per_page=20")
    for tool in ("export-csv", "export-json"):
        href = re.search(rf'<a href="([^"]*)" id="{tool}">', html).group(1)
        assert href.endswith("?" + args.replace("&per_page=20", "").replace("&", "&amp;"))


def test_years_are_listed_newest_first(client):
    html = page(client, "/")
    facet = html[html.index('id="facet-year"'):]
    years = re.findall(r'>(\d{4})</a> <span class="n">', facet[:facet.index("</section>")])
    assert years == sorted(years, reverse=True) and len(years) >= 10


def test_no_results_page_gives_hints(client):
    html = page(client, "/?q=xyzz%E1%BB%B3&kind=article")  # xyzzỳ
    assert "Không tìm thấy kết quả nào cho «xyzzỳ»." in html
    assert "Kiểm tra lại chính tả của từ khóa." in html
    assert '<a href="/?q=xyzz%E1%BB%B3">Tìm lại không có bộ lọc</a>' in html
    assert 'Tìm không dấu: <a href="/?q=xyzzy&amp;kind=article">xyzzy</a>.' in html
    assert "Tìm theo số hiệu văn bản, ví dụ «43-CT/TW» hoặc «93/KH-UBND»." in html


def test_number_query_note_and_highlighted_number(client):
    html = page(client, "/?q=43%2Fct-tw")  # 43/ct-tw: the Party number typed in the state style
    assert '<p class="note">Số hiệu 43/CT-TW được tìm theo cách viết 43-CT/TW.</p>' in html
    assert "Không có văn bản" not in html
    assert "<mark>43-CT/TW</mark>" in html


def test_entry_page_links_citations_and_lists_both_directions(client):
    html = page(client, f"/entry/{SEED}")
    assert "<h2>Văn bản được trích dẫn <span class=\"n\">(6)</span></h2>" in html
    assert "<h2>Được trích dẫn bởi <span class=\"n\">(0)</span></h2>" in html
    # citations inside the full text link to the entry they point to (the one of their year)
    assert '<a href="/entry/cite:43-ct/tw">Chỉ thị số 43-CT/TW</a>' in html
    assert '<a href="/entry/cite:108-kh/tu">Kế hoạch số 108 - KH/TU</a>' in html
    # the seed cites "Chỉ thị số 18/CT-TTg ngày 09/7/2018": the 2018 one, not the four older records
    assert '<a href="/entry/cite:18/ct-ttg@2018">Chỉ thị số 18/CT-TTg</a>' in html
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
    ("/?from=2023-02-30", 400, "Ô «Từ ngày» (tham số <code>from</code>) chưa đúng: «2023-02-30» không phải là "
                               "một ngày: hãy nhập theo dạng ngày/tháng/năm (dd/mm/yyyy), ví dụ 18/04/2023."),
    ("/?from=12%2F0", 400, "Ô «Từ ngày» (tham số <code>from</code>) chưa đúng: «12/0» không phải là một ngày"),
    ("/?to=31%2F12%2F2023&from=01%2F01%2F2024", 400, "Từ ngày 01/01/2024 ở sau đến ngày 31/12/2023."),
    ("/?sort=x", 400, "Ô «Sắp xếp» (tham số <code>sort</code>) chưa đúng: Sắp xếp phải là"),
    ("/?year=abc", 400, "Ô «Năm» (tham số <code>year</code>) chưa đúng: Năm phải gồm 4 chữ số, ví dụ 2023."),
    ("/?q=lu%E1%BA%ADt&page=999", 400, "Ô «Trang» (tham số <code>page</code>) chưa đúng: Không có trang 999: "
                                       "kết quả chỉ có 1 trang."),
    ("/entry/khong-co", 404, "Không tìm thấy"),
    ("/van-ban/999/XX-YYY", 404, "Không tìm thấy"),
])
def test_error_pages_speak_vietnamese(client, url, status, text):
    html = page(client, url, status)
    assert text in html
    assert not re.search(r"\b(?:is not|past the|must be|not found)\b", html)


def test_a_bad_value_page_links_back_without_it(client):
    html = page(client, "/?q=lu%E1%BA%ADt&from=12%2F0&type=Lu%E1%BA%ADt", 400)
    assert '<a href="/?q=lu%E1%BA%ADt&amp;type=Lu%E1%BA%ADt">Tìm lại, bỏ giá trị «Từ ngày» này</a>' in html


def test_entry_page_dates_read_dd_mm_yyyy(client):
    html = page(client, "/van-ban/101/2015/QH13")  # the vbpl.vn Thuộc tính page of Bộ luật Tố tụng hình sự
    assert '<dt>Ngày ban hành</dt><dd><time datetime="2015-11-27">27/11/2015</time></dd>' in html
    assert '<dt>Ngày có hiệu lực</dt><dd><time datetime="2018-01-01">01/01/2018</time></dd>' in html
    assert ('<dt>Tình trạng hiệu lực</dt><dd class="status">Còn hiệu lực <span class="basis">(theo thông tin của '
            'nguồn)</span></dd>') in html
    # the signer is a search for everything they signed
    assert ('<dt>Người ký</dt><dd><a href="/?signer=Nguy%E1%BB%85n+Sinh+H%C3%B9ng" title="Các văn bản do Nguyễn Sinh '
            'Hùng ký">Nguyễn Sinh Hùng</a></dd>') in html


def test_every_page_says_when_the_data_was_built_and_how_many_entries(client):
    for url in ("/", "/entry/" + SEED, "/entry/khong-co"):
        html = client.get(url).get_data(as_text=True)
        assert re.search(r'<p class="as-of" id="data-as-of">Dữ liệu tính đến\s+<time datetime="[0-9T:+-]+">'
                         r'\d\d/\d\d/\d{4} \d\d:\d\d UTC</time> · 18 mục trong kho.</p>', html), url


def test_after_an_update_the_footer_gives_the_update_time_first(tiny_index, tmp_path):
    # a copy of the built folder whose build_info.json says it was updated (as indexer.index.update writes it)
    copy = tmp_path / "index"
    shutil.copytree(tiny_index.resolve(), copy)
    info = json.loads((copy / "build_info.json").read_text(encoding="utf-8"))
    info |= {"built_at": "2026-12-01T08:00:00+00:00", "updated_at": "2026-12-05T16:30:00+0700", "entries": 18}
    (copy / "build_info.json").write_text(json.dumps(info), encoding="utf-8")
    html = page(create_app({"INDEX_DIR": str(copy), "TESTING": True}).test_client(), "/")
    assert ('Dữ liệu tính đến\n    <time datetime="2026-12-05T16:30:00+0700">05/12/2026 09:30 UTC</time> '
            '(cập nhật; xây dựng 01/12/2026 08:00 UTC) · 18 mục trong kho.') in html


@pytest.mark.parametrize("value, shown", [
    ("2026-12-06T02:10:05+00:00", "06/12/2026 02:10 UTC"),   # build: datetime.now(timezone.utc).isoformat()
    ("2026-12-06T09:10:05+0700", "06/12/2026 02:10 UTC"),    # update: time.strftime("%Y-%m-%dT%H:%M:%S%z")
    ("", ""),
    ("hôm qua", ""),
])
def test_data_times_read_in_utc(value, shown):
    assert vn_datetime(value) == shown


def test_pages_link_the_opensearch_description_and_results_their_feed(client):
    html = page(client, "/?q=43-CT%2FTW")
    assert '<link rel="search" type="application/opensearchdescription+xml" title="vnlex" href="/opensearch.xml">' in html
    assert ('<link rel="alternate" type="application/atom+xml" title="Mục mới cho tìm kiếm này" '
            'href="/feed?q=43-CT%2FTW">') in html


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

"""indexer.crawl.urls: one spelling per page, the site it is on, the file it is saved to."""

from __future__ import annotations

import pytest

from indexer.crawl.urls import host_key, normalize, page_file, same_site, skipped_type


@pytest.mark.parametrize("given, base, expected", [
    # tracking parameters, a fragment, the default port, the host's case: one page
    ("HTTP://PBGDPL.ThanhHoa.gov.vn:80/tin-tuc/bai-1?utm_source=zalo&utm_medium=social#binh-luan", "",
     "http://pbgdpl.thanhhoa.gov.vn/tin-tuc/bai-1"),
    ("https://stp.thanhhoa.gov.vn:443/?fbclid=IwAR0abc", "", "https://stp.thanhhoa.gov.vn/"),
    # the query is kept, in one order; a blank value is kept (some portals need "?ItemID=1&Keyword=")
    ("https://vbpl.vn/TW/Pages/vbpq-toanvan.aspx?ItemID=22313&Keyword=", "",
     "https://vbpl.vn/TW/Pages/vbpq-toanvan.aspx?ItemID=22313&Keyword="),
    ("/tin-tuc?trang=2&chuyenmuc=5", "http://127.0.0.1:8123/tin-tuc", "http://127.0.0.1:8123/tin-tuc?chuyenmuc=5&trang=2"),
    # relative links, dot segments, a non-default port kept, Vietnamese in the path percent-encoded
    ("../van-ban/./kh-93.html", "http://127.0.0.1:8123/tin-tuc/bai-1", "http://127.0.0.1:8123/van-ban/kh-93.html"),
    ("/tìm-kiếm", "http://portal.vn/", "http://portal.vn/t%C3%ACm-ki%E1%BA%BFm"),
    ("/t%C3%ACm-ki%E1%BA%BFm", "http://portal.vn/", "http://portal.vn/t%C3%ACm-ki%E1%BA%BFm"),
    # not web pages
    ("mailto:it@stp.thanhhoa.gov.vn", "http://portal.vn/", ""),
    ("javascript:void(0)", "http://portal.vn/", ""),
    ("http://portal.vn:99999/", "", ""),
])
def test_normalize(given, base, expected):
    assert normalize(given, base) == expected


def test_www_or_not_is_one_site():
    assert host_key("https://www.thanhhoa.gov.vn/a") == "thanhhoa.gov.vn"
    assert same_site("http://thanhhoa.gov.vn/b", {"thanhhoa.gov.vn"})
    assert not same_site("http://stp.thanhhoa.gov.vn/b", {"thanhhoa.gov.vn"})
    assert not same_site("http://127.0.0.1:8124/b", {"127.0.0.1:8123"})


@pytest.mark.parametrize("url, expected", [
    ("http://portal.vn/files/bieu-mau.DOCX", ".docx"),
    ("http://portal.vn/anh/hoi-nghi.jpg?w=300", ".jpg"),
    ("http://portal.vn/files/kh93.pdf", ""),
    ("http://portal.vn/tin-tuc/bai-1.html", ""),
    ("http://portal.vn/tin-tuc/bai-1", ""),
])
def test_skipped_types_are_never_requested(url, expected):
    assert skipped_type(url) == expected


def test_page_file_is_stable_readable_and_unique():
    url = "http://pbgdpl.thanhhoa.gov.vn/tin-tuc/Kế-hoạch-93?id=5"
    assert page_file(url) == page_file(url)
    assert page_file(url).startswith("pbgdpl.thanhhoa.gov.vn/tin-tuc-ke-hoach-93-id-5-")
    assert page_file("http://127.0.0.1:8123/").startswith("127.0.0.1_8123/index-")
    assert page_file("http://portal.vn/a?b=1") != page_file("http://portal.vn/a-b-1")

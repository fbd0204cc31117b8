"""indexer.crawl.discover and robots: listing pages, pagination, sitemaps, feeds, robots.txt."""

from __future__ import annotations

import gzip

import pytest

from crawl_site import have_data, listing_page, tin_tuc
from indexer.crawl.discover import DiscoverError, feed_links, page_links, read_sitemap
from indexer.crawl.robots import Robots

BASE = "http://127.0.0.1:8123"


@pytest.mark.skipif(not have_data(), reason="shared data not found (set VNLEX_SHARED)")
def test_listing_links_pagination_and_feed():
    # the test portal's "Tin tức" listing: duplicates with tracking parameters and fragments collapse
    links = page_links(tin_tuc(), BASE + "/tin-tuc")
    assert links.next_pages == [BASE + "/tin-tuc?page=2"]
    assert links.feeds == [BASE + "/rss.xml"]
    assert links.pages == [BASE + p for p in (
        "/van-ban", "/tin-tuc/bai-1", "/tin-tuc/bai-2", "/tin-tuc/bai-3", "/tin-tuc/loi-tam-thoi",
        "/tin-tuc/dong-nguoi", "/tin-tuc/cham", "/tin-tuc/vong-lap", "/tin-tuc/rat-lon", "/tin-tuc/anh-hoat-dong",
        "/files/bieu-mau.docx", "/private/noi-bo")]


@pytest.mark.parametrize("anchor, is_next", [
    ('<a href="/tin-tuc?page=3">Trang sau</a>', True),
    ('<a href="/tin-tuc/trang-3">3</a>', True),
    ('<a href="/tin-tuc/page/3/">3</a>', True),
    ('<a href="/tin-tuc?p=3">Tiếp »</a>', True),
    ('<a rel="next" href="/tin-tuc/x">Xem thêm</a>', True),
    ('<a href="/tin-tuc/bai-3">3</a>', False),        # a number that is not a page of the listing
    ('<a href="/tin-tuc/bai-3">Bài 3</a>', False),
])
def test_pagination_is_a_link_that_says_so(anchor, is_next):
    links = page_links(f"<html><body>{anchor}</body></html>", BASE + "/tin-tuc?page=2")
    assert (bool(links.next_pages), bool(links.pages)) == (is_next, not is_next)


def test_base_href_and_pdf_links():
    page = ('<html><head><base href="/van-ban/"></head><body><a href="kh93.pdf">KH93.PDF</a>'
            '<a href="kh-93">Kế hoạch 93</a></body></html>')
    links = page_links(page, BASE + "/index.aspx")
    assert (links.pdfs, links.pages) == ([(BASE + "/van-ban/kh93.pdf", "KH93.PDF")], [BASE + "/van-ban/kh-93"])


URLSET = ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
          f'<url><loc>{BASE}/tin-tuc/bai-1</loc><lastmod>2023-04-22</lastmod></url>'
          f'<url><loc> {BASE}/tin-tuc/bai-6 </loc></url></urlset>')


def test_sitemaps_plain_gzipped_and_index():
    pages = (BASE + "/tin-tuc/bai-1", BASE + "/tin-tuc/bai-6")
    assert read_sitemap(URLSET.encode(), 10_000) == read_sitemap(gzip.compress(URLSET.encode()), 10_000)
    assert read_sitemap(URLSET.encode(), 10_000).urls == pages
    index = (f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>{BASE}/s1.xml.gz'
             f'</loc></sitemap></sitemapindex>')
    assert (read_sitemap(index.encode(), 10_000).is_index, read_sitemap(index.encode(), 10_000).urls) == (
        True, (BASE + "/s1.xml.gz",))


@pytest.mark.parametrize("body, reason", [
    (b"<html><body>404</body></html>", "not a sitemap (root element <html>)"),
    (b"\x1f\x8b\x08\x00trunc", "bad gzip"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><urlset>&a;</urlset>', "sitemap declares XML entities"),
    (b"not xml at all", "not XML"),
])
def test_a_bad_sitemap_is_reported(body, reason):
    with pytest.raises(DiscoverError) as err:
        read_sitemap(body, 10_000)
    assert str(err.value).startswith(reason)


def test_a_gzipped_sitemap_bomb_stops_at_the_limit():
    with pytest.raises(DiscoverError, match="sitemap too large"):
        read_sitemap(gzip.compress(URLSET.encode() + b" " * 50_000), 10_000)


def test_feed_links_rss_and_atom():
    rss = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Tin mới</title>'
           f'<item><title>Bài 2</title><link>{BASE}/tin-tuc/bai-2</link></item>'
           f'<item><title>Bài 7</title><link>{BASE}/tin-tuc/bai-7</link></item></channel></rss>')
    atom = (f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Tin</title>'
            f'<entry><title>Bài 1</title><link href="{BASE}/tin-tuc/bai-1"/><id>1</id></entry></feed>')
    assert feed_links(rss.encode()) == [BASE + "/tin-tuc/bai-2", BASE + "/tin-tuc/bai-7"]
    assert feed_links(atom.encode()) == [BASE + "/tin-tuc/bai-1"]
    with pytest.raises(DiscoverError, match="not a feed"):
        feed_links(listing_page("Tin tức", []).encode())


def test_robots_rules_delay_and_sitemaps():
    robots = Robots("User-agent: *\nDisallow: /private/\nCrawl-delay: 2\n\nUser-agent: vnlex-crawler\n"
                    "Disallow: /tim-kiem\nRequest-rate: 1/5\nSitemap: http://portal.vn/sitemap_index.xml\n",
                    "vnlex-crawler")
    assert (robots.allowed("http://portal.vn/private/a"), robots.allowed("http://portal.vn/tim-kiem?q=x")) == (
        True, False)  # our own group wins over "*"
    assert robots.delay() == 5.0
    assert robots.sitemaps() == ["http://portal.vn/sitemap_index.xml"]
    assert Robots("", "vnlex-crawler").allowed("http://portal.vn/a")
    assert not Robots("", "vnlex-crawler", disallow_all=True).allowed("http://portal.vn/a")

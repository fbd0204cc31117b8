"""Where pages are found: links and pagination of listing pages, sitemaps, RSS/Atom feeds.

Listing pages are read with the standard ``HTMLParser`` (bs4 stays the reader's): only ``<a href>``,
``<base>`` and ``<link rel=next|alternate>`` matter here. Pagination is a link that says so:
``rel="next"``, "Trang sau" / "Tiếp" / "»", or a page number whose URL carries ``page=``, ``trang=``,
``/page/2`` or ``/trang-2``.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from xml.etree import ElementTree

from indexer.crawl.urls import normalize

__all__ = ["DiscoverError", "PageLinks", "page_links", "Sitemap", "read_sitemap", "feed_links"]


class DiscoverError(Exception):
    """A sitemap or feed that cannot be read; ``str(err)`` is the reason for the report."""


# Link texts of "next page" on Vietnamese portals, e.g. "Trang sau", "Tiếp »", "»".
_NEXT_TEXTS = {"trang sau", "sau", "tiếp", "trang tiếp", "tiếp theo", "xem tiếp", "next", "»", "›", ">",
               ">>", "tiếp »", "sau »", "trang sau »", "next »"}
# A URL of a numbered listing page: "?page=2", "?trang=3", "/page/2", "/trang-2", "/p2".
_PAGED_URL_RE = re.compile(r"[?&](?:page|trang|p|pg|pageindex|currentpage)=\d+|/(?:page|trang)[/-]?\d+/?(?:$|\?)"
                           r"|/p\d+/?$", re.IGNORECASE)
_FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/feed+json", "text/xml",
               "application/xml"}


@dataclass
class PageLinks:
    """What a listing page links to: ``pages`` (in order, once each), ``next_pages``, ``feeds``, ``pdfs``."""

    pages: list[str] = field(default_factory=list)
    next_pages: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    pdfs: list[tuple[str, str]] = field(default_factory=list)  # (url, link text)


class _LinkParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.base = ""
        self.links: list[tuple[str, str, str]] = []  # (href, rel, text)
        self.feeds: list[str] = []
        self._open: list[list[str]] = []  # the <a> being read: [href, rel, text…]

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "base" and a.get("href") and not self.base:
            self.base = a["href"]
        elif tag == "link" and a.get("href"):
            rel = a.get("rel", "").lower().split()
            if "next" in rel:
                self.links.append((a["href"], "next", ""))
            elif "alternate" in rel and a.get("type", "").lower() in _FEED_TYPES:
                self.feeds.append(a["href"])
        elif tag == "a" and a.get("href"):
            self._open.append([a["href"], a.get("rel", "").lower()])

    def handle_data(self, data):
        if self._open:
            self._open[-1].append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._open:
            href, rel, *text = self._open.pop()
            self.links.append((href, rel, " ".join("".join(text).split())))


def page_links(html: str, page_url: str) -> PageLinks:
    """The links of a listing page, made absolute and normalized (see ``urls.normalize``)."""
    parser = _LinkParser()
    parser.feed(html)
    parser.close()
    base = normalize(parser.base, page_url) if parser.base else page_url
    out, seen = PageLinks(), {page_url}
    for href, rel, text in parser.links:
        url = normalize(href, base)
        if not url or url in seen:
            continue
        seen.add(url)
        words = text.casefold()
        if "next" in rel.split() or words in _NEXT_TEXTS or (words.isdigit() and _PAGED_URL_RE.search(url)):
            out.next_pages.append(url)
        elif url.lower().split("?")[0].endswith(".pdf"):
            out.pdfs.append((url, text))
        else:
            out.pages.append(url)
    out.feeds = list(dict.fromkeys(u for u in (normalize(h, base) for h in parser.feeds) if u))
    return out


@dataclass(frozen=True)
class Sitemap:
    """A sitemap's ``<loc>`` URLs: other sitemaps (an index) or pages (a urlset)."""

    is_index: bool
    urls: tuple[str, ...]


def read_sitemap(body: bytes, max_bytes: int) -> Sitemap:
    """A sitemap or sitemap index, plain or gzipped (``.xml.gz``, ``Content-Encoding`` aside)."""
    if body.startswith(b"\x1f\x8b"):
        try:
            body = gzip.GzipFile(fileobj=io.BytesIO(body)).read(max_bytes + 1)
        except (OSError, EOFError, zlib.error) as err:
            raise DiscoverError(f"bad gzip ({err})") from None
        if len(body) > max_bytes:
            raise DiscoverError(f"sitemap too large (> limit {max_bytes} bytes uncompressed)")
    if b"<!ENTITY" in body[:4096].upper():  # no entities in a sitemap: refuse entity-expansion tricks
        raise DiscoverError("sitemap declares XML entities")
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as err:
        raise DiscoverError(f"not XML ({err})") from None
    tag = root.tag.rpartition("}")[2]
    if tag not in ("sitemapindex", "urlset"):
        raise DiscoverError(f"not a sitemap (root element <{tag}>)")
    locs = [el.text.strip() for el in root.iter() if el.tag.rpartition("}")[2] == "loc" and el.text]
    return Sitemap(tag == "sitemapindex", tuple(locs))


def feed_links(body: bytes) -> list[str]:
    """The entry links of an RSS or Atom feed (feedparser), in feed order."""
    import feedparser  # only crawls that meet a feed pay for the import

    parsed = feedparser.parse(body)
    if parsed.bozo and not parsed.entries:
        raise DiscoverError(f"not a feed ({type(parsed.bozo_exception).__name__}: {parsed.bozo_exception})")
    return [entry.link for entry in parsed.entries if entry.get("link")]

"""HTML pages → page fields: portal article pages and vbpl.vn document pages (the only bs4 user).

``read_html`` finds the title, the article text (the most specific content element, page furniture
removed), the author, attachments, attribute tables ("Số ký hiệu | 101/2015/QH13 | …") and, on
vbpl.vn, the "Thuộc tính" and "Toàn văn" layouts; what a page does not state stays empty.

A page saved by ``indexer.crawl`` ends with a ``<script id="vnlex-crawl">`` JSON block (``crawl.store``):
its ``url`` is where the page was fetched, and its attachments' text (PDFs) is the body of a page that
has no full text of its own.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Iterable
from urllib.parse import quote, unquote, urljoin, urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag

from indexer.document import Attachment
from indexer.read import legaltext, pagetext
from indexer.read.dates import parse_date
from indexer.read.files import SkipFile

__all__ = ["read_html", "CRAWL_BLOCK_ID"]

CRAWL_BLOCK_ID = "vnlex-crawl"  # the id of the JSON block the crawler appends to a saved page (crawl.store)


# --- HTML ----------------------------------------------------------------------------------------

# Tags whose text is never page text, and tags that start a new paragraph.
_SKIP_TAGS = {"script", "style", "noscript", "template", "iframe", "svg", "object", "embed", "head", "title",
              "button", "input", "select", "textarea", "option", "form", "nav", "aside"}
_BLOCK_TAGS = {"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td",
               "th", "table", "section", "article", "header", "footer", "main", "blockquote", "pre", "br",
               "hr", "figure", "figcaption", "address", "center", "caption"}
# class/id of page furniture inside the content area, e.g. <div class="share">, <div id="comment-box">.
# ("print" is not one: portals wrap the article itself in <div id="print-area">.)
_FURNITURE_RE = re.compile(r"banner|menu|navbar|breadcrumb|share|social|comment|footer|sidebar|related|toolbar"
                           r"|advert|popup|login|search|rating|tags?\b", re.IGNORECASE)
# Where the article text sits, most specific first; the first one with text wins.
_CONTENT_SELECTORS = ("[itemprop=articleBody]", ".news-content", ".article-content", ".article-body",
                      ".detail-content", ".content-detail", ".entry-content", ".post-content", ".noidung",
                      ".news-detail .content", ".content", "article", ".news-detail", "main", "#content", "body")
_AUTHOR_SELECTORS = (".author", ".tacgia", ".tac-gia", ".news-author", ".article-author", "[itemprop=author]",
                     ".byline", "[rel=author]")
_ATTACHMENT_SELECTORS = (".attachments", ".attachment", ".attach", ".file-attach", ".dinhkem", ".tep-dinh-kem")
_ATTACHMENT_HEAD_RE = re.compile(r"\s*(?:File|Tệp|Tài liệu) đính kèm", re.IGNORECASE)
# A link that hides its file behind JavaScript, e.g. vbpl.vn "javascript:downloadfile('a.doc','/TW/…/a.doc')".
_JS_FILE_RE = re.compile(r"""javascript:.*?['"](/[^'"]+\.\w{2,5})['"]""")
# A page with less text than this (e.g. a "Thuộc tính" table, a two-line summary above "File đính kèm")
# has no full text of its own: the text of its PDF attachments, when the crawler saved it, is its body.
_FULL_TEXT_CHARS = 500
_PUBLISHED_META = ("article:published_time", "og:published_time", "datePublished", "pubdate", "publishdate",
                   "date", "dc.date", "dc.date.issued")


def _text(node: Tag) -> str:
    """All text of an element on one line."""
    return " ".join(node.get_text(" ").split())


def _blocks(root: Tag) -> list[str]:
    """The paragraphs of an element, in order: block tags split, inline tags joined, spaces squashed."""
    out: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = " ".join("".join(buffer).split())
        if text:
            out.append(text)
        buffer.clear()

    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:  # iterative: badly nested pages go deeper than Python's recursion limit
        node, leaving = stack.pop()
        if leaving:
            flush()
        elif type(node) is NavigableString:
            buffer.append(str(node))
        elif isinstance(node, Tag) and node.name not in _SKIP_TAGS:
            if node.name in _BLOCK_TAGS:
                flush()
                stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.contents))
    flush()
    return out


def _meta(soup: BeautifulSoup, *names: str) -> str:
    """The first non-empty ``<meta>`` content among ``names`` (property, name or itemprop)."""
    for name in names:
        tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name}) \
            or soup.find("meta", attrs={"itemprop": name})
        if tag and tag.get("content", "").strip():
            return " ".join(tag["content"].split())
    return ""


def _page_url(soup: BeautifulSoup) -> str:
    """The page's own absolute URL (og:url, canonical), default ports dropped; else ``""``."""
    link = soup.find("link", rel="canonical")
    for url in (_meta(soup, "og:url"), link.get("href", "") if link else ""):
        parts = urlsplit(url.strip())
        if parts.scheme in ("http", "https") and parts.hostname:
            netloc = parts.hostname + (f":{parts.port}" if parts.port not in (None, 80, 443) else "")
            return parts._replace(netloc=netloc).geturl()
    return ""


def _title(soup: BeautifulSoup) -> str:
    """og:title, else the first <h1> outside header/banner, else <title> without " | site"."""
    title = _meta(soup, "og:title") or next((_text(h1) for h1 in soup.find_all("h1") if _text(h1) and not any(
        _FURNITURE_RE.search(_ident(p)) or p.name == "header" for p in h1.parents)), "")
    if not title and soup.title:
        title = _text(soup.title)
        site = _meta(soup, "og:site_name").casefold()
        for sep in (" | ", " - ", " – "):
            head, _, tail = title.rpartition(sep)
            if head and (sep == " | " or tail.strip().casefold() == site):
                title = head
                break
    return title


def _ident(tag: Tag) -> str:
    """class and id of an element, for ``_FURNITURE_RE``."""
    return " ".join(tag.get("class") or []) + " " + (tag.get("id") or "") if isinstance(tag, Tag) else ""


def _link_url(href: str, page_url: str) -> str:
    """An attachment link made absolute against the page URL (kept as given when there is none)."""
    js = _JS_FILE_RE.match(href)
    href = quote(js.group(1), safe="/%") if js else href
    if href.startswith("javascript:"):
        return ""
    return urljoin(page_url, href) if page_url else href


def _links(blocks: Iterable[Tag], page_url: str) -> tuple[Attachment, ...]:
    """File links of attachment blocks: name = the link text if it names a file, else the URL's file name."""
    out: dict[str, Attachment] = {}
    for block in blocks:
        for a in block.find_all("a", href=True):
            url = _link_url(a["href"].strip(), page_url)
            name = _text(a)
            if not pagetext.is_file_name(name):  # "Tải về" → "kh93.pdf"; "Xem nhanh" (a viewer page) → none
                name = unquote(urlsplit(url).path.rpartition("/")[2])
            if pagetext.is_file_name(name) and name not in out:
                out[name] = Attachment(name, url)
    return tuple(out.values())


def _attachment_blocks(soup: BeautifulSoup) -> list[Tag]:
    """Blocks with attachment links: by class, or the box (≤ 2 levels up) around a "File đính kèm" label."""
    blocks = soup.select(", ".join(_ATTACHMENT_SELECTORS))
    for label in soup.find_all(string=_ATTACHMENT_HEAD_RE):
        box = next((p for p in list(label.parents)[:3] if p.find("a", href=True)), None)
        if box is not None and box.name not in ("body", "html", "[document]"):
            blocks.append(box)
    return blocks


def _author(tags: list[Tag], soup: BeautifulSoup) -> str:
    """The first author element with text ("Tác giả: " dropped), else ``<meta name="author">``."""
    text = next((_text(tag) for tag in tags if _text(tag)), "") or _meta(soup, "author")
    return re.sub(r"^(?:Tác giả|Người viết|Bài viết|Bài)\s*:\s*", "", text)[:100]


def _content(soup: BeautifulSoup) -> Tag:
    """The most specific element of ``_CONTENT_SELECTORS`` that has text (one pass over the page)."""
    candidates = [tag for tag in soup.select(", ".join(_CONTENT_SELECTORS)) if _text(tag)]
    for selector in _CONTENT_SELECTORS:
        match = next((tag for tag in candidates if tag.css.match(selector)), None)
        if match is not None:
            return match
    return soup


def read_html(text: str) -> tuple[pagetext.PageFields, str, tuple[Attachment, ...], str]:
    """An HTML page → (fields, its URL, attachments, the URL it states); vbpl.vn pages have their own layout.

    The URL is where the crawler fetched the page (``vnlex-crawl`` block), else the one it states
    (og:url, canonical); the stated one, when there is one, names the page (its id)."""
    soup = BeautifulSoup(text, "html.parser")
    crawled = _crawl_block(soup)
    stated = _page_url(soup)
    url = crawled.get("url") or stated
    if "vbpl.vn" in urlsplit(stated).netloc or "VBQPPL_UserControls" in text:
        page, _, attachments = _vbpl_page(soup, url)
    else:
        page, attachments = _portal_page(soup, url)
    return _with_attachment_text(page, crawled), url, attachments, stated or url


def _crawl_block(soup: BeautifulSoup) -> dict:
    """The crawler's ``vnlex-crawl`` block, removed from the page: ``{"url", "attachments"}``, or ``{}``."""
    tag = soup.find("script", id=CRAWL_BLOCK_ID)
    if tag is None:
        return {}
    try:
        data = json.loads(tag.string or "")
    except ValueError:
        data = {}
    tag.decompose()
    return data if isinstance(data, dict) else {}


def _with_attachment_text(page: pagetext.PageFields, crawled: dict) -> pagetext.PageFields:
    """The page, its body the text of its PDFs when it has no full text of its own (``_FULL_TEXT_CHARS``)."""
    texts = [a.get("text") or "" for a in crawled.get("attachments") or () if isinstance(a, dict)]
    lines = [" ".join(line.split()) for text in texts if isinstance(text, str) for line in text.splitlines()]
    lines = [line for line in lines if line]
    if not lines or sum(map(len, page.body)) >= _FULL_TEXT_CHARS:
        return page
    return dataclasses.replace(page, body=tuple(page.body) + tuple(lines))


def _portal_page(soup: BeautifulSoup, url: str) -> tuple[pagetext.PageFields, tuple[Attachment, ...]]:
    """A portal article or document page (any layout but vbpl.vn's)."""
    attachment_blocks, author_tags = _attachment_blocks(soup), soup.select(", ".join(_AUTHOR_SELECTORS))
    known = _table_fields(soup)
    known.update(published=parse_date(_meta(soup, *_PUBLISHED_META) or _time(soup)),
                 author=_author(author_tags, soup), publisher=pagetext.publisher(soup.get_text("\n")))
    title, attachments = _title(soup), _links(attachment_blocks, url)
    for tag in attachment_blocks + author_tags:
        if not tag.decomposed:
            tag.decompose()
    content = _content(soup)
    for tag in content.find_all(lambda t: t.name in ("h1", "header", "footer") or _FURNITURE_RE.search(_ident(t))):
        if not tag.decomposed:
            tag.decompose()
    page = pagetext.build_page(_blocks(content), title=title, body_start=0, known=known)
    return page, attachments


def _time(soup: BeautifulSoup) -> str:
    """``<time datetime="2023-04-22T16:23:56">`` of the page, or ``""``."""
    tag = soup.find("time", datetime=True)
    return tag["datetime"] if tag else ""


# vbpl.vn: the issuer row of the attribute table holds three values and may span several rows.
_ISSUER_ROW_RE = re.compile(r"Cơ quan ban hành\s*/\s*Chức danh\s*/\s*Người ký", re.IGNORECASE)
_LONGEST_LABELED_CELL = 200


def _table_fields(root: Tag) -> dict[str, str]:
    """Fields of attribute tables: "Số ký hiệu | 101/2015/QH13 | Ngày ban hành | 27/11/2015" → fields."""
    out: dict[str, str] = {}
    agencies: list[str] = []
    signers: list[str] = []
    issuer_rows = 0
    for row in root.find_all("tr"):
        cells = row.find_all(["td", "th"], recursive=False)
        texts = [_text(c) for c in cells]
        if issuer_rows and len(texts) == 3:  # a joint issuer: agency, position, signer
            agencies.append(texts[0])
            signers.append(texts[2])
            issuer_rows -= 1
            continue
        if texts and _ISSUER_ROW_RE.fullmatch(texts[0]):
            agencies += texts[1:2]
            signers += texts[3:4]
            span = str(cells[0].get("rowspan") or "1")
            issuer_rows = int(span) - 1 if span.isdigit() else 0
            continue
        if len(texts) >= 2 and legaltext.is_label(texts[0]) and legaltext.is_label(texts[1]):
            continue  # the header row of a listing ("Số án lệ | Tên án lệ | Tải về")
        _row_fields(out, texts)
    for name, values in (("agency", agencies), ("signer", signers)):
        values = list(dict.fromkeys(v for v in values if v))
        if values and not out.get(name):
            out[name] = ", ".join(values)
    return out


def _row_fields(out: dict[str, str], texts: list[str]) -> None:
    """One table row: "label | value" pairs, or cells that hold "Label: value" themselves."""
    i = 0
    while i < len(texts):
        if legaltext.is_label(texts[i]):
            value = texts[i + 1] if i + 1 < len(texts) and not legaltext.is_label(texts[i + 1]) else ""
            legaltext.apply_label(out, texts[i], value)
            i += 2
            continue
        if len(texts[i]) <= _LONGEST_LABELED_CELL:  # "Tình trạng hiệu lực: Còn hiệu lực"
            for name, value in legaltext.labeled_fields(texts[i]).items():
                out.setdefault(name, value)
        i += 1


_VBPL_FIELDS = ("title", "date", "doc_number", "doc_type", "agency", "signer", "effective_date", "status", "field")


def _vbpl_page(soup: BeautifulSoup, url: str) -> tuple[pagetext.PageFields, str, tuple[Attachment, ...]]:
    """A vbpl.vn "Thuộc tính" (attribute table) or "Toàn văn" (full text) page; other tabs are skipped."""
    props, full = soup.select_one(".vbProperties"), soup.select_one(".toanvancontent")
    if props is None and full is None:
        raise SkipFile("not a document page (a vbpl.vn listing, relation or diagram page)")
    body = _blocks(full) if full is not None else []
    fields = _vbpl_full_text(soup, full, body) if full is not None else {}
    fields.update((k, v) for k, v in _vbpl_attributes(soup, props).items() if v)  # the table wins
    page = pagetext.PageFields(kind="document", body=tuple(body),
                               **{name: fields.get(name, "") for name in _VBPL_FIELDS})
    return page, url, _links(soup.select(".vbFile, ul.fileAttack"), url)


def _vbpl_attributes(soup: BeautifulSoup, props: Tag | None) -> dict[str, str]:
    """The attribute table, its abstract (first ``td.title``), the status box and the breadcrumb type."""
    known = _table_fields(props) if props is not None else {}
    cell = props.select_one("td.title") if props is not None else None
    abstract = _text(cell) if cell is not None else ""
    if abstract and ":" not in abstract:  # "Tố tụng hình sự"; "Tình trạng hiệu lực: …" is a label cell
        known.setdefault("title", abstract)
    for item in soup.select(".vbInfo li"):  # "Hiệu lực: Còn hiệu lực", "Ngày có hiệu lực: 01/01/2018"
        for name, value in legaltext.labeled_fields(_text(item)).items():
            known.setdefault(name, value)
    crumbs = soup.select(".box-map li")  # "… » Bộ luật 100/2015/QH13"
    if crumbs and not known.get("doc_type"):
        known["doc_type"] = legaltext.canonical_doc_type(re.sub(r"\s+(?:\S*\d\S*|Không số)$", "", _text(crumbs[-1])))
    return known


def _vbpl_full_text(soup: BeautifulSoup, full: Tag, body: list[str]) -> dict[str, str]:
    """Heading, header ("QUỐC HỘI", "Số: 100/2015/QH13", "Hà Nội, ngày …") and signer of a full text."""
    fields = legaltext.document_header("\n".join(
        line for sibling in reversed(full.find_previous_siblings()) for line in _blocks(sibling)))
    fields["doc_type"], fields["title"] = legaltext.heading(body[:10])
    names = [_text(p) for p in soup.select("table.table_cqbh_cd_nk p")]  # position, "(Đã ký)", name
    fields["signer"] = next((name for name in reversed(names) if name and not name.startswith("(")), "")
    return fields

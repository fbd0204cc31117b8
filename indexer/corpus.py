"""Read the corpus: files → ``Document`` records, plus a report of every file or line not used.

The only module that imports bs4. Formats, chosen by extension and checked against content:

- ``.html``/``.htm`` portal article pages (title, "Ngày tạo: …", author, "File đính kèm") and legal
  document pages: vbpl.vn "Thuộc tính" / "Toàn văn" pages, or any page with an attribute table.
- ``.txt`` page-text dumps of such pages (rules in ``indexer.pagetext``).
- ``.jsonl``/``.ndjson``/``.json`` records in the ``Document`` schema (see ``corpus/README.md``).
- Any of these gzipped (``.jsonl.gz``, ``.html.gz``).

Bytes become text in ``indexer.decode``; every text field then goes through ``normalize.clean``.
Nothing is invented: a field the input does not state stays empty.

The pure steps live beside this module: ``corpusfiles`` (walk, formats, ids, the report), ``decode``
(bytes → text), ``pagetext`` / ``legaltext`` (text → fields), ``records`` (JSON records), ``dates``.
Ids never depend on reading order: a record's own ``id``; a page's og:url / canonical URL
(``url:vbpl.vn/tw/pages/vbpq-toanvan.aspx?itemid=96122``); else its path under the corpus folder
(``file:articles/foo.html``), which is why ``read_file`` takes that folder as ``root``.
"""

from __future__ import annotations

import gzip
import logging
import re
import zlib
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator
from urllib.parse import quote, unquote, urljoin, urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag

from indexer import legaltext, pagetext
from indexer.corpusfiles import (  # re-exported: the build imports the whole reading API from here
    MAX_RECORD_BYTES, PROGRESS_EVERY, RECORD_SUFFIXES, SUPPORTED_SUFFIXES, CorpusError, CorpusResult, Problem,
    ReadProgress, ReadReport, SeenIds, SkipFile, TooLarge, corpus_root, file_format, file_id, iter_files, read_limited,
    text_format, too_large, url_id,
)
from indexer.dates import parse_date
from indexer.decode import DecodeError, decode_bytes
from indexer.document import Attachment, Document
from indexer.records import (TEXT_FIELDS, Outcome, RecordError, iter_json_text, make_document, read_big_json,
                             read_records, record_stem)

__all__ = ["CorpusError", "Problem", "ReadReport", "ReadProgress", "CorpusResult", "CorpusReader", "iter_corpus",
           "read_corpus", "read_file", "iter_files", "corpus_root", "MAX_RECORD_BYTES"]

log = logging.getLogger(__name__)


# --- reading -------------------------------------------------------------------------------------


class _File:
    """One file read as a stream: ``documents()`` yields (line, document); what is not used becomes a
    ``Problem`` and the record counts are kept here. Line 0 is a page, lines from 1 are records."""

    def __init__(self, path: Path, root: Path | None, max_record_bytes: int):
        self.path, self.root, self.limit = path, root, max_record_bytes
        self.on_record: Callable[[], None] | None = None  # called after each record line (for progress)
        self.raw: BinaryIO | None = None
        self.records_read = self.records_skipped = self.documents_read = 0
        self.problems: list[Problem] = []

    def position(self) -> int:
        """Bytes of the file on disk read so far (compressed bytes for a ``.gz``)."""
        return self.raw.tell() if self.raw is not None and not self.raw.closed else 0

    def problem(self, line: int, reason: str) -> None:
        self.problems.append(Problem(str(self.path), line, reason))

    def documents(self) -> Iterator[tuple[int, Document]]:
        """Every failure becomes a ``Problem`` (the build never stops on a bad file or line)."""
        try:
            with self.path.open("rb") as self.raw:
                for line, outcome in _outcomes(self.path, self.raw, self.root, self.limit):
                    if line:
                        self.records_read += 1
                        if self.on_record:
                            self.on_record()
                    if isinstance(outcome, Document):
                        self.documents_read += 1
                        yield line, outcome
                    else:
                        self.records_skipped += 1
                        self.problem(line, outcome)
        except SkipFile as skip:
            self.problem(skip.line, str(skip))
        except OSError as err:
            self.problem(0, f"cannot read file: {err.strerror or err}")
        except Exception as err:  # a page that trips a parser must be reported, never stop the build
            log.exception("corpus: unexpected error reading %s", self.path)
            self.problem(0, f"cannot parse file ({type(err).__name__}: {err})")
        if not self.documents_read and not self.problems:  # e.g. a .json holding "[]"
            self.problem(0, "no records")


class CorpusReader:
    """The documents of a corpus, one at a time: ``for doc in reader`` (or ``reader.documents()``), then
    ``reader.report``. A later document whose id was seen before is reported, not yielded.

    Memory does not grow with file size: one record (or page) is held at a time; only the table of ids
    seen so far, to report duplicates, grows with the number of records (``SeenIds``: 35–70 bytes each).
    ``check_duplicates=False`` yields every document, repeated ids too, in flat memory (e.g. to count).
    ``progress`` gets a ``ReadProgress`` after each file and every ``PROGRESS_EVERY`` records within one.
    """

    def __init__(self, paths: Iterable[str | Path] | str | Path, *, max_record_bytes: int = MAX_RECORD_BYTES,
                 progress: Callable[[ReadProgress], None] | None = None, check_duplicates: bool = True):
        self.roots = [Path(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths)]
        self.files = iter_files(self.roots)  # a missing path fails here, before any reading
        self.max_record_bytes, self.progress, self.check_duplicates = max_record_bytes, progress, check_duplicates
        self.report: ReadReport | None = None  # set once documents() is exhausted
        self._counts = dict.fromkeys(("files_read", "files_used", "records_read", "records_used",
                                      "records_skipped"), 0)
        self._problems: list[Problem] = []
        self._started = False
        self._bytes_done = 0
        self._bytes_total = sum(_size(path) for path in self.files)

    def __iter__(self) -> Iterator[Document]:
        return self.documents()

    def documents(self) -> Iterator[Document]:
        """Every usable document, in file order; ``self.report`` is set when the iteration ends."""
        if self._started:
            raise RuntimeError("a CorpusReader reads its corpus once")
        self._started = True
        seen = SeenIds() if self.check_duplicates else None  # where each id was first read: file << 32 | line
        for number, path in enumerate(self.files):
            file = _File(path, corpus_root(path, self.roots), self.max_record_bytes)
            file.on_record = lambda: self._tick(file)
            used = False
            for line, doc in file.documents():
                first = seen.first(doc.id, number << 32 | line) if seen is not None else None
                if first is not None:
                    file.problem(line, f"duplicate id {doc.id} (first in {self._where(first)})")
                    file.records_skipped += bool(line)
                    continue
                used = True
                self._counts["records_used"] += bool(line)
                yield doc
            self._end_file(file, used)
        self.report = ReadReport(files_skipped=self._counts["files_read"] - self._counts["files_used"],
                                 problems=tuple(self._problems), **self._counts)

    def _where(self, packed: int) -> str:
        path, line = self.files[packed >> 32], packed & 0xFFFFFFFF
        return f"{path}#{line}" if line else str(path)

    def _tick(self, file: _File) -> None:
        """One more record line read: every ``PROGRESS_EVERY``, tell ``progress`` how far the bytes are."""
        self._counts["records_read"] += 1
        if self.progress and self._counts["records_read"] % PROGRESS_EVERY == 0:
            self._report_progress(self._bytes_done + file.position())

    def _end_file(self, file: _File, used: bool) -> None:
        self._counts["files_read"] += 1
        self._counts["files_used"] += used
        self._counts["records_skipped"] += file.records_skipped
        self._problems += file.problems
        for problem in file.problems:  # the CLI prints the report once; -v shows them as they come
            log.info("corpus: %s", problem)
        self._bytes_done += _size(file.path)
        if self.progress:
            self._report_progress(self._bytes_done)

    def _report_progress(self, bytes_done: int) -> None:
        self.progress(ReadProgress(files_done=self._counts["files_read"], files_total=len(self.files),
                                   records_done=self._counts["records_read"], bytes_done=bytes_done,
                                   bytes_total=self._bytes_total))


def iter_corpus(paths: Iterable[str | Path] | str | Path, *, max_record_bytes: int = MAX_RECORD_BYTES,
                progress: Callable[[ReadProgress], None] | None = None,
                check_duplicates: bool = True) -> CorpusReader:
    """Stream a corpus: ``reader = iter_corpus(paths)``, ``for doc in reader: …``, then ``reader.report``.

    ``max_record_bytes`` limits one record (a line, a list item) or one page file, never a whole file.
    """
    return CorpusReader(paths, max_record_bytes=max_record_bytes, progress=progress,
                        check_duplicates=check_duplicates)


def read_corpus(paths: Iterable[str | Path] | str | Path, *, max_record_bytes: int = MAX_RECORD_BYTES,
                progress: Callable[[ReadProgress], None] | None = None) -> CorpusResult:
    """Read every corpus file into memory (``iter_corpus`` streams instead); see ``CorpusReader``."""
    reader = iter_corpus(paths, max_record_bytes=max_record_bytes, progress=progress)
    documents = tuple(reader)
    return CorpusResult(documents, reader.report)


def read_file(path: str | Path, *, root: str | Path | None = None,
              max_record_bytes: int = MAX_RECORD_BYTES) -> tuple[list[Document], list[Problem]]:
    """Read one file. Pass the corpus folder as ``root`` so path-based ids match ``read_corpus``."""
    file = _File(Path(path), Path(root) if root is not None else None, max_record_bytes)
    documents = [doc for _, doc in file.documents()]
    return documents, file.problems


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _outcomes(path: Path, raw: BinaryIO, root: Path | None, limit: int) -> Iterator[Outcome]:
    """The outcomes of one open file by its format: records streamed, a page or small ``.json`` read whole."""
    if _size(path) == 0:
        raise SkipFile("empty file")
    suffix, gz = file_format(path)
    if suffix not in SUPPORTED_SUFFIXES:
        raise SkipFile(f"unsupported file type ({suffix})")
    fh = gzip.GzipFile(fileobj=raw, mode="rb") if gz else raw
    if suffix in RECORD_SUFFIXES - {".json"}:
        yield from read_records(fh, path, limit)
        return
    big = not gz and _size(path) > limit
    if not big:
        try:
            data = read_limited(fh, limit)
        except TooLarge:
            big = True
    if big:  # a records file of any size is read; a page (or one .json object) must fit the limit
        if suffix in (".json", "") and _json_head(raw, gz):
            raw.seek(0)
            yield from read_big_json(gzip.GzipFile(fileobj=raw, mode="rb") if gz else raw, path, limit)
            return
        raise TooLarge(too_large("page file", limit, None if gz else _size(path)))
    yield from _read_data(path, root, suffix, data)


def _json_head(raw: BinaryIO, gz: bool) -> bool:
    """Whether a file too large for one page starts like JSON (``{`` or ``[``): then it is read as records."""
    raw.seek(0)
    fh = gzip.GzipFile(fileobj=raw, mode="rb") if gz else raw
    try:
        head = fh.read(4096)
    except (OSError, EOFError, zlib.error):
        return False
    return head.lstrip(b" \t\r\n\xef\xbb\xbf\xff\xfe\x00")[:1] in (b"{", b"[")


def _read_data(path: Path, root: Path | None, suffix: str, data: bytes) -> Iterator[Outcome]:
    """Decoded bytes → records (.json) or one page document (HTML, page text)."""
    try:
        text = decode_bytes(data)
    except DecodeError as err:
        raise SkipFile(str(err)) from None
    kind = text_format(suffix, text)
    if kind == "json":
        try:
            yield from iter_json_text(text, record_stem(path), str(path))
        except RecordError as err:
            raise SkipFile(str(err)) from None
        return
    if kind == "html":
        page, url, attachments = _read_html(text)
    else:
        page = pagetext.parse_text_page(text)
        url, attachments = "", tuple(Attachment(name) for name in page.attachments)
    if not page.title and not page.body:
        raise SkipFile("no usable text (no title and no body found)")
    yield 0, _page_document(page, url, attachments, path, root)


# --- pages (.html, .txt) -------------------------------------------------------------------------


def _page_document(page: pagetext.PageFields, url: str, attachments: tuple[Attachment, ...],
                   path: Path, root: Path | None) -> Document:
    """A page's ``Document``: id from its URL when it states one, else from its path under the corpus."""
    values = {name: getattr(page, name) for name in TEXT_FIELDS if hasattr(page, name) and name != "body"}
    values["body"] = "\n\n".join(page.body)
    values["url"], values["source"] = url, (urlsplit(url).hostname or "") if url else ""
    doc_id = url_id(url) if url else file_id(path, root)
    return make_document(values, doc_id=doc_id, kind=page.kind, attachments=attachments, path=str(path))


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


def _read_html(text: str) -> tuple[pagetext.PageFields, str, tuple[Attachment, ...]]:
    """An HTML page → (fields, its URL, attachments); vbpl.vn pages have their own layout."""
    soup = BeautifulSoup(text, "html.parser")
    url = _page_url(soup)
    if "vbpl.vn" in urlsplit(url).netloc or "VBQPPL_UserControls" in text:
        return _vbpl_page(soup, url)
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
    return page, url, attachments


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

"""Read the corpus: files → ``Document`` records, one at a time, plus a report of every file or line
not used.

Formats, chosen by extension and checked against content:

- ``.html``/``.htm`` portal article pages (title, "Ngày tạo: …", author, "File đính kèm") and legal
  document pages: vbpl.vn "Thuộc tính" / "Toàn văn" pages, or any page with an attribute table
  (``html``, the only bs4 user).
- ``.txt`` page-text dumps of such pages (``pagetext``).
- ``.jsonl``/``.ndjson``/``.json`` records in the ``Document`` schema (``records``; see
  ``corpus/README.md``), streamed: a records file may be of any size.
- Any of these gzipped (``.jsonl.gz``, ``.html.gz``).

Bytes become text in ``decode``; every text field then goes through ``indexer.text.normalize.clean``.
Nothing is invented: a field the input does not state stays empty. ``files`` walks the corpus and
keeps the report. Ids never depend on reading order: a record's own ``id``; a page's og:url /
canonical URL (``url:vbpl.vn/tw/pages/vbpq-toanvan.aspx?itemid=96122``), else the URL a crawled page
was fetched from (``indexer.crawl``); else its path under the corpus folder
(``file:articles/foo.html``), which is why ``read_file`` takes that folder as ``root``.
"""

from __future__ import annotations

import gzip
import logging
import zlib
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator
from urllib.parse import urlsplit

from indexer.read import pagetext
from indexer.read.files import (
    MAX_RECORD_BYTES, PROGRESS_EVERY, RECORD_SUFFIXES, SUPPORTED_SUFFIXES, CorpusError, CorpusResult, Problem,
    ReadProgress, ReadReport, SeenIds, SkipFile, TooLarge, corpus_root, file_format, file_id, iter_files, read_limited,
    text_format, too_large, url_id,
)
from indexer.read.decode import DecodeError, decode_bytes
from indexer.document import Attachment, Document
from indexer.read.html import read_html
from indexer.read.jsonlist import iter_json_text, read_big_json
from indexer.read.records import (TEXT_FIELDS, Outcome, RecordError, make_document,
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
        page, url, attachments, stated = read_html(text)
    else:
        page = pagetext.parse_text_page(text)
        url, stated, attachments = "", "", tuple(Attachment(name) for name in page.attachments)
    if not page.title and not page.body:
        raise SkipFile("no usable text (no title and no body found)")
    yield 0, _page_document(page, url, attachments, path, root, stated)


# --- pages (.html, .txt) -------------------------------------------------------------------------


def _page_document(page: pagetext.PageFields, url: str, attachments: tuple[Attachment, ...],
                   path: Path, root: Path | None, stated: str = "") -> Document:
    """A page's ``Document``: id from the URL it states (else the one it was crawled from), else from
    its path under the corpus; ``url`` is where it was crawled from, else the one it states."""
    values = {name: getattr(page, name) for name in TEXT_FIELDS if hasattr(page, name) and name != "body"}
    values["body"] = "\n\n".join(page.body)
    values["url"], values["source"] = url, (urlsplit(url).hostname or "") if url else ""
    doc_id = url_id(stated or url) if stated or url else file_id(path, root)
    return make_document(values, doc_id=doc_id, kind=page.kind, attachments=attachments, path=str(path))

"""The corpus as files: which are read (``iter_files``), what format each is, their ids, and the report.

``ReadReport`` counts reconcile: ``files_read == files_used + files_skipped`` and, for record lines,
``records_read == records_used + records_skipped``; each file or line not used is one ``Problem``.

Size: ``MAX_RECORD_BYTES`` (20 MB, the ``max_record_bytes`` option, ``--max-record-bytes`` on the command
line) limits ONE record (a line of a ``.jsonl``, an item of a ``.json`` list) or ONE page file (HTML, text),
decompressed. A records file of any size is streamed; only its oversized records are skipped.
"""

from __future__ import annotations

import gzip
import re
import zlib
from array import array
from dataclasses import dataclass
from hashlib import blake2b
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit

from indexer.document import Document

__all__ = ["CorpusError", "SkipFile", "TooLarge", "Problem", "ReadReport", "ReadProgress", "CorpusResult",
           "iter_files", "corpus_root", "SeenIds", "url_id", "file_id", "file_format", "read_limited", "too_large",
           "text_format", "MAX_RECORD_BYTES", "PROGRESS_EVERY", "RECORD_SUFFIXES", "HTML_SUFFIXES", "TEXT_SUFFIXES",
           "SUPPORTED_SUFFIXES"]


class CorpusError(Exception):
    """A corpus path given by the user does not exist."""


class SkipFile(Exception):
    """This file (or the rest of it, from ``line`` on) cannot be used; ``str(err)`` is the reason for the report."""

    def __init__(self, reason: str, line: int = 0):
        super().__init__(reason)
        self.line = line


class TooLarge(SkipFile):
    """More than ``max_record_bytes`` bytes where one record or one page was expected."""


# The largest record (one line of a .jsonl, one item of a .json list) or page file read, decompressed.
MAX_RECORD_BYTES = 20_000_000
PROGRESS_EVERY = 1000  # records between two progress calls within one file
RECORD_SUFFIXES = {".jsonl", ".ndjson", ".json"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml", ".aspx", ".php"}
TEXT_SUFFIXES = {".txt", ".text"}
# Anything else (.pdf, .docx, .csv …) is reported as unsupported; a file without one is sniffed.
SUPPORTED_SUFFIXES = HTML_SUFFIXES | TEXT_SUFFIXES | RECORD_SUFFIXES | {""}
# What counts as an extension: "a.html" has one, "Báo cáo số 1.2023" does not.
_EXTENSION_RE = re.compile(r"\.[a-z0-9]{0,4}[a-z][a-z0-9]{0,4}")


# --- the report ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """A file (``line`` 0) or a record line that was not used, and why."""

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass(frozen=True)
class ReadReport:
    """Counts that reconcile (read = used + skipped) and one ``Problem`` per thing not used."""

    files_read: int = 0
    files_used: int = 0
    files_skipped: int = 0
    records_read: int = 0
    records_used: int = 0
    records_skipped: int = 0
    problems: tuple[Problem, ...] = ()

    def to_dict(self) -> dict:
        """JSON-ready: the counts and ``problems`` as ``{"path", "line", "reason"}`` dicts."""
        out = {k: getattr(self, k) for k in ("files_read", "files_used", "files_skipped",
                                             "records_read", "records_used", "records_skipped")}
        out["problems"] = [{"path": p.path, "line": p.line, "reason": p.reason} for p in self.problems]
        return out

    def lines(self) -> list[str]:
        """A summary line, then one ``path:line: reason`` line per problem."""
        head = (f"files: {self.files_read} read, {self.files_used} used, {self.files_skipped} skipped; "
                f"records: {self.records_read} read, {self.records_used} used, {self.records_skipped} skipped")
        return [head] + [str(p) for p in self.problems]


@dataclass(frozen=True)
class CorpusResult:
    """What ``read_corpus`` returns."""

    documents: tuple[Document, ...]
    report: ReadReport


@dataclass(frozen=True)
class ReadProgress:
    """How far reading has gone: sent after each file and every ``PROGRESS_EVERY`` records within one.

    Bytes are of the files on disk (compressed size for ``.gz``), so ``bytes_done / bytes_total`` gives a
    rate and an ETA; ``records_done`` counts record lines read, used or not.
    """

    files_done: int
    files_total: int
    records_done: int
    bytes_done: int
    bytes_total: int


# --- walking -------------------------------------------------------------------------------------


def _ignored(path: Path) -> bool:
    """Hidden files and folders, notes (``README.md``, ``*.md``) and ``PROVENANCE*`` files."""
    name = path.name
    return name.startswith(".") or name.lower().endswith(".md") or name.upper().startswith("PROVENANCE")


def _walk(folder: Path) -> Iterator[Path]:
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if _ignored(entry):
            continue
        if entry.is_dir() and not entry.is_symlink():  # a linked folder could loop
            yield from _walk(entry)
        elif entry.is_file():
            yield entry


def iter_files(paths: Iterable[str | Path]) -> list[Path]:
    """The files ``read_corpus`` reads: files as given, folders walked in name order (see ``_ignored``)."""
    out: list[Path] = []
    for given in map(Path, [paths] if isinstance(paths, (str, Path)) else paths):
        if given.is_file():
            out.append(given)
        elif given.is_dir():
            out += _walk(given)
        else:
            raise CorpusError(f"corpus path not found: {given} (give a folder of pages or a records file)")
    return out


def corpus_root(path: str | Path, roots: Iterable[str | Path]) -> Path:
    """The corpus folder among ``roots`` that holds ``path`` (its parent when given as a file)."""
    path = Path(path)
    for root in map(Path, roots):
        if root.is_dir() and (root == path or root in path.parents):
            return root
    return path.parent


# --- ids ---------------------------------------------------------------------------------------


# Parameters that say who sent the visitor, not which page: e.g. "?utm_source=zalo", "?fbclid=IwAR…"
# (the crawler drops them from the URLs it fetches, so ids and crawled pages agree).
TRACKING_RE = re.compile(r"utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|igshid|mc_cid|mc_eid|_ga|_gl"
                         r"|zarsrc|ref_src|sessionid|phpsessid|jsessionid|aspsessionid\w*", re.IGNORECASE)


def url_id(url: str) -> str:
    """``https://www.vbpl.vn:443/TW/Pages/a.aspx?ItemID=1&Keyword=`` → ``url:vbpl.vn/tw/pages/a.aspx?itemid=1``."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    query = sorted((k.lower(), v) for k, v in parse_qsl(parts.query) if not TRACKING_RE.fullmatch(k))
    return "url:" + (host + parts.path.rstrip("/") + ("?" + urlencode(query) if query else "")).lower()


class SeenIds:
    """The ids read so far and where each was first read, in 35–70 bytes an id (up to half again while the
    table doubles; a dict of the id strings took about 200), for readers that stream millions of records.

    An id is kept as its 128-bit BLAKE2b digest (two ids would share one once in 10^19 ids); slots are
    ``array('Q')`` rows found by linear probing, the tables doubled when 70% full.
    """

    def __init__(self, capacity: int = 1024):
        self._count = 0
        self._allocate(capacity)

    def _allocate(self, slots: int) -> None:
        self._mask = slots - 1
        self._hi, self._lo, self._where = (array("Q", bytes(8 * slots)) for _ in range(3))

    def __len__(self) -> int:
        return self._count

    def first(self, doc_id: str, where: int) -> int | None:
        """``None`` when ``doc_id`` is new (it is remembered with ``where``), else the ``where`` of its first time."""
        digest = blake2b(doc_id.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        hi, lo = int.from_bytes(digest[:8], "little") | 1, int.from_bytes(digest[8:], "little")  # 0: an empty slot
        slot = lo & self._mask
        while self._hi[slot]:
            if self._hi[slot] == hi and self._lo[slot] == lo:
                return self._where[slot]
            slot = (slot + 1) & self._mask
        self._hi[slot], self._lo[slot], self._where[slot] = hi, lo, where
        self._count += 1
        if self._count * 10 > len(self._hi) * 7:
            self._grow()
        return None

    def _grow(self) -> None:
        old = (self._hi, self._lo, self._where)
        self._allocate(2 * len(self._hi))
        for hi, lo, where in zip(*old):
            if hi:
                slot = lo & self._mask
                while self._hi[slot]:
                    slot = (slot + 1) & self._mask
                self._hi[slot], self._lo[slot], self._where[slot] = hi, lo, where


def file_id(path: Path, root: Path | None) -> str:
    """``file:articles/foo.html``: the path relative to the corpus folder it was found in."""
    try:
        relative = path.relative_to(root) if root is not None else path
    except ValueError:
        relative = path
    return "file:" + relative.as_posix()


# --- formats -------------------------------------------------------------------------------------


def file_format(path: Path) -> tuple[str, bool]:
    """(format suffix, gzipped): ``"a.jsonl.gz"`` → ``(".jsonl", True)``, ``"KH số 1.2023"`` → ``("", False)``."""
    suffixes = [s.lower() for s in path.suffixes]
    gz = bool(suffixes) and suffixes[-1] == ".gz"
    if gz:
        suffixes.pop()
    suffix = suffixes[-1] if suffixes else ""
    return (suffix if _EXTENSION_RE.fullmatch(suffix) else ""), gz


def too_large(what: str, limit: int, size: int | None = None) -> str:
    """The reason for something over the limit, naming the option that raises it."""
    amount = f"{size} bytes > limit {limit}" if size is not None else f"> limit {limit} bytes"
    return f"{what} too large ({amount}; raise the limit with --max-record-bytes)"


def read_limited(fh: BinaryIO, max_bytes: int, what: str = "page file") -> bytes:
    """All of ``fh`` (a plain or gzip stream), or ``TooLarge`` as soon as it holds more than ``max_bytes``."""
    try:
        data = fh.read(max_bytes + 1)
    except EOFError:
        raise SkipFile("truncated gzip (the file ends before its compressed data does)") from None
    except (gzip.BadGzipFile, zlib.error) as err:
        raise SkipFile(f"not a valid gzip file ({err})") from None
    if len(data) > max_bytes:
        raise TooLarge(too_large(what, max_bytes))
    return data


def text_format(suffix: str, text: str) -> str:
    """``"json"``, ``"html"`` or ``"text"``: the extension decides, the content overrules a wrong one."""
    head = text.lstrip("\ufeff \t\r\n")[:1000].lower()
    if head.startswith(("<!doctype html", "<html")):
        return "html"
    if suffix == ".json" or (suffix not in HTML_SUFFIXES | TEXT_SUFFIXES and head.startswith(("{", "["))):
        return "json"
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix not in TEXT_SUFFIXES and re.match(r"<(?:\?xml|body|head|div|p|table|meta)\b", head):
        return "html"
    return "text"




""".json records files: one object, a list of objects, or JSON lines after all (``iter_json_text``);
a list larger than ``max_record_bytes`` is read item by item without holding the file
(``iter_json_list``, ``read_big_json``): an item that is too large, not valid JSON or not valid UTF-8
costs that item only, and a list cut short keeps the items before the break.
"""

from __future__ import annotations

import codecs
import gzip
import json
import re
import zlib
from pathlib import Path
from typing import BinaryIO, Iterator

from indexer.read.files import MAX_RECORD_BYTES, SkipFile, too_large
from indexer.read.decode import stream_encoding
from indexer.document import Document
from indexer.read.records import Outcome, RecordError, _outcome, read_records, record_stem

__all__ = ["iter_json_text", "iter_json_list", "read_big_json"]


# --- .json files ---------------------------------------------------------------------------------


def iter_json_text(text: str, stem: str, path: str) -> Iterator[Outcome]:
    """A ``.json`` file: one object, a list of objects (numbered by item), or JSON lines after all."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        if err.msg != "Extra data":
            raise RecordError(f"invalid JSON: {err.msg} (line {err.lineno}, column {err.colno})") from None
        for number, line in enumerate(text.split("\n"), 1):
            if line.strip():
                yield _outcome(number, line, stem, path)
        return
    if not isinstance(data, (dict, list)):
        raise RecordError("a .json file must hold an object or a list of objects")
    for number, item in enumerate([data] if isinstance(data, dict) else data, 1):
        yield _outcome(number, "", stem, path, obj=item)


_CHUNK = 1 << 18  # bytes read at a time: the text buffer is a few times this
_DECODER = json.JSONDecoder()
_SPACE_RE = re.compile(r"[ \t\n\r]*")
_UNDECODED_RE = re.compile("[\udc80-\udcff]")  # bytes kept by "surrogateescape"
_TOKEN_RE = {False: re.compile(r'["\[\]{}]'), True: re.compile(r'["\\]')}  # outside / inside a string


class _Text:
    """The decoded text of a binary stream, read in chunks: ``buf[pos:]`` is what is not used yet."""

    def __init__(self, fh: BinaryIO, encoding: str):
        # a byte that does not decode becomes a lone surrogate: it costs the item that holds it, not the file
        self.fh, self.decoder = fh, codecs.getincrementaldecoder(encoding)(errors="surrogateescape")
        self.buf, self.pos, self.eof = "", 0, False
        self.broken: Exception | None = None

    def more(self, at_least: int = 0) -> bool:
        """Drop the used text and read at least ``at_least`` bytes more; False at the end of the stream.

        A gzip that breaks (cut short, corrupt) raises only once the text read before the break is used.
        """
        if self.eof:
            return False
        if self.broken is not None:
            raise self.broken
        parts, want = [], max(at_least, _CHUNK)
        try:
            while want > 0:
                data = self.fh.read1(want)  # what one read gives: the bytes before a break are not lost
                if not data:
                    self.eof = True
                    break
                parts.append(data)
                want -= len(data)
        except (EOFError, gzip.BadGzipFile, zlib.error) as err:
            if not parts:
                raise
            self.broken = err
        self.buf = self.buf[self.pos:] + self.decoder.decode(b"".join(parts), final=self.eof)
        self.pos = 0
        return True

    def next_char(self) -> str:
        """The next character that is not JSON whitespace (not consumed), ``""`` at the end."""
        while True:
            self.pos = _SPACE_RE.match(self.buf, self.pos).end()
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.more():
                return ""

    def skip_value(self, number: int) -> None:
        """Move past the value at ``pos`` by its brackets and quotes alone (it is too large or invalid)."""
        depth, in_string, pos = 0, False, self.pos
        while True:
            match = _TOKEN_RE[in_string].search(self.buf, pos)
            if match is None or (match.group() == "\\" and match.end() == len(self.buf)):  # need the next chunk
                self.pos = match.start() if match else len(self.buf)
                if not self.more():
                    raise SkipFile(f"the file ends inside item {number}", number)
                pos = self.pos
                continue
            token, pos = match.group(), match.end()
            if in_string:
                pos += token == "\\"  # an escaped character, e.g. \" inside a string
                in_string = token != '"'
            elif token == '"':
                in_string = True
            else:
                depth += 1 if token in "[{" else -1
            if depth < 0:  # a scalar item ended by the list's "]"
                pos = match.start()
            if depth <= 0 and not in_string:
                self.pos = pos
                return


def _item(text: _Text, number: int, stem: str, path: str, limit: int) -> Document | str:
    """Decode the list item at ``text.pos``, reading on until it is complete or over ``limit``."""
    while True:
        try:
            obj, end = _DECODER.raw_decode(text.buf, text.pos)
        except json.JSONDecodeError as err:
            unfinished = err.msg.startswith("Unterminated string") or err.pos >= len(text.buf) - 8
            if unfinished and len(text.buf) - text.pos <= limit and text.more(len(text.buf)):
                continue
            text.skip_value(number)
            return too_large("record", limit) if unfinished else f"invalid JSON: {err.msg}"
        except RecursionError:
            text.skip_value(number)
            return "invalid JSON: nested too deeply"
        size, start, text.pos = end - text.pos, text.pos, end
        if _UNDECODED_RE.search(text.buf, start, end):
            return "item is not valid UTF-8"
        if size * 4 > limit:  # the limit is in bytes (UTF-8), the buffer in characters
            size = len(text.buf[start:end].encode("utf-8", "surrogatepass"))
        if size > limit:
            return too_large("record", limit, size)
        return _outcome(number, "", stem, path, obj=obj)[1]


def iter_json_list(fh: BinaryIO, path: Path, max_record_bytes: int = MAX_RECORD_BYTES) -> Iterator[Outcome]:
    """The items of a ``.json`` list, one in memory at a time (for a file too big to read whole).

    An item over ``max_record_bytes`` or with invalid JSON inside its brackets is skipped, and reading
    goes on after it; broken structure between items ends the file with ``SkipFile`` (earlier items kept).
    """
    head = fh.peek(4)[:4]
    text = _Text(fh, stream_encoding(head) or "utf-8-sig")
    stem, name = record_stem(path), str(path)
    if text.next_char() != "[":
        raise SkipFile("a .json file over the size limit must hold a list of records or JSON lines")
    text.pos += 1
    number = 0
    while (char := text.next_char()) != "]":
        if number:
            if char != ",":
                found = f"{char!r}" if char else "the end of the file"
                raise SkipFile(f"invalid JSON after item {number}: expected ',' or ']', found {found}", number + 1)
            text.pos += 1
            if text.next_char() in ("", "]"):
                raise SkipFile(f"invalid JSON after item {number}: a ',' with no item after it", number + 1)
        elif not char:
            raise SkipFile("the file ends inside the list", 1)
        number += 1
        yield number, _item(text, number, stem, name, max_record_bytes)


def read_big_json(fh: BinaryIO, path: Path, max_record_bytes: int = MAX_RECORD_BYTES) -> Iterator[Outcome]:
    """A ``.json`` file too big to read whole: a list streamed item by item, else JSON lines (whose first
    line must then be a whole record: one object larger than the limit is not read)."""
    head = fh.peek(8192)[:8192]
    first = head.decode(stream_encoding(head) or "utf-8-sig", errors="ignore").lstrip(" \t\r\n\ufeff")[:1]
    if first == "[":
        number = 0
        try:
            for number, outcome in iter_json_list(fh, path, max_record_bytes):
                yield number, outcome
        except EOFError:
            raise SkipFile(f"truncated gzip: the file ends inside item {number + 1}", number + 1) from None
        except (gzip.BadGzipFile, zlib.error) as err:
            raise SkipFile(f"not a valid gzip file ({err})") from None
        return
    for n, (number, outcome) in enumerate(read_records(fh, path, max_record_bytes)):
        if n == 0 and isinstance(outcome, str) and ("invalid JSON" in outcome or "too large" in outcome):
            raise SkipFile(too_large("one JSON value", max_record_bytes) + "; a big .json must be a list or "
                           "JSON lines")
        yield number, outcome

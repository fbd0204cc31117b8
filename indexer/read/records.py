"""Records in the project's own schema (``.jsonl``, ``.jsonl.gz``, ``.json`` files) → ``Document``;
and the last step every reader shares: ``make_document`` (``clean``, fields squashed, ``content_hash``).

A record is a JSON object with ``Document`` fields (see ``corpus/README.md``), e.g.
``{"id": "kh-93-2023", "title": "Kế hoạch 93/KH-UBND …", "date": "18/04/2023", "doc_number": "93/KH-UBND"}``.
Only ``title`` or ``body`` is required; unknown keys are ignored; ``path`` and ``content_hash`` are
recomputed. A wrong type, a bad date or an unknown ``kind`` rejects that record with a reason.

Records files are streamed, never read whole: JSON lines one line at a time here, a ``.json`` list larger
than ``max_record_bytes`` one item at a time (``jsonlist``). ``max_record_bytes`` limits ONE record;
a bad line (invalid JSON, control bytes, invalid UTF-8, a truncated last line, a record over the limit)
is skipped with its line number and reason, and every other line is used.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import zlib
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO, Iterator

from indexer.read.files import MAX_RECORD_BYTES, RECORD_SUFFIXES, SkipFile, too_large
from indexer.read.dates import parse_date
from indexer.read.decode import binary_kind, stream_encoding
from indexer.document import KINDS, Attachment, Document, content_hash
from indexer.text.normalize import clean

__all__ = ["RecordError", "TEXT_FIELDS", "record_document", "iter_jsonl", "make_document", "clean_line",
           "clean_body", "record_stem", "read_records", "Outcome"]

Outcome = tuple[int, "Document | str"]  # (line or item number, the record or why it was rejected)


class RecordError(ValueError):
    """A record, or a whole records file, cannot be used; ``str(err)`` is the reason for the report."""


# Scalar Document fields a record may carry as strings (``attachments`` is checked apart).
TEXT_FIELDS = ("title", "body", "date", "doc_number", "doc_type", "agency", "signer", "effective_date",
               "status", "field", "author", "url", "source")
_DATE_FIELDS = ("date", "effective_date")
_JSON_TYPES = {dict: "object", list: "array", bool: "boolean", int: "number", float: "number", str: "string",
               type(None): "null"}


def clean_line(text: str) -> str:
    """``clean`` + whitespace squashed to single spaces: the form of every one-line field."""
    return " ".join(clean(text).split())


def clean_body(text: str) -> str:
    """Clean text, one paragraph per line, paragraphs separated by a blank line (as the pages give them)."""
    lines = (" ".join(line.split()) for line in clean(text).replace("\r", "\n").split("\n"))
    return "\n\n".join(line for line in lines if line)


def make_document(values: dict[str, str], *, doc_id: str, kind: str, attachments: tuple[Attachment, ...],
                  path: str) -> Document:
    """The final record: every field through ``clean``; ``content_hash`` over kind, text and attachments."""
    fields = {name: clean_body(values.get(name, "")) if name == "body" else clean_line(values.get(name, ""))
              for name in TEXT_FIELDS}
    digest = content_hash(kind, *(fields[name] for name in TEXT_FIELDS),
                          *(f"{a.name}\t{a.url}" for a in attachments))
    return Document(id=doc_id, kind=kind, attachments=attachments, content_hash=digest, path=path, **fields)


def record_stem(path: Path) -> str:
    """``documents.jsonl.gz`` → ``documents``: the file part of generated record ids."""
    name = path.name
    while Path(name).suffix.lower() in RECORD_SUFFIXES | {".gz"} and Path(name).stem:
        name = Path(name).stem
    return name


def _type(value) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _string_fields(obj: dict) -> dict[str, str]:
    values = {}
    for name in TEXT_FIELDS:
        value = obj.get(name)
        if value is not None and not isinstance(value, str):
            raise RecordError(f"field {name!r} must be a string, not a JSON {_type(value)}")
        values[name] = value or ""
    for name in _DATE_FIELDS:
        if values[name].strip():
            iso = parse_date(clean(values[name]))
            if not iso:
                raise RecordError(f"invalid date in {name!r}: {values[name]!r}")
            values[name] = iso
    return values


def _attachments(value) -> tuple[Attachment, ...]:
    """``[{"name": "KH93.pdf", "url": "…"}]`` (a plain string is a name) → ``Attachment`` tuple."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise RecordError(f"field 'attachments' must be a list, not a JSON {_type(value)}")
    out = []
    for item in value:
        item = {"name": item} if isinstance(item, str) else item
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) \
                or not isinstance(item.get("url") or "", str):
            raise RecordError('each attachment must be {"name": string, "url": string}')
        out.append(Attachment(clean_line(item["name"]), clean_line(item.get("url") or "")))
    return tuple(out)


def _given_id(obj: dict) -> str:
    """The record's own ``id`` (a string or a number), or ``""``."""
    doc_id = obj.get("id")
    if isinstance(doc_id, bool) or not isinstance(doc_id, (str, int, type(None))):
        raise RecordError(f"field 'id' must be a string, not a JSON {_type(doc_id)}")
    return clean_line(str(doc_id)) if doc_id is not None else ""


def record_document(obj, stem: str, path: str) -> Document:
    """A parsed record → ``Document``; raises ``RecordError`` with the reason when it is not usable.

    A record without an ``id`` gets ``rec:<file stem>:<sha1 of its title and body, 12 hex>``.
    """
    if not isinstance(obj, dict):
        raise RecordError(f"not a JSON object (a JSON {_type(obj)})")
    values = _string_fields(obj)
    kind = obj.get("kind") or ("document" if clean_line(values["doc_number"]) else "article")
    if kind not in KINDS:
        raise RecordError(f"field 'kind' must be one of {', '.join(KINDS)}, not {kind!r}")
    doc = make_document(values, doc_id=_given_id(obj), kind=kind, attachments=_attachments(obj.get("attachments")),
                        path=path)
    if not doc.title and not doc.body:
        raise RecordError("record has neither title nor body")
    return doc if doc.id else replace(doc, id=f"rec:{stem}:{content_hash(doc.title, doc.body)[:12]}")


def _outcome(number: int, line: str, stem: str, path: str, obj=None) -> Outcome:
    try:
        if obj is None:
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as err:
                raise RecordError(f"invalid JSON: {err.msg} (column {err.colno})") from None
            except RecursionError:
                raise RecordError("invalid JSON: nested too deeply") from None
        return number, record_document(obj, stem, f"{path}#{number}")
    except RecordError as reject:
        return number, str(reject)


# --- JSON lines ----------------------------------------------------------------------------------

# Bytes JSON never allows unescaped (its whitespace is only space, tab, LF and CR): binary junk in a line.
_CONTROL_RE = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SKIP_CHUNK = 1 << 20  # how much of an oversized line is read at a time while it is skipped


def _raw_lines(fh, limit: int) -> Iterator[tuple[int, bytes | None, int]]:
    """(line number, bytes, size) per line, at most ``limit + 1`` bytes in memory; ``None`` for a line over
    ``limit`` (read through, not kept). ``fh`` is binary, or text whose lines are returned UTF-8 encoded."""
    newline = "\n" if isinstance(fh, io.TextIOBase) else b"\n"
    number = 0
    while line := fh.readline(limit + 1):
        number += 1
        size = len(line)
        if size > limit and not line.endswith(newline):
            while line and not line.endswith(newline):
                line = fh.readline(_SKIP_CHUNK)
                size += len(line)
            yield number, None, size - (1 if line else 0)
            continue
        if newline == "\n":
            line = line.encode("utf-8")
        yield number, line, size


def _records_head(head: bytes) -> bool:
    """True when most lines of a file's head start like a JSON record, even if some are binary junk."""
    lines = [line.strip(b" \t\r\xef\xbb\xbf") for line in head.split(b"\n")]
    lines = [line for line in lines if line]
    return bool(lines) and 2 * sum(line.startswith((b"{", b"[")) for line in lines) >= len(lines)


def _line_stream(fh: BinaryIO):
    """``fh``, or a text stream over it when the head says UTF-16/32; ``SkipFile`` for a binary file."""
    head = fh.peek(8192)[:8192]
    encoding = stream_encoding(head)
    if encoding:
        return io.TextIOWrapper(fh, encoding=encoding)
    kind = binary_kind(head)
    if kind and (kind != "binary data" or not _records_head(head)):
        raise SkipFile(f"binary file ({kind})")
    return fh


def _line_reason(raw: bytes, limit: int) -> str:
    """Why a line cannot be a record before it is parsed (too large, control bytes), or ``""``."""
    size = len(raw) - raw.endswith(b"\n")
    if size > limit:  # a UTF-16 line: its limit was counted in characters
        return too_large("record", limit, size)
    if bad := _CONTROL_RE.search(raw):
        return f"binary data, not JSON (control byte 0x{raw[bad.start()]:02x} at column {bad.start() + 1})"
    return ""


def iter_jsonl(fh: BinaryIO, stem: str, path: str, max_record_bytes: int = MAX_RECORD_BYTES) -> Iterator[Outcome]:
    """One outcome per non-blank line of a JSON-lines stream, one line in memory at a time.

    A UTF-8 BOM is dropped, UTF-16/32 (BOM or NUL pattern) is decoded; a line without the final
    newline that is not complete JSON is reported as a truncated last line.
    """
    stream = _line_stream(fh)
    for number, raw, size in _raw_lines(stream, max_record_bytes):
        if raw is None:
            yield number, too_large("record", max_record_bytes, size)
            continue
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        if not raw.strip():
            continue
        reason = _line_reason(raw, max_record_bytes)
        if not reason:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                reason = "line is not valid UTF-8"
        if reason:
            yield number, reason
            continue
        number, outcome = _outcome(number, text, stem, path)
        if isinstance(outcome, str) and outcome.startswith("invalid JSON") and not raw.endswith(b"\n"):
            outcome = f"truncated last line (no newline at the end): {outcome}"
        yield number, outcome


def read_records(fh: BinaryIO, path: Path, max_record_bytes: int = MAX_RECORD_BYTES) -> Iterator[Outcome]:
    """The outcomes of a JSON-lines file (``fh`` decompressed); ``SkipFile`` when the file as a whole (or
    from a line on) cannot be used: a truncated gzip keeps the records before the break."""
    number = kept = 0
    try:
        for number, outcome in iter_jsonl(fh, record_stem(path), str(path), max_record_bytes):
            kept += isinstance(outcome, Document)
            yield number, outcome
    except EOFError:
        raise SkipFile(f"truncated gzip: the file ends here ({kept} records before it were kept)",
                       number + 1) from None
    except (gzip.BadGzipFile, zlib.error) as err:
        raise SkipFile(f"not a valid gzip file ({err})") from None
    except UnicodeDecodeError as err:  # a UTF-16 stream that stops being UTF-16
        raise SkipFile(f"cannot decode as {err.encoding} after line {number}", number + 1) from None
    if not number:
        raise SkipFile("empty file (no records)")

"""Records in the project's own schema (``.jsonl``, ``.jsonl.gz``, ``.json`` files) → ``Document``;
and the last step every reader shares: ``make_document`` (``clean``, fields squashed, ``content_hash``).

A record is a JSON object with ``Document`` fields (see ``corpus/README.md``), e.g.
``{"id": "kh-93-2023", "title": "Kế hoạch 93/KH-UBND …", "date": "18/04/2023", "doc_number": "93/KH-UBND"}``.
Only ``title`` or ``body`` is required; unknown keys are ignored; ``path`` and ``content_hash`` are
recomputed. A wrong type, a bad date or an unknown ``kind`` rejects that record with a reason.
"""

from __future__ import annotations

import gzip
import json
import zlib
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from indexer.corpusfiles import RECORD_SUFFIXES, FileResult, Problem
from indexer.dates import parse_date
from indexer.decode import DecodeError, binary_kind, decode_bytes
from indexer.document import KINDS, Attachment, Document, content_hash
from indexer.normalize import clean

__all__ = ["RecordError", "TEXT_FIELDS", "record_document", "iter_jsonl", "iter_json_text",
           "make_document", "clean_line", "clean_body", "record_stem", "read_records_file", "read_json_records"]

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


def _outcome(number: int, line: str | None, stem: str, path: str, obj=None) -> Outcome:
    try:
        if obj is None:
            if line is None:
                raise RecordError("line is not valid UTF-8")
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as err:
                raise RecordError(f"invalid JSON: {err.msg} (column {err.colno})") from None
            except RecursionError:
                raise RecordError("invalid JSON: nested too deeply") from None
        return number, record_document(obj, stem, f"{path}#{number}")
    except RecordError as reject:
        return number, str(reject)


def _lines(fh: BinaryIO) -> Iterator[tuple[int, str | None]]:
    """(line number, text) per line of a UTF-8 file (UTF-16 with a BOM too); ``None`` if not UTF-8."""
    head = fh.peek(8192)[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4]:
        try:
            yield from enumerate(decode_bytes(fh.read()).split("\n"), 1)
        except DecodeError as err:
            raise RecordError(str(err)) from None
        return
    kind = binary_kind(head)
    if kind:
        raise RecordError(f"binary file ({kind})")
    for number, raw in enumerate(fh, 1):
        try:
            yield number, raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
        except UnicodeDecodeError:
            yield number, None


def iter_jsonl(fh: BinaryIO, stem: str, path: str) -> Iterator[Outcome]:
    """One outcome per non-blank line of a JSON-lines stream (read lazily: gzip errors surface here)."""
    for number, line in _lines(fh):
        if line is None or line.strip():
            yield _outcome(number, line, stem, path)


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
        yield _outcome(number, None, stem, path, obj=item)


# --- files ---------------------------------------------------------------------------------------


def _collect(result: FileResult, path: Path, outcomes: Iterable[tuple[int, Document | str]]) -> None:
    """Tally record outcomes: a ``Document`` is kept, a string is the reason its line was skipped."""
    for line, outcome in outcomes:
        result.records_read += 1
        result.last_line = line
        if isinstance(outcome, Document):
            result.documents.append(outcome)
        else:
            result.records_skipped += 1
            result.problems.append(Problem(str(path), line, outcome))


def read_records_file(path: Path, gz: bool) -> FileResult:
    """JSON lines, read lazily; a truncated gzip keeps the records read before the break."""
    result = FileResult()
    try:
        with gzip.open(path, "rb") if gz else path.open("rb") as fh:
            _collect(result, path, iter_jsonl(fh, record_stem(path), str(path)))
    except RecordError as err:
        result.problems.append(Problem(str(path), 0, str(err)))
    except EOFError:
        result.problems.append(Problem(str(path), result.last_line + 1, "truncated gzip: the file ends here "
                                       f"({len(result.documents)} records before it were kept)"))
    except (gzip.BadGzipFile, zlib.error) as err:
        result.problems.append(Problem(str(path), 0, f"not a valid gzip file ({err})"))
    if not result.records_read and not result.problems:
        result.problems.append(Problem(str(path), 0, "empty file (no records)"))
    return result


def read_json_records(path: Path, text: str) -> FileResult:
    """A decoded ``.json`` file; raises ``RecordError`` when the file as a whole is not usable."""
    result = FileResult()
    _collect(result, path, iter_json_text(text, record_stem(path), str(path)))
    return result

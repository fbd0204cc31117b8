"""indexer.read.records: project-schema records → Document, with a reason for every record refused."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from indexer.document import Attachment
from indexer.read import jsonlist
from indexer.read.files import SkipFile
from indexer.read.jsonlist import iter_json_list, iter_json_text
from indexer.read.records import RecordError, clean_body, iter_jsonl, record_document, record_stem

# The example line of corpus/README.md: Kế hoạch 93/KH-UBND as cited by the seed article.
EXAMPLE = {
    "id": "kh-93-kh-ubnd-2023", "kind": "document",
    "title": "Kế hoạch thực hiện Kết luận số 44-KL/TW của Ban Bí thư về công tác Hội Chữ thập đỏ",
    "body": "Thực hiện Kết luận số 44-KL/TW …\n\nUBND tỉnh yêu cầu …", "date": "18/04/2023",
    "doc_number": "93/KH-UBND", "doc_type": "Kế hoạch", "agency": "UBND tỉnh Thanh Hóa",
    "attachments": [{"name": "KH 93-KH-UBND.pdf", "url": "https://example.org/kh93.pdf"}],
    "unknown_key": "ignored",
}


def test_a_record_keeps_its_id_and_fields_and_dates_become_iso():
    doc = record_document(EXAMPLE, "documents", "corpus/documents.jsonl#1")
    assert (doc.id, doc.kind, doc.date, doc.doc_number, doc.agency, doc.attachments, doc.path) == (
        "kh-93-kh-ubnd-2023", "document", "2023-04-18", "93/KH-UBND", "UBND tỉnh Thanh Hóa",
        (Attachment("KH 93-KH-UBND.pdf", "https://example.org/kh93.pdf"),), "corpus/documents.jsonl#1")
    assert doc.body == "Thực hiện Kết luận số 44-KL/TW …\n\nUBND tỉnh yêu cầu …"


def test_a_record_without_id_gets_one_from_its_file_and_text_not_its_position():
    record = {"title": "Tiêu đề", "body": "Nội dung"}
    first = record_document(record, "documents", "x#1")
    again = record_document(dict(record), "documents", "x#99")
    assert (first.id, first.id == again.id, len(first.id)) == ("rec:documents:" + first.id[-12:], True, 26)


@pytest.mark.parametrize("record, expected", [
    ({"title": "T", "doc_number": "93/KH-UBND"}, "document"),   # a number makes it a document
    ({"title": "T"}, "article"),
    ({"title": "T", "doc_number": "93/KH-UBND", "kind": "article"}, "article"),  # stated kind wins
])
def test_default_kind(record, expected):
    assert record_document(record, "s", "p").kind == expected


def test_text_fields_are_cleaned_to_nfc_with_the_real_d():
    # binhduong_van_ban_chi_dao_dieu_hanh: 49 numbers typed with Ð (U+00D0) for Đ
    doc = record_document({"title": "Quyê\u0301t đi\u0323nh", "doc_number": "1234/QÐ-UBND"}, "s", "p")
    assert (doc.title, doc.doc_number) == ("Quyết định", "1234/QĐ-UBND")


@pytest.mark.parametrize("record, reason", [
    ([1, 2], "not a JSON object (a JSON array)"),
    ({"title": 5}, "field 'title' must be a string, not a JSON number"),
    ({"body": ["a"]}, "field 'body' must be a string, not a JSON array"),
    ({"title": "T", "date": "31/02/2023"}, "invalid date in 'date': '31/02/2023'"),
    ({"title": "T", "effective_date": "sắp tới"}, "invalid date in 'effective_date': 'sắp tới'"),
    ({"title": "T", "kind": "news"}, "field 'kind' must be one of article, document, not 'news'"),
    ({"title": "T", "attachments": "a.pdf"}, "field 'attachments' must be a list, not a JSON string"),
    ({"title": "T", "attachments": [{"url": "x"}]}, 'each attachment must be {"name": string, "url": string}'),
    ({"title": "T", "id": {"a": 1}}, "field 'id' must be a string, not a JSON object"),
    ({"title": " ", "body": "\n"}, "record has neither title nor body"),
    ({"doc_number": "93/KH-UBND"}, "record has neither title nor body"),
])
def test_bad_records_are_refused_with_a_reason(record, reason):
    with pytest.raises(RecordError) as err:
        record_document(record, "s", "p")
    assert str(err.value) == reason


def test_iter_jsonl_numbers_lines_and_skips_blank_ones():
    data = b'\xef\xbb\xbf{"title": "A"}\n\n{bad\n\xff\xfe\n{"title": "B"}\n'
    outcomes = list(iter_jsonl(io.BufferedReader(io.BytesIO(data)), "f", "f.jsonl"))
    assert [(n, o if isinstance(o, str) else o.title) for n, o in outcomes] == [
        (1, "A"), (3, "invalid JSON: Expecting property name enclosed in double quotes (column 2)"),
        (4, "line is not valid UTF-8"), (5, "B")]


def _titles(outcomes) -> list[tuple[int, str]]:
    return [(n, o if isinstance(o, str) else o.title) for n, o in outcomes]


def test_iter_jsonl_reasons_for_junk_too_large_and_truncated_lines():
    data = (b'{"title": "A"}\n\x00\x01\n{"title": "' + b"x" * 50 + b'"}\n{"title": "B"}\n'
            b'{"title": "C"}\r\n{"title": "D')
    assert _titles(iter_jsonl(io.BufferedReader(io.BytesIO(data)), "f", "f.jsonl", max_record_bytes=30)) == [
        (1, "A"), (2, "binary data, not JSON (control byte 0x00 at column 1)"),
        (3, "record too large (63 bytes > limit 30; raise the limit with --max-record-bytes)"), (4, "B"), (5, "C"),
        (6, "truncated last line (no newline at the end): invalid JSON: Unterminated string starting at (column 11)")]


def test_iter_jsonl_reads_utf16_files():
    data = ('{"title": "Việt Nam"}\n').encode("utf-16")
    outcomes = list(iter_jsonl(io.BufferedReader(io.BytesIO(data)), "f", "f.jsonl"))
    assert [(n, o.title) for n, o in outcomes] == [(1, "Việt Nam")]


@pytest.mark.parametrize("text, expected", [
    (json.dumps({"title": "A"}), [(1, "A")]),
    (json.dumps([{"title": "A"}, {"title": 1}]), [(1, "A"), (2, "field 'title' must be a string, not a JSON number")]),
    ('{"title": "A"}\n{"title": "B"}', [(1, "A"), (2, "B")]),   # JSON lines saved as .json
])
def test_iter_json_text(text, expected):
    assert [(n, o if isinstance(o, str) else o.title) for n, o in iter_json_text(text, "f", "f.json")] == expected


@pytest.mark.parametrize("text, reason", [
    ('"just a string"', "a .json file must hold an object or a list of objects"),
    ('{"title": ', "invalid JSON: Expecting value (line 1, column 11)"),
])
def test_iter_json_text_refuses_a_bad_file(text, reason):
    with pytest.raises(RecordError) as err:
        list(iter_json_text(text, "f", "f.json"))
    assert str(err.value) == reason


# A list as staff export it (indented), with what breaks a naive scanner: brackets and escaped quotes
# inside strings, an item over the limit, an invalid item, a non-object item.
LIST = ('[\n {"title": "Điều 1 [a]"},\n {"title": "Khoản \\"2\\" }{", "body": "' + "x" * 300 + '"},\n'
        ' {"title": "B" "x": 1},\n {"title": "C \\\\"},\n 7,\n {"title": "Đ"}\n]')


@pytest.mark.parametrize("chunk", [1 << 20, 5])  # whole in one chunk; every token split across chunks
def test_iter_json_list_reads_item_by_item_and_skips_bad_items(monkeypatch, chunk):
    monkeypatch.setattr(jsonlist, "_CHUNK", chunk)
    stream = io.BufferedReader(io.BytesIO(LIST.encode()))
    assert _titles(iter_json_list(stream, Path("f.json"), max_record_bytes=60)) == [
        (1, "Điều 1 [a]"), (2, "record too large (> limit 60 bytes; raise the limit with --max-record-bytes)")
        if chunk == 5 else (2, "record too large (341 bytes > limit 60; raise the limit with --max-record-bytes)"),
        (3, "invalid JSON: Expecting ',' delimiter"), (4, "C \\"), (5, "not a JSON object (a JSON number)"),
        (6, "Đ")]


@pytest.mark.parametrize("text, line, reason", [
    ('{"title": "A"}', 0, "a .json file over the size limit must hold a list of records or JSON lines"),
    ('[{"title": "A"} {"title": "B"}]', 2, "invalid JSON after item 1: expected ',' or ']', found '{'"),
    ('[{"title": "A"}, {"title": "B"', 2, "the file ends inside item 2"),
    ('[{"title": "A"},]', 2, "invalid JSON after item 1: a ',' with no item after it"),
])
def test_iter_json_list_stops_where_the_list_itself_breaks(text, line, reason):
    outcomes = iter_json_list(io.BufferedReader(io.BytesIO(text.encode())), Path("f.json"))
    with pytest.raises(SkipFile) as err:
        list(outcomes)
    assert (err.value.line, str(err.value)) == (line, reason)


@pytest.mark.parametrize("name, stem", [
    ("documents.jsonl.gz", "documents"), ("documents.jsonl", "documents"), ("export.2023.json", "export.2023"),
])
def test_record_stem(name, stem):
    assert record_stem(Path(name)) == stem


@pytest.mark.parametrize("body, expected", [
    # corpus/documents.jsonl writes one paragraph per line
    ("Luật số 14/2012/QH13.\nĐiều 7 quy định  Hội đồng.", "Luật số 14/2012/QH13.\n\nĐiều 7 quy định Hội đồng."),
    ("Đoạn một.\r\n\r\n\r\nĐoạn hai.\u00a0", "Đoạn một.\n\nĐoạn hai."),
    ("  \n \t", ""),
])
def test_record_bodies_keep_one_paragraph_per_line(body, expected):
    assert clean_body(body) == expected

"""Records exports of any size (issue 12): streamed one record at a time, the size limit applies to one
record or one page file, a bad line costs that line only, and progress counts files, records and bytes.

The records are real: Pháp điển articles (``phapdien_articles.jsonl.gz``) mapped to our schema as
``bench/common.py`` maps them, repeated with new ids where a file must be big.
"""

from __future__ import annotations

import gzip
import json
import random
import tracemalloc
from itertools import count
from pathlib import Path

import pytest
from conftest import shared_path

from indexer.read.reader import Problem, ReadProgress, iter_corpus, read_corpus

OLD_LIMIT = 20_000_000  # the whole-file limit this reader used to apply (and still applies to one record)


def phapdien_lines(n: int) -> list[bytes]:
    """The first ``n`` phapdien articles as record lines (``\\n``-terminated UTF-8) in our schema."""
    lines = []
    with gzip.open(shared_path("phapdien_articles/phapdien_articles.jsonl.gz"), "rt", encoding="utf-8") as f:
        for row, _ in zip(f, range(n)):
            row = json.loads(row)
            record = {"id": row["_id"], "kind": "document", "title": row.get("heading") or row.get("title") or "",
                      "body": row.get("text") or "", "doc_number": row.get("src_so_hieu") or "",
                      "agency": row.get("src_co_quan_ban_hanh") or "", "date": row.get("src_ngay_ban_hanh") or ""}
            lines.append((json.dumps(record, ensure_ascii=False) + "\n").encode())
    return lines


@pytest.fixture(scope="module")
def articles() -> list[bytes]:
    return phapdien_lines(300)


def write_export(path: Path, lines: list[bytes], size: int) -> int:
    """Write ``lines`` again and again, each time with new ids (``<id>~<round>``), until ``size`` bytes
    (decompressed for ``.gz``); the number of records written. A ``.json`` gets them as one list."""
    as_list = path.suffix == ".json"
    with (gzip.open(path, "wb", compresslevel=1) if path.suffix == ".gz" else path.open("wb")) as out:
        written = out.write(b"[" if as_list else b"")
        for n in count():
            line = lines[n % len(lines)]
            line = line.replace(b'"id": "', f'"id": "r{n // len(lines)}~'.encode(), 1)
            if as_list:
                line = (b",\n" if n else b"") + line.rstrip(b"\n")
            written += out.write(line)
            if written >= size:
                out.write(b"]" if as_list else b"")
                return n + 1


def counts(report) -> tuple[int, ...]:
    """files read/used/skipped, records read/used/skipped; and both reconcile."""
    assert report.files_read == report.files_used + report.files_skipped
    assert report.records_read == report.records_used + report.records_skipped
    return (report.files_read, report.files_used, report.files_skipped, report.records_read, report.records_used,
            report.records_skipped)


# --- one bad line costs that line only -----------------------------------------------------------


@pytest.mark.parametrize("between, line", [
    (b"\x00\x01\n", 2),         # the reported export: junk between two valid records
    (b"\r\n\x00\x01\r\n", 3),   # the same written with CRLF line ends and a blank line
])
def test_a_line_of_control_bytes_costs_that_line_only(tmp_path, articles, between, line):
    path = tmp_path / "export.jsonl"
    path.write_bytes(articles[0] + between + articles[1])
    result = read_corpus([path])
    assert ([d.id for d in result.documents], counts(result.report), result.report.problems) == (
        [json.loads(articles[0])["id"], json.loads(articles[1])["id"]], (1, 1, 0, 3, 2, 1),
        (Problem(str(path), line, "binary data, not JSON (control byte 0x00 at column 1)"),))


@pytest.mark.parametrize("bad, reason", [
    (b'{"title": "Ngh\xe1\xbb\x8b \xff\xfe"}\n', "line is not valid UTF-8"),
    (b'{"title": "A", }\n', "invalid JSON: Expecting property name enclosed in double quotes (column 16)"),
    (b'{"title": "A\x07B"}\n', "binary data, not JSON (control byte 0x07 at column 13)"),
    (b'["A"]\n', "not a JSON object (a JSON array)"),
])
def test_a_bad_line_is_reported_with_its_line_and_the_others_are_used(tmp_path, articles, bad, reason):
    path = tmp_path / "export.jsonl"
    path.write_bytes(b"".join(articles[:3]) + bad + b"".join(articles[3:6]))
    result = read_corpus([path])
    assert (len(result.documents), counts(result.report), result.report.problems) == (
        6, (1, 1, 0, 7, 6, 1), (Problem(str(path), 4, reason),))


def test_a_truncated_last_line_is_reported_and_the_lines_before_it_are_used(tmp_path, articles):
    path = tmp_path / "export.jsonl"
    path.write_bytes(b"".join(articles[:5]) + articles[5][:40])  # a copy cut short
    result = read_corpus([path])
    assert (len(result.documents), counts(result.report), result.report.problems) == (5, (1, 1, 0, 6, 5, 1), (
        Problem(str(path), 6, "truncated last line (no newline at the end): invalid JSON: Unterminated string "
                              "starting at (column 8)"),))


def test_a_last_line_without_newline_that_is_whole_is_used(tmp_path, articles):
    path = tmp_path / "export.jsonl"
    path.write_bytes(b"".join(articles[:3]).rstrip(b"\n"))
    assert counts(read_corpus([path]).report) == (1, 1, 0, 3, 3, 0)


def test_a_record_over_max_record_bytes_is_skipped_and_the_others_used(tmp_path, articles):
    sizes = [len(line) - 1 for line in articles[:20]]
    limit = sorted(sizes)[-2]  # all but the longest fit
    longest = sizes.index(max(sizes))
    path = tmp_path / "export.jsonl"
    path.write_bytes(b"".join(articles[:20]))
    result = read_corpus([path], max_record_bytes=limit)
    assert (len(result.documents), counts(result.report), result.report.problems) == (19, (1, 1, 0, 20, 19, 1), (
        Problem(str(path), longest + 1, f"record too large ({max(sizes)} bytes > limit {limit}; raise the limit "
                                        "with --max-record-bytes)"),))


def test_a_binary_file_named_jsonl_is_skipped_as_a_file(tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_bytes(random.Random(12).randbytes(100_000) + b"\x00")  # no magic number, many NULs
    assert (counts(read_corpus([path]).report), read_corpus([path]).report.problems) == (
        (1, 0, 1, 0, 0, 0), (Problem(str(path), 0, "binary file (binary data)"),))


def test_a_duplicate_id_in_a_big_export_is_reported_where_it_was_first(tmp_path, articles):
    path = tmp_path / "export.jsonl"
    path.write_bytes(b"".join(articles[:4]) + articles[1])
    result = read_corpus([path])
    doc_id = json.loads(articles[1])["id"]
    assert (len(result.documents), counts(result.report), result.report.problems) == (4, (1, 1, 0, 5, 4, 1), (
        Problem(str(path), 5, f"duplicate id {doc_id} (first in {path}#2)"),))


def test_without_the_duplicate_check_every_document_is_yielded(tmp_path, articles):
    path = tmp_path / "export.jsonl"
    path.write_bytes(b"".join(articles[:4]) + articles[1])
    reader = iter_corpus([path], check_duplicates=False)
    assert (len(list(reader)), counts(reader.report), reader.report.problems) == (5, (1, 1, 0, 5, 5, 0), ())


# --- any size -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["export.jsonl", "export.jsonl.gz"])
def test_a_records_file_over_the_old_20_mb_limit_is_read_whole(tmp_path, articles, name):
    path = tmp_path / name
    records = write_export(path, articles, OLD_LIMIT + 1_000_000)
    reader = iter_corpus([path])
    documents = sum(1 for _ in reader)
    assert (documents, counts(reader.report), reader.report.problems) == (
        records, (1, 1, 0, records, records, 0), ())


@pytest.mark.parametrize("name", ["export.jsonl", "export.json"])  # JSON lines; one big list
def test_iterating_a_30_mb_export_does_not_hold_it_in_memory(tmp_path, articles, name):
    path = tmp_path / name
    records = write_export(path, articles, 30_000_000)
    tracemalloc.start()
    try:
        documents = sum(1 for _ in iter_corpus([path]))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # one record at a time plus the id table (SeenIds: ~1 MB here); the file itself is 30 MB
    assert (documents, peak < 10_000_000) == (records, True), f"peak {peak:,} bytes"


def test_a_big_json_list_is_read_item_by_item(tmp_path, articles):
    items = [json.loads(line) for line in articles[:30]]
    items[4] = {"id": "x", "title": "Quá lớn", "body": "Điều " * 3000}  # 15,000 characters, 24,000 bytes
    big = len(json.dumps(items[4], ensure_ascii=False).encode())
    text = json.dumps(items, ensure_ascii=False)
    text = text.replace('"id": "' + items[9]["id"] + '",', '"id": "' + items[9]["id"] + '" "oops": 1,')
    path = tmp_path / "export.json"
    path.write_text(text, encoding="utf-8")
    result = read_corpus([path], max_record_bytes=20_000)  # the file (~75 KB) is over it: streamed
    assert (len(result.documents), counts(result.report), [(p.line, p.reason) for p in result.report.problems]) == (
        28, (1, 1, 0, 30, 28, 2), [(5, f"record too large ({big} bytes > limit 20000; raise the limit with "
                                       "--max-record-bytes)"), (10, "invalid JSON: Expecting ',' delimiter")])


def test_a_big_json_list_item_with_invalid_utf8_costs_that_item_only(tmp_path, articles):
    items = [json.loads(line) for line in articles[:60]]
    items[30]["title"] = "@BAD@"
    data = json.dumps(items, ensure_ascii=False).encode().replace(b"@BAD@", b"Ngh\xe1\xbb\x8b \xff\xfe")
    path = tmp_path / "export.json"
    path.write_bytes(data)
    result = read_corpus([path], max_record_bytes=20_000)  # the file (~76 KB) is over it: streamed
    assert (len(result.documents), counts(result.report), result.report.problems) == (
        59, (1, 1, 0, 60, 59, 1), (Problem(str(path), 31, "item is not valid UTF-8"),))


def test_a_big_json_list_cut_short_keeps_the_items_before(tmp_path, articles):
    data = gzip.compress(json.dumps([json.loads(line) for line in articles[:300]], ensure_ascii=False).encode())
    path = tmp_path / "export.json.gz"
    path.write_bytes(data[:len(data) // 2])  # a copy that stopped half way
    result = read_corpus([path], max_record_bytes=20_000)
    kept = len(result.documents)
    assert (100 < kept < 200, counts(result.report), result.report.problems) == (True, (1, 1, 0, kept, kept, 0), (
        Problem(str(path), kept + 1, f"truncated gzip: the file ends inside item {kept + 1}"),))


@pytest.mark.parametrize("text, expected", [
    # JSON lines saved as .json, over the limit: read line by line
    ("".join(f'{{"id": "{n}", "title": "Điều {n}"}}\n' for n in range(2000)), ((1, 1, 0, 2000, 2000, 0), [])),
    # one object over the limit: it is one record, so it is not read
    (json.dumps({"title": "Một văn bản", "body": "Điều " * 20_000}, indent=1), ((1, 0, 1, 0, 0, 0), [
        (0, "one JSON value too large (> limit 20000 bytes; raise the limit with --max-record-bytes); "
            "a big .json must be a list or JSON lines")])),
])
def test_a_big_json_that_is_not_a_list(tmp_path, text, expected):
    path = tmp_path / "export.json"
    path.write_text(text, encoding="utf-8")
    report = read_corpus([path], max_record_bytes=20_000).report
    assert (counts(report), [(p.line, p.reason) for p in report.problems]) == expected


# --- streaming and progress ---------------------------------------------------------------------


def test_iter_corpus_yields_before_the_file_is_read_and_reports_at_the_end(tmp_path, articles):
    path = tmp_path / "export.jsonl.gz"
    records = write_export(path, articles, 3_000_000)
    reader = iter_corpus([path])
    documents = iter(reader)
    first = next(documents)
    assert (first.path, reader.report) == (f"{path}#1", None)
    assert (1 + sum(1 for _ in documents), counts(reader.report)) == (records, (1, 1, 0, records, records, 0))


def test_progress_counts_records_and_compressed_bytes_within_a_big_file(tmp_path, articles):
    (tmp_path / "a.txt").write_text("Tin số 1 của sở\nNội dung", encoding="utf-8")
    path = tmp_path / "b.jsonl.gz"
    records = write_export(path, articles, 6_000_000)  # about 2,800 records
    calls: list[ReadProgress] = []
    read_corpus([tmp_path], progress=calls.append)
    total = (tmp_path / "a.txt").stat().st_size + path.stat().st_size
    within = calls[1:-1]
    assert ([(c.files_done, c.records_done) for c in calls], calls[-1].bytes_done, {c.bytes_total for c in calls},
            {c.files_total for c in calls}) == (
        [(1, 0)] + [(1, n) for n in range(1000, records, 1000)] + [(2, records)], total, {total}, {2})
    done = [c.bytes_done for c in within]
    # bytes of the .gz on disk, read so far: rising, and never past the file
    assert (done == sorted(done), calls[0].bytes_done < done[0], done[-1] < total) == (True, True, True)

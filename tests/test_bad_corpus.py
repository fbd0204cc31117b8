"""A corpus folder of 1,000 files, good and bad mixed as staff really drop them: counts reconcile,
every bad file is reported with its reason, and a build goes through with the good ones."""

from __future__ import annotations

import gzip
import json
import random
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from indexer.read.reader import Problem, iter_corpus, read_corpus

N_FILES = 1000
MAX_BYTES = 20_000  # the reader's max_record_bytes in these tests, so that an oversized page or record stays small
SEED = 1000


def _page(n: int) -> bytes:
    """A portal article page (the demonstration corpus's layout); no document numbers, so no citations."""
    return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Tin {n} - Cổng thông tin</title>
<meta property="og:url" content="https://pbgdpl.example.vn/tin-{n}.html"></head><body>
<div class="news-detail"><h1 class="title">Tuyên truyền pháp luật về hòa giải ở cơ sở, tin {n}</h1>
<div class="content"><p>Ủy ban nhân dân xã tổ chức tuyên truyền pháp luật cho người dân, tin {n}.</p>
<p>Hòa giải viên được tập huấn kỹ năng hòa giải.</p></div></div></body></html>""".encode()


def _record(n: int, k: int) -> str:
    return json.dumps({"id": f"rec-{n:04d}-{k:02d}", "title": f"Hướng dẫn tuyên truyền pháp luật {n}-{k}",
                       "body": "Nội dung hướng dẫn về hòa giải ở cơ sở.", "date": "18/04/2023"},
                      ensure_ascii=False)


def _records(n: int, count: int) -> bytes:
    return "".join(_record(n, k) + "\n" for k in range(count)).encode()


def _gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


@dataclass(frozen=True)
class Expect:
    """What the reader must make of one file."""

    documents: int = 0
    records_read: int = 0
    records_skipped: int = 0
    problems: tuple[tuple[int, str], ...] = ()  # (line, reason)


@dataclass(frozen=True)
class Kind:
    suffix: str
    make: Callable[[int], bytes]
    expect: Callable[[bytes], Expect]


def _same(expect: Expect) -> Callable[[bytes], Expect]:
    return lambda data: expect


def _skipped(reason: str) -> Callable[[bytes], Expect]:
    return _same(Expect(problems=((0, reason),)))


def _big_records(n: int) -> bytes:
    """150 records, one record over ``MAX_BYTES`` (line 151), one more: the file is over the limit too."""
    huge = json.dumps({"id": f"rec-{n:04d}-huge", "title": "Một bản ghi quá lớn",
                       "body": "Nội dung " * (MAX_BYTES // 8)}, ensure_ascii=False)
    return _records(n, 150) + huge.encode() + b"\n" + _records(n + 5000, 1)


def _big_records_expect(data: bytes) -> Expect:
    size = len(data.split(b"\n")[150])
    return Expect(151, 152, 1, ((151, f"record too large ({size} bytes > limit {MAX_BYTES}; raise the limit with "
                                      "--max-record-bytes)"),))


def _truncated_late(data: bytes) -> Expect:
    """A gzip cut mid-stream keeps the whole lines before the cut (counted here with zlib, not the reader)."""
    whole = zlib.decompressobj(31).decompress(data).count(b"\n")
    return Expect(whole, whole, 0, ((whole + 1, f"truncated gzip: the file ends here ({whole} records before "
                                                  "it were kept)"),))


# Every way a file turned up in real corpus folders (or can: a full disk truncates, a copy fails half way).
KINDS = {
    # good files
    "page": Kind(".html", _page, _same(Expect(1))),
    "page_gz": Kind(".html.gz", lambda n: _gz(_page(n)), _same(Expect(1))),
    "records": Kind(".jsonl", lambda n: _records(n, 3), _same(Expect(3, 3))),
    "records_gz": Kind(".jsonl.gz", lambda n: _gz(_records(n, 2)), _same(Expect(2, 2))),
    "json_list": Kind(".json", lambda n: b"[" + _record(n, 0).encode() + b"]", _same(Expect(1, 1))),
    # usable files with bad parts: used, and reported
    "bad_lines": Kind(".jsonl", lambda n: f"{_record(n, 0)}\n{{bad\n{_record(n, 1)}\n[1]\n".encode(), _same(Expect(
        2, 4, 2, ((2, "invalid JSON: Expecting property name enclosed in double quotes (column 2)"),
                  (4, "not a JSON object (a JSON array)"))))),
    "truncated_late": Kind(".jsonl.gz", lambda n: (gz := _gz(_records(n, 40)))[:len(gz) // 2], _truncated_late),
    # bad files: skipped, and reported
    "empty": Kind(".html", lambda n: b"", _skipped("empty file")),
    "blank": Kind(".txt", lambda n: b" \n\t\r\n" * 10, _skipped("empty file")),
    "pdf_by_name": Kind(".pdf", lambda n: b"%PDF-1.7 fake", _skipped("unsupported file type (.pdf)")),
    "pdf_by_content": Kind(".html", lambda n: b"%PDF-1.4\n" + bytes(range(256)),
                           _skipped("binary file (PDF document)")),
    "binary": Kind(".txt", lambda n: random.Random(n).randbytes(2000) + b"\x00", _skipped("binary file (binary data)")),
    # bytes that neither UTF-8 nor Windows-1258 defines (0x81, 0x8D, 0x90), e.g. a file cut out of a binary
    "undecodable": Kind(".txt", lambda n: "Ngày pháp luật ".encode() + b"\x81\x8d\x90 " * 20, _skipped(
        "undecodable text: not UTF-8, UTF-16, its declared charset or Vietnamese Windows-1258")),
    "oversized": Kind(".html", lambda n: _page(n) + b"<!-- pad -->" * (MAX_BYTES // 12 + 1),
                      lambda data: Expect(problems=((0, f"page file too large ({len(data)} bytes > limit {MAX_BYTES}; "
                                                        "raise the limit with --max-record-bytes)"),))),
    "oversized_gz": Kind(".html.gz", lambda n: _gz(_page(n) + b" " * MAX_BYTES), _skipped(
        f"page file too large (> limit {MAX_BYTES} bytes; raise the limit with --max-record-bytes)")),
    # a records file bigger than the limit is read whole; only its one oversized record is skipped
    "big_records": Kind(".jsonl", lambda n: _big_records(n), _big_records_expect),
    # one line of junk between records (a database export written over by a crash) costs that line only
    "junk_line": Kind(".jsonl", lambda n: _records(n, 2) + b"\x00\x01\n" + _records(n + 5000, 1), _same(Expect(
        3, 4, 1, ((3, "binary data, not JSON (control byte 0x00 at column 1)"),)))),
    "truncated_early": Kind(".jsonl.gz", lambda n: _gz(_records(n, 40))[:20], _same(Expect(problems=(
        (1, "truncated gzip: the file ends here (0 records before it were kept)"),)))),
    "truncated_page": Kind(".html.gz", lambda n: _gz(_page(n))[:-30], _skipped(
        "truncated gzip (the file ends before its compressed data does)")),
    "not_gzip": Kind(".jsonl.gz", lambda n: _records(n, 1), _same(Expect(problems=(
        (0, "not a valid gzip file (Not a gzipped file (b'{\"'))"),)))),
    "invalid_json": Kind(".jsonl", lambda n: b"{bad\nnot json\n", _same(Expect(0, 2, 2, (
        (1, "invalid JSON: Expecting property name enclosed in double quotes (column 2)"),
        (2, "invalid JSON: Expecting value (column 1)"))))),
    "json_scalar": Kind(".json", lambda n: b"42", _skipped("a .json file must hold an object or a list of objects")),
    "no_text": Kind(".html", lambda n: b"<!DOCTYPE html><html><head></head><body><nav>menu</nav></body></html>",
                    _skipped("no usable text (no title and no body found)")),
    "no_title": Kind(".jsonl", lambda n: b'{"id": "x", "date": "18/04/2023"}\n', _same(Expect(
        0, 1, 1, ((1, "record has neither title nor body"),)))),
}
GOOD = ("page", "page_gz", "records", "records_gz", "json_list")


def write_mixed_corpus(dest: Path, n_files: int = N_FILES, seed: int = SEED) -> dict[Path, Expect]:
    """``n_files`` files under ``dest`` (every kind at least once, the rest drawn with ``seed``, about
    half good), in nested folders; what the reader must make of each."""
    rng = random.Random(seed)
    names = list(KINDS) + [rng.choice(GOOD) if rng.random() < 0.5 else rng.choice(list(KINDS))
                           for _ in range(n_files - len(KINDS))]
    expected = {}
    for n, name in enumerate(names):
        kind = KINDS[name]
        path = dest / f"d{n % 7}" / f"{n:04d}-{name}{kind.suffix}"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = kind.make(n)
        path.write_bytes(data)
        expected[path] = kind.expect(data)
    return expected


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> tuple[Path, dict[Path, Expect]]:
    dest = tmp_path_factory.mktemp("mixed") / "corpus"
    return dest, write_mixed_corpus(dest)


def _problems(expected: dict[Path, Expect]) -> list[tuple[str, int, str]]:
    return sorted((str(path), line, reason) for path, e in expected.items() for line, reason in e.problems)


def test_the_mixed_corpus_has_every_kind_and_about_half_bad(mixed):
    _, expected = mixed
    good = sum(e.documents > 0 for e in expected.values())
    assert (len(expected), {p.name.split("-", 1)[1].split(".")[0] for p in expected} == set(KINDS),
            300 < N_FILES - good < 700) == (N_FILES, True, True)


def test_every_file_is_counted_once_and_every_bad_one_reported_with_its_reason(mixed):
    dest, expected = mixed
    result = read_corpus([dest], max_record_bytes=MAX_BYTES)
    report = result.report
    assert (report.files_read, report.files_used, report.files_skipped) == (
        N_FILES, sum(e.documents > 0 for e in expected.values()), sum(e.documents == 0 for e in expected.values()))
    assert report.files_read == report.files_used + report.files_skipped
    assert (report.records_read, report.records_skipped) == (sum(e.records_read for e in expected.values()),
                                                             sum(e.records_skipped for e in expected.values()))
    assert report.records_read == report.records_used + report.records_skipped
    assert len(result.documents) == sum(e.documents for e in expected.values())
    assert sorted((p.path, p.line, p.reason) for p in report.problems) == _problems(expected)


def test_the_report_names_every_skipped_file(mixed):
    dest, expected = mixed
    report = read_corpus([dest], max_record_bytes=MAX_BYTES).report
    skipped = {str(p) for p, e in expected.items() if e.documents == 0}
    assert (len(skipped), {p.path for p in report.problems} >= skipped) == (report.files_skipped, True)


@pytest.mark.parametrize("name", sorted(KINDS))
def test_each_kind_of_file_alone(tmp_path, name):
    # one file of each kind in a folder of its own: the reason is exact and the counts add up
    kind = KINDS[name]
    path = tmp_path / f"one{kind.suffix}"
    path.write_bytes(data := kind.make(7))
    expect = kind.expect(data)
    report = (result := read_corpus([tmp_path], max_record_bytes=MAX_BYTES)).report
    assert (len(result.documents), report.files_used, report.files_skipped, report.records_skipped,
            [(p.line, p.reason) for p in report.problems]) == (
        expect.documents, int(expect.documents > 0), int(expect.documents == 0), expect.records_skipped,
        list(expect.problems) if expect.documents or expect.problems else [(0, "no usable text")])


def test_a_build_goes_through_with_the_good_files_and_reports_the_bad(mixed, tmp_path, monkeypatch):
    from indexer.index import build as build_module

    dest, expected = mixed
    # the same size limit as above, so that the build sees the same oversized files (whatever limit it passes)
    monkeypatch.setattr(build_module, "iter_corpus",
                        lambda corpus, **options: iter_corpus(corpus, **(options | {"max_record_bytes": MAX_BYTES})))
    index = tmp_path / "index"
    stats = build_module.build([dest], index, jobs=1)
    documents = sum(e.documents for e in expected.values())
    assert (stats.files_read, stats.files_used, stats.files_skipped, stats.records_skipped) == (
        N_FILES, sum(e.documents > 0 for e in expected.values()), sum(e.documents == 0 for e in expected.values()),
        sum(e.records_skipped for e in expected.values()))
    assert (stats.entries, stats.cited) == (documents, 0)
    lines = (index / "corpus_report.txt").read_text(encoding="utf-8").splitlines()
    assert sorted(lines[1:]) == sorted(str(Problem(*p)) for p in _problems(expected))
    info = json.loads((index / "build_info.json").read_text(encoding="utf-8"))
    assert (info["files_skipped"], len(info["report"]["problems"])) == (stats.files_skipped, len(lines) - 1)

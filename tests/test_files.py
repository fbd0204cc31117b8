"""indexer.read.files: ids, formats and size limits of corpus files (the walk is tested in test_corpus)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from indexer.read.files import SeenIds, TooLarge, file_format, file_id, read_limited, text_format, too_large, url_id


@pytest.mark.parametrize("url, expected", [
    # vbpl_vn_html_samples/vbpl_thuoctinh.html: canonical with port, empty Keyword, mixed-case path
    ("https://vbpl.vn:443/TW/Pages/vbpq-thuoctinh.aspx?dvid=13&ItemID=96172&Keyword=",
     "url:vbpl.vn/tw/pages/vbpq-thuoctinh.aspx?dvid=13&itemid=96172"),
    # the same page linked with another parameter order and www.
    ("http://www.vbpl.vn/tw/Pages/vbpq-thuoctinh.aspx?ItemID=96172&dvid=13",
     "url:vbpl.vn/tw/pages/vbpq-thuoctinh.aspx?dvid=13&itemid=96172"),
    # the demo portal form; tracking parameters and a trailing slash do not change the page
    ("https://thanhhoa.gov.vn/portal/pages/pbgdpl/slug.html/?utm_source=zalo",
     "url:thanhhoa.gov.vn/portal/pages/pbgdpl/slug.html"),
    # shared from Facebook: the crawler drops fbclid from the URL it saves, so the id must too
    ("https://thanhhoa.gov.vn/portal/pages/pbgdpl/slug.html?fbclid=IwAR0xyz&id=5",
     "url:thanhhoa.gov.vn/portal/pages/pbgdpl/slug.html?id=5"),
])
def test_url_id_is_the_same_for_the_same_page(url, expected):
    assert url_id(url) == expected


@pytest.mark.parametrize("path, root, expected", [
    ("corpus/articles/foo.html", "corpus", "file:articles/foo.html"),
    ("corpus/foo.txt", None, "file:corpus/foo.txt"),
    ("elsewhere/foo.txt", "corpus", "file:elsewhere/foo.txt"),
])
def test_file_id_is_relative_to_the_corpus_folder(path, root, expected):
    assert file_id(Path(path), Path(root) if root else None) == expected


@pytest.mark.parametrize("name, expected", [
    ("documents.jsonl.gz", (".jsonl", True)),
    ("vbpl.html.gz", (".html", True)),
    ("Trang.HTML", (".html", False)),
    ("ban-tin", ("", False)),
    ("Báo cáo số 1.2023", ("", False)),   # a number is not an extension
    ("scan.pdf", (".pdf", False)),
])
def test_file_format(name, expected):
    assert file_format(Path(name)) == expected


@pytest.mark.parametrize("suffix, text, expected", [
    (".txt", "\ufeff<!DOCTYPE html><html>…", "html"),   # an HTML page saved as .txt
    (".txt", "Ngày tạo: 22/04/2023", "text"),
    (".txt", '{"title": "not records in a .txt"}', "text"),
    ("", '{"title": "A"}', "json"),
    ("", "<div>Tin</div>", "html"),
    (".html", "Tin tức không có thẻ", "html"),
    (".json", "[]", "json"),
])
def test_text_format_lets_content_overrule_a_wrong_extension(suffix, text, expected):
    assert text_format(suffix, text) == expected


def test_read_limited_limits_what_a_gzip_expands_to(tmp_path):
    (tmp_path / "bomb.html.gz").write_bytes(gzip.compress(b"a" * 10_000))
    with gzip.open(tmp_path / "bomb.html.gz") as fh, pytest.raises(TooLarge) as err:
        read_limited(fh, 1_000)
    with gzip.open(tmp_path / "bomb.html.gz") as fh:
        whole = read_limited(fh, 10_000)
    assert (str(err.value), whole) == (
        "page file too large (> limit 1000 bytes; raise the limit with --max-record-bytes)", b"a" * 10_000)


@pytest.mark.parametrize("what, size, expected", [
    ("record", 2_000, "record too large (2000 bytes > limit 1000; raise the limit with --max-record-bytes)"),
    ("page file", None, "page file too large (> limit 1000 bytes; raise the limit with --max-record-bytes)"),
])
def test_too_large_names_the_limit_and_the_option(what, size, expected):
    assert too_large(what, 1_000, size) == expected


def test_seen_ids_remembers_where_each_id_was_first_read_through_growth():
    seen = SeenIds(capacity=8)  # grown many times below
    firsts = [seen.first(f"vb:{n}/2023/NĐ-CP", n) for n in range(5000)]
    again = [seen.first(f"vb:{n}/2023/NĐ-CP", 99_999) for n in (0, 7, 4999)]
    assert (firsts == [None] * 5000, again, len(seen), seen.first("vb:5000/2023/NĐ-CP", 1)) == (
        True, [0, 7, 4999], 5000, None)

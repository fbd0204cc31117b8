"""SearchService on small real-text indexes: diacritics ranking, suggestions, refresh after a rebuild."""

import json

import pytest

from indexer.index.build import build
from search_app.params import parse_params
from search_app.search import SearchService

# Real sentences: the seed article (thanhhoa-article-2023-04-22.txt) and Bình Dương trích yếu
# (binhduong_van_ban.jsonl.gz ids 1843, 1871), one entry each.
RECORDS = [
    {"id": "dang-party", "title": "Tăng cường sự lãnh đạo của Đảng",
     "body": "tăng cường sự lãnh đạo của Đảng đối với công tác của Hội Chữ thập đỏ Việt Nam trong tình hình mới",
     "date": "2023-04-22", "kind": "article"},
    {"id": "dang-register", "title": "Cải thiện chỉ số đăng ký tài sản",
     "body": "cải thiện chỉ số đăng ký tài sản (a7) và chỉ số chất lượng quản lý hành chính đất đai (b3)",
     "doc_number": "4396/KH-UBND", "kind": "document"},
    {"id": "dang-price", "title": "Danh sách doanh nghiệp đăng ký giá",
     "body": "danh sách các doanh nghiệp thực hiện đăng ký giá, kê khai giá tại sở tài chính tỉnh bình dương",
     "doc_number": "171/TB-UBND", "kind": "document", "date": "2020-01-01"},
]


def _write(corpus, records):
    corpus.mkdir(parents=True, exist_ok=True)
    (corpus / "r.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                    encoding="utf-8")


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    root = tmp_path_factory.mktemp("svc")
    _write(root / "corpus", RECORDS)
    build([root / "corpus"], root / "index")
    return SearchService(root / "index")


def _ids(service, **args):
    return [r["id"] for r in service.search(parse_params(args)).results]


@pytest.mark.parametrize("q, expected", [
    ("Đảng", ["dang-party", "dang-price", "dang-register"]),   # exact first, folded matches follow
    ("đăng", ["dang-price", "dang-register", "dang-party"]),
])
def test_typed_diacritics_rank_first_folded_follow(service, q, expected):
    assert _ids(service, q=q) == expected


def test_query_without_diacritics_finds_every_spelling(service):
    assert set(_ids(service, q="dang")) == {"dang-party", "dang-register", "dang-price"}


def test_suggestion_when_nothing_matches_every_word(service):
    resp = service.search(parse_params({"q": "đăng kí tài sản"}))  # kí for ký: one letter off
    assert resp.suggestion == "đăng ký tài sản"
    assert service.search(parse_params({"q": "xyzzyq"})).suggestion == ""


def test_undated_entries_sort_last_both_ways(service):
    assert _ids(service, sort="date") == ["dang-party", "dang-price", "dang-register"]
    assert _ids(service, sort="date_asc") == ["dang-price", "dang-party", "dang-register"]


def test_rebuild_is_seen_without_restart(tmp_path):
    _write(tmp_path / "corpus", RECORDS[:1])
    build([tmp_path / "corpus"], tmp_path / "index")
    svc = SearchService(tmp_path / "index")
    assert svc.doc_count() == 1
    _write(tmp_path / "corpus", RECORDS)
    build([tmp_path / "corpus"], tmp_path / "index")
    import search_app.search as search_module
    search_module.REFRESH_EVERY = 0.0
    try:
        assert svc.doc_count() == 3
    finally:
        search_module.REFRESH_EVERY = 1.0

"""Shared fixtures: where the third-party data lives (never copied into the repo)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("VNLEX_SHARED", REPO.parent / "shared"))
SHARED_DATA = Path(os.environ.get("VNLEX_SHARED_DATA", SHARED / "data"))
SEEDS = SHARED / "seeds"


def shared_path(relative: str) -> Path:
    """Path of a file under ``../shared/data`` (or ``VNLEX_SHARED_DATA``); skip the test when absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"shared data not found: {path} (set VNLEX_SHARED_DATA to the shared/data folder)")
    return path


def seed_path(name: str = "thanhhoa-article-2023-04-22.txt") -> Path:
    """Path of a seed page under ``../shared/seeds``; skip the test when absent."""
    path = SEEDS / name
    if not path.exists():
        pytest.skip(f"seed page not found: {path} (set VNLEX_SHARED to the shared folder)")
    return path


# --- a tiny real corpus, built once per session -----------------------------------------------------

def _binhduong_record(row: dict) -> dict:
    """A Bình Dương listing row (binhduong_van_ban.jsonl.gz) in the project's record schema."""
    return {"id": f"binhduong:{row['id']}", "kind": "document", "title": row["trich_yeu"],
            "date": row["ngay_ban_hanh"], "doc_number": row["so_ky_hieu"],
            "doc_type": row.get("derived_loai_van_ban", ""), "agency": row.get("derived_co_quan_ban_hanh", ""),
            "status": row.get("hieu_luc", ""), "url": row.get("pdf_url", ""), "source": "binhduong.gov.vn"}


def _congbao_record(row: dict) -> dict:
    """A congbao.chinhphu.vn document page (congbao_phapdien_webtext.jsonl.gz) as a record."""
    return {"id": f"congbao:{row['doc_id']}", "kind": "document", "title": row["derived_title"],
            "date": row["derived_ngay_ban_hanh"], "doc_number": row["derived_so_hieu"],
            "doc_type": row.get("derived_loai_van_ban", ""),
            "agency": "Thủ tướng Chính phủ" if row["derived_so_hieu"].endswith("-TTg") else "Chính phủ",
            "url": row["url"], "source": "congbao.chinhphu.vn"}


# Bình Dương rows picked for what they exercise (ids are the listing's own): two Công văn (0, 1),
# a number typed with U+00D0 "2403/QÐ-UBND" (416), a plan citing "chỉ thị số 34-ct/tw" (3974)
TINY_BINHDUONG_IDS = {0, 1, 416, 3974}
# congbao pages: the four Chỉ thị numbered 18/CT-TTg before 2018 (the seed cites the 2018 one), and
# a normative number with a year
TINY_CONGBAO_NUMBERS = {"18/CT-TTg", "82/2020/NĐ-CP"}


def write_tiny_corpus(dest: Path) -> Path:
    """The seed article, the vbpl Thuộc tính page of 101/2015/QH13, and real records, under ``dest``."""
    import gzip
    import json
    import shutil

    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(seed_path(), dest / "thanhhoa-article-2023-04-22.txt")
    with gzip.open(shared_path("vbpl_vn_html_samples/vbpl_thuoctinh.html.gz")) as f:
        (dest / "vbpl_thuoctinh.html").write_bytes(f.read())
    records = []
    with gzip.open(shared_path("binhduong_van_ban_chi_dao_dieu_hanh/binhduong_van_ban.jsonl.gz"), "rt",
                   encoding="utf-8") as f:
        records += [_binhduong_record(r) for r in map(json.loads, f) if r["id"] in TINY_BINHDUONG_IDS]
    with gzip.open(shared_path("congbao_phapdien_webtext/congbao_phapdien_webtext.jsonl.gz"), "rt",
                   encoding="utf-8") as f:
        records += [_congbao_record(r) for r in map(json.loads, f)
                    if r.get("derived_so_hieu") in TINY_CONGBAO_NUMBERS and r.get("page_kind") == "congbao_van-ban"]
    with open(dest / "records.jsonl", "w", encoding="utf-8") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return dest


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory) -> Path:
    return write_tiny_corpus(tmp_path_factory.mktemp("corpus") / "tiny")


@pytest.fixture(scope="session")
def tiny_index(tiny_corpus, tmp_path_factory) -> Path:
    """A real index built from ``tiny_corpus`` (shared by the search, API and UI tests: read-only)."""
    from indexer.index.build import build

    index = tmp_path_factory.mktemp("index") / "index"
    build([tiny_corpus], index, jobs=1)
    return index


@pytest.fixture(scope="module")
def app(tiny_index):
    """The app over ``tiny_index`` (read-only), as ``create_app`` makes it for a test."""
    from search_app import create_app

    return create_app({"INDEX_DIR": str(tiny_index), "TESTING": True})


@pytest.fixture(scope="module")
def client(app):
    """Flask's test client of ``app``: real requests through every layer, no server."""
    return app.test_client()


# --- an index of two segments and a deleted entry, from the seed's sentences ------------------------

def seed_paragraphs() -> list[str]:
    """The seed article's paragraphs of more than 40 characters (real sentences)."""
    from indexer.text.normalize import clean

    text = clean(seed_path().read_text(encoding="utf-8"))
    return [p.strip() for p in text.split("\n") if len(p.strip()) > 40]


def two_segment_index(path: Path):
    """A Whoosh index in ``path``: the seed's paragraphs as entries in two segments (doc numbers
    offset), entry ``p1`` deleted (a hole to skip), and beside the project's schema an indexed
    folded field ``text_f`` (Whoosh's answers on it are the oracle for what the engine folds)."""
    from datetime import datetime

    from whoosh import index as whoosh_index
    from whoosh.fields import TEXT

    from indexer.index.entries import TEXT_FIELDS, entry_text
    from indexer.index.schema import build_schema
    from indexer.text.analysis import folded_analyzer

    paragraphs = seed_paragraphs()
    assert len(paragraphs) >= 12, len(paragraphs)
    schema = build_schema()
    schema.add("text_f", TEXT(analyzer=folded_analyzer(), phrase=False))
    ix = whoosh_index.create_in(str(path), schema)
    types, agencies = ["Kế hoạch", "Chỉ thị", "", "Quyết định"], ["UBND", "TW", "TTg"]
    for half in (paragraphs[: len(paragraphs) // 2], paragraphs[len(paragraphs) // 2:]):
        w = ix.writer()
        for p in half:
            n = paragraphs.index(p)
            title = " ".join(p.split()[:6])
            w.add_document(id=f"p{n}", kind="article" if n % 3 else "document", title=title, body=p,
                           doc_type=types[n % 4], agency=agencies[n % 3], year=str(2018 + n % 5),
                           date=datetime(2018 + n % 5, 1 + n % 12, 1) if n % 4 else None, undated=0 if n % 4 else 1,
                           **dict.fromkeys(TEXT_FIELDS + ("text_f",), entry_text(title, p)))
        w.commit(merge=False)
    w = ix.writer()
    w.delete_by_term("id", "p1")
    w.commit(merge=False)
    return ix

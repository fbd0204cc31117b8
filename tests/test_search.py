"""SearchService on small real-text indexes: diacritics ranking, suggestions, refresh after a rebuild."""

import json
from pathlib import Path

import numpy as np
import pytest

from indexer.index.build import build
from search_app.params import parse_params
from search_app.search import SearchService, _counter

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
    import search_app.searchers as search_module
    saved, search_module.REFRESH_EVERY = search_module.REFRESH_EVERY, 0.0
    try:
        assert svc.doc_count() == 3
    finally:
        search_module.REFRESH_EVERY = saved


# --- queries as researchers type them (issue 17) -------------------------------------------------------
#
# The demonstration corpus (corpus/: laws, plans, articles citing them) and real law articles of
# ALQAC (../shared/data/alqac2023_2024/beir/corpus.jsonl) recorded as phapdien records are: titled
# "Điều N. …", bearing their law's number (bench/common.py phapdien_record does the same).
ARTICLE_LAWS = {"Luật An ninh mạng": ("24/2018/QH14", {"1", "2", "3"}),
                "Luật Tố tụng hành chính": ("93/2015/QH13", {"2", "142", "143", "144"})}


def _article_records() -> list[dict]:
    from tests.conftest import shared_path

    out = []
    with open(shared_path("alqac2023_2024/beir/corpus.jsonl"), encoding="utf-8") as f:
        for row in map(json.loads, f):
            number, articles = ARTICLE_LAWS.get(row["law_id"], ("", ()))
            if row["article_id"] in articles:
                out.append({"id": f"alqac:{row['_id']}", "kind": "document", "doc_type": "Luật",
                            "doc_number": number, "title": f"Điều {row['article_id']}. {row['title']}",
                            "body": row["text"], "source": "alqac"})
    # the law itself, as vbpl.vn lists it (Luật số 93/2015/QH13, 25/11/2015)
    out.append({"id": "vb:93-2015-qh13", "kind": "document", "doc_type": "Luật", "doc_number": "93/2015/QH13",
                "title": "Luật Tố tụng hành chính", "date": "2015-11-25", "body": "Luật Tố tụng hành chính"})
    return out


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    import shutil
    from pathlib import Path

    root = tmp_path_factory.mktemp("demo")
    shutil.copytree(Path(__file__).resolve().parent.parent / "corpus", root / "corpus")
    _write(root / "corpus" / "alqac", _article_records())
    build([root / "corpus"], root / "index")
    return SearchService(root / "index")


def _search(service, q, **args):
    return service.search(parse_params({"q": q, **args}))


def test_unknown_number_leaves_the_words_to_rank(demo):
    plain, with_number = _search(demo, "không gian mạng"), _search(demo, "không gian mạng 99/2018/QH14")
    assert plain.total == 7  # 4 of the demo corpus, articles 1-3 of Luật An ninh mạng
    assert [r["id"] for r in with_number.results] == [r["id"] for r in plain.results]
    assert with_number.notes == ("Số hiệu 99/2018/QH14 không có trong dữ liệu (không văn bản nào mang hay "
                                 "trích dẫn số này): kết quả theo các từ còn lại.",)
    assert _search(demo, "99/2018/QH14").total == 0


@pytest.mark.parametrize("q", ["khoản 3 Điều 2 Luật An ninh mạng số 24/2018/QH14", "Điều 2 Luật An ninh mạng",
                               "dieu 2 luat an ninh mang"])
def test_article_reference_leads_to_the_article_then_the_law(demo, q):
    assert _ids(demo, q=q)[:2] == ["alqac:Luật An ninh mạng|2", "vb:24-2018-qh14"]


def test_article_reference_with_lowercase_law_and_year(demo):
    ids = _ids(demo, q="khoản 3 Điều 143 luật Tố tụng hành chính 2015")
    assert ids[:2] == ["alqac:Luật Tố tụng hành chính|143", "vb:93-2015-qh13"]


def test_year_is_a_preference_not_a_term(demo):
    plain = _search(demo, "luật phổ biến giáo dục pháp luật")
    dated = _search(demo, "luật phổ biến giáo dục pháp luật 2012")
    assert (dated.results[0]["id"], dated.total) == ("vb:14-2012-qh13", plain.total)
    # a plan of 2024 first, among the same hits as without the year
    later = _search(demo, "phổ biến giáo dục pháp luật 2024")
    assert later.total == _search(demo, "phổ biến giáo dục pháp luật").total
    assert later.results[0]["date"][:4] == "2024"


def test_nam_and_a_year_filters_by_year(demo):
    said = _search(demo, "kế hoạch năm 2019")
    filtered = _search(demo, "kế hoạch", year="2019")
    assert [r["id"] for r in said.results] == [r["id"] for r in filtered.results]
    assert said.total == filtered.total == 4
    assert {r["date"][:4] for r in said.results} == {"2019"}
    assert said.notes == ("Chỉ các kết quả năm 2019, như câu tìm nói “năm 2019”.",)


@pytest.mark.parametrize("q, first", [
    ("luật an ninh mạng", "vb:24-2018-qh14"),
    ("luat an ninh mang", "vb:24-2018-qh14"),
    ("bộ luật lao động 2019", "vb:45-2019-qh14"),
    ("bo luat lao dong nam 2019", "vb:45-2019-qh14"),
    ("Luật Tố tụng hành chính", "vb:93-2015-qh13"),
])
def test_law_named_without_number_puts_its_record_first(demo, q, first):
    assert _ids(demo, q=q)[0] == first


def test_question_boilerplate_does_not_count(demo):
    # a23train-style question about a demo law: the frame words leave the ranking unchanged
    bare = _ids(demo, q="người nghiện ma túy bị đưa vào cơ sở cai nghiện bắt buộc")
    assert _ids(demo, q="Người nghiện ma túy bị đưa vào cơ sở cai nghiện bắt buộc, đúng hay sai?") == bare


@pytest.mark.parametrize("short, long", [("quyết định ubnd tỉnh bình dương", "quyết định ủy ban nhân dân tỉnh bình dương"),
                                         ("qd ubnd tinh binh duong", "quyet dinh uy ban nhan dan tinh binh duong")])
def test_abbreviation_and_long_form_find_the_same_entries(demo, short, long):
    a, b = _search(demo, short, per_page="50"), _search(demo, long, per_page="50")
    assert a.total == b.total > 0
    assert {r["id"] for r in a.results} == {r["id"] for r in b.results}


@pytest.mark.parametrize("joint_from", [0, 10**9], ids=["facets-counted-jointly", "one-by-one"])
def test_facets_of_most_of_the_index_are_counted_from_what_is_left_out(tmp_path, monkeypatch, joint_from):
    # a query matching most entries: its counts are the index's minus those of the entries it misses,
    # the same as counting its own entries (the demonstration corpus: joined fields, agencies, years);
    # and counting facets jointly (``fields.FacetCounter``) says what counting each alone says
    from search_app import fields
    from search_app.fields import FACETS

    monkeypatch.setattr(fields, "JOINT_FROM", joint_from)
    monkeypatch.setattr(fields, "JOINT_MAX", 64)  # several groups on this small index
    build([Path(__file__).resolve().parent.parent / "corpus"], tmp_path / "index")
    svc = SearchService(tmp_path / "index")
    a = svc.arrays(svc.searcher())
    live = np.flatnonzero(a.live)
    rng = np.random.default_rng(7)
    sets = {"all": live, "all but one": live[1:], "just over half": live[:len(live) // 2 + 1],
            "70% at random": np.sort(rng.choice(live, int(len(live) * 0.7), replace=False)),
            "a few": live[::97], "none": live[:0]}
    for name, docs in sets.items():
        expected = {f.field: f.counts(*a.facets[f.field], docs) for f in FACETS}
        assert svc.facet_counts(a, docs) == expected, name
    counter = _counter(a)
    assert len(counter.groups) >= 2 and all(len(g) > 1 for g, _ in counter.groups)  # joint counts were read
    assert any("; " in label for label in a.facets["field"][1])  # a joined label is among them


BLOCK_CASES = [{"q": "quyền và nghĩa vụ"}, {"q": "quyen va nghia vu", "page": "3", "per_page": "10"},
               {"q": "tố tụng hành chính", "type": "Luật"}, {"q": "người khởi kiện -tòa"},
               {"q": "\"người bị kiện\""}, {"q": "\"quyết định hành chính bị kiện\""},
               {"q": "luật tố tụng hành chính 2015"}, {"q": "xyzzy quyền"},
               {"q": "Người khởi kiện có quyền rút đơn khởi kiện trong trường hợp nào?"},
               {"q": "pháp luật", "year": "2015"}, {"q": "thi hành án", "per_page": "50", "page": "2"}]


def _answer(service, case):
    r = service.search(parse_params(case))
    return r.total, r.facets, [(x["id"], x["score"]) for x in r.results], r.suggestion, r.notes


@pytest.fixture(scope="module")
def alqac(tmp_path_factory):
    """The demonstration corpus and every ALQAC law article (~2,400 entries: dozens of blocks)."""
    import shutil

    from tests.conftest import shared_path

    root = tmp_path_factory.mktemp("alqac")
    shutil.copytree(Path(__file__).resolve().parent.parent / "corpus", root / "corpus")
    with open(shared_path("alqac2023_2024/beir/corpus.jsonl"), encoding="utf-8") as f:
        _write(root / "corpus" / "alqac", [{"id": f"alqac:{row['_id']}", "kind": "document", "doc_type": "Luật",
                                            "title": f"Điều {row['article_id']}. {row['title']}", "body": row["text"],
                                            "date": f"{2010 + i % 14}-01-{1 + i % 28:02d}", "source": "alqac"}
                                           for i, row in enumerate(map(json.loads, f))])
    build([root / "corpus"], root / "index")
    return SearchService(root / "index")


@pytest.mark.parametrize("places", [0, 10**9], ids=["matches-looked-up", "every-entry-read-in-runs"])
@pytest.mark.parametrize("share", [1, 3, 10**6], ids=["pruned", "some", "every-match-scored"])
def test_the_best_found_block_by_block_are_the_best_of_every_match(alqac, monkeypatch, share, places):
    """The page found from the matches' bitmap and the blocks that can hold the best scores is the page
    found by scoring every match: same totals, facets, entries, scores (each way ``best`` can end, each
    way a batch of blocks is scored). The block way runs first: in the first run the terms and phrases
    are kept with their blocks' peaks."""
    from search_app import engine

    a = alqac.arrays(alqac.searcher())
    assert a.size > 30 * 64  # dozens of blocks (a bitmap word each): an order to score them in
    monkeypatch.setattr(engine, "BLOCKS_FROM", 0)
    monkeypatch.setattr(engine, "SCORED_SHARE", share)
    monkeypatch.setattr(engine, "PLACES_SHARE", places)
    plans = [alqac.plan(alqac.searcher(), case["q"]) for case in BLOCK_CASES]
    assert sum(SearchService._by_blocks(a, p, False) for p in plans) >= 9  # the plans this path answers
    seen = {"every match": 0, "batches": set()}  # how ``best`` ended and scored (spied, not replaced)
    every, scores_at = engine.Evaluator._best_of_all, engine.Evaluator._scores_at

    def every_match(self, *args):
        seen["every match"] += 1
        return every(self, *args)

    def batch(self, q, places, *args):
        seen["batches"].add(type(places).__name__)
        return scores_at(self, q, places, *args)

    monkeypatch.setattr(engine.Evaluator, "_best_of_all", every_match)
    monkeypatch.setattr(engine.Evaluator, "_scores_at", batch)
    got = [_answer(alqac, case) for case in BLOCK_CASES]
    assert seen["batches"] == {"Blocks" if places else "ndarray"}
    assert (seen["every match"] == 0) if share == 1 else (seen["every match"] > 0)
    monkeypatch.setattr(engine, "BLOCKS_FROM", 10**12)
    expected = [_answer(alqac, case) for case in BLOCK_CASES]
    assert got == expected
    assert all(e[0] for e in expected)  # (every case finds something: "xyzzy quyền" by its fallback)


def test_a_researcher_on_a_large_index_reads_what_every_match_scored_gives(alqac, monkeypatch):
    """The block path through every layer (Flask's test client): a query, a filter taken from its
    facets, the next page, the results page, an entry opened — the same answers as scoring every
    match, and a facet's count is the total its filter then finds."""
    from flask import url_for
    from markupsafe import escape

    from search_app import create_app, engine

    app = create_app({"INDEX_DIR": str(alqac.index_dir), "TESTING": True})
    client = app.test_client()
    q = "quyền và nghĩa vụ của đương sự"

    def get(path: str, **args):
        resp = client.get(path, query_string=args)
        assert resp.status_code == 200, (path, args)
        return resp

    def journey() -> list:
        first = get("/api/search", q=q).get_json()
        year, count = max(first["facets"]["year"].items(), key=lambda kv: kv[1])  # the year with most results
        narrowed = get("/api/search", q=q, year=year).get_json()
        assert narrowed["total"] == count > 10 and first["total"] > count
        second = get("/api/search", q=q, year=year, page=2).get_json()
        assert second["total"] == count
        assert not {r["id"] for r in second["results"]} & {r["id"] for r in narrowed["results"]}
        html = get("/", q=q, year=year).get_data(as_text=True)
        assert f"Tìm thấy <strong>{count}</strong> kết quả" in html
        with app.test_request_context():
            hrefs = [url_for("views.entry_page", entry_id=r["id"]) for r in narrowed["results"]]
        assert all(f'href="{h}"' in html for h in hrefs)
        entry = get(hrefs[0]).get_data(as_text=True)
        assert str(escape(narrowed["results"][0]["title"])) in entry
        return [first, narrowed, second]

    monkeypatch.setattr(engine, "BLOCKS_FROM", 10**12)
    expected = journey()
    monkeypatch.setattr(engine, "BLOCKS_FROM", 0)
    assert journey() == expected

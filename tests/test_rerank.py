"""The learned ranking stage (search_app.rerank) on a tiny real index of ALQAC law articles."""

import json

import numpy as np
import pytest

from indexer.index.build import build
from search_app import rerank, search
from search_app.engine import Evaluator
from search_app.params import parse_params
from search_app.search import SearchService

from conftest import shared_path

# Articles of two laws from ../shared/data/alqac2023_2024/beir/corpus.jsonl, around the answers of
# ALQAC 2023 train questions TN-15 (Luật Du lịch|59) and TN-19 (Luật Trọng tài thương mại|5).
ARTICLES = [f"Luật Du lịch|{n}" for n in (58, 59, 60, 61, 62, 63, 64)] + [
    f"Luật Trọng tài thương mại|{n}" for n in (3, 4, 5, 11, 14, 42)]
# a23train:TN-19: served, "Nguyên tắc giải quyết tranh chấp bằng Trọng tài" (Điều 4) comes first; the
# model puts the article whose title the question says, "Điều kiện giải quyết tranh chấp bằng Trọng tài".
QUESTION = "Điều kiện để giải quyết tranh chấp bằng trọng tài là gì?"


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    rows = {}
    with open(shared_path("alqac2023_2024/beir/corpus.jsonl"), encoding="utf-8") as f:
        for row in map(json.loads, f):
            rows[row["_id"]] = row
    root = tmp_path_factory.mktemp("rerank")
    (root / "corpus").mkdir()
    with open(root / "corpus" / "alqac.jsonl", "w", encoding="utf-8") as f:
        for i in ARTICLES:  # as bench/common.alqac_record writes them
            f.write(json.dumps({"id": i, "kind": "document", "title": rows[i]["title"], "body": rows[i]["text"],
                                "field": rows[i]["law_id"], "source": "alqac"}, ensure_ascii=False) + "\n")
    build([root / "corpus"], root / "index")
    return SearchService(root / "index")


@pytest.fixture
def stage_off(monkeypatch):
    monkeypatch.setattr(rerank, "model", lambda: None)


def _search(service, **args):
    return service.search(parse_params(args))


def _ids(service, **args):
    return [r["id"] for r in _search(service, **args).results]


def test_served_order_puts_another_article_first(service, stage_off):
    assert _ids(service, q=QUESTION)[:2] == ["Luật Trọng tài thương mại|4", "Luật Trọng tài thương mại|5"]


@pytest.mark.parametrize("q", [QUESTION, "Dieu kien de giai quyet tranh chap bang trong tai la gi?"])
def test_stage_orders_the_best_results_as_the_model_says(service, q):
    s = service.searcher()
    ev = Evaluator(service.arrays(s), s)
    plan = service.plan(s, q)
    docs, score = service.served(ev, plan)
    top, served = rerank.candidates(docs, score)
    ids = {n: f["id"] for n, f in s.reader().iter_docs()}
    predicted = rerank.model().predict(rerank.features(ev, plan, served, top))
    expected = [ids[int(d)] for d in top[np.argsort(-predicted, kind="stable")]]
    got = _ids(service, q=q, per_page="50")
    assert got[:len(expected)] == expected
    assert got[0] == "Luật Trọng tài thương mại|5"


def test_stage_keeps_scores_falling_and_the_served_scores(service, monkeypatch):
    on = _search(service, q=QUESTION, per_page="50").results
    monkeypatch.setattr(rerank, "model", lambda: None)
    off = _search(service, q=QUESTION, per_page="50").results
    assert [r["score"] for r in on] == sorted((r["score"] for r in on), reverse=True)
    assert sorted(r["score"] for r in on) == pytest.approx(sorted(r["score"] for r in off), abs=1e-3)


@pytest.mark.parametrize("q", [QUESTION,
                               "cấp thẻ hướng dẫn viên du lịch quốc tế theo quy định của luật du lịch"])
def test_same_results_totals_and_facets_with_the_stage(service, monkeypatch, q):
    on = [_search(service, q=q, per_page="10", page=str(p)) for p in (1, 2)]
    monkeypatch.setattr(rerank, "model", lambda: None)
    off = [_search(service, q=q, per_page="10", page=str(p)) for p in (1, 2)]
    assert [r.total for r in on] == [r.total for r in off]
    assert on[0].facets == off[0].facets
    assert {x["id"] for r in on for x in r.results} == {x["id"] for r in off for x in r.results}


def test_stage_is_off_when_sorting_by_date(service, monkeypatch):
    def fail(*args):
        raise AssertionError("the ranking stage ran")

    monkeypatch.setattr(search, "rerank", fail)
    assert len(_ids(service, q=QUESTION, sort="date")) == 10
    assert len(_ids(service, q=QUESTION, sort="date_asc")) == 10
    with pytest.raises(AssertionError, match="ranking stage ran"):
        _search(service, q=QUESTION)


@pytest.mark.parametrize("q, applies", [
    (QUESTION, True),
    ("trọng tài viên", False),               # short: every word required, the served order stays
    ('"trọng tài viên" có quyền từ chối giải quyết tranh chấp không', False),  # a quoted phrase
])
def test_stage_applies_to_long_free_text_only(service, q, applies):
    s = service.searcher()
    assert rerank.applies(service.plan(s, q)) is applies


def test_trees_send_a_row_left_when_at_most_the_threshold():
    # one tree: x[1] <= 0.5 → leaf 1 (worth 2.0), else leaf 2 (worth -1.0); a second tree adds 0.25
    trees = rerank.Trees(feature=np.array([[1, -1, -1], [-1, -1, -1]]), threshold=np.array([[0.5, 0, 0]] * 2),
                         left=np.array([[1, 1, 2], [0, 1, 2]]), right=np.array([[2, 1, 2], [0, 1, 2]]),
                         value=np.array([[0, 2.0, -1.0], [0.25, 0, 0]]), depth=1)
    X = np.array([[9.0, 0.5], [9.0, 0.6], [0.0, -3.0]])
    assert trees.predict(X).tolist() == [2.25, -0.75, 2.25]


def test_shipped_model_reads_the_features_the_stage_computes():
    data = json.loads(rerank.MODEL_FILE.read_text(encoding="utf-8"))
    assert tuple(data["features"]) == rerank.FEATURES
    assert rerank.MODEL_FILE.stat().st_size <= 10 * 2**20
    assert rerank.model() is not None


def test_a_small_index_has_every_title_the_stage_reads_once_warmed(service):
    """The background warm-up reads every live entry's title as the stage keeps it (one pass over
    the stored fields), so a long question's first candidates are not read one by one."""
    service.warm_up(wait=60)
    s = service.searcher()
    a = service.arrays(s)
    assert a.warmed.is_set() and a.size <= rerank.TITLES_WARM_MAX
    titles = a.once("rerank_titles", dict)
    live = np.flatnonzero(a.live).tolist()
    assert sorted(titles) == live
    assert all(titles[d] == rerank._title_key(s.stored_fields(d).get("title", "")) for d in live)
    assert any(titles[d] != " ".join(rerank.syllables(s.stored_fields(d).get("title", ""))) for d in live)  # "Điều 5." dropped


def test_reading_titles_at_start_stops_when_told_or_out_of_time(service, monkeypatch):
    s = service.searcher()
    a = service.arrays(s)
    live = int(a.live.sum())
    monkeypatch.setattr(rerank, "TITLES_CHECK_EVERY", 2)
    a._memo.pop("rerank_titles", None)  # as a new version has it
    assert live > 4 and rerank.warm_titles(s, a, lambda: True) == 2  # told to stop at its first check
    monkeypatch.setattr(rerank, "TITLES_WARM_SECONDS", -1.0)
    assert rerank.warm_titles(s, a, lambda: False) == 2  # out of time at its first check
    assert len(a.once("rerank_titles", dict)) == 2
    monkeypatch.setattr(rerank, "TITLES_WARM_MAX", a.size - 1)
    assert rerank.warm_titles(s, a, lambda: False) == 0  # too large an index: its titles are read as asked
    monkeypatch.setattr(rerank, "TITLES_WARM_MAX", a.size)
    monkeypatch.setattr(rerank, "TITLES_WARM_SECONDS", 600.0)
    assert rerank.warm_titles(s, a, lambda: False) == live == len(a.once("rerank_titles", dict))

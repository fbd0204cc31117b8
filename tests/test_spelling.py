""""Có phải bạn muốn tìm": the nearest words of an index, and which of them a suggestion takes."""

import json

import pytest

from indexer.index.build import build
from search_app import searchers
from search_app.params import parse_params
from search_app.search import SearchService
from search_app.spelling import Spelling
from tests.conftest import seed_path

# Syllables of the seed article, as the folded lexicon holds them (folded → accented forms).
LEXICON = {"do": ("đỏ",), "doi": ("đối", "đổi"), "dong": ("đồng",), "voi": ("với",), "thap": ("thập",),
           "chu": ("chữ", "chủ"), "2023": ("2023",), "kl": ("kl",)}


@pytest.mark.parametrize("word, nearest", [
    ("dox", ["do", "doi"]),          # one edit: a letter added / replaced
    ("odi", ["doi"]),                # two letters swapped: one edit (Damerau)
    ("thapxx", ["thap"]),            # two edits when nothing is one away
    ("thapxxx", []),                 # three: out of reach
    ("doi", ["do", "voi"]),          # the word itself is not its own suggestion
    ("2024", []),                    # numbers and codes are never offered
])
def test_nearest_folded_words(word, nearest):
    assert Spelling.folded(LEXICON).nearest(word) == nearest


def test_accented_words_are_their_own_forms():
    spelling = Spelling.accented(LEXICON)
    assert (spelling.nearest("đỗi"), spelling.nearest("chũ"), spelling.forms("chủ")) == (
        ["đối", "đổi"], ["chủ", "chữ"], ("chủ",))


@pytest.fixture(scope="module")
def seed_service(tmp_path_factory):
    root = tmp_path_factory.mktemp("spell")
    _write_seed(root / "corpus", "seed")
    build([root / "corpus"], root / "index")
    return SearchService(root / "index")


def _write_seed(corpus, entry_id: str) -> None:
    """The seed article as one record ``entry_id`` in a file of its own under ``corpus``."""
    corpus.mkdir(exist_ok=True)
    record = {"id": entry_id, "kind": "article", "title": "Hội Chữ thập đỏ",
              "body": seed_path().read_text(encoding="utf-8"), "date": "2023-04-22"}
    (corpus / f"{entry_id}.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")


# In the seed "đỏ" is written 19 times and "đối" 4: alone, "dox" becomes the commoner "do"; next to "voi"
# it becomes "doi", as in "đối với", and next to "thap" it stays "do", as in "thập đỏ".
@pytest.mark.parametrize("q, suggestion", [
    ("dox", "do"),
    ("dox voi cong tac", "doi voi cong tac"),
    ("chu thap dox", "chu thap do"),
    ("chữ thập đỏo", "chữ thập đỏ"),
    ("lãnh đạo của Đảng đốii với", "lãnh đạo của Đảng đối với"),
    ("qqxyz", ""),
])
def test_suggestion_follows_the_neighbouring_words(seed_service, q, suggestion):
    assert seed_service.search(parse_params({"q": q})).suggestion == suggestion


def test_word_lists_are_ready_before_the_first_typo(tmp_path, monkeypatch):
    # read at start-up (warm_up) and, for a version built while serving, by its background warm-up:
    # the first visitor who mistypes a word does not wait for them (~1 s at 1M entries)
    corpus = tmp_path / "corpus"
    _write_seed(corpus, "seed")
    build([corpus], tmp_path / "index")
    svc = SearchService(tmp_path / "index")
    svc.warm_up(wait=60)
    made: list[int] = []
    real_init = Spelling.__init__

    def counted(self, spellings):
        made.append(len(spellings))
        real_init(self, spellings)

    monkeypatch.setattr(Spelling, "__init__", counted)
    assert (svc.search(parse_params({"q": "chu thap dox"})).suggestion, made) == ("chu thap do", [])

    _write_seed(corpus, "seed-2")  # a new version: served at once, its word lists made in the background
    build([corpus], tmp_path / "index")
    monkeypatch.setattr(searchers, "REFRESH_EVERY", 0.0)  # look at the index link on this request
    assert sorted(r["id"] for r in svc.search(parse_params({"q": "thập đỏ"})).results[:2]) == ["seed", "seed-2"]
    s = svc.searcher()
    assert svc.arrays(s).warmed.wait(60)
    assert len(made) == 2  # accented and folded, by the warm-up
    made.clear()
    assert (svc.search(parse_params({"q": "chữ thập đỏo"})).suggestion, made) == ("chữ thập đỏ", [])

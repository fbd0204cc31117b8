"""analysis: the three Whoosh chains (words, syllables, folded) and what they let queries find."""

import pytest
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.query import And, Phrase, Term

from indexer.text.analysis import folded_analyzer, pair_analyzer, pairs_of, syllable_analyzer, word_analyzer


def tokens(analyzer, text):
    return [t.text for t in analyzer(text)]


@pytest.mark.parametrize("text, words, folded", [
    # seed article (thanhhoa-article-2023-04-22.txt), first sentence
    ("Ngày 18 tháng 4 năm 2023, Ủy ban nhân dân tỉnh Thanh Hóa đã ban hành Kế hoạch số 93/KH-UBND",
     ["ngày", "18", "tháng", "4", "năm", "2023", "uỷ_ban", "nhân_dân", "tỉnh", "thanh_hoá", "đã",
      "ban_hành", "kế_hoạch", "số", "93", "kh", "ubnd"],
     ["ngay", "18", "thang", "4", "nam", "2023", "uy", "ban", "nhan", "dan", "tinh", "thanh", "hoa", "da",
      "ban", "hanh", "ke", "hoach", "so", "93", "kh", "ubnd"]),
    # both tone styles give one term (DOMAIN.md §3)
    ("hòa giải ở cơ sở", ["hoà_giải", "ở", "cơ_sở"], ["hoa", "giai", "o", "co", "so"]),
    ("hoà giải ở cơ sở", ["hoà_giải", "ở", "cơ_sở"], ["hoa", "giai", "o", "co", "so"]),
    # mixed Latin and number tokens
    ("phòng, chống COVID-19, phạt 1.500.000 đồng, gửi stp@thanhhoa.gov.vn",
     ["phòng", "chống", "covid", "19", "phạt", "1.500.000", "đồng", "gửi", "stp@thanhhoa.gov.vn"],
     ["phong", "chong", "covid", "19", "phat", "1.500.000", "dong", "gui", "stp@thanhhoa.gov.vn"]),
    ("", [], []),
    (" \n\t ", [], []),
])
def test_word_and_folded_tokens(text, words, folded):
    assert tokens(word_analyzer(), text) == words
    assert tokens(folded_analyzer(), text) == folded


def test_positions_count_tokens_and_chars_point_at_the_text():
    text = "Hội Chữ thập đỏ"
    got = [(t.text, t.pos, t.startchar, t.endchar)
           for t in word_analyzer()(text, positions=True, chars=True)]
    assert got == [("hội", 0, 0, 3), ("chữ_thập_đỏ", 1, 4, 15)]
    got = [(t.text, t.pos, text[t.startchar:t.endchar])
           for t in folded_analyzer()(text, positions=True, chars=True)]
    assert got == [("hoi", 0, "Hội"), ("chu", 1, "Chữ"), ("thap", 2, "thập"), ("do", 3, "đỏ")]


def test_nfd_and_d_lookalike_analyse_like_nfc():
    import unicodedata
    assert tokens(syllable_analyzer(), unicodedata.normalize("NFD", "Đảng ủy")) == ["đảng", "uỷ"]
    assert tokens(syllable_analyzer(), "\u00d0ảng") == ["đảng"]


@pytest.fixture(scope="module")
def tiny_index():
    schema = Schema(id=ID(stored=True), body=TEXT(analyzer=syllable_analyzer(), phrase=True),
                    body_w=TEXT(analyzer=word_analyzer()), body_f=TEXT(analyzer=folded_analyzer(), phrase=True))
    ix = RamStorage().create_index(schema)
    docs = {
        # seed article sentence: the compound
        "chuthapdo": "tăng cường sự lãnh đạo của Đảng đối với công tác của Hội Chữ thập đỏ Việt Nam",
        # the same syllables, not the compound
        "scattered": "chữ viết trên thập giá màu đỏ",
        "dang": "đăng ký hộ kinh doanh",
    }
    with ix.writer() as w:
        for key, text in docs.items():
            w.add_document(id=key, body=text, body_w=text, body_f=text)
    return ix


def _ids(ix, query):
    with ix.searcher() as s:
        return [hit["id"] for hit in s.search(query)]


def test_compound_term_finds_only_the_compound(tiny_index):
    assert _ids(tiny_index, Term("body_w", "chữ_thập_đỏ")) == ["chuthapdo"]


def test_single_syllable_finds_text_with_the_compound(tiny_index):
    assert sorted(_ids(tiny_index, Term("body", "thập"))) == ["chuthapdo", "scattered"]


def test_phrase_over_syllables(tiny_index):
    assert _ids(tiny_index, Phrase("body", ["hội", "chữ", "thập", "đỏ"])) == ["chuthapdo"]


def test_folded_query_finds_accented_text(tiny_index):
    assert _ids(tiny_index, Phrase("body_f", ["chu", "thap", "do"])) == ["chuthapdo"]
    assert sorted(_ids(tiny_index, Term("body_f", "dang"))) == ["chuthapdo", "dang"]
    assert _ids(tiny_index, And([Term("body_f", "dang"), Term("body_f", "ky")])) == ["dang"]


@pytest.mark.parametrize("text, pairs", [
    # seed article (thanhhoa-article-2023-04-22.txt): the organisation it names, either tone style
    ("Hội Chữ thập đỏ tỉnh Thanh Hóa", ["hoi chu", "chu thap", "thap do", "do tinh", "tinh thanh", "thanh hoa"]),
    ("Thanh Hoá", ["thanh hoa"]),
    # punctuation and numbers do not break the run: only what the syllable chain keeps is paired
    ("Kế hoạch số 93/KH-UBND", ["ke hoach", "hoach so", "so 93", "93 kh", "kh ubnd"]),
    ("luật", []),
    ("", []),
])
def test_pair_analyzer_gives_each_adjacent_pair_of_folded_syllables(text, pairs):
    assert tokens(pair_analyzer(), text) == pairs
    assert pairs_of(tokens(folded_analyzer(), text)) == pairs  # what the engine asks of a typed phrase

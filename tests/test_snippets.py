"""Snippets (search_app.snippets) on real text: the window holds the most distinct query words, matches
are marked on any spelling, and text is escaped."""

from indexer.text.normalize import fold
from search_app.snippets import snippet

from conftest import seed_paragraphs


def test_the_window_holds_the_most_distinct_query_words():
    text = "Hội chữ thập đỏ " + "khác " * 60 + "Hội Chữ thập đỏ tỉnh Thanh Hóa " + "nữa " * 60
    got = snippet(text, frozenset({"hoi", "chu", "thap", "do", "tinh", "thanh", "hoa"}), size=60)
    assert got.startswith("… ") and got.endswith(" …")
    assert "<mark>Thanh</mark> <mark>Hóa</mark>" in got and "<mark>Chữ</mark> <mark>thập</mark> <mark>đỏ</mark>" in got


def test_a_match_longer_than_the_window_is_no_error():
    long_word = "a" * 40
    got = snippet(f"{long_word} bb cc {'x' * 30} bb", frozenset({long_word, "bb", "x" * 30}), size=20)
    assert got == "… aaa <mark>bb</mark> cc xxxxxxxxxx …"


def test_snippets_of_the_seed_escape_the_text_and_mark_only_query_words():
    for paragraph in seed_paragraphs()[:20]:
        got = snippet(paragraph + " <b>&", frozenset({"phap", "luat"}))
        assert "<b>" not in got and got.replace("<mark>", "").replace("</mark>", "").count("<") == 0
        marked = [m.split("</mark>")[0] for m in got.split("<mark>")[1:]]
        assert all(w.lower() in {"pháp", "luật", "phap", "luat"} for w in marked)


def test_a_number_is_found_where_it_stands_alone_in_any_spelling():
    from search_app.snippets import number_pattern

    text = fold("Thông tư 02/2025/TT-BKHĐT; x02/2025/tt-bkhdt; 02 - 2025/tt-bkhdt ; 102/2025/TT-BKHĐT; 02/2025/TT-BKHĐTx").lower()
    spans = [m.span() for m in number_pattern("02/2025/tt-bkhdt").finditer(text)]
    assert [text[s:e] for s, e in spans] == ["02/2025/tt-bkhdt", "02 - 2025/tt-bkhdt"]


def test_a_long_text_is_read_from_its_head_unless_a_query_word_is_only_further_on():
    from search_app.snippets import SCAN_CHARS

    seed = "\n".join(seed_paragraphs())
    text = "\n".join([seed] * (2 * SCAN_CHARS // len(seed) + 2)) + "\nTheo Quyết định số 1234/QĐ-UBND của tỉnh."
    assert len(text) > 2 * SCAN_CHARS and "1234" not in seed
    head = snippet(text, frozenset({"phap", "luat"}))
    shown = head.removeprefix("… ").removesuffix(" …").replace("<mark>", "").replace("</mark>", "")
    assert "<mark>" in head and shown in text[:SCAN_CHARS].replace("\n", " ")
    further = snippet(text, frozenset({"quyet"}), numbers=("1234/qd-ubnd",))
    assert "<mark>1234/QĐ-UBND</mark>" in further  # only at the end: the whole text was read


def test_a_long_texts_head_ends_where_a_word_does_and_what_is_shown_of_it_is_marked():
    from search_app.snippets import SCAN_CHARS

    seed = " ".join(seed_paragraphs())
    assert "quyet" not in fold(seed).lower()
    head = seed * (SCAN_CHARS // len(seed) + 1)
    cut = head[:SCAN_CHARS - 2] + "quyetdinh " + seed * (SCAN_CHARS // len(seed) + 2) + " quyết"  # a word across the cut
    got = snippet(cut, frozenset({"quyet"}))
    assert got.endswith("<mark>quyết</mark>") and "quyetdinh" not in got  # the real word, not the cut one
    late = "x " * (SCAN_CHARS // 2 - 5) + "quyết " + "y " * 10 + "quyết " + "z " * SCAN_CHARS  # one before the cut, one after
    shown = snippet(late, frozenset({"quyet"}))
    assert shown.count("quyết") == shown.count("<mark>quyết</mark>") == 1  # what is shown is marked

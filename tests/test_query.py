"""Query understanding (pure): parts of a query string, numbers, near misses, type + bare number."""

import pytest

from search_app.query import is_short, parse_query, text_query
from search_app.understand import near_miss_keys, type_and_number


@pytest.mark.parametrize("text, groups, phrases, excluded, keys, accented", [
    ("chữ thập đỏ", ("chữ thập đỏ",), (), (), (), True),
    ("chu thap do", ("chu thap do",), (), (), (), False),
    ('"hội chữ thập đỏ" -thuế', (), ("hội chữ thập đỏ",), ("thuế",), (), True),
    ("Chỉ thị số 43 - CT/TW của Ban Bí thư", ("Chỉ thị số của Ban Bí thư",), (), (), ("43-ct/tw",), True),
    ("kế hoạch 93/kh-ubnd OR 30/2020/ND-CP", ("kế hoạch",), (), (), ("93/kh-ubnd", "30/2020/nd-cp"), True),
    ("thi đua OR khen thưởng", ("thi đua", "khen thưởng"), (), (), (), True),
    ('-"đất đai" luật', ("luật",), (), ("đất đai",), (), True),
    ('"unclosed phrase', (), ("unclosed phrase",), (), (), False),
    ("", (), (), (), (), False),
    ("\x00 ( ) * ? ~ ^ : [ TO ]", ("( ) * ? ~ ^ : [ TO ]",), (), (), (), False),
])
def test_parse_query(text, groups, phrases, excluded, keys, accented):
    parsed = parse_query(text)
    assert (parsed.groups, parsed.phrases, parsed.excluded, parsed.number_keys, parsed.accented) == (
        groups, phrases, excluded, keys, accented)


@pytest.mark.parametrize("key, expected", [
    ("43/ct-tw", ["43-ct/tw"]),                             # Party number typed the state way
    ("108/kh-tu", ["108-kh/tu"]),
    ("3/vbhn-vpqh", ["3-vbhn/vpqh", "03/vbhn-vpqh", "03-vbhn/vpqh"]),  # the leading zero of numbers below 10
    ("chữ thập đỏ", []),
])
def test_near_miss_keys(key, expected):
    assert near_miss_keys(key) == expected


@pytest.mark.parametrize("text, found, rest", [
    ("chỉ thị 43", [("Chỉ thị", "43")], ()),
    ("chi thi so 43 ve chu thap do", [("Chỉ thị", "43")], ("ve chu thap do",)),
    ("Kế hoạch 05", [("Kế hoạch", "5")], ()),
    ("kế hoạch phòng chống", [], ("kế hoạch phòng chống",)),
])
def test_type_and_bare_number(text, found, rest):
    out = type_and_number(parse_query(text), ["Chỉ thị", "Kế hoạch", "Luật"])
    assert [(t, n) for t, n, _ in out] == found
    assert (out[-1][2].groups if out else parse_query(text).groups) == rest


@pytest.mark.parametrize("text, short", [
    ("quyết định ủy ban nhân dân tỉnh bình dương", True),   # "ủy ban nhân dân" counts as one, as "UBND" does
    ("quyet dinh uy ban nhan dan tinh binh duong", True),
    ("người nghiện ma túy bị đưa vào cơ sở cai nghiện", False),
])
def test_long_forms_of_abbreviations_count_as_one_syllable(text, short):
    assert is_short(text) is short


def test_required_abbreviation_accepts_either_form():
    from whoosh import query as Q

    query = text_query("ubnd tỉnh", accented=True, require_all=True)
    either = Q.Or([Q.Term("text_f", "ubnd", boost=0.25), Q.Phrase("text_f", ["uy", "ban", "nhan", "dan"], boost=0.25)])
    assert query.a == Q.And([either, Q.Term("text_f", "tinh", boost=0.25)])

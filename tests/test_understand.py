"""Query understanding beyond words (pure): boilerplate, abbreviations, years, laws named, articles, numbers."""

import json

import pytest
from whoosh import query as Q

from search_app.abbreviations import segments
from search_app.boilerplate import strip_boilerplate
from search_app.understand import find_laws, law_words, plan_query, take_years
from tests.conftest import shared_path


# Real questions of ALQAC (../shared/data/alqac2023_2024/beir/queries.jsonl), by id: what is left of each.
@pytest.mark.parametrize("qid, left", [
    ("a23train:DS-1", "Người nghiện ma túy từ đủ 18 tuổi trở lên bị áp dụng biện pháp xử lý hành chính đưa vào "
     "cơ sở cai nghiện bắt buộc theo quy định của Luật Xử lý vi phạm hành chính khi bị phát hiện sử dụng chất "
     "ma túy một cách trái phép trong thời gian cai nghiện ma túy tự nguyện"),
    ("a23train:DS-4", "Theo Luật Du Lịch, hợp đồng lữ hành không cần phải được lập thành văn bản"),
])
def test_boilerplate_of_real_questions_is_left_out(qid, left):
    with open(shared_path("alqac2023_2024/beir/queries.jsonl"), encoding="utf-8") as f:
        text = next(q["text"] for q in map(json.loads, f) if q["_id"] == qid)
    assert strip_boilerplate(text) == left


@pytest.mark.parametrize("text, left", [
    ("Điều nào sau đây là đúng về thẩm quyền của Tòa án?", "đúng về thẩm quyền của Tòa án"),
    ("Theo quy định của pháp luật, hành vi nào sau đây bị nghiêm cấm?", "hành vi bị nghiêm cấm"),
    ("Người lao động có được đơn phương chấm dứt hợp đồng không?", "Người lao động được đơn phương chấm dứt hợp đồng"),
    ("nguoi lao dong co duoc don phuong cham dut hop dong khong?", "nguoi lao dong duoc don phuong cham dut hop dong"),
    ("Thủ tục hòa giải được quy định như thế nào?", "Thủ tục hòa giải được quy định"),
    ("đúng hay sai?", "đúng hay sai?"),            # nothing else: kept as typed
    ("không gian mạng", "không gian mạng"),        # "không" that does not close a question stays
])
def test_boilerplate_phrases(text, left):
    assert strip_boilerplate(text) == left


@pytest.mark.parametrize("folded, expected", [
    (["quyet", "dinh", "cua", "ubnd"], [(("quyet", "dinh"), ("qd",)), (("cua",), None),
                                        (("ubnd",), ("uy", "ban", "nhan", "dan"))]),
    (["uy", "ban", "nhan", "dan", "tinh"], [(("uy", "ban", "nhan", "dan"), ("ubnd",)), (("tinh",), None)]),
    (["nd", "cp", "ve", "hdnd"], [(("nd", "cp"), ("nghi", "dinh")), (("ve",), None),
                                  (("hdnd",), ("hoi", "dong", "nhan", "dan"))]),
    (["ke", "hoach", "kh"], [(("ke", "hoach"), ("kh",)), (("kh",), ("ke", "hoach"))]),
])
def test_abbreviations_both_ways(folded, expected):
    assert segments(folded) == expected


@pytest.mark.parametrize("text, rest, preferred, year_filter", [
    ("luật phổ biến giáo dục pháp luật 2012", "luật phổ biến giáo dục pháp luật", ["2012"], ""),
    ("phổ biến giáo dục pháp luật 2024", "phổ biến giáo dục pháp luật", ["2024"], ""),
    ("kế hoạch năm 2019", "kế hoạch", [], "2019"),
    ("ke hoach nam 2019", "ke hoach", [], "2019"),
    ("năm 2019", "", [], "2019"),
    ("2012", "2012", [], ""),                                 # a year alone is the query itself
    ("hưởng ứng Ngày Pháp luật 09/11/2021", "hưởng ứng Ngày Pháp luật 09/11/2021", [], ""),  # part of a date
    # two years said: neither is a filter; a long question is never filtered
    ("người lao động được nghỉ tết theo quy định từ năm 2021 đến năm 2023",
     "người lao động được nghỉ tết theo quy định từ đến", ["2021", "2023"], ""),
])
def test_years_are_preferences_and_nam_a_filter(text, rest, preferred, year_filter):
    assert take_years(text) == (rest, preferred, year_filter)


LAWS = {law_words("Bộ luật Lao động"): [("2019", "45/2019/qh14", "vb:45"), ("2012", "10/2012/qh13", "vb:10")],
        law_words("Luật An ninh mạng"): [("2018", "24/2018/qh14", "vb:24")]}


@pytest.mark.parametrize("text, found", [
    ("luật an ninh mạng", [([("24/2018/qh14", "vb:24")], "", None)]),
    ("luat an ninh mang", [([("24/2018/qh14", "vb:24")], "", None)]),
    ("bộ luật lao động 2019", [([("45/2019/qh14", "vb:45")], "2019", (17, 21))]),
    ("Bộ luật Lao động năm 2012 về tiền lương", [([("10/2012/qh13", "vb:10")], "2012", (17, 25))]),
    ("bộ luật lao động", [([("45/2019/qh14", "vb:45"), ("10/2012/qh13", "vb:10")], "", None)]),
    ("an ninh mạng", []),                         # the name needs its head word
])
def test_find_laws_by_name(text, found):
    assert find_laws(text, LAWS) == found


def _plan(text, known=(), laws=None):
    return plan_query(text, lambda key: key in known, ["Luật", "Kế hoạch"], laws=laws or LAWS)


def test_unknown_number_is_a_note_not_a_required_clause():
    plan = _plan("không gian mạng 99/2018/QH14")
    assert (plan.number_keys, plan.parsed.groups, plan.notes) == ((), ("không gian mạng",), (
        "Số hiệu 99/2018/QH14 không có trong dữ liệu (không văn bản nào mang hay trích dẫn số này): "
        "kết quả theo các từ còn lại.",))
    assert plan.query == _plan("không gian mạng").query


def test_known_number_still_leads():
    assert _plan("không gian mạng 24/2018/QH14", known={"24/2018/qh14"}).number_keys == ("24/2018/qh14",)


def test_law_named_puts_its_record_first_and_prefers_its_articles():
    plan = _plan("bộ luật lao động 2019")
    assert plan.parsed.groups == ("bộ luật lao động",)
    assert plan.first == (Q.Term("id", "vb:45"),)
    assert [q for q, _ in plan.prefer] == [Q.Or([Q.Term("doc_key", "45/2019/qh14"),
                                                 Q.Term("citations", "45/2019/qh14")])]


def test_article_of_a_law_named_comes_before_the_law():
    plan = _plan("khoản 3 Điều 2 Luật An ninh mạng")
    assert plan.parsed.groups == ("Luật An ninh mạng",)
    article = Q.And([Q.Term("title", "điều"), Q.Term("title", "2"),
                     Q.Or([Q.Term("doc_key", "24/2018/qh14"), Q.Term("citations", "24/2018/qh14"),
                           Q.Phrase("text_f", ["luat", "an", "ninh", "mang"])])])
    assert plan.first == (article, Q.Term("id", "vb:24"))


def test_luat_followed_by_a_year_is_not_a_type_and_number():
    assert _plan("luật phổ biến giáo dục pháp luật 2012", laws={}).prefer == ((Q.Term("year", "2012"), 1.3),)


def test_question_naming_a_law_prefers_its_articles_without_pinning_its_record():
    # a23train-style question (ALQAC asks "Theo Luật Du lịch, …"): the answer is an article, not the law
    plan = _plan("Theo Luật An ninh mạng, hành vi nào bị nghiêm cấm trên không gian mạng?")
    assert plan.first == ()
    assert plan.prefer == ((Q.Term("doc_key", "24/2018/qh14"), 1.2),)


@pytest.mark.parametrize("text, groups", [
    ("khoản 3 Điều 2 Luật An ninh mạng số 99/2018/QH14", ("Luật An ninh mạng",)),  # the blind question
    ("luat an ninh mang so 99/2018/QH14", ("luat an ninh mang",)),
    ("số liệu thống kê", ("số liệu thống kê",)),       # no number: "số" is a word like any other
])
def test_the_word_so_goes_with_its_number(text, groups):
    assert _plan(text, laws={}).parsed.groups == groups

"""Tests for ``indexer.cite.relations``: real sentences from ../shared, each with the relation of every citation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import seed_path
from indexer.cite import cues
from indexer.cite.citations import extract_citations
from indexer.cite.relations import quote, read_relations
from indexer.text.normalize import clean

LABELLED = Path(__file__).parent / "data" / "relations_labelled.jsonl"


def relations(text: str, own_key: str = "") -> list[tuple[str, str]]:
    """(number or name, relation) of each citation in ``clean(text)``, in text order."""
    text = clean(text)
    found = extract_citations(text)
    return [(c.number or c.name, r.relation) for c, r in zip(found, read_relations(text, found, own_key))]


CASES = [
    # congbao_8chude_fulltext (gazette full texts): the strong relations, as the acts write them
    ("Thông tư này thay thế Thông tư số 40/2021/TT-BTC ngày 01 tháng 6 năm 2021",
     [("40/2021/TT-BTC", "thay_the")]),
    ("Bãi bỏ Thông tư số 17/2016/TT-BNNPTNT ngày 24 tháng 6 năm 2016", [("17/2016/TT-BNNPTNT", "bai_bo")]),
    ("Bãi bỏ Điều 3, Điều 4 Thông tư số 22/2011/TT-BNNPTNT ngày 06/4/2011", [("22/2011/TT-BNNPTNT", "bai_bo")]),
    ("Luật Thanh tra số 11/2022/QH15 hết hiệu lực kể từ ngày Luật này có hiệu lực thi hành.",
     [("11/2022/QH15", "het_hieu_luc")]),
    # the subject of "hết hiệu lực" is the law, not the law that amended it
    ("Luật Phá sản số 51/2014/QH13 đã được sửa đổi, bổ sung một số điều theo Luật số \n85/2025/QH15 hết hiệu "
     "lực thi hành kể từ ngày Luật này có hiệu lực thi hành",
     [("51/2014/QH13", "het_hieu_luc"), ("85/2025/QH15", "dan_chieu")]),
    # replacing a form of a circular amends it
    ("(Thay thế Mẫu số 08 Phụ lục III kèm theo Thông tư số 23/2024/TT-BCT)", [("23/2024/TT-BCT", "sua_doi")]),
    # a Căn cứ line naming the amending laws, its lines wrapped mid-sentence as the PDF text is: each is a basis
    ("Căn cứ Luật Sở hữu trí tuệ số 50/2005/QH11 được sửa đổi, bổ sung bởi Luật \nsố 36/2009/QH12, Luật số "
     "42/2019/QH14 và Luật số 07/2022/QH15;",
     [("50/2005/QH11", "can_cu"), ("36/2009/QH12", "can_cu"), ("42/2019/QH14", "can_cu"),
      ("07/2022/QH15", "can_cu")]),
    # a law whose name says "sửa đổi, bổ sung", cited as a basis
    ("Căn cứ Luật sửa đổi, bổ sung một số điều của Luật Bảo hiểm y tế số 46/2014/QH13;",
     [("46/2014/QH13", "can_cu")]),
    # a sentence relating two other documents
    ("Thông tư số 18/2025/TT-BTC ngày 26 tháng 4 năm 2025 của Bộ trưởng Bộ Tài chính sửa đổi, bổ sung một số "
     "điều của Thông tư số 119/2020/TT-BTC ngày 31 tháng 12 năm 2020",
     [("18/2025/TT-BTC", "dan_chieu"), ("119/2020/TT-BTC", "dan_chieu")]),
    # a consolidated text's footnote: this provision was repealed by that circular
    ("5 Khoản này được bãi bỏ theo quy định tại khoản 4 Điều 5 của Thông tư số 18/2018/TT-BLĐTBXH",
     [("18/2018/TT-BLĐTBXH", "bi_bai_bo")]),
    # following someone's guidance is no act on the guide
    ("theo hướng dẫn tại Thông tư số 24/2024/TT-BTC \nngày 17 tháng 4 năm 2024 của Bộ trưởng Bộ Tài chính",
     [("24/2024/TT-BTC", "dan_chieu")]),
    # congbao_phapdien_webtext: a page's metadata, the page's own document is the one replaced
    ("Được thay thế bởi Nghị định số 74/2024/NĐ-CP", [("74/2024/NĐ-CP", "bi_thay_the")]),
    # congbao_phapdien_webtext: a page's "Lược đồ" flattened into its text, each heading over its documents
    ("Văn bản hướng dẫn [0] Văn bản thay thế/bãi bỏ/hủy bỏ/đình chỉ [0] Văn bản căn cứ [2] 76/2015/QH13 Luật số "
     "76/2015/QH13 luật tổ chức Chính phủ Văn bản được hướng dẫn [0]",
     [("76/2015/QH13", "can_cu"), ("76/2015/QH13", "can_cu")]),
    ("Văn bản bị sửa đổi bổ xung/được đính chính [0] Văn bản hướng dẫn [1] 24/2014/TTLT-BTC-BTP Thông tư liên "
     "tịch số 24/2014/TTLT-BTC-BTP hướng dẫn việc lập dự toán",
     [("24/2014/TTLT-BTC-BTP", "bi_huong_dan"), ("24/2014/TTLT-BTC-BTP", "bi_huong_dan")]),
    # binhduong_van_ban_chi_dao_dieu_hanh (trích yếu): provincial acts implement national ones
    ("triển khai thực hiện chỉ thị số 28/ct-ttg ngày 18/9/2018 của thủ tướng chính phủ", [("28/CT-TTg", "thuc_hien")]),
    ("thực hiện công văn số 2213/byt-dp ngày 29/4/2022 của bộ y tế", [("2213/BYT-DP", "thuc_hien")]),
    ("về việc điều chỉnh, bổ sung một số nội dung tại quyết định số 3784/qđ-ubnd ngày 30/12/2016",
     [("3784/QĐ-UBND", "sua_doi")]),
    # DOMAIN.md §6 and the examples
    ("Kế hoạch thực hiện Kết luận số 44-KL/TW", [("44-KL/TW", "thuc_hien")]),
    ("Quán triệt Nghị quyết số 27-NQ/TW ngày 09/11/2022 và triển khai thực hiện Kết luận số 44-KL/TW",
     [("27-NQ/TW", "thuc_hien"), ("44-KL/TW", "thuc_hien")]),
    ("đề nghị bãi bỏ Quyết định số 12/2015/QĐ-UBND", [("12/2015/QĐ-UBND", "dan_chieu")]),
    ("Nghị định số 126/2020/NĐ-CP chưa hết hiệu lực.", [("126/2020/NĐ-CP", "dan_chieu")]),
    # a list under the line that introduces it
    ("Bãi bỏ các văn bản sau đây:\na) Quyết định số 12/2015/QĐ-UBND ngày 3/2/2015;\nb) Điều 3 Quyết định số "
     "13/2016/QĐ-UBND.", [("12/2015/QĐ-UBND", "bai_bo"), ("13/2016/QĐ-UBND", "bai_bo")]),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_relation_of_each_citation_in_real_sentences(text, expected):
    assert relations(text) == expected


def test_the_seed_page_implements_conclusion_44_where_it_says_so():
    # seeds/thanhhoa-article-2023-04-22.txt: "chỉ đạo việc triển khai, tổ chức thực hiện Kết luận số 44-KL/TW
    # và … Kế hoạch số 108 - KH/TU"; "Kế hoạch số 93/KH-UBND về thực hiện Kết luận số 44-KL/TW" is the plan's
    # abstract (the plan implements it, the article only reports it)
    found = relations(seed_path().read_text(encoding="utf-8"))
    assert found[:5] == [("93/KH-UBND", "dan_chieu"), ("44-KL/TW", "dan_chieu"), ("43-CT/TW", "dan_chieu"),
                         ("44-KL/TW", "thuc_hien"), ("44-KL/TW", "dan_chieu")]
    assert found.count(("108-KH/TU", "thuc_hien")) == 1


def test_partial_repeal_and_the_date_of_effect():
    text = clean("Bãi bỏ Điều 3, Điều 4 Thông tư số 22/2011/TT-BNNPTNT. Thông tư số 12/2015/TT-BTC hết hiệu lực "
                 "thi hành kể từ ngày 01/7/2025.")
    found = extract_citations(text)
    first, second = read_relations(text, found)
    assert (first.relation, first.partial, first.effect_date) == ("bai_bo", True, "")
    assert (second.relation, second.partial, second.effect_date) == ("het_hieu_luc", False, "2025-07-01")


def test_the_own_number_is_never_the_subject():
    # the title of 40/2021/NĐ-CP names itself, then what it amends
    text = "Nghị định số 40/2021/NĐ-CP sửa đổi, bổ sung một số điều của Nghị định số 126/2020/NĐ-CP"
    assert relations(text) == [("40/2021/NĐ-CP", "dan_chieu"), ("126/2020/NĐ-CP", "dan_chieu")]
    assert relations(text, own_key="40/2021/nd-cp") == [("40/2021/NĐ-CP", "dan_chieu"), ("126/2020/NĐ-CP", "sua_doi")]


def test_quote_splits_the_sentence_at_the_cue():
    text = clean("Căn cứ Luật Tổ chức Chính phủ;\nNghị định này thay thế Nghị định số 123/2016/NĐ-CP ngày 01/9/2016.")
    cite = extract_citations(text)[-1]
    reading = read_relations(text, [cite])[0]
    assert quote(text, reading.sentence, reading.cue, (cite.start, cite.end)) == (
        "Nghị định này ", "thay thế", " Nghị định số 123/2016/NĐ-CP ngày 01/9/2016.", False, False)


def test_every_relation_has_a_label_both_ways():
    assert set(cues.LABELS) == set(cues.REVERSE_LABELS) == set(cues.RELATIONS) == set(cues.STRENGTH)


def test_labelled_set_strong_relations_are_precise():
    # tests/data/relations_labelled.jsonl: sentences of ../shared/data labelled by reading them
    rows = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 250
    said, right = 0, 0
    for row in rows:
        text = clean(row["sentence"])
        found = extract_citations(text)
        got = {(c.number or c.name): r.relation for c, r in zip(found, read_relations(text, found))}
        if got.get(row["number"]) in ("thay_the", "bai_bo", "het_hieu_luc"):
            said += 1
            right += got[row["number"]] == row["relation"]
    assert said >= 15 and right / said >= 0.95

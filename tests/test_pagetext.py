"""indexer.read.pagetext: page text → article or document fields, on snippets quoted from real pages."""

from __future__ import annotations

import pytest

from indexer.read.pagetext import drop_repeats, is_date_line, parse_text_page, publisher, tidy_article

# seeds/thanhhoa-article-2023-04-22.txt, first paragraph (it reappears at the end of the second).
FIRST = ("Ngày 18 tháng 4 năm 2023, Ủy ban nhân dân tỉnh Thanh Hóa đã ban hành Kế hoạch số 93/KH-UBND về "
         "thực hiện Kết luận số 44-KL/TW của Ban Bí thư Trung ương Đảng (khóa XIII) về tiếp tục thực hiện "
         "Chỉ thị số 43-CT/TW của Ban Bí thư (khóa X) “Về tăng cường sự lãnh đạo của Đảng đối với công tác "
         "của Hội Chữ thập đỏ Việt Nam trong tình hình mới”.")
SECOND = "thường xuyên theo dõi, kiểm tra, đôn đốc việc thực hiện của các cơ quan, đơn vị."


@pytest.mark.parametrize("paragraphs, expected", [
    # the seed: paragraph 1 copied verbatim onto the end of paragraph 2 → cut from paragraph 2
    ([FIRST, SECOND + " " + FIRST], [FIRST, SECOND]),
    # a paragraph repeated whole (baothanhhoa.vn excerpt repeats its lead) → second copy dropped
    ([FIRST, "Đoạn khác.", FIRST], [FIRST, "Đoạn khác."]),
    # short repeats are ordinary writing ("Điều 1." in many places): kept
    (["Đồng thời:", "Trước hết, Đồng thời: làm tốt."], ["Đồng thời:", "Trước hết, Đồng thời: làm tốt."]),
    # a long run inside a sentence (not at a sentence boundary) is quoted, not copied: kept
    ([FIRST, "Báo chí nêu rõ " + FIRST], [FIRST, "Báo chí nêu rõ " + FIRST]),
    # the copy at the start of a later paragraph, followed by more text
    ([FIRST, FIRST + " Tiếp theo là nội dung mới."], [FIRST, "Tiếp theo là nội dung mới."]),
])
def test_drop_repeats_rule(paragraphs, expected):
    assert drop_repeats(paragraphs) == expected


def test_tidy_article_cuts_the_tail_and_takes_the_author():
    # seeds/thanhhoa-article-2023-04-22.txt, its last lines
    lines = ["Ngày tạo: 22/04/2023 16:23:56", "Đoạn cuối của bài./.", "Lâm Anh", "File đính kèm",
             "KH 93-KH-UBND.pdf", "Nhập nội dung ý kiến của bạn.", "Nhập tên của bạn.", "Nhập email của bạn."]
    assert tidy_article(lines) == (["Đoạn cuối của bài./."], ["KH 93-KH-UBND.pdf"], "Lâm Anh")


def test_tidy_article_takes_the_author_above_a_credit_line():
    # web_page_excerpts: congantuyenquang.vn ends "Lâm Sơn / Theo tuyenquang.gov.vn / Quay lại"
    lines = ["Nội dung bài.", "Lâm Sơn", "Theo tuyenquang.gov.vn", "Quay lại", "BÀI VIẾT CÙNG CHUYÊN MỤC", "Tin khác"]
    assert tidy_article(lines) == (["Nội dung bài.", "Theo tuyenquang.gov.vn"], [], "Lâm Sơn")


@pytest.mark.parametrize("line, expected", [
    ("Ngày tạo:  22/04/2023 16:23:56", True),
    ("Cập nhật: 23/04/2023", True),
    ("22/04/2023", True),
    ("Ngày 18 tháng 4 năm 2023, Ủy ban nhân dân tỉnh Thanh Hóa đã ban hành", False),
])
def test_is_date_line(line, expected):
    assert is_date_line(line) == expected


@pytest.mark.parametrize("text, expected", [
    # the demo portal footer (modelled on the Thanh Hóa portal)
    ("Cơ quan chủ quản: Sở Tư pháp tỉnh Thanh Hóa. Địa chỉ: 35 Đại lộ Lê Lợi", "Sở Tư pháp tỉnh Thanh Hóa"),
    ("Cơ quan chủ quản: Sở Tư pháp tỉnh Thanh Hóa ...", "Sở Tư pháp tỉnh Thanh Hóa"),
    ("Cơ quan chủ quản: UBND tỉnh Hà Tĩnh | Điện thoại: 0239", "UBND tỉnh Hà Tĩnh"),
    ("TỈNH THANH HÓA", ""),
])
def test_publisher_reads_only_a_stated_owner(text, expected):
    assert publisher(text) == expected


def test_parse_text_page_of_a_flattened_congbao_page():
    # congbao_phapdien_webtext, doc_id 0bd3657ddec02d5b (shortened): the title recurs after the dates
    title = "Nghị định số 217/2026/NĐ-CP quy định chi tiết một số điều của Luật Xây dựng về quản lý hoạt động xây dựng"
    text = (title + " trang chủ Công báo Văn bản đăng công báo " + "Văn bản chỉ đạo điều hành " * 40
            + "Ban hành: 19/06/2026 - Hiệu lực: 01/07/2026 " + title + " Nằm trong các Công báo: 363")
    page = parse_text_page(text)
    assert (page.title, page.kind, page.doc_type, page.doc_number, page.date, page.effective_date) == (
        title, "document", "Nghị định", "217/2026/NĐ-CP", "2026-06-19", "2026-07-01")


@pytest.mark.parametrize("lines, author", [
    (["Nội dung bài.", "Lâm Anh"], "Lâm Anh"),                 # the seed's author line
    (["Nội dung bài.", "Nguyễn Thị Thu Hà"], "Nguyễn Thị Thu Hà"),
    (["Nội dung bài.", "ông Lâm Anh"], ""),                    # not capitalised: a sentence fragment
    (["Nội dung bài.", "Sở Tư pháp"], ""),                     # an agency, not a person
    (["Nội dung bài.", "Kế hoạch số 93/KH-UBND"], ""),
    (["Lâm Anh"], ""),                                         # a page that is only a name keeps it as body
])
def test_only_a_trailing_name_line_becomes_the_author(lines, author):
    assert tidy_article(lines)[2] == author

"""indexer.read.legaltext: metadata of legal documents, on snippets quoted from the real pages in ../shared."""

from __future__ import annotations

import pytest

from indexer.read.legaltext import canonical_doc_type, document_header, heading, labeled_fields, type_and_number


@pytest.mark.parametrize("text, expected", [
    # web_page_excerpts: phapluatcongdong.vn metadata block (two labels per line, placeholders)
    ("Số hiệu: 187/KH-UBND Loại văn bản: Văn bản khác\nNơi ban hành: Tỉnh Thanh Hóa Người ký: Phạm Đăng Quyền\n"
     "Ngày ban hành: 19/10/2017 Ngày hiệu lực: Đang cập nhật\n"
     "Lĩnh vực: Xây dựng pháp luật và thi hành pháp luật, Dân tộc, Tình trạng: Đang cập nhập",
     {"doc_number": "187/KH-UBND", "doc_type": "Văn bản khác", "agency": "Tỉnh Thanh Hóa",
      "signer": "Phạm Đăng Quyền", "date": "2017-10-19",
      "field": "Xây dựng pháp luật và thi hành pháp luật, Dân tộc"}),
    # web_page_excerpts: nhansu.vn table flattened with pipes
    ("Số hiệu | 18/2025/NQ-HĐND |\nNgày ban hành | 21/07/2025 |\nLoại văn bản | Nghị quyết |",
     {"doc_number": "18/2025/NQ-HĐND", "date": "2025-07-21", "doc_type": "Nghị quyết"}),
    # congbao_phapdien_webtext: "Hiệu lực" followed by a date is the effective date …
    ("Ban hành: 19/06/2026 - Hiệu lực: 01/07/2026 Nghị định số 217/2026/NĐ-CP",
     {"date": "2026-06-19", "effective_date": "2026-07-01"}),
    # … and followed by words (vbpl.vn .vbInfo) the status
    ("Hiệu lực: Hết hiệu lực một phần", {"status": "Hết hiệu lực một phần"}),
    # the seed's date line
    ("Ngày tạo:  22/04/2023 16:23:56", {"published": "2023-04-22"}),
    # a lower-case "ban hành:" inside running text is not a label
    ("UBND tỉnh đã ban hành: Kế hoạch số 93/KH-UBND", {}),
    # a date label whose value is a sentence gives no date ("Hiệu lực" then reads as a status)
    ("Ngày ban hành: sau khi có ý kiến, dự kiến 01/7/2023", {}),
    ("Hiệu lực: Nghị định có hiệu lực từ ngày 01/7/2023", {"status": "Nghị định có hiệu lực từ ngày 01/7/2023"}),
    # web_page_excerpts: congantuyenquang.vn style weekday date under a label
    ("Ngày đăng: Thứ tư, 17/10/2018 22:09:45", {"published": "2018-10-17"}),
])
def test_labeled_fields(text, expected):
    assert labeled_fields(text) == expected


def test_document_header_of_a_provincial_decision():
    # web_page_excerpts: luatminhkhue.vn, Quyết định 3398/QĐ-UBND of Thanh Hóa (2013)
    text = ("ỦY BAN NHÂN DÂN\nTỈNH THANH HÓA\n--------\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "Độc lập - Tự do - Hạnh phúc\n----------------\nSố: 3398/QĐ-UBND\nThanh Hóa, ngày 01 tháng 10 năm 2013\n"
            "QUYẾT ĐỊNH\nVỀ VIỆC BAN HÀNH KẾ HOẠCH THỰC HIỆN ĐỀ ÁN\nCHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH THANH HÓA\n"
            "Căn cứ Luật Tổ chức Hội đồng nhân dân và Ủy ban nhân dân ngày 26 tháng 11 năm 2003;")
    assert document_header(text) == {
        "agency": "ỦY BAN NHÂN DÂN TỈNH THANH HÓA", "doc_number": "3398/QĐ-UBND", "date": "2013-10-01",
        "doc_type": "Quyết định", "title": "QUYẾT ĐỊNH VỀ VIỆC BAN HÀNH KẾ HOẠCH THỰC HIỆN ĐỀ ÁN"}


def test_document_header_of_vbpl_toan_van_where_the_number_sits_before_the_motto():
    # vbpl_vn_html_samples/vbpl.html: the two header tables, as paragraphs
    text = "QUỐC HỘI\nSố: 100/2015/QH13\nCỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n" \
           "Hà Nội, ngày 27 tháng 11 năm 2015"
    assert document_header(text) == {"agency": "QUỐC HỘI", "doc_number": "100/2015/QH13", "date": "2015-11-27"}


def test_document_header_needs_the_motto():
    assert document_header("Số: 93/KH-UBND\nThanh Hóa, ngày 18 tháng 4 năm 2023") == {}


@pytest.mark.parametrize("lines, expected", [
    # vbpl_vn_html_samples/vbpl.html and vbpl_v2.html: the start of the full text
    (["BỘ LUẬT", "HÌNH SỰ", "__", "Căn cứ Hiến pháp …"], ("Bộ luật", "BỘ LUẬT HÌNH SỰ")),
    (["HIẾN PHÁP", "NƯỚC CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "LỜI NÓI ĐẦU"],
     ("Hiến pháp", "HIẾN PHÁP NƯỚC CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")),
    (["Căn cứ Hiến pháp …"], ("", "")),
    (["ỦY BAN NHÂN DÂN TỈNH THANH HÓA", "Căn cứ …"], ("", "")),
    # "TỔNG KẾT" is part of a heading, "TỔNG GIÁM ĐỐC" an authority line under it
    (["BÁO CÁO", "TỔNG KẾT CÔNG TÁC NĂM 2023", "TỔNG GIÁM ĐỐC"], ("Báo cáo", "BÁO CÁO TỔNG KẾT CÔNG TÁC NĂM 2023")),
])
def test_heading(lines, expected):
    assert heading(lines) == expected


@pytest.mark.parametrize("title, expected", [
    # congbao_phapdien_webtext page titles
    ("Nghị định số 217/2026/NĐ-CP quy định chi tiết một số điều của Luật Xây dựng", ("Nghị định", "217/2026/NĐ-CP")),
    ("Quyết định số 1115/QĐ-TTg ban hành Kế hoạch", ("Quyết định", "1115/QĐ-TTg")),
    # web_page_excerpts: phapluatcongdong.vn title
    ("Kế hoạch 187/KH-UBND năm 2017 về thực hiện Đề án", ("Kế hoạch", "187/KH-UBND")),
    # a news title that cites a plan does not start with one
    ("Thanh Hóa ban hành Kế hoạch số 93/KH-UBND", ("", "")),
])
def test_type_and_number_of_a_title(title, expected):
    assert type_and_number(title) == expected


@pytest.mark.parametrize("text, expected", [
    ("QUYẾT ĐỊNH", "Quyết định"), ("thông tư liên tịch", "Thông tư liên tịch"), ("Văn bản khác", "Văn bản khác"),
])
def test_canonical_doc_type(text, expected):
    assert canonical_doc_type(text) == expected

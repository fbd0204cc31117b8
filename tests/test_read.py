"""indexer.read.reader: real pages and records → Document records, and a report of everything not used."""

from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from conftest import seed_path, shared_path
from test_decode import to_cp1258

from indexer.read.reader import (CorpusError, Problem, ReadProgress, ReadReport, corpus_root, iter_files, read_corpus,
                            read_file)
from indexer.document import Attachment

SEED_TITLE = ("Thanh Hóa ban hành Kế hoạch tăng cường sự lãnh đạo của Đảng đối với công tác của Hội Chữ thập đỏ "
              "Việt Nam trong tình hình mới")

# The demo portal page form (the lead's template, modelled on the Thanh Hóa PBGDPL portal).
PORTAL_PAGE = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>{title} - Thông tin phổ biến giáo dục pháp luật</title>
<meta property="og:title" content="{title}">
<meta property="og:url" content="https://thanhhoa.gov.vn/portal/pages/pbgdpl/kh93.html">
<meta property="article:published_time" content="2023-04-22T16:23:56+07:00">
<meta name="description" content="Tóm tắt">
</head><body>
<div class="banner">THÔNG TIN PHỔ BIẾN GIÁO DỤC PHÁP LUẬT<br>TỈNH THANH HÓA</div>
<ul class="menu"><li><a href="/">Trang chủ</a></li><li><a href="#">Văn bản</a></li></ul>
<div class="news-detail">
  <h1 class="title">{title}</h1>
  <div class="date">Ngày tạo: 22/04/2023 16:23:56</div>
  <div class="content"><p>Ngày 18 tháng 4 năm 2023, Ủy ban nhân dân tỉnh Thanh Hóa đã ban hành
  Kế hoạch số 93/KH-UBND.</p><p>Đoạn <b>thứ hai</b>.</p><p>Đoạn thứ hai.</p></div>
  <div class="author">Lâm Anh</div>
  <div class="attachments">File đính kèm <a href="/files/kh93.pdf">KH 93-KH-UBND.pdf</a></div>
</div>
<div class="share">Chia sẻ: Facebook Twitter Zalo</div>
<form class="comment"><textarea placeholder="Nhập nội dung ý kiến của bạn."></textarea>
<input placeholder="Nhập tên của bạn."><input placeholder="Nhập email của bạn."><button>Gửi ý kiến</button></form>
<div class="footer">Cơ quan chủ quản: Sở Tư pháp tỉnh Thanh Hóa. Địa chỉ: 35 Đại lộ Lê Lợi</div>
</body></html>"""


def fields(doc, *names):
    return tuple(getattr(doc, name) for name in names)


# --- the seed page-text dump ---------------------------------------------------------------------


def test_seed_text_dump_gives_title_date_author_and_a_clean_body():
    result = read_corpus([seed_path()])
    (doc,) = result.documents
    assert fields(doc, "id", "kind", "title", "date", "author", "agency", "url", "attachments") == (
        "file:thanhhoa-article-2023-04-22.txt", "article", SEED_TITLE, "2023-04-22", "Lâm Anh", "", "", ())
    paragraphs = doc.body.split("\n\n")
    assert (len(paragraphs), paragraphs[0][:41], paragraphs[1][-57:], paragraphs[-1][-34:]) == (
        11, "Ngày 18 tháng 4 năm 2023, Ủy ban nhân dân",
        "kiểm tra, đôn đốc việc thực hiện của các cơ quan, đơn vị.", "phát triển kinh tế của tỉnh nhà./.")


def test_seed_body_keeps_the_first_paragraph_once_and_drops_page_furniture():
    (doc,) = read_corpus([seed_path()]).documents
    assert [doc.body.count("Ngày 18 tháng 4 năm 2023, Ủy ban nhân dân tỉnh Thanh Hóa đã ban hành"),
            "Nhập nội dung ý kiến" in doc.body, "File đính kèm" in doc.body, "Lâm Anh" in doc.body,
            "TỈNH THANH HÓA" in doc.body, "Ngày tạo" in doc.body] == [1, False, False, False, False, False]


# --- vbpl.vn pages -------------------------------------------------------------------------------

# Expected values read off the pages in vbpl_vn_html_samples/ (attribute table, header, signature).
VBPL = [
    # file, title, doc_number, doc_type, date, effective_date, status, agency, signer
    ("vbpl_thuoctinh.html.gz", "Tố tụng hình sự", "101/2015/QH13", "Bộ luật", "2015-11-27", "2018-01-01",
     "Còn hiệu lực", "Quốc hội", "Nguyễn Sinh Hùng"),
    ("vbpl_thuoctinh_2.html.gz", "Hiến pháp năm 2013", "", "Hiến pháp", "2013-11-28", "2014-01-01",
     "Còn hiệu lực", "Quốc hội", "Nguyễn Sinh Hùng"),
    ("vbpl.html.gz", "BỘ LUẬT HÌNH SỰ", "100/2015/QH13", "Bộ luật", "2015-11-27", "2018-01-01",
     "Hết hiệu lực một phần", "QUỐC HỘI", "Nguyễn Sinh Hùng"),
    ("vbpl_v1.html.gz", "HIẾN PHÁP NƯỚC CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM NĂM 1992", "", "Hiến pháp",
     "2001-12-25", "2002-01-07", "Hết hiệu lực toàn bộ", "QUỐC HỘI", "Nguyễn Văn An"),
    ("vbpl_v2.html.gz", "HIẾN PHÁP NƯỚC CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "", "Hiến pháp", "2013-11-28",
     "2014-01-01", "Còn hiệu lực", "QUỐC HỘI", "Nguyễn Sinh Hùng"),
    ("vbpl_v3.html.gz", "BỘ LUẬT TỐ TỤNG HÌNH SỰ", "101/2015/QH13", "Bộ luật", "2015-11-27", "2018-01-01",
     "Còn hiệu lực", "QUỐC HỘI", "Nguyễn Sinh Hùng"),
    # anle.toaan.gov.vn: "Số án lệ", "Tên án lệ", "Ngày thông qua", "Ngày áp dụng", "Trạng thái"
    ("anle_thuoctinh.html.gz", "Về xem xét quyết định hành chính có liên quan đến hành vi hành chính bị khiếu kiện",
     "63/2023/AL", "Án lệ", "2023-02-01", "2023-03-27", "Đang có hiệu lực", "", ""),
]


@pytest.mark.parametrize("name, title, number, doc_type, date, effective, status, agency, signer", VBPL)
def test_legal_document_pages(name, title, number, doc_type, date, effective, status, agency, signer):
    docs, problems = read_file(shared_path(f"vbpl_vn_html_samples/{name}"))
    assert (problems, len(docs)) == ([], 1)
    assert fields(docs[0], "kind", "title", "doc_number", "doc_type", "date", "effective_date", "status", "agency",
                  "signer") == ("document", title, number, doc_type, date, effective, status, agency, signer)


@pytest.mark.parametrize("name, doc_id, first_attachment, body_start", [
    ("vbpl.html.gz", "url:vbpl.vn/tw/pages/vbpq-toanvan.aspx?itemid=96122",
     Attachment("100.2015.QH13.P1.pdf",
                "https://vbpl.vn/FileData/TW/Lists/vbpq/Attachments/96122/VanBanGoc_100.2015.QH13.P1.pdf"),
     "BỘ LUẬT\n\nHÌNH SỰ\n\n__\n\nCăn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;\n\n"
     "Quốc hội ban hành Bộ luật hình sự.\n\nPhần thứ nhất\n\nNHỮNG QUY ĐỊNH CHUNG\n\nChương I\n\n"
     "ĐIỀU KHOẢN CƠ BẢN\n\nĐiều 1. Nhiệm vụ của Bộ luật hình sự"),
    ("vbpl_thuoctinh_2.html.gz", "url:vbpl.vn/tw/pages/vbpq-thuoctinh.aspx?itemid=32801",
     Attachment("Hien phap nam 2013.doc",
                "https://vbpl.vn/TW/Lists/vbpq/Attachments/32801/Hien%20phap%20nam%202013.doc"),
     ""),
])
def test_vbpl_ids_attachments_and_full_text(name, doc_id, first_attachment, body_start):
    (doc,), _ = read_file(shared_path(f"vbpl_vn_html_samples/{name}"))
    assert (doc.id, doc.source, doc.attachments[0], doc.body[:len(body_start)]) == (
        doc_id, "vbpl.vn", first_attachment, body_start)


def test_vbpl_pages_that_are_not_documents_are_reported_and_skipped():
    folder = shared_path("vbpl_vn_html_samples")
    result = read_corpus([folder])
    reason = "not a document page (a vbpl.vn listing, relation or diagram page)"
    assert [(p.path.rsplit("/", 1)[-1], p.line, p.reason) for p in result.report.problems] == [
        ("vbpl_luocdo_hopnhat.html.gz", 0, reason), ("vbpl_luocdo_phaply.html.gz", 0, reason),
        ("vbpl_related_doc.html.gz", 0, reason), ("vbpl_search.html.gz", 0, reason)]
    assert fields(result.report, "files_read", "files_used", "files_skipped") == (11, 7, 4)


# --- portal article pages ------------------------------------------------------------------------


def test_portal_article_page(tmp_path):
    (tmp_path / "kh93.html").write_text(PORTAL_PAGE.format(title=SEED_TITLE), encoding="utf-8")
    (doc,), problems = read_file(tmp_path / "kh93.html", root=tmp_path)
    assert problems == []
    assert fields(doc, "id", "kind", "title", "date", "author", "agency", "url", "source", "attachments") == (
        "url:thanhhoa.gov.vn/portal/pages/pbgdpl/kh93.html", "article", SEED_TITLE, "2023-04-22", "Lâm Anh",
        "Sở Tư pháp tỉnh Thanh Hóa", "https://thanhhoa.gov.vn/portal/pages/pbgdpl/kh93.html", "thanhhoa.gov.vn",
        (Attachment("KH 93-KH-UBND.pdf", "https://thanhhoa.gov.vn/files/kh93.pdf"),))
    assert doc.body == ("Ngày 18 tháng 4 năm 2023, Ủy ban nhân dân tỉnh Thanh Hóa đã ban hành Kế hoạch số "
                        "93/KH-UBND.\n\nĐoạn thứ hai.")


def test_portal_page_without_meta_falls_back_to_h1_text_dates_and_a_path_id(tmp_path):
    page = ("<html><head><title>Trang tin | Sở Tư pháp</title></head><body><div class='menu'>Trang chủ</div>"
            "<h1>Hội nghị phổ biến Luật Hòa giải ở cơ sở</h1><p>Cập nhật: 05/06/2024 08:00</p>"
            "<p>Sáng nay Sở Tư pháp tổ chức hội nghị.</p><p>Nguyễn Văn Hải</p></body></html>")
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "hoi-nghi.htm").write_text(page, encoding="utf-8")
    (doc,) = read_corpus([tmp_path]).documents
    assert fields(doc, "id", "title", "date", "body", "author", "url", "source") == (
        "file:news/hoi-nghi.htm", "Hội nghị phổ biến Luật Hòa giải ở cơ sở", "2024-06-05",
        "Sáng nay Sở Tư pháp tổ chức hội nghị.", "Nguyễn Văn Hải", "", "")


def test_title_tag_loses_its_site_suffix_when_there_is_nothing_better(tmp_path):
    page = "<html><head><title>Hội nghị tập huấn công tác hòa giải | Sở Tư pháp</title></head>" \
           "<body><p>Nội dung hội nghị.</p></body></html>"
    (tmp_path / "a.html").write_text(page, encoding="utf-8")
    (doc,), _ = read_file(tmp_path / "a.html")
    assert (doc.title, doc.body) == ("Hội nghị tập huấn công tác hòa giải", "Nội dung hội nghị.")


def test_a_page_with_an_attribute_table_is_a_document(tmp_path):
    # web_page_excerpts: nhansu.vn "Nghị quyết 18/2025/NQ-HĐND" metadata table, as HTML
    rows = [("Số hiệu", "18/2025/NQ-HĐND"), ("Ngày ban hành", "21/07/2025"), ("Ngày có hiệu lực", "21/07/2025"),
            ("Loại văn bản", "Nghị quyết"), ("Cơ quan ban hành", "Tỉnh Thanh Hóa"), ("Người ký", "Lại Thế Nguyên"),
            ("Lĩnh vực", "Tài chính nhà nước")]
    table = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in rows)
    page = f"<html><body><h1>Nghị quyết 18/2025/NQ-HĐND sửa đổi Nghị quyết 64/2017/NQ-HĐND</h1>" \
           f"<table>{table}</table><div class='content'><p>Căn cứ Luật Tổ chức chính quyền địa phương;</p></div>" \
           f"</body></html>"
    (tmp_path / "nq18.html").write_text(page, encoding="utf-8")
    (doc,), _ = read_file(tmp_path / "nq18.html")
    assert fields(doc, "kind", "title", "doc_number", "date", "effective_date", "doc_type", "agency", "signer",
                  "field", "body") == (
        "document", "Nghị quyết 18/2025/NQ-HĐND sửa đổi Nghị quyết 64/2017/NQ-HĐND", "18/2025/NQ-HĐND",
        "2025-07-21", "2025-07-21", "Nghị quyết", "Tỉnh Thanh Hóa", "Lại Thế Nguyên", "Tài chính nhà nước",
        "Căn cứ Luật Tổ chức chính quyền địa phương;")


def test_attachment_links_are_named_by_their_text_or_their_file(tmp_path):
    page = ("<html><body><h1>Kế hoạch tuyên truyền pháp luật</h1><p>Nội dung.</p>"
            "<div>File đính kèm: <a href='/files/KH%2093.pdf'>Tải về</a> <a href='/xem?id=1'>Xem nhanh</a></div>"
            "</body></html>")
    (tmp_path / "a.html").write_text(page, encoding="utf-8")
    (doc,), _ = read_file(tmp_path / "a.html")
    assert (doc.attachments, doc.body) == ((Attachment("KH 93.pdf", "/files/KH%2093.pdf"),), "Nội dung.")


def test_badly_nested_html_still_gives_its_text(tmp_path):
    page = "<html><body><h1>Tin <b>mới</h1><p>Đoạn một<p>Đoạn hai<div><span>Đoạn ba</body>"
    (tmp_path / "bad.html").write_text(page, encoding="utf-8")
    (doc,), problems = read_file(tmp_path / "bad.html")
    assert (problems, doc.title, doc.body) == ([], "Tin mới", "Đoạn một\n\nĐoạn hai\n\nĐoạn ba")


# --- real page texts from ../shared as .txt files -------------------------------------------------

# web_page_excerpts/page_excerpts.jsonl: url → (kind, title start, date, doc_number, signer, author).
EXCERPTS = {
    "https://stp.thanhhoa.gov.vn/thanh-hoa-ban-hanh-ke-hoach-to-chuc-trien-khai-ngay-phap-luat/":
        ("article", "Thanh Hóa: Ban hành kế hoạch tổ chức triển khai Ngày Pháp luật", "", "", "", ""),
    "https://phapluatcongdong.vn/van-ban/van-ban-khac-187-kh-ubnd-ban-hanh-tinh-thanh-hoa-nam-2017-p110940.htm":
        ("document", "Kế hoạch 187/KH-UBND năm 2017 về thực hiện Đề án", "2017-10-19", "187/KH-UBND",
         "Phạm Đăng Quyền", ""),
    "https://luatminhkhue.vn/quyet-dinh-3398-qd-ubnd-nam-2013-ve-ke-hoach-thuc-hien-de-an--nang-cao-chat-luong-"
    "cong-tac-pho-bien--giao-duc-phap-luat-trong-nha-truong--tinh-thanh-hoa-giai-doan-2013-2016.aspx":
        ("document", "QUYẾT ĐỊNH VỀ VIỆC BAN HÀNH KẾHOẠCH", "2013-10-01", "3398/QĐ-UBND", "", ""),
    "https://thuviennhadat.vn/vbpl/quyet-dinh-so-3713-qd-ubnd-2009-nang-cao-chat-luong-nhan-luc-giao-duc-phap-"
    "luat-thanh-hoa-224717.html":
        ("document", "QUYẾT ĐỊNH PHÊ DUYỆT KẾ HOẠCH THỰC HIỆN ĐỀ ÁN", "2009-10-19", "3713/QĐ-UBND", "", ""),
    "http://congantuyenquang.vn/tintuc/dia_phuong/4149-ke_hoach_to_chuc_ngay_phap_luat_viet_nam_nam_2018":
        ("article", "Kế hoạch tổ chức Ngày Pháp luật Việt Nam năm 2018", "2018-10-17", "", "", "Lâm Sơn"),
}


@pytest.fixture(scope="module")
def excerpts():
    with shared_path("web_page_excerpts/page_excerpts.jsonl").open(encoding="utf-8") as fh:
        return {row["url"]: row["excerpt"] for row in map(json.loads, fh)}


@pytest.mark.parametrize("url", EXCERPTS)
def test_web_page_excerpts_as_text_dumps(url, excerpts, tmp_path):
    (tmp_path / "page.txt").write_text(excerpts[url], encoding="utf-8")
    (doc,), _ = read_file(tmp_path / "page.txt", root=tmp_path)
    kind, title, date, number, signer, author = EXCERPTS[url]
    assert (doc.id, doc.kind, doc.title[:len(title)], doc.date, doc.doc_number, doc.signer, doc.author) == (
        "file:page.txt", kind, title, date, number, signer, author)


# congbao_phapdien_webtext.jsonl.gz doc_id → (kind, title, doc_type, doc_number, date, effective_date).
CONGBAO = {
    "0bd3657ddec02d5b": ("document", "Nghị định số 217/2026/NĐ-CP quy định chi tiết một số điều của Luật Xây dựng "
                         "về quản lý hoạt động xây dựng", "Nghị định", "217/2026/NĐ-CP", "2026-06-19", "2026-07-01"),
    "3bc0d567fbef0cbc": ("document", "Nghị quyết số 158/NQ-CP ban hành Chương trình hành động của Chính phủ thực "
                         "hiện Nghị quyết số 02-NQ/TW ngày 17 tháng 3 năm 2026 của Bộ Chính trị về xây dựng và phát "
                         "triến Thủ đô Hà Nội trong kỷ nguyên mới", "Nghị quyết", "158/NQ-CP", "2026-06-19",
                         "2026-06-19"),
    "21f78c268f16e6b5": ("article", "Công tác xây dựng Bộ pháp điển của Việt Nam", "", "", "", ""),
}


@pytest.fixture(scope="module")
def congbao_pages():
    pages = {}
    with gzip.open(shared_path("congbao_phapdien_webtext/congbao_phapdien_webtext.jsonl.gz"), "rt",
                   encoding="utf-8") as fh:
        for row in map(json.loads, fh):
            if row["doc_id"] in CONGBAO:
                pages[row["doc_id"]] = row["text"]
            if len(pages) == len(CONGBAO):
                return pages
    pytest.fail(f"pages missing from congbao_phapdien_webtext: {set(CONGBAO) - set(pages)}")


@pytest.mark.parametrize("doc_id", CONGBAO)
def test_congbao_page_texts(doc_id, congbao_pages, tmp_path):
    (tmp_path / f"{doc_id}.txt").write_text(congbao_pages[doc_id], encoding="utf-8")
    (doc,), _ = read_file(tmp_path / f"{doc_id}.txt")
    assert fields(doc, "kind", "title", "doc_type", "doc_number", "date", "effective_date") == CONGBAO[doc_id]


# --- records -------------------------------------------------------------------------------------


def test_records_file_keeps_ids_and_reports_bad_lines(tmp_path):
    lines = [json.dumps({"id": "kh93", "title": "Kế hoạch 93/KH-UBND", "doc_number": "93/KH-UBND",
                         "date": "ngày 18 tháng 4 năm 2023"}, ensure_ascii=False),
             "", "{not json", json.dumps({"title": "Bài viết", "body": "Nội dung"}, ensure_ascii=False)]
    (tmp_path / "documents.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = read_corpus([tmp_path])
    assert [(d.id[:18], d.kind, d.date, d.path) for d in result.documents] == [
        ("kh93", "document", "2023-04-18", f"{tmp_path}/documents.jsonl#1"),
        ("rec:documents:" + result.documents[1].id[14:18], "article", "", f"{tmp_path}/documents.jsonl#4")]
    assert result.report.problems == (
        Problem(str(tmp_path / "documents.jsonl"), 3, "invalid JSON: Expecting property name enclosed in double "
                                                      "quotes (column 2)"),)
    assert fields(result.report, "files_read", "files_used", "files_skipped", "records_read", "records_used",
                  "records_skipped") == (1, 1, 0, 3, 2, 1)


def test_ids_do_not_depend_on_reading_order(tmp_path):
    records = [{"title": f"Tin số {i}", "body": "Nội dung"} for i in range(5)]
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.jsonl").write_text("\n".join(map(json.dumps, records)), encoding="utf-8")
    (tmp_path / "b" / "x.jsonl").write_text("\n".join(map(json.dumps, reversed(records))), encoding="utf-8")
    ids_a = {d.title: d.id for d in read_corpus([tmp_path / "a"]).documents}
    ids_b = {d.title: d.id for d in read_corpus([tmp_path / "b"]).documents}
    assert ids_a == ids_b and len(set(ids_a.values())) == 5


def test_a_repeated_id_is_skipped_with_where_it_was_first_seen(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"id": "x", "title": "A"}\n', encoding="utf-8")
    (tmp_path / "b.jsonl").write_text('{"id": "x", "title": "B"}\n{"id": "y", "title": "C"}\n', encoding="utf-8")
    result = read_corpus([tmp_path])
    assert ([d.title for d in result.documents], result.report.problems) == (
        ["A", "C"], (Problem(str(tmp_path / "b.jsonl"), 1, f"duplicate id x (first in {tmp_path}/a.jsonl#1)"),))
    assert fields(result.report, "records_read", "records_used", "records_skipped") == (3, 2, 1)


# --- encodings -----------------------------------------------------------------------------------


def test_text_in_legacy_encodings_ends_up_nfc(tmp_path):
    text = f"THÔNG TIN PHỔ BIẾN GIÁO DỤC PHÁP LUẬT\n{SEED_TITLE}\nNgày tạo: 22/04/2023 16:23:56\nNội dung.\n"
    (tmp_path / "utf16.txt").write_bytes(text.encode("utf-16"))
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (tmp_path / "cp1258.txt").write_bytes(to_cp1258(text))
    page = f'<html><head><meta charset="windows-1258"></head><body><h1>{SEED_TITLE}</h1><p>Nội dung.</p></body></html>'
    (tmp_path / "cp1258.html").write_bytes(to_cp1258(page))
    docs = read_corpus([tmp_path]).documents
    assert [(d.id, d.title, d.body) for d in docs] == [
        ("file:bom.txt", SEED_TITLE, "Nội dung."), ("file:cp1258.html", SEED_TITLE, "Nội dung."),
        ("file:cp1258.txt", SEED_TITLE, "Nội dung."), ("file:utf16.txt", SEED_TITLE, "Nội dung.")]


@pytest.mark.parametrize("name, content, expected", [
    # no extension: the content decides
    ("ban-tin", '{"id": "a", "title": "Bản tin"}\n{"id": "b", "title": "Bản tin 2"}', ["a", "b"]),
    ("trang", "<html><body><h1>Tin tức pháp luật</h1><p>Nội dung.</p></body></html>", ["file:trang"]),
    # "KH số 93.2023" has no extension: a page-text dump
    ("KH số 93.2023", "Tin tức về Kế hoạch số 93\nNội dung.", ["file:KH số 93.2023"]),
])
def test_files_without_an_extension_are_sniffed(tmp_path, name, content, expected):
    (tmp_path / name).write_text(content, encoding="utf-8")
    assert [d.id for d in read_corpus([tmp_path]).documents] == expected


def test_html_saved_as_txt_is_read_as_html(tmp_path):
    (tmp_path / "page.txt").write_text(PORTAL_PAGE.format(title="Tin pháp luật mới nhất"), encoding="utf-8")
    (doc,), _ = read_file(tmp_path / "page.txt")
    assert (doc.title, doc.author, doc.source) == ("Tin pháp luật mới nhất", "Lâm Anh", "thanhhoa.gov.vn")


# --- bad input -----------------------------------------------------------------------------------

UNDECODABLE = "undecodable text: not UTF-8, UTF-16, its declared charset or Vietnamese Windows-1258"


def _truncated_gzip(lines: int) -> bytes:
    data = "\n".join(json.dumps({"id": f"r{i}", "title": f"Bản tin số {i}", "body": "x" * 200})
                     for i in range(lines)).encode()
    packed = gzip.compress(data, mtime=0)
    return packed[:len(packed) // 2]


@pytest.mark.parametrize("name, content, line, reason", [
    ("empty.txt", b"", 0, "empty file"),
    ("blank.html", b"  \n\t\n", 0, "empty file"),
    ("blank.jsonl", b"\n\n", 0, "empty file (no records)"),
    ("nul.txt", b"Thanh H\x00\x00a\x01\x02\x03" * 50, 0, "binary file (binary data)"),
    ("renamed-pdf.html", b"%PDF-1.4\n1 0 obj", 0, "binary file (PDF document)"),
    ("scan.pdf", b"%PDF-1.4\n1 0 obj", 0, "unsupported file type (.pdf)"),
    ("export.csv", "so_ky_hieu,trich_yeu\n93/KH-UBND,kế hoạch".encode(), 0, "unsupported file type (.csv)"),
    ("binary.jsonl", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, 0, "binary file (PNG image)"),
    ("latin1.txt", "Café crème brûlée".encode("cp1252"), 0, UNDECODABLE),
    ("undefined-bytes.html", b"<p>\x81\x8d\x8f\x90</p>", 0, UNDECODABLE),
    ("nothing.html", b"<html><body><div><span></div><script>var a;</script></body>", 0,
     "no usable text (no title and no body found)"),
    ("bad-json-line.jsonl", b'{"title": "A"}\n{"title": "B",}\n', 2,
     "invalid JSON: Expecting property name enclosed in double quotes (column 15)"),
    ("bad-type.jsonl", b'{"title": ["A"]}\n', 1, "field 'title' must be a string, not a JSON array"),
    ("bad.json", b'{"title": "A"', 0, "invalid JSON: Expecting ',' delimiter (line 1, column 14)"),
    ("truncated.jsonl.gz", _truncated_gzip(200), 90, "truncated gzip: the file ends here (89 records before "
                                                     "it were kept)"),
    ("truncated.html.gz", gzip.compress(PORTAL_PAGE.encode(), mtime=0)[:300], 0,
     "truncated gzip (the file ends before its compressed data does)"),
    ("not-gzip.jsonl.gz", b"plain text, not gzip", 0, "not a valid gzip file (Not a gzipped file (b'pl'))"),
])
def test_bad_input_is_reported_with_path_line_and_reason(tmp_path, name, content, line, reason):
    (tmp_path / name).write_bytes(content)
    assert read_corpus([tmp_path]).report.problems == (Problem(str(tmp_path / name), line, reason),)


def test_truncated_gzip_keeps_the_records_before_the_break(tmp_path):
    (tmp_path / "cut.jsonl.gz").write_bytes(_truncated_gzip(200))
    result = read_corpus([tmp_path])
    assert (len(result.documents), result.documents[-1].id, result.report.files_used) == (89, "r88", 1)


def test_a_page_file_over_the_size_limit_is_not_read(tmp_path):
    with (tmp_path / "huge.html").open("wb") as fh:
        fh.truncate(50_000_000)  # sparse: 50 MB on paper, nothing to read
    (doc_problem,) = read_corpus([tmp_path]).report.problems
    assert doc_problem == Problem(str(tmp_path / "huge.html"), 0, "page file too large (50000000 bytes > limit "
                                  "20000000; raise the limit with --max-record-bytes)")


def test_the_size_limit_is_an_option(tmp_path):
    (tmp_path / "page.txt").write_bytes(seed_path().read_bytes())
    size = (tmp_path / "page.txt").stat().st_size
    small = read_corpus([tmp_path], max_record_bytes=size - 1).report
    assert (small.files_used, [p.reason for p in small.problems], read_corpus([tmp_path]).report.files_used) == (
        0, [f"page file too large ({size} bytes > limit {size - 1}; raise the limit with --max-record-bytes)"], 1)


def test_counts_reconcile_over_good_and_bad_files(tmp_path):
    (tmp_path / "good.txt").write_bytes(seed_path().read_bytes())
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "mixed.jsonl").write_text('{"title": "A"}\n{bad\n{"title": "C"}\n', encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    report = read_corpus([tmp_path]).report
    assert fields(report, "files_read", "files_used", "files_skipped", "records_read", "records_used",
                  "records_skipped") == (4, 2, 2, 3, 2, 1)
    assert report.lines() == [
        "files: 4 read, 2 used, 2 skipped; records: 3 read, 2 used, 1 skipped",
        f"{tmp_path}/empty.html:0: empty file",
        f"{tmp_path}/image.png:0: unsupported file type (.png)",
        f"{tmp_path}/mixed.jsonl:2: invalid JSON: Expecting property name enclosed in double quotes (column 2)"]
    assert report.to_dict()["problems"][0] == {"path": f"{tmp_path}/empty.html", "line": 0, "reason": "empty file"}


# --- walking, roots, progress --------------------------------------------------------------------


def test_iter_files_walks_sorted_and_skips_notes_and_hidden_files(tmp_path):
    for name in ("b.txt", "a/z.html", "a/README.md", "PROVENANCE.md", ".hidden.txt", ".git/x.txt", "notes.md",
                 "c.jsonl.gz", "PROVENANCE.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [p.relative_to(tmp_path).as_posix() for p in iter_files([tmp_path])] == ["a/z.html", "b.txt", "c.jsonl.gz"]


def test_a_single_path_is_not_taken_for_a_list_of_characters(tmp_path):
    (tmp_path / "a.txt").write_text("Tin tức pháp luật hôm nay\nNội dung", encoding="utf-8")
    assert ([p.name for p in iter_files(str(tmp_path))], len(read_corpus(tmp_path).documents)) == (["a.txt"], 1)


def test_iter_files_refuses_a_missing_path(tmp_path):
    with pytest.raises(CorpusError) as err:
        iter_files([tmp_path / "nope"])
    assert str(err.value) == f"corpus path not found: {tmp_path}/nope (give a folder of pages or a records file)"


def test_read_file_with_its_root_gives_the_ids_of_read_corpus(tmp_path):
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "seed.txt").write_bytes(seed_path().read_bytes())
    (from_corpus,) = read_corpus([tmp_path]).documents
    (alone,), _ = read_file(tmp_path / "articles" / "seed.txt",
                            root=corpus_root(tmp_path / "articles" / "seed.txt", [tmp_path]))
    assert (from_corpus, from_corpus.id) == (alone, "file:articles/seed.txt")


def test_progress_is_called_after_each_file_with_files_and_bytes(tmp_path):
    for i in range(3):
        (tmp_path / f"{i}.txt").write_text(f"Tin số {i} của sở\nNội dung", encoding="utf-8")
    calls = []
    read_corpus([tmp_path], progress=calls.append)
    size = (tmp_path / "0.txt").stat().st_size  # 32 bytes each
    assert calls == [ReadProgress(files_done=n, files_total=3, records_done=0, bytes_done=n * size,
                                  bytes_total=3 * size) for n in (1, 2, 3)]


def test_empty_report_lines():
    assert ReadReport().lines() == ["files: 0 read, 0 used, 0 skipped; records: 0 read, 0 used, 0 skipped"]


_LINES = st.sampled_from([
    '{"title": "Kế hoạch 93/KH-UBND"}', '{"body": "Nội dung"}', '{"id": "x", "title": "Trùng id"}', "{bad",
    '{"title": 1}', '{"title": "T", "date": "31/02/2023"}', "", "[]", '"chuỗi"', '{"title": "Đúng", "date": "22-4-2023"}',
])


@settings(max_examples=40, deadline=None)
@given(files=st.lists(st.lists(_LINES, max_size=8), min_size=1, max_size=4))
def test_counts_always_reconcile(files):
    with tempfile.TemporaryDirectory() as folder:
        for i, lines in enumerate(files):
            Path(folder, f"{i}.jsonl").write_text("\n".join(lines), encoding="utf-8")
        result = read_corpus([folder])
    report = result.report
    assert (report.files_read, report.records_read, report.records_used) == (
        report.files_used + report.files_skipped, report.records_used + report.records_skipped, len(result.documents))
    assert sum(p.line > 0 for p in report.problems) == report.records_skipped

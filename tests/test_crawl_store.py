"""A crawled page as saved (indexer.crawl.store) and as the reader reads it back; PDF text (pypdf)."""

from __future__ import annotations

import gzip

import pytest

from crawl_site import KH93_PDF_LINES, VBPL, article, document_page, have_data, make_pdf
from indexer.crawl.pdf import PdfError, pdf_text
from indexer.crawl.store import compose, page_bytes
from indexer.read.reader import read_file

URL = "http://127.0.0.1:8123/van-ban/ke-hoach-93"
PDF = {"name": "KH93.PDF", "url": "http://127.0.0.1:8123/files/kh93.pdf", "text": "\n".join(KH93_PDF_LINES)}

needs_data = pytest.mark.skipif(not have_data(), reason="shared data not found (set VNLEX_SHARED)")


def saved(tmp_path, raw: bytes, url: str = URL, attachments=()) -> list:
    path = tmp_path / "page.html"
    path.write_bytes(compose(raw, url, list(attachments)))
    documents, problems = read_file(path, root=tmp_path)
    assert problems == []
    return documents


def test_compose_keeps_the_page_bytes_and_never_ends_its_script():
    raw = "<html><body><p>Kế hoạch số 93/KH-UBND</p></body></html>".encode("utf-8")
    data = compose(raw, URL, [{"name": "a.pdf", "url": URL, "text": "x </script><p>y"}])
    assert data.startswith(raw) and page_bytes(data) == raw
    assert data.count(b"</script>") == 1
    assert compose(raw, URL, []) == compose(raw, URL, [])  # nothing that changes by itself (no fetch time)


def test_a_utf16_page_is_saved_as_utf8(tmp_path):
    raw = "<html><body><h1>Kế hoạch 93</h1><p>Ủy ban nhân dân tỉnh Thanh Hóa</p></body></html>".encode("utf-16")
    assert page_bytes(compose(raw, URL, [])).decode("utf-8").startswith("<html>")
    [doc] = saved(tmp_path, raw)
    assert (doc.title, doc.body) == ("Kế hoạch 93", "Ủy ban nhân dân tỉnh Thanh Hóa")


@needs_data
def test_the_crawled_url_is_the_entry_url_and_its_id_when_the_page_states_none(tmp_path):
    [doc] = saved(tmp_path, article("/tin-tuc/bai-1").encode("utf-8"), url="http://127.0.0.1:8123/tin-tuc/bai-1")
    assert (doc.id, doc.url, doc.source) == ("url:127.0.0.1/tin-tuc/bai-1", "http://127.0.0.1:8123/tin-tuc/bai-1",
                                             "127.0.0.1")
    # vbpl.vn's "Thuộc tính" page states its canonical URL: that names it; the entry links where it was crawled
    raw = gzip.decompress((VBPL / "vbpl_thuoctinh.html.gz").read_bytes())
    [doc] = saved(tmp_path, raw, url="http://127.0.0.1:8123/van-ban/bo-luat-to-tung-hinh-su")
    assert (doc.id, doc.url, doc.doc_number) == ("url:vbpl.vn/tw/pages/vbpq-thuoctinh.aspx?dvid=13&itemid=96172",
                                                 "http://127.0.0.1:8123/van-ban/bo-luat-to-tung-hinh-su",
                                                 "101/2015/QH13")


@needs_data
def test_pdf_text_is_the_body_only_of_a_page_without_full_text(tmp_path):
    page = document_page("93/KH-UBND", "Kế hoạch thực hiện Kết luận số 44-KL/TW", "/files/kh93.pdf").encode()
    [doc] = saved(tmp_path, page, attachments=[PDF])
    assert doc.body.split("\n\n") == KH93_PDF_LINES  # the page's one paragraph is its title
    assert (doc.doc_number, [a.name for a in doc.attachments]) == ("93/KH-UBND", ["KH93.PDF"])
    [plain] = saved(tmp_path, page)
    assert (plain.title, plain.body) == ("Kế hoạch thực hiện Kết luận số 44-KL/TW", "")
    # the seed article has its full text: a PDF attached to it does not add to its body
    seed = article("/tin-tuc/bai-1").encode("utf-8")
    [with_pdf], [without] = saved(tmp_path, seed, attachments=[PDF]), saved(tmp_path, seed)
    assert with_pdf.body == without.body


def test_pdf_text_of_a_real_pdf_a_scan_and_junk():
    assert pdf_text(make_pdf(KH93_PDF_LINES)) == "\n".join(KH93_PDF_LINES)
    assert pdf_text(make_pdf([])) == ""  # no text layer: the crawler reports it
    with pytest.raises(PdfError, match="not a PDF"):
        pdf_text(b"<html>not a pdf</html>")
    with pytest.raises(PdfError, match="unreadable PDF"):
        pdf_text(b"%PDF-1.4\n" + bytes(100))

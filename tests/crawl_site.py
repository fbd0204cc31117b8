"""A portal on 127.0.0.1 for the crawler tests and ``bench/crawl_local.py``, built from real pages.

``PortalSite`` serves, with a request log the tests read (``requests``):

- article pages in a provincial portal layout: the Thanh Hóa seed (``../shared/seeds``) and five
  page excerpts of real portals (``../shared/data/web_page_excerpts``);
- vbpl.vn pages as saved from vbpl.vn (``../shared/data/vbpl_vn_html_samples``): a "Thuộc tính" page
  (no full text) and a "Toàn văn" page;
- a document page without full text whose PDF (made here, ``make_pdf``) holds the text, and one whose
  PDF is a scan (no text layer);
- listing pages with "Trang sau" and numbered pagination, a sitemap index with a ``.xml.gz`` sitemap,
  an RSS feed, robots.txt (a disallowed folder, optionally a Crawl-delay), duplicate links with
  tracking parameters and fragments, a ``.docx`` link and an image behind an HTML-looking link;
- trouble: a 500 that recovers, a 429 with ``Retry-After: 1``, a page slower than the client's
  timeout, a redirect loop, a response larger than the client's limit.

Every response has an ``ETag`` (the SHA-1 of its body) and answers ``If-None-Match`` with a 304.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import html
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SHARED = Path(os.environ.get("VNLEX_SHARED", Path(__file__).resolve().parents[2] / "shared"))
DATA = Path(os.environ.get("VNLEX_SHARED_DATA", SHARED / "data"))
SEED = SHARED / "seeds" / "thanhhoa-article-2023-04-22.txt"
EXCERPTS = DATA / "web_page_excerpts" / "page_excerpts.jsonl"
VBPL = DATA / "vbpl_vn_html_samples"

NOT_FOUND = "<html><body><h1>404 Không tìm thấy trang</h1></body></html>".encode("utf-8")
SLOW_SECONDS = 1.5   # the slow page answers after this long; tests use a smaller client timeout
HUGE_BYTES = 3_000_000  # the huge page; tests use a smaller --max-bytes


def have_data() -> bool:
    return SEED.is_file() and EXCERPTS.is_file() and (VBPL / "vbpl_thuoctinh.html.gz").is_file()


# --- a PDF with a text layer, written by hand ------------------------------------------------------

def make_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds ``lines`` (any Unicode: a Type0 font with a ToUnicode map;
    the glyphs are not embedded, the text is what matters). ``make_pdf([])`` is a page without text,
    as a scanned page is to a text extractor."""
    chars = sorted({c for line in lines for c in line})
    cid = {c: i + 1 for i, c in enumerate(chars)}
    content = "BT /F1 12 Tf 14 TL 50 780 Td\n" + "".join(
        "<" + "".join(f"{cid[c]:04X}" for c in line) + "> Tj T*\n" for line in lines) + "ET\n"
    if not lines:
        content = "0.9 g 50 50 500 700 re f\n"  # a grey rectangle: a "scan" with no text
    cmap = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /U def "
            "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
            + "".join(f"1 beginbfchar <{cid[c]:04X}> <{ord(c):04X}> endbfchar\n" for c in chars)
            + "endcmap CMapName currentdict /CMap defineresource pop end end\n")
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content.encode())} >>\nstream\n{content}endstream",
        "<< /Type /Font /Subtype /Type0 /BaseFont /Arial /Encoding /Identity-H /DescendantFonts [6 0 R] "
        "/ToUnicode 7 0 R >>",
        "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Arial /CIDSystemInfo << /Registry (Adobe) "
        "/Ordering (Identity) /Supplement 0 >> /DW 500 >>",
        f"<< /Length {len(cmap.encode())} >>\nstream\n{cmap}endstream",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


# --- pages in a portal layout ------------------------------------------------------------------------

BANNER = "THÔNG TIN PHỔ BIẾN GIÁO DỤC PHÁP LUẬT TỈNH THANH HÓA"
MENU = '<nav class="menu"><a href="/tin-tuc">Tin tức</a> <a href="/van-ban">Văn bản</a></nav>'


def portal_page(title: str, paragraphs: list[str], *, date: str = "", author: str = "", extra: str = "") -> str:
    """An article page as a provincial portal lays it out (banner, menu, title, date, body, author)."""
    body = "".join(f"<p>{html.escape(p)}</p>\n" for p in paragraphs)
    return (f'<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8"><title>{html.escape(title)} | '
            f'{BANNER}</title></head><body>\n<header class="banner">{BANNER}</header>\n{MENU}\n'
            f'<div class="news-detail"><h1>{html.escape(title)}</h1>\n'
            + (f'<div class="date">Ngày tạo: {date}</div>\n' if date else "")
            + f'<div class="news-content">\n{body}</div>\n'
            + (f'<div class="author">{html.escape(author)}</div>\n' if author else "")
            + f'{extra}</div>\n<footer class="footer">Cổng thông tin điện tử tỉnh Thanh Hóa</footer></body></html>\n')


def listing_page(title: str, links: list[tuple[str, str]], *, extra: str = "", feed: bool = True) -> str:
    """A listing ("Tin tức", "Văn bản") with its links, pagination as ``extra``, and a link to the feed."""
    items = "".join(f'<li><a href="{html.escape(href)}">{html.escape(text)}</a></li>\n' for href, text in links)
    alternate = '<link rel="alternate" type="application/rss+xml" title="Tin mới" href="/rss.xml">' if feed else ""
    return (f'<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8"><title>{title}</title>'
            f'{alternate}</head><body>\n'
            f'<header class="banner">{BANNER}</header>\n{MENU}\n<h1>{title}</h1>\n<ul class="list-news">\n{items}</ul>\n'
            f'{extra}</body></html>\n')


def seed_article() -> tuple[str, list[str], str, str]:
    """(title, paragraphs, date, author) of the seed page (a real page of the Thanh Hóa portal, as text)."""
    lines = [" ".join(line.split()) for line in SEED.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    title = lines[2]
    date = lines[3].removeprefix("Ngày tạo:").strip()
    body = [line for line in lines[4:] if not line.startswith(("Nhập", "Lâm Anh", "File đính kèm"))]
    return title, body, date, "Lâm Anh"


def excerpt_article(number: int) -> tuple[str, list[str]]:
    """(title, paragraphs) of page excerpt ``number`` (line ``number`` of page_excerpts.jsonl)."""
    record = json.loads(EXCERPTS.read_text(encoding="utf-8").splitlines()[number])
    lines = [" ".join(line.split()) for line in record["excerpt"].splitlines()]
    lines = [line for line in lines if line and line != "DANH MỤC" and "Hotline" not in line
             and not line.startswith("date ")]
    title = next(line for line in lines if len(line) >= 25)
    return title, [line for line in lines if line != title]


def vbpl_page(name: str) -> bytes:
    return gzip.decompress((VBPL / name).read_bytes())


# --- the server ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Logged:
    """One request as the server saw it."""

    at: float       # time.monotonic() when the request line was read
    path: str       # path and query, as sent
    status: int     # 0 while it is being answered
    headers: dict


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict = field(default_factory=dict)
    fail_first: list = field(default_factory=list)  # responses (status, headers) for the first requests
    sleep: float = 0.0
    chunked_close: bool = False                       # no Content-Length: the body ends when the connection does


class _Handler(BaseHTTPRequestHandler):
    site: "PortalSite"

    def do_GET(self):  # noqa: N802 (http.server's name)
        number = self.site.log(Logged(time.monotonic(), self.path, 0, dict(self.headers.items())))
        status = self.site.answer(self)
        self.site.answered(number, status)

    def log_message(self, *args):  # the tests read ``requests``, not stderr
        pass


class PortalSite:
    """The portal on ``127.0.0.1``: ``with PortalSite() as site: site.url("/tin-tuc")``; ``site.requests``."""

    def __init__(self, *, crawl_delay: int | None = None):
        self.crawl_delay = crawl_delay
        self.routes: dict[str, Route] = {}
        self.requests: list[Logged] = []
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"site": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "PortalSite":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(10)

    def url(self, path: str) -> str:
        return self.base + path

    def log(self, entry: Logged) -> int:
        """Log a request as it arrives (so a request still being answered is counted); its number."""
        with self._lock:
            self.requests.append(entry)
            return len(self.requests) - 1

    def answered(self, number: int, status: int) -> None:
        with self._lock:
            self.requests[number] = dataclasses.replace(self.requests[number], status=status)

    def hits(self, since: int = 0) -> dict[str, int]:
        """Requests per path (with query) from request number ``since`` on."""
        out: dict[str, int] = {}
        for entry in self.requests[since:]:
            out[entry.path] = out.get(entry.path, 0) + 1
        return out

    def statuses(self, since: int = 0) -> list[tuple[str, int]]:
        return [(e.path, e.status) for e in self.requests[since:]]

    def add(self, path: str, body: str | bytes, **route) -> None:
        self.routes[path] = Route(body=body.encode("utf-8") if isinstance(body, str) else body, **route)

    def remove(self, path: str) -> None:
        del self.routes[path]

    def answer(self, handler: BaseHTTPRequestHandler) -> int:
        route = self.routes.get(handler.path)
        if route is None:
            return self._send(handler, 404, {"Content-Type": "text/html; charset=utf-8"}, NOT_FOUND)
        if route.sleep:
            time.sleep(route.sleep)
        if route.fail_first:
            status, headers = route.fail_first.pop(0)
            return self._send(handler, status, {"Content-Type": "text/html; charset=utf-8", **headers},
                              "<html><body>Lỗi máy chủ</body></html>".encode("utf-8"))
        etag = '"' + hashlib.sha1(route.body).hexdigest() + '"'
        headers = {"Content-Type": route.content_type, "ETag": etag, **route.headers}
        if route.status == 200 and handler.headers.get("If-None-Match") == etag:
            return self._send(handler, 304, {"ETag": etag}, b"")
        return self._send(handler, route.status, headers, route.body, close=route.chunked_close)

    @staticmethod
    def _send(handler, status: int, headers: dict, body: bytes, close: bool = False) -> int:
        try:
            handler.send_response(status)
            for name, value in headers.items():
                handler.send_header(name, value)
            if not close:
                handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout, size limit)
            pass
        return status


# --- the portal's content ----------------------------------------------------------------------------

KH93_PDF_LINES = [
    "ỦY BAN NHÂN DÂN TỈNH THANH HÓA",
    "Số: 93/KH-UBND",
    "KẾ HOẠCH",
    "Thực hiện Kết luận số 44-KL/TW ngày 09/01/2023 của Ban Bí thư về tiếp tục thực hiện",
    "Chỉ thị số 43-CT/TW của Ban Bí thư (khóa X) về tăng cường sự lãnh đạo của Đảng",
    "đối với công tác của Hội Chữ thập đỏ Việt Nam trong tình hình mới",
    "Tổ chức tuyên truyền, quán triệt, nâng cao nhận thức, trách nhiệm về công tác nhân đạo.",
    "Kinh phí thực hiện Kế hoạch do ngân sách tỉnh bảo đảm theo phân cấp hiện hành.",
]
# Pages that are fetched and saved, by path: what a complete crawl leaves in the corpus.
ARTICLES = {"/tin-tuc/bai-1": "seed", "/tin-tuc/bai-2": 0, "/tin-tuc/bai-3": 7, "/tin-tuc/bai-4": 8,
            "/tin-tuc/bai-5": 2, "/tin-tuc/bai-6": 1, "/tin-tuc/bai-7": 3}
DOCUMENTS = ("/van-ban/bo-luat-to-tung-hinh-su", "/van-ban/hien-phap-2013", "/van-ban/ke-hoach-93",
             "/van-ban/ke-hoach-scan")
TROUBLE = ("/tin-tuc/loi-tam-thoi", "/tin-tuc/dong-nguoi", "/tin-tuc/cham", "/tin-tuc/vong-lap",
           "/tin-tuc/rat-lon", "/tin-tuc/anh-hoat-dong", "/files/bieu-mau.docx", "/private/noi-bo")


def article(path: str, changed: str = "") -> str:
    source = ARTICLES[path]
    if source == "seed":
        title, body, date, author = seed_article()
        return portal_page(title, body + ([changed] if changed else []), date=date, author=author)
    title, body = excerpt_article(source)
    return portal_page(title, body + ([changed] if changed else []))


def document_page(number: str, title: str, pdf: str) -> str:
    """A portal "văn bản" page: an attribute table, a one-line abstract and the PDF of the text."""
    table = (f'<table class="thuoc-tinh"><tr><td>Số ký hiệu</td><td>{number}</td><td>Ngày ban hành</td>'
             f'<td>18/04/2023</td></tr><tr><td>Loại văn bản</td><td>Kế hoạch</td><td>Cơ quan ban hành</td>'
             f'<td>UBND tỉnh Thanh Hóa</td></tr></table>')
    files = f'<div class="attachments">File đính kèm: <a href="{pdf}">{pdf.rpartition("/")[2].upper()}</a></div>'
    return portal_page(title, [title], extra=table + files)


def tin_tuc(*, without: tuple[str, ...] = ()) -> str:
    links = [(p, f"Bài {p[-1]}") for p in ("/tin-tuc/bai-1", "/tin-tuc/bai-2", "/tin-tuc/bai-3") if p not in without]
    links += [("/tin-tuc/bai-1?utm_source=zalo&utm_medium=social", "Bài 1 (chia sẻ)"),
              ("/tin-tuc/bai-1#binh-luan", "Bình luận bài 1"), ("/tin-tuc/bai-2?fbclid=IwAR0abc", "Bài 2"),
              ("/tin-tuc/loi-tam-thoi", "Tin tạm lỗi"), ("/tin-tuc/dong-nguoi", "Tin đông người đọc"),
              ("/tin-tuc/cham", "Tin tải chậm"), ("/tin-tuc/vong-lap", "Tin chuyển hướng vòng"),
              ("/tin-tuc/rat-lon", "Tin rất lớn"), ("/tin-tuc/anh-hoat-dong", "Ảnh hoạt động"),
              ("/files/bieu-mau.docx", "Biểu mẫu (.docx)"), ("/private/noi-bo", "Nội bộ")]
    pages = '<div class="pagination"><a href="/tin-tuc">1</a> <a href="/tin-tuc?page=2">2</a> ' \
            '<a href="/tin-tuc?page=2">Trang sau</a></div>'
    return listing_page("Tin tức", links, extra=pages)


def build_portal(site: PortalSite, *, huge_bytes: int = HUGE_BYTES) -> None:
    """Every route of the portal (see the module docstring)."""
    base = site.base
    for path in ARTICLES:
        site.add(path, article(path))
    site.add("/tin-tuc", tin_tuc())
    site.add("/tin-tuc?page=2", listing_page("Tin tức - Trang 2", [("/tin-tuc/bai-4", "Bài 4"), (
        "/tin-tuc/bai-5", "Bài 5")], extra='<div class="pagination"><a href="/tin-tuc">1</a> 2</div>'))
    site.add("/van-ban", listing_page("Văn bản", [(p, p.rpartition("/")[2]) for p in DOCUMENTS]))
    site.add("/van-ban/bo-luat-to-tung-hinh-su", vbpl_page("vbpl_thuoctinh.html.gz"))
    site.add("/van-ban/hien-phap-2013", vbpl_page("vbpl_v2.html.gz"))
    site.add("/van-ban/ke-hoach-93", document_page(
        "93/KH-UBND", "Kế hoạch thực hiện Kết luận số 44-KL/TW về công tác Hội Chữ thập đỏ", "/files/kh93.pdf"))
    site.add("/files/kh93.pdf", make_pdf(KH93_PDF_LINES), content_type="application/pdf")
    site.add("/van-ban/ke-hoach-scan", document_page(
        "120/KH-UBND", "Kế hoạch tổ chức triển khai Ngày Pháp luật (bản quét)", "/files/kh120-scan.pdf"))
    site.add("/files/kh120-scan.pdf", make_pdf([]), content_type="application/pdf")
    # trouble
    title, body = excerpt_article(9)
    site.add("/tin-tuc/loi-tam-thoi", portal_page(title, body), fail_first=[(500, {})])
    title, body = excerpt_article(5)
    site.add("/tin-tuc/dong-nguoi", portal_page(title, body), fail_first=[(429, {"Retry-After": "1"})])
    site.add("/tin-tuc/cham", portal_page("Tin tải chậm", ["Trang này trả lời quá chậm."]), sleep=SLOW_SECONDS)
    site.add("/tin-tuc/vong-lap", b"", status=302, headers={"Location": "/tin-tuc/vong-lap-2"})
    site.add("/tin-tuc/vong-lap-2", b"", status=302, headers={"Location": base + "/tin-tuc/vong-lap"})
    site.add("/tin-tuc/rat-lon", b"<html><body>" + b"<p>A</p>" * (huge_bytes // 8), chunked_close=True)
    site.add("/tin-tuc/anh-hoat-dong", b"\x89PNG\r\n\x1a\n" + bytes(200), content_type="image/png")
    site.add("/files/bieu-mau.docx", b"PK\x03\x04", content_type="application/octet-stream")
    site.add("/private/noi-bo", portal_page("Nội bộ", ["Không công khai."]))
    # discovery
    robots = "User-agent: *\nDisallow: /private/\n" + (f"Crawl-delay: {site.crawl_delay}\n" if site.crawl_delay
                                                       else "") + f"Sitemap: {base}/sitemap_index.xml\n"
    site.add("/robots.txt", robots, content_type="text/plain; charset=utf-8")
    site.add("/sitemap_index.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns='
             '"http://www.sitemaps.org/schemas/sitemap/0.9">\n'
             f'<sitemap><loc>{base}/sitemaps/tin-tuc.xml.gz</loc></sitemap>\n</sitemapindex>\n',
             content_type="application/xml")
    urls = "".join(f"<url><loc>{base}{p}</loc></url>\n" for p in ("/tin-tuc/bai-1", "/tin-tuc/bai-6",
                                                                  "/van-ban/hien-phap-2013"))
    site.add("/sitemaps/tin-tuc.xml.gz", gzip.compress(
        ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
         + urls + "</urlset>\n").encode("utf-8"), mtime=0), content_type="application/gzip")
    items = "".join(f"<item><title>{t}</title><link>{base}{p}</link></item>\n" for p, t in (
        ("/tin-tuc/bai-2", "Bài 2"), ("/tin-tuc/bai-7", "Bài 7")))
    site.add("/rss.xml", f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Tin mới'
             f'</title><link>{base}/tin-tuc</link><description>Tin mới</description>\n{items}</channel></rss>\n',
             content_type="application/rss+xml; charset=utf-8")

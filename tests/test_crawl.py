"""The crawler journey: ``python -m indexer refresh`` against a real portal on 127.0.0.1, three times.

The site (``tests/crawl_site.py``) is built from real pages: the Thanh Hóa seed, real portal page
excerpts and vbpl.vn pages from ``../shared``, plus a PDF written by the test. Fetch counts are read
from the server's own request log.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawl_site import ARTICLES, DOCUMENTS, PortalSite, article, build_portal, have_data, tin_tuc
from search_app import create_app

REPO = Path(__file__).resolve().parent.parent
DELAY = 0.05

pytestmark = pytest.mark.skipif(not have_data(), reason="shared data not found (set VNLEX_SHARED)")

# What the first refresh asks for: each path once, except the 500 and the 429 (asked again) and the
# slow page (timed out twice: --retries 1); the .docx link and the disallowed /private/ are never asked.
FIRST_HITS = {
    "/robots.txt": 1, "/sitemap_index.xml": 1, "/sitemaps/tin-tuc.xml.gz": 1, "/rss.xml": 1,
    "/tin-tuc": 1, "/tin-tuc?page=2": 1, "/van-ban": 1,
    **{path: 1 for path in ARTICLES}, **{path: 1 for path in DOCUMENTS},
    "/files/kh93.pdf": 1, "/files/kh120-scan.pdf": 1,
    "/tin-tuc/loi-tam-thoi": 2, "/tin-tuc/dong-nguoi": 2, "/tin-tuc/cham": 2,
    "/tin-tuc/vong-lap": 1, "/tin-tuc/vong-lap-2": 1, "/tin-tuc/rat-lon": 1, "/tin-tuc/anh-hoat-dong": 1,
}
SAVED = sorted(list(ARTICLES) + list(DOCUMENTS) + ["/tin-tuc/loi-tam-thoi", "/tin-tuc/dong-nguoi"])


def refresh(site: PortalSite, tmp: Path, *extra: str) -> subprocess.CompletedProcess:
    args = ["refresh", "--site", site.url("/tin-tuc"), "--site", site.url("/van-ban"), "--corpus",
            str(tmp / "corpus"), "--index", str(tmp / "index"), "--jobs", "1", "--delay", str(DELAY),
            "--timeout", "0.5", "--retries", "1", "--max-bytes", "1000000", "--contact", "it@example.org", *extra]
    env = {k: v for k, v in os.environ.items() if not k.startswith("VNLEX_")}
    return subprocess.run([sys.executable, "-m", "indexer", *args], cwd=REPO, capture_output=True, text=True,
                          env={**env, "PYTHONPATH": str(REPO)}, timeout=300, stdin=subprocess.DEVNULL)


def saved_paths(tmp: Path) -> list[str]:
    """The URL paths of the pages in the corpus folder (from their vnlex-crawl block)."""
    out = []
    for path in (tmp / "corpus").rglob("*.html"):
        text = path.read_text(encoding="utf-8", errors="replace")
        block = text[text.rindex('id="vnlex-crawl">') + len('id="vnlex-crawl">'):text.rindex("</script>")]
        out.append("/" + json.loads(block)["url"].split("/", 3)[3])
    return sorted(out)


def search(tmp: Path, query: str) -> list[str]:
    """The URL paths of the results for ``query``, best first (the JSON API over the refreshed index;
    cited-only entries, which have no URL, left out)."""
    client = create_app({"INDEX_DIR": str(tmp / "index"), "TESTING": True}).test_client()
    response = client.get("/api/search", query_string={"q": query, "per_page": 50})
    assert response.status_code == 200
    return ["/" + r["url"].split("/", 3)[3] for r in response.get_json()["results"] if r["url"]]


def report(tmp: Path) -> dict:
    return json.loads((tmp / "corpus.crawl-report.json").read_text(encoding="utf-8"))


def test_refresh_builds_then_fetches_only_what_changed(tmp_path):
    with PortalSite() as site:
        build_portal(site)

        # 1. First refresh: everything is new; the index is built.
        first = refresh(site, tmp_path)
        assert first.returncode == 0, first.stderr
        assert "built " in first.stdout
        # progress on stderr: 25 URLs = 2 sitemaps, 1 feed, 3 listing pages and 19 pages
        assert any(line.startswith("crawling: 25/25 URLs (100%)") for line in first.stderr.splitlines())
        assert site.hits() == FIRST_HITS
        assert {e.headers["User-Agent"] for e in site.requests} == {
            "vnlex-crawler/0.1 (legal-document search index; +it@example.org)"}
        times = sorted(e.at for e in site.requests)
        assert min(b - a for a, b in zip(times, times[1:])) >= DELAY
        retried = [e.at for e in site.requests if e.path == "/tin-tuc/dong-nguoi"]
        assert retried[1] - retried[0] >= 1.0  # Retry-After: 1
        assert saved_paths(tmp_path) == SAVED
        done = report(tmp_path)
        assert (done["new"], done["changed"], done["unchanged"], done["removed"]) == (13, 0, 0, 0)
        assert sorted((f["url"].split("/", 3)[3], f["reason"].split(" (")[0].split(":")[0]) for f in done["failed"]) == [
            ("tin-tuc/cham", "timed out after 0.5 s"), ("tin-tuc/rat-lon", "response too large"),
            ("tin-tuc/vong-lap", "redirect loop")]
        assert sorted((s["url"].split("/", 3)[3], s["reason"]) for s in done["skipped"]) == [
            ("files/bieu-mau.docx", "not HTML or PDF (.docx): not requested"),
            ("private/noi-bo", "disallowed by robots.txt"),
            ("tin-tuc/anh-hoat-dong", "content type image/png: only HTML pages are saved")]
        assert [n.split(": ", 1)[1] for n in done["notes"]] == [
            f"attachment {site.url('/files/kh120-scan.pdf')}: no text layer (a scanned PDF?): not indexed"]
        assert done["requests"] == sum(FIRST_HITS.values())
        # The crawled pages are found, linking back to the portal; the PDF's text is the body of the
        # document page that has none of its own.
        assert search(tmp_path, "Kế hoạch tổ chức Ngày Pháp luật Việt Nam")[:1] == ["/tin-tuc/bai-4"]
        assert search(tmp_path, "93/KH-UBND") == ["/van-ban/ke-hoach-93", "/tin-tuc/bai-1"]
        assert search(tmp_path, '"ngân sách tỉnh bảo đảm"') == ["/van-ban/ke-hoach-93"]  # only in the PDF
        assert search(tmp_path, '"sáu tháng đầu"') == ["/tin-tuc/bai-3"]

        # 2. The portal changes: one article is edited, one is taken down (and unlinked).
        since = len(site.requests)
        site.add("/tin-tuc/bai-2", article("/tin-tuc/bai-2", changed="Bổ sung: hội nghị trực tuyến toàn tỉnh."))
        site.remove("/tin-tuc/bai-3")
        site.add("/tin-tuc", tin_tuc(without=("/tin-tuc/bai-3",)))
        second = refresh(site, tmp_path)
        assert second.returncode == 0, second.stderr
        assert "updated " in second.stdout
        statuses = dict(site.statuses(since))
        changed = {"/robots.txt": 200, "/tin-tuc": 200, "/tin-tuc/bai-2": 200, "/tin-tuc/bai-3": 404}
        unchanged = [p for p in FIRST_HITS if p not in changed and p not in (
            "/tin-tuc/cham", "/tin-tuc/vong-lap", "/tin-tuc/vong-lap-2", "/tin-tuc/rat-lon", "/tin-tuc/anh-hoat-dong")]
        assert {p: statuses[p] for p in unchanged} == {p: 304 for p in unchanged}  # unchanged costs a 304
        assert {p: statuses[p] for p in changed} == changed
        assert site.hits(since) == {**{p: 1 for p in FIRST_HITS}, "/tin-tuc/cham": 2}
        done = report(tmp_path)
        assert (done["new"], done["changed"], done["unchanged"], done["gone"], done["removed"]) == (0, 1, 11, 1, 0)
        assert search(tmp_path, '"hội nghị trực tuyến toàn tỉnh"') == ["/tin-tuc/bai-2"]
        assert search(tmp_path, '"sáu tháng đầu"') == ["/tin-tuc/bai-3"]  # gone once: kept

        # 3. Gone a second time in a row: removed from the corpus and the index. --strict: exit 2
        # (three URLs failed), after the index was updated.
        third = refresh(site, tmp_path, "--strict")
        assert third.returncode == 2, third.stderr
        assert third.stderr.splitlines()[-1] == "Error: 3 URLs failed, 0 problems in the input (--strict)"
        done = report(tmp_path)
        assert (done["new"], done["changed"], done["unchanged"], done["removed"]) == (0, 0, 12, 1)
        assert saved_paths(tmp_path) == [p for p in SAVED if p != "/tin-tuc/bai-3"]
        assert search(tmp_path, '"sáu tháng đầu"') == []
        assert search(tmp_path, '"hội nghị trực tuyến toàn tỉnh"') == ["/tin-tuc/bai-2"]

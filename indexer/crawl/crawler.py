"""``crawl(config)``: the portal's pages into the corpus folder, politely, resumably; a ``CrawlReport``.

A run: robots.txt of each site (its Crawl-delay and Sitemap lines), then its queue in order:
sitemaps (``/sitemap.xml`` when robots.txt names none), feeds, listing pages (the ``sites`` and their
pagination), then pages. Every page known from earlier runs is queued again and asked for with its
``ETag``/``Last-Modified``, so an unchanged page costs a 304. A page is saved (``store``) under a name
from its URL only when its bytes changed; a page gone (404/410) in two runs in a row is removed, unless
that would remove more than ``max_removals`` of the saved pages at once (then ``allow_removals``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sqlite3
import time
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

from indexer.crawl.client import USER_AGENT, Client, FetchError, Response
from indexer.crawl.config import CrawlConfig, CrawlError
from indexer.crawl.discover import DiscoverError, feed_links, page_links, read_sitemap
from indexer.crawl.pdf import PdfError, pdf_text
from indexer.crawl.report import CrawlReport, report_path, run_report
from indexer.crawl.robots import Robots
from indexer.crawl.state import State, state_path
from indexer.crawl.store import compose, page_bytes, write_atomic
from indexer.crawl.urls import host_key, normalize, page_file, same_site, skipped_type
from indexer.read.decode import DecodeError, decode_bytes

__all__ = ["CrawlReport", "crawl", "report_path", "CrawlError", "CrawlConfig"]

log = logging.getLogger(__name__)

AGENT_TOKEN = "vnlex-crawler"  # what robots.txt groups are matched against
_HTML_TYPES = {"text/html", "application/xhtml+xml", ""}


def crawl(config: CrawlConfig, progress: Callable[[int, int, str], None] | None = None) -> CrawlReport:
    """Run (or resume) a crawl of ``config.sites`` into ``config.corpus``; the report is also written
    to ``report_path(corpus)``. ``progress(done, total, url)`` is called after each URL."""
    corpus = Path(config.corpus)
    corpus.mkdir(parents=True, exist_ok=True)
    try:
        state = State(state_path(corpus))
    except sqlite3.DatabaseError as err:
        raise CrawlError(f"cannot use the crawl state {state_path(corpus)}: {err}; move it away to start "
                         f"afresh (every page is then fetched again)") from None
    agent = f"{USER_AGENT[:-1]}; +{config.contact})" if config.contact else USER_AGENT
    try:
        state.begin({host_key(site) for site in config.sites})
        run = _Run(config, state, None)
        run.client = Client(user_agent=agent, delay=config.delay, timeout=config.timeout, retries=config.retries,
                            max_bytes=config.max_bytes, max_wait=config.max_wait, allowed=run.allowed)
        try:
            report = run.all(progress)
        finally:
            run.client.close()
    finally:
        state.close()
    report_path(corpus).write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=1) + "\n",
                                   encoding="utf-8")
    return report


class _Run:
    """One run over the queue; each URL's outcome is committed to ``state`` as soon as it is known."""

    def __init__(self, config: CrawlConfig, state: State, client: Client | None):
        self.config, self.state, self.client = config, state, client
        self.sites = config.sites
        self.hosts = {host_key(s): s for s in reversed(config.sites)}  # host → its first start page
        self.robots: dict[str, Robots] = {}
        self.include = [re.compile(p) for p in config.include]
        self.exclude = [re.compile(p) for p in config.exclude]
        self._mark = (0, 0, time.monotonic())

    # --- the run ---------------------------------------------------------------------------------

    def all(self, progress) -> CrawlReport:
        for host, site in self.hosts.items():
            self._start_site(host, site)
        fetched, left = 0, 0
        while (row := self.state.next()) is not None:
            if row["kind"] == "page" and self.config.max_pages and fetched >= self.config.max_pages:
                left = len(self.state.rows("queued = ? AND done < ? AND kind = 'page'", self.state.run,
                                           self.state.run))
                break
            fetched += row["kind"] == "page"
            getattr(self, "_" + row["kind"])(row)
            if progress:
                done, total = self.state.db.execute("SELECT sum(done = ?), count(*) FROM urls WHERE queued = ?",
                                                    (self.state.run, self.state.run)).fetchone()
                progress(done or 0, total or 0, row["url"])
        blocked = self._removals()
        self.state.end()
        return run_report(self.state, left, blocked, self.config.max_removals)

    def _start_site(self, host: str, site: str) -> None:
        """robots.txt (once a run), the host's delay, then its start pages, sitemaps and feeds queued."""
        robots = self._robots(host, site)
        self.robots[host] = robots
        self.client.set_delay(host, robots.delay())
        for start in self.sites:
            if host_key(start) == host and self.allowed(start):
                self.state.enqueue(start, "hub", host)
        listed = [normalize(u) for u in robots.sitemaps() + list(self.config.sitemaps)]
        for url in filter(lambda u: u and same_site(u, {host}) and self.allowed(u), listed):
            self.state.enqueue(url, "sitemap", host)
        if not listed and self.allowed(normalize("/sitemap.xml", site)):
            self.state.enqueue(normalize("/sitemap.xml", site), "sitemap", host, optional=True)
        for url in (normalize(u, site) for u in self.config.feeds):
            if url and same_site(url, {host}) and self.allowed(url):
                self.state.enqueue(url, "feed", host)

    def _robots(self, host: str, site: str) -> Robots:
        saved = self.state.robots(host)
        if saved is not None:
            return Robots(saved["text"], AGENT_TOKEN, disallow_all=saved["status"] >= 500)
        url = normalize("/robots.txt", site)
        error = None
        try:
            response = self.client.get(url)
            status, text = response.status, response.body.decode("utf-8", "replace")
        except FetchError as err:
            status, text = 599, ""
            error = f"{err}: nothing was fetched from {host} (a robots.txt that cannot be read forbids all)"
            log.warning("crawl: %s: %s", url, error)
        text = text if status == 200 else ""
        self.state.save_robots(host, url, status, text, error)
        self.state.add(*self._spent())
        return Robots(text, AGENT_TOKEN, disallow_all=status >= 500)

    def allowed(self, url: str) -> bool:
        robots = self.robots.get(host_key(url))
        return robots is not None and robots.allowed(url)

    def _spent(self) -> tuple[int, int, float]:
        """Requests, bytes and seconds since the last call (what the run's counters lack)."""
        requests, nbytes, started = self._mark
        counts, now = self.client.counts, time.monotonic()
        self._mark = (counts.requests, counts.bytes, now)
        return counts.requests - requests, counts.bytes - nbytes, now - started

    def _finish(self, row, outcome: str, **values) -> None:
        self.state.finish(row["url"], outcome, *self._spent(), **values)

    def _fetch(self, row) -> Response | str:
        """The response to a conditional GET of ``row``, or the reason it failed."""
        headers = {}
        if row["etag"]:
            headers["If-None-Match"] = row["etag"]
        if row["last_modified"]:
            headers["If-Modified-Since"] = row["last_modified"]
        try:
            return self.client.get(row["url"], headers)
        except FetchError as err:
            return str(err)

    def _found(self, url: str, host: str) -> None:
        """A page URL found in a listing, sitemap or feed: queued when on the site and wanted."""
        url = normalize(url)
        if not url or not same_site(url, {host}) or url in self.sites:
            return
        if self.include and not any(p.search(url) for p in self.include):
            return
        if any(p.search(url) for p in self.exclude):
            return
        self.state.enqueue(url, "page", host)

    # --- discovery -------------------------------------------------------------------------------

    def _discovery(self, row, what: str) -> Response | None:
        """A sitemap, feed or listing page fetched; ``None`` (with its outcome recorded) when there is
        nothing new to read in it."""
        if not self.allowed(row["url"]):
            self._finish(row, "skipped", error="disallowed by robots.txt")
            return None
        response = self._fetch(row)
        if isinstance(response, str):
            self._finish(row, "failed", error=response)
        elif response.status == 304:
            self._finish(row, "listed", http_status=304, error=None)
        elif response.status != 200:
            missing = row["optional"] and response.status in (404, 410)
            self._finish(row, "missing" if missing else "failed", http_status=response.status,
                         error=f"{what}: HTTP {response.status}")
        else:
            return response
        return None

    def _listed(self, row, response: Response, error: str | None = None) -> None:
        self._finish(row, "failed" if error else "listed", http_status=response.status, error=error,
                     etag=response.headers.get("etag"), last_modified=response.headers.get("last-modified"))

    def _sitemap(self, row) -> None:
        response = self._discovery(row, "sitemap")
        if response is None:
            return
        try:
            sitemap = read_sitemap(response.body, self.config.max_bytes)
        except DiscoverError as err:
            return self._listed(row, response, f"sitemap: {err}")
        for url in sitemap.urls:
            if sitemap.is_index:
                child = normalize(url)
                if child and same_site(child, {row["site"]}):
                    self.state.enqueue(child, "sitemap", row["site"])
            else:
                self._found(url, row["site"])
        self._listed(row, response)

    def _feed(self, row) -> None:
        response = self._discovery(row, "feed")
        if response is None:
            return
        try:
            links = feed_links(response.body)
        except DiscoverError as err:
            return self._listed(row, response, f"feed: {err}")
        for url in links:
            self._found(normalize(url, response.url), row["site"])
        self._listed(row, response)

    def _hub(self, row) -> None:
        """A listing page: its pagination and feeds queued, its links to pages found."""
        response = self._discovery(row, "listing page")
        if response is None:
            return
        try:
            links = page_links(decode_bytes(response.body), response.url)
        except DecodeError as err:
            return self._listed(row, response, f"listing page: {err}")
        host = row["site"]
        for url in links.next_pages:
            if same_site(url, {host}) and self.allowed(url) and not any(p.search(url) for p in self.exclude):
                self.state.enqueue(url, "hub", host)
        for url in links.feeds:
            if same_site(url, {host}):
                self.state.enqueue(url, "feed", host)
        for url in links.pages:
            self._found(url, host)
        self._listed(row, response)

    # --- pages -----------------------------------------------------------------------------------

    def _page(self, row) -> None:
        """Fetch a page (conditionally), add its PDFs' text, and save it when its bytes changed."""
        url = row["url"]
        if suffix := skipped_type(url):
            return self._finish(row, "skipped", error=f"not HTML or PDF ({suffix}): not requested")
        if not self.allowed(url):
            return self._finish(row, "skipped", error="disallowed by robots.txt")
        path = self.config.corpus / (row["file"] or page_file(url))
        saved = path.read_bytes() if path.is_file() else None
        response = self._fetch(row if saved is not None else {**dict(row), "etag": None, "last_modified": None})
        if isinstance(response, str):
            return self._finish(row, "failed", error=response)
        if response.status in (404, 410):
            gone = row["gone"] + 1
            return self._finish(row, "gone" if saved is not None else "failed", gone=gone,
                                http_status=response.status, error=f"HTTP {response.status}")
        if response.status == 304 and saved is not None:
            raw, final = page_bytes(saved), response.url
        elif response.status == 200:
            if response.content_type not in _HTML_TYPES:
                return self._finish(row, "skipped", http_status=200,
                                    error=f"content type {response.content_type}: only HTML pages are saved")
            raw, final = response.body, response.url
            path = self.config.corpus / page_file(final)
        else:
            return self._finish(row, "failed", http_status=response.status, error=f"HTTP {response.status}")
        attachments, notes = self._attachments(final, raw, row["site"])
        data = compose(raw, final, attachments)
        outcome = "new" if saved is None else "unchanged" if saved == data else "changed"
        if outcome != "unchanged" or not path.is_file():
            write_atomic(path, data)
        etag, modified = response.headers.get("etag"), response.headers.get("last-modified")
        self._finish(row, outcome, file=path.relative_to(self.config.corpus).as_posix(), gone=0,
                     http_status=response.status, hash=hashlib.sha1(data).hexdigest(),
                     etag=etag or (row["etag"] if response.status == 304 else None),
                     last_modified=modified or (row["last_modified"] if response.status == 304 else None),
                     error="; ".join(notes) or None)

    def _attachments(self, page_url: str, raw: bytes, host: str) -> tuple[list[dict], list[str]]:
        """The PDFs a page links to on its own site: ``[{name, url, text}]`` and notes on the ones not used."""
        try:
            pdfs = page_links(decode_bytes(raw), page_url).pdfs
        except DecodeError:
            return [], []
        out, notes = [], []
        for url, text in pdfs[:self.config.max_attachments]:
            if not same_site(url, {host}) or not self.allowed(url):
                continue
            name = text if text.lower().endswith(".pdf") else unquote(urlsplit(url).path.rpartition("/")[2])
            content, note = self._pdf(url, host)
            if content:
                out.append({"name": name, "url": url, "text": content})
            if note:
                notes.append(f"attachment {url}: {note}")
        return out, notes

    def _pdf(self, url: str, host: str) -> tuple[str, str]:
        """(text, note) of one PDF; a 304 reuses the text extracted before."""
        row = self.state.get(url)
        known = dict(row) if row is not None else {"url": url, "etag": None, "last_modified": None, "text": ""}
        response = self._fetch(known)
        if isinstance(response, str):
            return known["text"] or "", response
        if response.status == 304 and row is not None:
            return row["text"] or "", row["error"] or ""
        if response.status != 200:
            return "", f"HTTP {response.status}"
        try:
            text, note = pdf_text(response.body), ""
        except PdfError as err:
            text, note = "", str(err)
        if not text and not note:
            note = "no text layer (a scanned PDF?): not indexed"
        with self.state.db:
            self.state.db.execute(
                "INSERT OR REPLACE INTO urls (url, kind, site, etag, last_modified, hash, http_status, first_seen, "
                "last_seen, text, error, done) VALUES (?, 'pdf', ?, ?, ?, ?, 200, COALESCE((SELECT first_seen FROM "
                "urls WHERE url = ?), datetime('now')), datetime('now'), ?, ?, ?)",
                (url, host, response.headers.get("etag"), response.headers.get("last-modified"),
                 hashlib.sha1(response.body).hexdigest(), url, text, note or None, self.state.run))
        return text, note

    # --- the end ---------------------------------------------------------------------------------

    def _removals(self) -> int:
        """Remove pages (of this run's sites) gone twice in a row; 0, or how many would go when that is
        more than ``max_removals`` of the saved pages and ``allow_removals`` is not set."""
        run = self.state.run
        gone = self.state.rows("queued = ? AND kind = 'page' AND removed = 0 AND gone >= 2", run)
        files = [r for r in gone if r["file"]]
        saved = self.state.rows("queued = ? AND kind = 'page' AND removed = 0 AND file IS NOT NULL", run)
        if files and not self.config.allow_removals and len(files) > self.config.max_removals * len(saved):
            return len(files)
        keep = {r["file"] for r in self.state.rows("kind = 'page' AND removed = 0 AND gone < 2 AND file IS NOT NULL")}
        with self.state.db:
            for r in gone:
                if r["file"] and r["file"] not in keep:
                    (self.config.corpus / r["file"]).unlink(missing_ok=True)
                outcome = "removed" if r["file"] else r["outcome"]
                self.state.db.execute("UPDATE urls SET removed = 1, file = NULL, outcome = ? WHERE url = ?",
                                      (outcome, r["url"]))
        return 0

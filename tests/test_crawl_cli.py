"""``python -m indexer crawl`` against a real portal on 127.0.0.1: a kill -9 and a resume, robots.txt's
Crawl-delay, the guard on removals, a settings file, and the one-line errors."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from crawl_site import ARTICLES, NOT_FOUND, PortalSite, article, build_portal, have_data, listing_page
from test_crawl import FIRST_HITS, SAVED, saved_paths

REPO = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 60  # bound on waiting for the crawler's first requests (not a speed target)

needs_data = pytest.mark.skipif(not have_data(), reason="shared data not found (set VNLEX_SHARED)")


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "indexer", "crawl", *args]


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VNLEX_")}
    return {**env, "PYTHONPATH": str(REPO)}


def crawl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(_command(*args), cwd=REPO, capture_output=True, text=True, env=_env(), timeout=300,
                          stdin=subprocess.DEVNULL)


def portal_args(site: PortalSite, tmp: Path, delay: float) -> list[str]:
    return ["--site", site.url("/tin-tuc"), "--site", site.url("/van-ban"), "--corpus", str(tmp / "corpus"),
            "--delay", str(delay), "--timeout", "0.5", "--retries", "1", "--max-bytes", "1000000"]


@needs_data
def test_kill_9_mid_crawl_then_resume_loses_nothing_and_refetches_only_the_unfinished(tmp_path):
    with PortalSite() as site:
        build_portal(site)
        proc = subprocess.Popen(_command(*portal_args(site, tmp_path, 0.2)), cwd=REPO, env=_env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + STARTUP_SECONDS
        while len(site.requests) < 14 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert (len(site.requests) >= 14, proc.poll()) == (True, None), "the crawl never got going, or ended"
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        killed_at = len(site.requests)

        db = sqlite3.connect(tmp_path / "corpus.crawl.sqlite")
        finished = {url.split("/", 3)[3] for (url,) in db.execute(
            "SELECT url FROM urls WHERE done = 1 AND kind != 'pdf'")}
        db.close()
        assert 5 <= len(finished) < 25

        resumed = crawl(*portal_args(site, tmp_path, 0.01))
        assert resumed.returncode == 0, resumed.stderr
        again = site.hits(killed_at)
        assert "/robots.txt" not in again  # read once per run, kept in the state
        assert {path.lstrip("/") for path in again} & finished == set()
        total = Counter(site.hits())
        extra = total - Counter(FIRST_HITS)  # what the kill cost: the URL in flight, asked again
        assert Counter(FIRST_HITS) - total == Counter()
        assert sum(extra.values()) <= 2, extra
        assert saved_paths(tmp_path) == SAVED
        report = json.loads((tmp_path / "corpus.crawl-report.json").read_text(encoding="utf-8"))
        assert (report["run"], report["resumed"], report["new"], len(report["failed"])) == (1, True, 13, 3)


def small_portal(site: PortalSite, robots: str) -> None:
    """A listing of four real articles, and robots.txt."""
    paths = list(ARTICLES)[:4]
    site.add("/robots.txt", robots, content_type="text/plain")
    site.add("/tin-tuc", listing_page("Tin tức", [(p, p) for p in paths], feed=False))
    for path in paths:
        site.add(path, article(path))


@needs_data
def test_robots_crawl_delay_and_a_settings_file(tmp_path):
    with PortalSite() as site:
        small_portal(site, "User-agent: *\nCrawl-delay: 1\nDisallow: /tin-tuc/bai-4\n")
        settings = tmp_path / "portal.toml"
        settings.write_text(f'[crawl]\nsites = ["{site.url("/tin-tuc")}"]\ndelay = 0.01\n'
                            f'exclude = ["bai-3", "/van-ban$"]\ncontact = "https://example.org/lien-he"\n', encoding="utf-8")
        done = crawl("--config", str(settings), "--corpus", str(tmp_path / "corpus"))
        assert done.returncode == 0, done.stderr
        assert [(e.path, e.status) for e in site.requests] == [
            ("/robots.txt", 200), ("/sitemap.xml", 404), ("/tin-tuc", 200), ("/tin-tuc/bai-1", 200),
            ("/tin-tuc/bai-2", 200)]
        times = [e.at for e in site.requests]
        assert min(b - a for a, b in zip(times[1:], times[2:])) >= 1.0  # Crawl-delay: 1 once robots.txt is read
        assert site.requests[0].headers["User-Agent"] == \
            "vnlex-crawler/0.1 (legal-document search index; +https://example.org/lien-he)"
        fetched = sum(len(site.routes[p].body) for p in ("/robots.txt", "/tin-tuc", "/tin-tuc/bai-1", "/tin-tuc/bai-2"))
        summary = done.stdout.splitlines()[0].partition("(run 1): ")[2]
        assert summary.rpartition(", ")[0] == ("pages: 2 new, 0 changed, 0 unchanged, 0 removed, 0 gone once, "
                                               f"0 failed, 1 skipped; 5 requests, {fetched + len(NOT_FOUND):,} bytes")


@needs_data
def test_a_crawl_that_would_remove_too_much_stops_and_asks(tmp_path):
    with PortalSite() as site:
        small_portal(site, "User-agent: *\n")
        args = ["--site", site.url("/tin-tuc"), "--corpus", str(tmp_path / "corpus"), "--delay", "0.01"]
        assert crawl(*args).returncode == 0
        assert len(saved_paths(tmp_path)) == 4
        for path in list(ARTICLES)[1:3]:
            site.remove(path)
        assert crawl(*args).returncode == 0  # gone once: kept
        blocked = crawl(*args)
        assert (blocked.returncode, blocked.stderr.splitlines()[-1]) == (1, (
            "Error: 2 saved pages are gone (404/410 twice in a row), more than 20% of them: check the portal, "
            "then run again with --allow-removals (nothing was removed)"))
        assert len(saved_paths(tmp_path)) == 4
        allowed = crawl(*args, "--allow-removals")
        assert allowed.returncode == 0, allowed.stderr
        assert saved_paths(tmp_path) == ["/tin-tuc/bai-1", "/tin-tuc/bai-4"]


@needs_data
def test_max_pages_leaves_the_rest_for_the_next_run_which_starts_with_them(tmp_path):
    with PortalSite() as site:
        small_portal(site, "User-agent: *\n")
        args = ["--site", site.url("/tin-tuc"), "--corpus", str(tmp_path / "corpus"), "--delay", "0.01",
                "--max-pages", "3", "--exclude", "/van-ban$"]  # the menu's other listing
        first = crawl(*args)
        assert first.returncode == 0, first.stderr
        assert "  1 pages left for the next run (--max-pages)" in first.stderr.splitlines()
        assert saved_paths(tmp_path) == list(ARTICLES)[:3]
        since = len(site.requests)
        assert crawl(*args).returncode == 0
        assert site.statuses(since) == [("/robots.txt", 200), ("/sitemap.xml", 404), ("/tin-tuc", 304),
                                        ("/tin-tuc/bai-4", 200), ("/tin-tuc/bai-1", 304), ("/tin-tuc/bai-2", 304)]
        assert saved_paths(tmp_path) == list(ARTICLES)[:4]


@pytest.mark.parametrize("args, message", [
    ([], "Error: no site to crawl: give --site URL (or sites = [...] in --config FILE)"),
    (["--site", "ftp://portal.example/tin-tuc"], "Error: not an http(s) URL: 'ftp://portal.example/tin-tuc'"),
    (["--site", "http://127.0.0.1:9/", "--include", "(unclosed"],
     "Error: bad pattern '(unclosed': missing ), unterminated subpattern at position 0"),
])
def test_bad_options_are_one_error_line(tmp_path, args, message):
    done = crawl(*args, "--corpus", str(tmp_path / "corpus"))
    assert (done.returncode, done.stderr.strip()) == (1, message)
    assert not (tmp_path / "corpus").exists()


@pytest.mark.parametrize("text, message", [
    ('[crawl]\nsites = ["http://127.0.0.1:9/"]\nspeed = 3\n', "unknown setting 'speed' in {path} (known: "),
    ('[crawl]\nsites = "http://127.0.0.1:9/"\n', "sites in {path} must be a list of strings"),
    ("[crawl\n", "settings file {path} is not valid TOML: "),
    ('[crawl]\nsites = ["http://127.0.0.1:9/"]\ndelay = "2s"\n', "delay in {path} must be a number, not '2s'"),
    ('[crawl]\nsites = ["http://127.0.0.1:9/"]\nallow_removals = 1\n',
     "allow_removals in {path} must be true or false, not 1"),
])
def test_a_bad_settings_file_is_one_error_line(tmp_path, text, message):
    settings = tmp_path / "portal.toml"
    settings.write_text(text, encoding="utf-8")
    done = crawl("--config", str(settings), "--corpus", str(tmp_path / "corpus"))
    assert done.returncode == 1
    assert done.stderr.startswith("Error: " + message.format(path=settings))
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_corrupt_state_file_is_one_error_line(tmp_path):
    (tmp_path / "corpus.crawl.sqlite").write_bytes(b"not a database" * 100)
    done = crawl("--site", "http://127.0.0.1:9/", "--corpus", str(tmp_path / "corpus"))
    assert (done.returncode, done.stderr.strip()) == (1, (
        f"Error: cannot use the crawl state {tmp_path / 'corpus.crawl.sqlite'}: file is not a database; move it "
        "away to start afresh (every page is then fetched again)"))


def test_a_robots_txt_that_cannot_be_read_forbids_the_site_and_is_reported(tmp_path):
    with PortalSite() as site:
        site.add("/robots.txt", "Lỗi máy chủ", status=500)
        site.add("/tin-tuc", listing_page("Tin tức", [], feed=False))
        done = crawl("--site", site.url("/tin-tuc"), "--corpus", str(tmp_path / "corpus"), "--delay", "0.01",
                     "--retries", "1", "--strict")
        assert site.statuses() == [("/robots.txt", 500), ("/robots.txt", 500)]  # asked again once, then no more
        assert done.returncode == 2
        assert done.stderr.splitlines()[-2:] == [
            f"  failed: {site.url('/robots.txt')}: HTTP 500 (2 attempts): nothing was fetched from "
            f"{site.base.split('//')[1]} (a robots.txt that cannot be read forbids all)",
            "Error: 1 URLs failed (--strict)"]


@pytest.mark.parametrize("command", ["crawl", "refresh"])
def test_crawl_and_refresh_have_help_with_an_example(command):
    done = subprocess.run([sys.executable, "-m", "indexer", command, "-h"], cwd=REPO, capture_output=True, text=True,
                          env=_env(), timeout=60, stdin=subprocess.DEVNULL)
    assert (done.returncode, "Example:" in done.stdout, f"python -m indexer {command}" in done.stdout) == \
        (0, True, True), done.stdout


@needs_data
def test_two_portals_in_one_corpus_folder_each_run_asks_only_its_own(tmp_path):
    with PortalSite() as first, PortalSite() as second:
        small_portal(first, "User-agent: *\n")
        small_portal(second, "User-agent: *\n")
        corpus = ["--corpus", str(tmp_path / "corpus"), "--delay", "0.01", "--exclude", "/van-ban$"]
        assert crawl("--site", first.url("/tin-tuc"), *corpus).returncode == 0
        asked_first = len(first.requests)
        done = crawl("--site", second.url("/tin-tuc"), *corpus)
        assert done.returncode == 0, done.stderr
        assert (len(first.requests), len(second.requests)) == (asked_first, asked_first)
        assert done.stdout.splitlines()[0].partition("(run 2): ")[2].startswith(
            "pages: 4 new, 0 changed, 0 unchanged, 0 removed, 0 gone once, 0 failed, 0 skipped;")
        assert len(saved_paths(tmp_path)) == 8

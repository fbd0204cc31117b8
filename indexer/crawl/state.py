"""The crawl's memory: one SQLite file beside the corpus (``corpus.crawl.sqlite`` for ``corpus/``).

One row per URL (kind, site, file, ETag, Last-Modified, content hash, first and last seen, times in
a row it was gone, error, this run's outcome) and one per run (requests, bytes, seconds). A run's
queue is the rows with ``queued = run`` not yet ``done = run``; each URL's outcome is committed right
after its page was written, so a crawl killed at any point resumes with what it had not finished.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

__all__ = ["State", "KINDS", "state_path"]

# What a URL is, in the order a run handles them: discovery first, then the pages.
KINDS = ("sitemap", "feed", "hub", "page")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY, kind TEXT NOT NULL, site TEXT NOT NULL, optional INTEGER DEFAULT 0,
    file TEXT, etag TEXT, last_modified TEXT, hash TEXT, http_status INTEGER, first_seen TEXT, last_seen TEXT,
    gone INTEGER DEFAULT 0, error TEXT, queued INTEGER DEFAULT 0, done INTEGER DEFAULT 0, outcome TEXT,
    bytes INTEGER DEFAULT 0, text TEXT, removed INTEGER DEFAULT 0);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, started TEXT, finished TEXT, requests INTEGER DEFAULT 0, bytes INTEGER DEFAULT 0,
    seconds REAL DEFAULT 0);
CREATE TABLE IF NOT EXISTS robots (site TEXT PRIMARY KEY, run INTEGER, status INTEGER, text TEXT, url TEXT,
    error TEXT);
CREATE INDEX IF NOT EXISTS urls_queue ON urls (queued, done);
"""
_RANK = "CASE kind WHEN 'sitemap' THEN 0 WHEN 'feed' THEN 1 WHEN 'hub' THEN 2 ELSE 3 END"


def state_path(corpus: Path) -> Path:
    """``corpus/`` → ``corpus.crawl.sqlite`` beside it (never inside: the reader would walk it)."""
    corpus = Path(corpus)
    return corpus.with_name(corpus.name + ".crawl.sqlite")


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


class State:
    """``begin()`` starts or resumes a run; ``enqueue``/``next``/``finish`` move URLs through it."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;" + _SCHEMA)
        self.run = 0
        self.resumed = False

    def close(self) -> None:
        self.db.close()

    def begin(self, sites: set[str]) -> int:
        """Resume the last run when it did not finish, else start one that re-queues every known URL of
        ``sites`` (``urls.host_key`` values: another portal crawled into the same folder waits its turn)."""
        last = self.db.execute("SELECT id, finished FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        if last is not None and last["finished"] is None:
            self.run, self.resumed = last["id"], True
            return self.run
        with self.db:
            self.run = self.db.execute("INSERT INTO runs (started) VALUES (?)", (_now(),)).lastrowid
            marks = ",".join("?" * len(sites))
            self.db.execute(f"UPDATE urls SET queued = ?, outcome = NULL WHERE removed = 0 AND kind != 'pdf' "
                            f"AND site IN ({marks})", (self.run, *sorted(sites)))
        return self.run

    def enqueue(self, url: str, kind: str, site: str, optional: bool = False) -> bool:
        """Queue ``url`` in this run (once); a URL keeps the first kind it was found as. True if new to the run."""
        with self.db:
            row = self.db.execute("SELECT queued FROM urls WHERE url = ?", (url,)).fetchone()
            if row is None:
                self.db.execute("INSERT INTO urls (url, kind, site, optional, first_seen, queued) VALUES (?,?,?,?,?,?)",
                                (url, kind, site, int(optional), _now(), self.run))
                return True
            if row["queued"] != self.run:
                self.db.execute("UPDATE urls SET queued = ?, removed = 0 WHERE url = ?", (self.run, url))
                return True
        return False

    def next(self) -> sqlite3.Row | None:
        """The next URL of this run not done yet: sitemaps, feeds, listing pages, then pages, those done longest
        ago first (so a ``max_pages`` budget reaches every page in turn)."""
        return self.db.execute(f"SELECT * FROM urls WHERE queued = ? AND done < ? "
                               f"ORDER BY {_RANK}, done, rowid LIMIT 1", (self.run, self.run)).fetchone()

    def get(self, url: str) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM urls WHERE url = ?", (url,)).fetchone()

    def finish(self, url: str, outcome: str, requests: int, nbytes: int, seconds: float, **values) -> None:
        """Record ``url``'s outcome in this run with the run's counters, in one transaction."""
        values.update(outcome=outcome, done=self.run)
        if outcome in ("new", "changed", "unchanged", "listed"):  # the page was there
            values.setdefault("last_seen", _now())
        columns = ", ".join(f"{k} = ?" for k in values)
        with self.db:
            self.db.execute(f"UPDATE urls SET {columns} WHERE url = ?", (*values.values(), url))
            self.add(requests, nbytes, seconds)

    def add(self, requests: int, nbytes: int, seconds: float) -> None:
        self.db.execute("UPDATE runs SET requests = requests + ?, bytes = bytes + ?, seconds = seconds + ? "
                        "WHERE id = ?", (requests, nbytes, seconds, self.run))

    def counts(self) -> dict:
        row = self.db.execute("SELECT requests, bytes, seconds FROM runs WHERE id = ?", (self.run,)).fetchone()
        return dict(row)

    def end(self) -> None:
        with self.db:
            self.db.execute("UPDATE runs SET finished = ? WHERE id = ?", (_now(), self.run))

    def rows(self, where: str, *args) -> list[sqlite3.Row]:
        return self.db.execute(f"SELECT * FROM urls WHERE {where} ORDER BY rowid", args).fetchall()

    def robots(self, site: str) -> sqlite3.Row | None:
        """The robots.txt read for ``site`` in this run (a resumed run does not ask again)."""
        return self.db.execute("SELECT * FROM robots WHERE site = ? AND run = ?", (site, self.run)).fetchone()

    def save_robots(self, site: str, url: str, status: int, text: str, error: str | None = None) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO robots (site, run, status, text, url, error) VALUES (?,?,?,?,?,?)",
                            (site, self.run, status, text, url, error))

    def robots_errors(self) -> list[sqlite3.Row]:
        """The sites of this run whose robots.txt could not be read (so nothing was fetched from them)."""
        return self.db.execute("SELECT * FROM robots WHERE run = ? AND error IS NOT NULL ORDER BY site",
                               (self.run,)).fetchall()

"""The engines a user would pick instead, set up the way their documentation suggests for accent-free search.

``Fts5``     SQLite FTS5 (stdlib ``sqlite3``), tokenizer ``unicode61 remove_diacritics 2``, ranked by its bm25.
``Tantivy``  tantivy-py, simple tokenizer + lowercase + ASCII folding (``đ`` → ``d``), BM25.

Both index ``title``, ``body`` and ``doc_number`` and store the fields a result shows. Query words are all required
for a short query and optional for a long one, the same rule as ours (``search_app.query``: more than
4 syllables → any word); ``mode`` forces one or the other.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Iterable, Iterator

__all__ = ["Fts5", "Tantivy", "ENGINES", "query_words", "read_records"]

SNIPPET_CHARS = 260    # as ours (search_app.snippets.SNIPPET_CHARS)
SNIPPET_TOKENS = 48    # FTS5 counts tokens, not characters: about 260 characters of Vietnamese
REQUIRE_ALL_UP_TO = 4  # words; as ours
_WORD = re.compile(r"[^\W_]+")
STORED = ("id", "title", "doc_number", "doc_type", "agency", "date", "url")
SEARCHED = ("title", "doc_number", "body")


def query_words(text: str) -> list[str]:
    """Letters-and-digits runs, the way both peers' tokenizers cut text: ``"57/2020/QH14"`` → 57, 2020, QH14."""
    return _WORD.findall(text)


def read_records(paths: Iterable[Path]) -> Iterator[dict]:
    """Corpus records from ``.jsonl`` files, one dict per line."""
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    yield json.loads(line)


def _require_all(words: list[str], mode: str) -> bool:
    return mode == "and" or (mode == "auto" and len(words) <= REQUIRE_ALL_UP_TO)


class Fts5:
    """SQLite FTS5 in one file; ``optimize`` after loading, as its documentation recommends for read-mostly use."""

    name = "sqlite_fts5"

    def __init__(self, path: Path):
        self.path = Path(path)
        self.db: sqlite3.Connection | None = None

    def build(self, records: Iterable[dict]) -> int:
        """Index ``records`` into a fresh database file; return how many rows it holds."""
        self.path.unlink(missing_ok=True)
        db = sqlite3.connect(self.path)
        cols = ", ".join(c if c in SEARCHED else f"{c} UNINDEXED" for c in STORED + ("body",))
        db.execute(f"CREATE VIRTUAL TABLE docs USING fts5({cols}, tokenize='unicode61 remove_diacritics 2')")
        rows = ((*(r.get(c) or "" for c in STORED), r.get("body") or "") for r in records)
        db.executemany(f"INSERT INTO docs VALUES ({','.join('?' * (len(STORED) + 1))})", rows)
        db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
        db.commit()
        count = db.execute("SELECT count(*) FROM docs").fetchone()[0]
        db.close()
        return count

    def open(self) -> None:
        """Open the built database for searching."""
        self.db = sqlite3.connect(self.path, check_same_thread=False)

    def search(self, text: str, limit: int = 10, mode: str = "auto") -> list[dict]:
        """The best ``limit`` rows by FTS5's bm25, with their stored fields and a ``snippet``."""
        words = query_words(text)
        if not words:
            return []
        match = (" AND " if _require_all(words, mode) else " OR ").join(f'"{w}"' for w in words)
        cols = ", ".join(STORED)
        sql = (f"SELECT {cols}, snippet(docs, {len(STORED)}, '<mark>', '</mark>', '…', {SNIPPET_TOKENS}) "
               f"FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT ?")
        return [dict(zip(STORED + ("snippet",), row)) for row in self.db.execute(sql, (match, limit))]


class Tantivy:
    """tantivy-py with an accent-folding analyzer; writer with 2 threads and 256 MB, merges awaited."""

    name = "tantivy"

    def __init__(self, path: Path, threads: int = 2):
        self.path, self.threads = Path(path), threads
        self.index = self.searcher = None

    @staticmethod
    def _schema():
        import tantivy

        sb = tantivy.SchemaBuilder()
        for name in STORED + ("body",):
            if name in SEARCHED:
                sb.add_text_field(name, stored=True, tokenizer_name="vn")
            else:
                sb.add_text_field(name, stored=True, tokenizer_name="raw", index_option="basic")
        return sb.build()

    def _open_index(self, create: bool):
        import tantivy

        if create:
            shutil.rmtree(self.path, ignore_errors=True)
            self.path.mkdir(parents=True)
        index = tantivy.Index(self._schema(), path=str(self.path), reuse=not create)
        analyzer = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.remove_long(40))
                    .filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.ascii_fold()).build())
        index.register_tokenizer("vn", analyzer)
        return index

    def build(self, records: Iterable[dict]) -> int:
        """Index ``records`` into a fresh directory, merges finished; return the document count."""
        import tantivy

        index = self._open_index(create=True)
        writer = index.writer(heap_size=256_000_000, num_threads=self.threads)
        for r in records:
            writer.add_document(tantivy.Document(**{c: r.get(c) or "" for c in STORED + ("body",)}))
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        return index.searcher().num_docs

    def open(self) -> None:
        """Open the built index and one searcher for all queries."""
        self.index = self._open_index(create=False)
        self.searcher = self.index.searcher()

    def search(self, text: str, limit: int = 10, mode: str = "auto") -> list[dict]:
        """The best ``limit`` documents by BM25 over title, number and body, with an HTML ``snippet``."""
        import tantivy

        words = query_words(text)
        if not words:
            return []
        query = self.index.parse_query(" ".join(f'"{w}"' for w in words), list(SEARCHED),
                                       conjunction_by_default=_require_all(words, mode))
        snippets = tantivy.SnippetGenerator.create(self.searcher, query, self.index.schema, "body")
        snippets.set_max_num_chars(SNIPPET_CHARS)
        out = []
        for _score, address in self.searcher.search(query, limit).hits:
            doc = self.searcher.doc(address)
            hit = {c: (doc.get_first(c) or "") for c in STORED}
            out.append(hit | {"snippet": snippets.snippet_from_doc(doc).to_html()})
        return out


ENGINES = {Fts5.name: Fts5, Tantivy.name: Tantivy}

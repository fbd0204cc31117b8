"""The only owner of Whoosh searchers: runs searches, facets, snippets, entries and citation lists.

One searcher per serving thread, opened once and reused; each notices a rebuild (the index symlink
points elsewhere) or an update (a newer generation) and refreshes itself, so no restart is needed.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time as dtime
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh import sorting
from whoosh.collectors import TimeLimit
from whoosh.matching import WrappingMatcher

from indexer.citations import number_key
from indexer.entries import canonical_agency, citation_year, keyword
from indexer.normalize import fold
from indexer.schema import SCHEMA_VERSION
from search_app.params import FILTERS, ParamError, SearchParams
from search_app.query import (MAX_TERMS, any_word_query, compose, exclusion_query, is_short, parse_query,
                              type_number_query)
from search_app.snippets import snippet, query_terms
from search_app.understand import near_miss_keys, type_and_number

__all__ = ["SearchService", "NoIndexError", "SearchResponse"]

log = logging.getLogger(__name__)

FACET_FIELDS = ("doc_type", "agency", "year", "kind")
REFRESH_EVERY = 1.0  # seconds between checks for a rebuilt or updated index, per thread
# Counting and grouping every match costs about as much as scoring it: an all-words query whose
# rarest word is in more entries than this runs top-k like an any-word query (estimated total).
EXACT_MAX = 5000
TIME_BUDGET = 8.0  # seconds one search may spend matching before it is refused (400, param q)
# "Có phải bạn muốn tìm" compares each unknown word with every term of the field in pure Python:
# only a few words, of syllable length (no Vietnamese syllable has more than 7 letters), are looked up.
MAX_SUGGEST_WORDS, MAX_SUGGEST_LETTERS = 8, 12


class _DeadlineMatcher(WrappingMatcher):
    """Raises ``TimeLimit`` once ``deadline`` has passed, checked as the collector steps: any thread,
    any collector, filters and masks intact (Whoosh's ``TimeLimitCollector`` needs SIGALRM in worker
    threads and ignores ``filter=``)."""

    def __init__(self, child, deadline: float, boost: float = 1.0):
        super().__init__(child, boost)
        self.deadline = deadline

    def _replacement(self, newchild):
        return _DeadlineMatcher(newchild, self.deadline, self.boost)

    def next(self):
        if time.monotonic() > self.deadline:
            raise TimeLimit
        return self.child.next()

    def skip_to_quality(self, minquality):
        if time.monotonic() > self.deadline:
            raise TimeLimit
        return self.child.skip_to_quality(minquality)


class _Deadline(Q.WrappingQuery):
    """``child`` whose matching stops at ``deadline``."""

    def __init__(self, child, deadline: float):
        super().__init__(child)
        self.deadline = deadline

    def _rewrap(self, child):
        return _Deadline(child, self.deadline)

    def matcher(self, searcher, context=None):
        return _DeadlineMatcher(self.child.matcher(searcher, context), self.deadline)


def _schema_version(index_dir: Path):
    try:
        return json.loads((index_dir / "build_info.json").read_text(encoding="utf-8")).get("schema_version")
    except (OSError, ValueError):
        return None


class NoIndexError(RuntimeError):
    """There is no index to search yet."""


@dataclass(frozen=True)
class SearchResponse:
    """One page of results, with facet counts over the whole result set."""

    total: int
    page: int
    per_page: int
    results: list[dict]
    facets: dict[str, dict[str, int]]
    suggestion: str = ""
    number_keys: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())
    total_exact: bool = True   # False: ``total`` is an estimate (any-word queries on a large index)
    facets_from: int = 0       # 0: facets count every match; N: they count the best N matches

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _iso(value) -> str:
    return value.date().isoformat() if isinstance(value, datetime) else ""


@dataclass
class _Hits:
    page: list
    total: int
    facets: dict[str, dict[str, int]]
    exact: bool = True
    facets_from: int = 0  # 0: every match; else the number of best matches the facets count


FACETS_FROM_TOP = 500  # facets of an any-word result set count its best matches, not all of them


class _Run:
    """One search request's two ways to run a query against the searcher."""

    def __init__(self, s, params: SearchParams, filt, mask, sortedby, deadline: float):
        self.s, self.params, self.filt, self.mask, self.sortedby = s, params, filt, mask, sortedby
        self.deadline = deadline

    def exact(self, query) -> _Hits:
        """Every match counted and grouped: the right way for the small sets all-words queries give."""
        facets = {f: sorting.FieldFacet(f, maptype=sorting.Count) for f in FACET_FIELDS}
        page = self.s.search_page(_Deadline(query, self.deadline), self.params.page, pagelen=self.params.per_page,
                                  filter=self.filt, sortedby=self.sortedby, groupedby=facets, mask=self.mask)
        return _Hits(list(page), page.total, {f: _facet_counts(page.results.groups(f)) for f in FACET_FIELDS})

    def top(self, query) -> _Hits:
        """The best matches only (any-word queries match most of a large index): estimated total,
        facets over the best ``FACETS_FROM_TOP``. Whoosh can then skip what cannot reach the top."""
        p = self.params
        limit = max(p.page * p.per_page, FACETS_FROM_TOP)
        res = self.s.search(_Deadline(query, self.deadline), limit=limit, filter=self.filt, sortedby=self.sortedby,
                            mask=self.mask)
        best = list(res)
        columns = {f: self.s.reader().column_reader(f) for f in FACET_FIELDS}  # no stored-field unpickling
        counts = {f: Counter(col[h.docnum] or "" for h in best) for f, col in columns.items()}
        # fewer than asked for: that is every match; else estimate (an exact count re-runs the query)
        exact = len(best) < limit
        total = len(best) if exact else max(len(best), min(res.q.estimate_size(self.s.reader()), self.s.doc_count()))
        return _Hits(best[(p.page - 1) * p.per_page:p.page * p.per_page], total,
                     {f: _facet_counts(c) for f, c in counts.items()}, exact,
                     0 if exact and total == len(best) else len(best))


def _facet_counts(groups: dict) -> dict[str, int]:
    return dict(sorted(((k, v) for k, v in groups.items() if k), key=lambda kv: (-kv[1], kv[0])))


class SearchService:
    """Answers queries over the index at ``index_dir`` (a directory or the build symlink)."""

    def __init__(self, index_dir: str | os.PathLike, time_budget: float = TIME_BUDGET):
        self.index_dir = Path(index_dir)
        self.time_budget = time_budget
        self._local = threading.local()

    # --- searcher ownership -----------------------------------------------------------------------

    def _target(self) -> Path:
        return self.index_dir.resolve()

    def searcher(self):
        """This thread's searcher, refreshed when the index changed; ``NoIndexError`` if none.

        A replaced searcher is closed only at the next replacement, not at once: the request that
        holds it (one call may ask for the searcher several times) finishes on it.
        """
        local = self._local
        now = time.monotonic()
        s = getattr(local, "searcher", None)
        if s is not None and now - local.checked < REFRESH_EVERY:
            return s
        target = self._target()
        if s is not None and target == local.target:
            local.checked = now
            try:
                if s.up_to_date():
                    return s
                return self._replace(s.refresh(), target, now)
            except OSError:  # the directory went away under us: reopen below
                pass
        if not whoosh_index.exists_in(str(target)):
            raise NoIndexError(f"no index at {self.index_dir}: run `python -m indexer build`")
        version = _schema_version(target)
        if version != SCHEMA_VERSION:  # between deploying new code and rebuilding: say so, don't 500
            raise NoIndexError(f"the index at {self.index_dir} has schema version {version}, this version "
                               f"reads {SCHEMA_VERSION}: run `python -m indexer build`")
        return self._replace(whoosh_index.open_dir(str(target)).searcher(), target, now)

    def _replace(self, new, target: Path, now: float):
        local = self._local
        old, retired = getattr(local, "searcher", None), getattr(local, "retired", None)
        if old is not None and old is not new:
            if retired is not None:
                retired.close()
            local.retired = old
        local.searcher, local.target, local.checked = new, target, now
        return new

    def doc_count(self) -> int:
        return self.searcher().doc_count()

    def warm_up(self) -> None:
        """Open the searcher and load pyvi now, not on the first visitor's query (~1 s)."""
        self.options()
        self.build_query(self.searcher(), "khởi động")

    # --- search -----------------------------------------------------------------------------------

    def _filter(self, params: SearchParams) -> Q.Query | None:
        parts = []
        for param, values in params.filters:
            fieldname = FILTERS[param][0]
            values = [canonical_agency(v) for v in values] if fieldname == "agency" else values
            parts.append(Q.Or([Q.Term(fieldname, v) for v in values]))
        if params.date_from or params.date_to:
            start = datetime.combine(params.date_from, dtime.min) if params.date_from else None
            end = datetime.combine(params.date_to, dtime.max) if params.date_to else None
            parts.append(Q.DateRange("date", start, end))
        return Q.And(parts) if parts else None

    def _resolve_numbers(self, s, keys: tuple[str, ...]) -> tuple[list[str], list[str]]:
        """Keys as typed when the index knows them; else their near-miss spellings that it knows."""
        reader, found, notes = s.reader(), [], []
        for key in keys:
            if reader.doc_frequency("doc_key", key) or reader.doc_frequency("citations", key):
                found.append(key)
                continue
            alt = next((k for k in near_miss_keys(key)
                        if reader.doc_frequency("doc_key", k) or reader.doc_frequency("citations", k)), None)
            found.append(alt or key)
            if alt:
                notes.append(f"{key} → {alt}")
        return found, notes

    def build_query(self, s, text: str, lean: bool = False) -> tuple[Q.Query | None, object, list[str], list[str]]:
        parsed = parse_query(text)
        keys, notes = self._resolve_numbers(s, parsed.number_keys)
        extra = []
        for doc_type, number, rest in type_and_number(parsed, list(self.options()["doc_type"])):
            extra.append(type_number_query(doc_type, number))
            parsed = rest
        return compose(parsed, keys, extra, lean), parsed, keys, notes

    def options(self) -> dict[str, dict[str, int]]:
        """Every value of the filter fields with its count in the whole index (for the filter menus)."""
        s = self.searcher()
        cached = getattr(self._local, "options", None)
        if cached is not None and cached[0] is s:
            return cached[1]
        facets = {f: sorting.FieldFacet(f, maptype=sorting.Count) for f in FACET_FIELDS}
        results = s.search(Q.Every(), limit=1, groupedby=facets)
        options = {f: _facet_counts(results.groups(f)) for f in FACET_FIELDS}
        self._local.options = (s, options)
        return options

    def search(self, params: SearchParams) -> SearchResponse:
        s = self.searcher()
        query, parsed, keys, notes = self.build_query(s, params.q)
        filt, mask = self._filter(params), exclusion_query(parsed)
        if query is None:
            query = Q.Every() if (filt is not None or mask is not None or not params.q.strip()) else Q.NullQuery
        sortedby = None
        if params.sort != "relevance" or isinstance(query, Q.Every):
            sortedby = sorting.MultiFacet([sorting.FieldFacet("undated"),
                                           sorting.FieldFacet("date", reverse=params.sort != "date_asc")])
        run = _Run(s, params, filt, mask, sortedby, time.monotonic() + self.time_budget)
        short = all(is_short(g) for g in parsed.groups)
        try:
            if short and query.estimate_size(s.reader()) > EXACT_MAX:  # thousands of matches: lean top-k
                hits = run.top(self.build_query(s, params.q, lean=True)[0])
                if hits.total < params.per_page and parsed.accented:  # typed diacritics were too strict
                    hits = run.top(query)
            else:
                hits = run.exact(query) if short else run.top(query)
            strict_total = hits.total
            if hits.total == 0 and not keys:  # every word required found nothing: any word, ranked
                fallback = any_word_query(parsed)
                if fallback is not None:
                    hits = run.top(fallback)
        except TimeLimit:
            raise ParamError("q", "this search asks too much of the index to answer in time: use fewer or "
                                  "rarer words, or add a filter") from None
        pages = -(-hits.total // params.per_page)
        if hits.total and params.page > pages:
            raise ParamError("page", f"page {params.page} is past the last page ({pages})")
        terms = query_terms(parsed)
        results = [self._result(hit, terms) for hit in hits.page]
        suggestion = self.suggest(s, parsed) if strict_total == 0 and params.q.strip() else ""
        return SearchResponse(hits.total, params.page, params.per_page, results, hits.facets, suggestion,
                              tuple(keys), tuple(notes), total_exact=hits.exact, facets_from=hits.facets_from)

    def _result(self, hit, terms) -> dict:
        fields = hit.fields()
        return {
            "id": fields["id"], "kind": fields["kind"], "title": fields.get("title", ""),
            "date": _iso(fields.get("date")), "doc_number": fields.get("doc_number", ""),
            "doc_type": fields.get("doc_type", ""), "agency": fields.get("agency", ""),
            "url": fields.get("url", ""), "snippet": snippet(fields.get("body", ""), terms),
            "score": round(float(hit.score), 4) if isinstance(hit.score, (int, float)) else None, "cite_count": fields.get("cite_count", 0),
        }

    def suggest(self, s, parsed) -> str:
        """A close spelling of the query that does find something ("Có phải bạn muốn tìm")."""
        text = " ".join(parsed.groups)
        if not text.strip():
            return ""
        words = text.split()[:MAX_TERMS]
        if len(words) > MAX_SUGGEST_WORDS or any(len(w) > MAX_SUGGEST_LETTERS for w in words):
            return ""
        field = "text" if parsed.accented else "text_f"
        corrector = s.corrector(field)
        fixed, changed = [], False
        for word in words:
            probe = word.lower() if parsed.accented else fold(word)
            if s.reader().doc_frequency(field, probe):
                fixed.append(word)
                continue
            options = corrector.suggest(probe, limit=1, maxdist=1) or corrector.suggest(probe, limit=1, maxdist=2)
            fixed.append(options[0] if options else word)
            changed |= bool(options)
        if not changed:
            return ""
        candidate = " ".join(fixed)
        query, _, _, _ = self.build_query(s, candidate)
        return candidate if query is not None and len(s.search(query, limit=1)) else ""

    # --- entries and citations ---------------------------------------------------------------------

    def entry(self, entry_id: str) -> dict | None:
        """Every stored field of one entry, with ``cites`` and ``cited_by``; ``None`` if unknown."""
        s = self.searcher()
        num = next(iter(s.document_numbers(id=entry_id)), None)
        if num is None:
            return None
        fields = dict(s.stored_fields(num))
        fields["date"] = _iso(fields.get("date"))
        fields["citations"] = fields.get("cites", [])  # every citation found, with its offsets
        fields["cites"] = self.cites(fields)            # one item per cited document
        fields["cited_by"] = self.cited_by(fields)
        return fields

    def cited_by(self, fields: dict) -> list[dict]:
        """Entries citing this entry's number; a citation dated in another year names another document."""
        key = fields.get("doc_key")
        if not key:
            return []
        s = self.searcher()
        year = fields.get("year") or ""
        out = []
        for num in s.document_numbers(citations=key):
            other = s.stored_fields(num)
            years = {citation_year(c) for c in other.get("cites", []) if keyword(c.get("key", "")) == key}
            if year and "" not in years and year not in years:
                continue
            out.append({"id": other["id"], "title": other.get("title", ""), "kind": other["kind"],
                        "date": _iso(other.get("date")), "doc_number": other.get("doc_number", "")})
        return sorted(out, key=lambda e: (e["date"], e["id"]), reverse=True)

    def cites(self, fields: dict) -> list[dict]:
        """What this entry cites, one item per cited document, with how often and the entry to open."""
        s = self.searcher()
        out: dict[str, dict] = {}
        for c in fields.get("citations", []):
            key = c.get("key")
            if not key:
                continue
            if key in out:
                out[key]["count"] += 1
                continue
            target = next((s.stored_fields(n) for n in s.document_numbers(doc_key=key)), None)
            out[key] = {"key": key, "number": c.get("number", ""), "name": c.get("name", ""),
                        "doc_type": c.get("doc_type", ""), "date": c.get("date", ""), "count": 1,
                        "id": target["id"] if target else "", "title": target.get("title", "") if target else ""}
        return list(out.values())

    def by_number(self, number: str) -> tuple[dict | None, str]:
        """The entry (with ``cited_by``) for a document number typed any way, and the key that matched."""
        s = self.searcher()
        key = number_key(number)
        for k in dict.fromkeys([key, number] + near_miss_keys(key)):  # a law's name key is its own key
            nums = list(s.document_numbers(doc_key=k))
            if nums:
                best = min((s.stored_fields(n) for n in nums), key=lambda f: (f["kind"] != "document", f["id"]))
                return self.entry(best["id"]), k
        return None, key

    def health(self) -> dict:
        """Index age and size, for ``/healthz``."""
        s = self.searcher()
        target = self._target()
        built = max((p.stat().st_mtime for p in target.iterdir() if p.suffix == ".toc"), default=0.0)
        return {"status": "ok", "entries": s.doc_count(), "index": target.name,
                "index_age_seconds": round(time.time() - built, 1)}

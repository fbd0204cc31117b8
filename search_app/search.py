"""The only owner of Whoosh searchers: runs searches, facets, snippets, entries and citation lists.

One searcher per serving thread, opened once and reused; each notices a rebuild (the index symlink
points elsewhere) or an update (a newer generation) and refreshes itself, so no restart is needed.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, time as dtime
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh import sorting

from indexer.citations import number_key
from indexer.entries import canonical_agency, citation_year, keyword
from indexer.normalize import fold
from search_app.params import FILTERS, ParamError, SearchParams
from search_app.query import (MAX_TERMS, any_word_query, compose, exclusion_query, parse_query,
                              type_number_query)
from search_app.snippets import snippet, query_terms
from search_app.understand import near_miss_keys, type_and_number

__all__ = ["SearchService", "NoIndexError", "SearchResponse"]

log = logging.getLogger(__name__)

FACET_FIELDS = ("doc_type", "agency", "year", "kind")
REFRESH_EVERY = 1.0  # seconds between checks for a rebuilt or updated index, per thread


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

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _iso(value) -> str:
    return value.date().isoformat() if isinstance(value, datetime) else ""


class SearchService:
    """Answers queries over the index at ``index_dir`` (a directory or the build symlink)."""

    def __init__(self, index_dir: str | os.PathLike):
        self.index_dir = Path(index_dir)
        self._local = threading.local()

    # --- searcher ownership -----------------------------------------------------------------------

    def _target(self) -> Path:
        return self.index_dir.resolve()

    def searcher(self):
        """This thread's searcher, refreshed when the index changed; ``NoIndexError`` if none."""
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
                local.searcher = s.refresh()
                return local.searcher
            except OSError:  # the directory went away under us: reopen below
                pass
        if not whoosh_index.exists_in(str(target)):
            raise NoIndexError(f"no index at {self.index_dir}: run `python -m indexer build`")
        local.searcher = whoosh_index.open_dir(str(target)).searcher()
        local.target, local.checked = target, now
        if s is not None:
            s.close()
        return local.searcher

    def doc_count(self) -> int:
        return self.searcher().doc_count()

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

    def build_query(self, s, text: str) -> tuple[Q.Query | None, object, list[str], list[str]]:
        parsed = parse_query(text)
        keys, notes = self._resolve_numbers(s, parsed.number_keys)
        extra = []
        for doc_type, number, rest in type_and_number(parsed, list(self.options()["doc_type"])):
            extra.append(type_number_query(doc_type, number))
            parsed = rest
        return compose(parsed, keys, extra), parsed, keys, notes

    def options(self) -> dict[str, dict[str, int]]:
        """Every value of the filter fields with its count in the whole index (for the filter menus)."""
        s = self.searcher()
        cached = getattr(self._local, "options", None)
        if cached is not None and cached[0] is s:
            return cached[1]
        facets = {f: sorting.FieldFacet(f, maptype=sorting.Count) for f in FACET_FIELDS}
        results = s.search(Q.Every(), limit=1, groupedby=facets)
        options = {f: self._facet(results, f) for f in FACET_FIELDS}
        self._local.options = (s, options)
        return options

    def search(self, params: SearchParams) -> SearchResponse:
        s = self.searcher()
        query, parsed, keys, notes = self.build_query(s, params.q)
        filt, mask = self._filter(params), exclusion_query(parsed)
        if query is None:
            query = Q.Every() if (filt is not None or mask is not None or not params.q.strip()) else Q.NullQuery
        sortedby, reverse = None, False
        if params.sort != "relevance" or isinstance(query, Q.Every):
            sortedby = sorting.MultiFacet([sorting.FieldFacet("undated"),
                                           sorting.FieldFacet("date", reverse=params.sort != "date_asc")])
        facets = {f: sorting.FieldFacet(f, maptype=sorting.Count) for f in FACET_FIELDS}
        page = s.search_page(query, params.page, pagelen=params.per_page, filter=filt,
                             sortedby=sortedby, reverse=reverse, groupedby=facets, mask=mask)
        strict_total = page.total
        if page.total == 0 and not keys:  # every word required found nothing: any word, ranked
            fallback = any_word_query(parsed)
            if fallback is not None:
                page = s.search_page(fallback, params.page, pagelen=params.per_page, filter=filt,
                                     sortedby=sortedby, reverse=reverse, groupedby=facets, mask=mask)
        if page.total and params.page > -(-page.total // params.per_page):
            raise ParamError("page", f"page {params.page} is past the last page ({-(-page.total // params.per_page)})")
        terms = query_terms(parsed)
        results = [self._result(hit, terms) for hit in page]
        counts = {f: self._facet(page.results, f) for f in FACET_FIELDS}
        suggestion = self.suggest(s, parsed) if strict_total == 0 and params.q.strip() else ""
        return SearchResponse(page.total, params.page, params.per_page, results, counts, suggestion,
                              tuple(keys), tuple(notes))

    @staticmethod
    def _facet(results, name: str) -> dict[str, int]:
        groups = results.groups(name)
        return dict(sorted(((k, v) for k, v in groups.items() if k), key=lambda kv: (-kv[1], kv[0])))

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
        field = "body" if parsed.accented else "body_f"
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

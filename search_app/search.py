"""The only owner of Whoosh searchers: runs searches, facets, snippets, entries and citation lists.

One searcher per serving thread, opened once and reused; each notices a rebuild (the index symlink
points elsewhere) or an update (a newer generation) and refreshes itself, so no restart is needed.
Queries are evaluated by ``engine`` (numpy over the index's postings, columns shared by every
thread); stored fields, entry pages and citation lists are read through Whoosh.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import threading
import weakref
import time
from dataclasses import dataclass, field
from datetime import datetime, time as dtime
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh.reading import ReaderClosed

from indexer.cite.citations import number_key
from indexer.index.entries import LAW_TYPES, citation_year, keyword
from indexer.cite.cues import LABELS, RELATIONS, REVERSE_LABELS, STRENGTH
from indexer.cite.relations import quote
from indexer.index.entries import entry_text, target_year
from indexer.text.normalize import fold
from indexer.index.schema import INFO_FILE, SCHEMA_VERSION, built_schema_version
from indexer.index.whoosh_internals import DecoderMismatch, check_decoder
from search_app.engine import Evaluator, IndexArrays, Scored
from search_app.fields import BY_PARAM, FACETS, FACET_FIELDS
from search_app.params import ParamError, SearchParams
from search_app.query import MAX_TERMS
from search_app.snippets import snippet, query_terms
from search_app.understand import LAW_HEADS, QueryPlan, law_words, near_miss_keys, plan_query

__all__ = ["SearchService", "NoIndexError", "EngineCheckError", "SearchResponse", "relation_groups"]

log = logging.getLogger(__name__)

REFRESH_EVERY = 0.5  # seconds between checks for a rebuilt or updated index, per thread
KEEP_ARRAYS = 2  # index versions whose columns and decoded postings are kept (the old and the new)
# "Có phải bạn muốn tìm" compares each unknown word with every term of the field in pure Python:
# only a few words, of syllable length (no Vietnamese syllable has more than 7 letters), are looked up.
MAX_SUGGEST_WORDS, MAX_SUGGEST_LETTERS = 8, 12
# Laws known by name are read from the titles of law entries (once per index version): bounded.
MAX_LAW_ENTRIES, MAX_LAW_NAME_WORDS = 5000, 16


def _close_all(searchers: set) -> None:
    for s in list(searchers):
        s.close()
        searchers.discard(s)


# What a searcher raises when the files it reads are gone (an old build folder deleted) or were
# closed under it: the thread drops that searcher, opens the live index and answers again.
_STALE_ERRORS = (ReaderClosed, OSError)


def _recovering(method):
    """A public call of the service: closes the searchers this thread replaced before it (no call of
    this thread uses them any more); if the call's searcher went stale, runs it once more on a
    freshly opened one."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        local = self._local
        depth = getattr(local, "depth", 0)
        if depth == 0:
            self._close_retired()
        local.depth = depth + 1
        try:
            try:
                return method(self, *args, **kwargs)
            except _STALE_ERRORS as exc:
                if depth:  # the outermost call answers again, from the start
                    raise
                log.warning("searcher of %s went stale (%s: %s): reopening", self.index_dir, type(exc).__name__, exc)
                self._forget_searcher()
                return method(self, *args, **kwargs)
        finally:
            local.depth = depth
    return wrapper


class NoIndexError(RuntimeError):
    """There is no index to search yet."""


class EngineCheckError(NoIndexError):
    """The engine's posting decoder disagrees with Whoosh on this index: no answer beats a wrong one."""


@dataclass(frozen=True)
class SearchResponse:
    """One page of results, with exact totals and facet counts over the whole result set."""

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


def _strongest(mentions: list[dict]) -> dict:
    """The mention whose relation says most ("thay_the" over "dan_chieu"), the first of equals."""
    order = {r: i for i, r in enumerate(STRENGTH)}
    return min(mentions, key=lambda c: order.get(c.get("relation", ""), len(order)))


def _quote(text: str, cite: dict) -> dict:
    """The sentence a citation came from, short, split at its cue (``before``/``cue``/``after``)."""
    sentence, cue = cite.get("sentence") or (0, 0), cite.get("cue") or (0, 0)
    if sentence[1] <= sentence[0] or sentence[1] > len(text):
        return {}
    before, mark, after, cut_left, cut_right = quote(text, sentence, cue, (cite.get("start", 0), cite.get("end", 0)))
    return {"before": ("…" if cut_left else "") + before, "cue": mark, "after": after + ("…" if cut_right else "")}


def relation_groups(items: list[dict], labels: dict[str, str]) -> list[dict]:
    """Items grouped by ``relation`` in ``cues.RELATIONS`` order, each group with its Vietnamese label."""
    return [{"relation": r, "label": labels[r], "items": [i for i in items if i.get("relation") == r]}
            for r in RELATIONS if any(i.get("relation") == r for i in items)]


class SearchService:
    """Answers queries over the index at ``index_dir`` (a directory or the build symlink)."""

    def __init__(self, index_dir: str | os.PathLike):
        self.index_dir = Path(index_dir)
        self._local = threading.local()
        # shared by every thread, per index version: while threads move to a new version (within
        # REFRESH_EVERY) both are read, and the arrays of neither are rebuilt again and again
        self._arrays: dict[tuple, IndexArrays] = {}
        self._arrays_lock = threading.Lock()
        self._open: set = set()  # every searcher not yet closed, of any thread: closed with the service
        weakref.finalize(self, _close_all, self._open)

    def close(self) -> None:
        """Close every searcher this service opened (each holds a handful of open index files)."""
        _close_all(self._open)

    # --- searcher ownership -----------------------------------------------------------------------
    #
    # ``indexer`` never changes the files of a build folder that may be served: ``build`` and
    # ``update`` write a new folder (hard links to the unchanged segment files) and switch the
    # ``index`` symlink to it. So a searcher is never refreshed in place (Whoosh's ``refresh()``
    # shares segment readers between the old and the new searcher, and closing the old one then
    # closes the new one's files): a thread that sees the link or the generation change opens the
    # new index whole. Searchers are per thread and a thread serves one request at a time, so the
    # searchers a thread replaced are closed when its next public call starts (``_recovering``).

    def _target(self) -> Path:
        return self.index_dir.resolve()

    def searcher(self):
        """This thread's searcher, reopened when the index changed; ``NoIndexError`` if none."""
        local = self._local
        now = time.monotonic()
        s = getattr(local, "searcher", None)
        if s is not None and now - local.checked < REFRESH_EVERY:
            return s
        target = self._target()
        if s is not None and target == local.target:
            try:
                if s.up_to_date():
                    local.checked = now
                    return s
            except OSError:  # the folder went away under us: open the live one below
                pass
        return self._replace(self._open_searcher(target), target, now)

    def _open_searcher(self, target: Path):
        if not whoosh_index.exists_in(str(target)):
            raise NoIndexError(f"no index at {self.index_dir}: run `python -m indexer build`")
        version = built_schema_version(target)
        if version != SCHEMA_VERSION:  # between deploying new code and rebuilding: say so, don't 500
            raise NoIndexError(f"the index at {self.index_dir} has schema version {version}, this version "
                               f"reads {SCHEMA_VERSION}: run `python -m indexer build`")
        return whoosh_index.open_dir(str(target)).searcher()

    def _replace(self, new, target: Path, now: float):
        local = self._local
        self._retire(getattr(local, "searcher", None))
        self._open.add(new)
        local.searcher, local.target, local.checked = new, target, now
        return new

    def _retire(self, s) -> None:
        if s is not None:
            self._local.__dict__.setdefault("retired", []).append(s)

    def _close_retired(self) -> None:
        retired = getattr(self._local, "retired", None)
        while retired:
            s = retired.pop()
            s.close()
            self._open.discard(s)

    def _forget_searcher(self) -> None:
        """Drop this thread's searcher (it went stale); the next ``searcher()`` opens the live index."""
        self._retire(getattr(self._local, "searcher", None))
        self._local.searcher = None

    def arrays(self, s) -> IndexArrays:
        """Columns and decoded postings of the index ``s`` reads, shared by every serving thread."""
        # what ``s`` itself reads (not where the link points now: another thread may have moved on):
        # its folder, generation and segments
        reader = s.reader()
        leaves = reader.leaf_readers()
        folder = getattr(leaves[0][0].storage(), "folder", "") if leaves else ""
        key = (folder, reader.generation(), tuple(leaf.segment().segment_id() for leaf, _ in leaves))
        got = self._arrays.get(key)
        if got is not None:
            return got
        with self._arrays_lock:
            got = self._arrays.get(key)
            if got is None:
                self._check_engine(s)
                got = self._arrays[key] = IndexArrays(s, FACET_FIELDS)
                while len(self._arrays) > KEEP_ARRAYS:  # the oldest version: no thread reads it any more
                    self._arrays.pop(next(iter(self._arrays)))
        return got

    def _check_engine(self, s) -> None:
        """Refuse to serve an index whose postings the engine's bulk decoder reads differently from
        Whoosh (wrong results, silently, otherwise): a 503 and one log line, until the index changes."""
        try:
            compared = check_decoder(s)
        except DecoderMismatch as exc:
            log.error("not serving %s: %s", self.index_dir, exc)
            raise EngineCheckError(f"the search engine's check of this index failed ({exc}); the server log "
                                   "says more: check indexer/index/whoosh_internals.py against the installed "
                                   "Whoosh") from None
        log.info("engine check of %s: %d postings read alike by the engine and by Whoosh", self.index_dir,
                 compared)

    @_recovering
    def doc_count(self) -> int:
        return self.searcher().doc_count()

    @_recovering
    def warm_up(self) -> None:
        """Open the searcher, read the columns and load pyvi now, not on the first visitor's query."""
        self.options()
        s = self.searcher()
        self.arrays(s).folded_terms(s, "text_f")
        self.plan(s, "khởi động")

    # --- search -----------------------------------------------------------------------------------

    def _allowed(self, a: IndexArrays, params: SearchParams) -> np.ndarray | None:
        """Entries the filters let through (each filter: any of its values; all filters), or ``None``."""
        allowed = None
        for param, values in params.filters:
            facet = BY_PARAM[param]
            mask = facet.mask(*a.facets[facet.field], values)
            allowed = mask if allowed is None else allowed & mask
        if params.date_from or params.date_to:
            start = datetime.combine(params.date_from, dtime.min) if params.date_from else None
            end = datetime.combine(params.date_to, dtime.max) if params.date_to else None
            mask = a.date_mask(start, end)
            allowed = mask if allowed is None else allowed & mask
        return allowed

    @staticmethod
    def _shown_number(s, key: str) -> str:
        """How the index writes the number of ``key``: ``"43-ct/tw"`` → ``"43-CT/TW"``."""
        num = next(iter(s.document_numbers(doc_key=key)), None)
        return (s.stored_fields(num).get("doc_number") if num is not None else "") or key.upper()

    @staticmethod
    def facet_counts(a: IndexArrays, match: np.ndarray) -> dict[str, dict[str, int]]:
        """Each facet's counts over ``match``, read as its ``fields.Facet`` says (keyed by index field)."""
        return {f.field: f.counts(*a.facets[f.field], match) for f in FACETS}

    def plan(self, s, text: str) -> QueryPlan:
        """What ``text`` asks of the index ``s`` reads (numbers checked against it)."""
        reader = s.reader()

        def known(key: str) -> bool:
            return bool(reader.doc_frequency("doc_key", key) or reader.doc_frequency("citations", key))

        return plan_query(text, known, list(self.options()["doc_type"]), lambda key: self._shown_number(s, key),
                          self._laws(s))

    def _laws(self, s) -> dict[tuple[str, ...], list[tuple[str, str, str]]]:
        """The laws the index holds by name: folded name words → ``[(year, number key, id)]``, newest first
        (read once per index version: entries of a law type whose title is a law's name)."""
        a = self.arrays(s)
        cached = getattr(self, "_law_table", None)
        if cached is not None and cached[0] is a:
            return cached[1]
        types = Q.Or([Q.Term("doc_type", t) for t in sorted(LAW_TYPES)])
        heads = Q.Or([Q.Term("title", w) for w in ("luật", "lệnh", "pháp")])
        # an article's title ("Điều 5. …") may name its law too: only titles without "điều" are read
        found = Evaluator(a, s).run(Q.AndNot(Q.And([types, heads]), Q.Term("title", "điều"))).match
        table: dict[tuple[str, ...], set[tuple[str, str, str]]] = {}
        for doc in np.flatnonzero(found)[:MAX_LAW_ENTRIES].tolist():
            fields = s.stored_fields(doc)
            words, key = law_words(fields.get("title", "")), fields.get("doc_key") or ""
            if (key and ":" not in key and 1 < len(words) <= MAX_LAW_NAME_WORDS and words[0] in LAW_HEADS
                    and not any(w.isdigit() for w in words)):  # "Luật số 01/2007/QH12" is a number, not a name
                table.setdefault(words, set()).add((fields.get("year") or "", key, fields["id"]))
        laws = {words: sorted(v, reverse=True) for words, v in table.items()}
        self._law_table = (a, laws)
        return laws

    @_recovering
    def options(self) -> dict[str, dict[str, int]]:
        """Every value of the filter fields with its count in the whole index (for the filter menus)."""
        s = self.searcher()
        a = self.arrays(s)
        cached = getattr(self, "_options", None)  # once per index version, as ``IndexArrays.totals``
        if cached is None or cached[0] is not a:
            cached = (a, self.facet_counts(a, a.live))
            self._options = cached
        return cached[1]

    @_recovering
    def search(self, params: SearchParams) -> SearchResponse:
        """plan → mask (filters, exclusions) → evaluate → page → results, with exact facet counts."""
        s = self.searcher()
        a = self.arrays(s)
        ev = Evaluator(a, s)
        plan = self.plan(s, params.q)
        allowed, notes = self._mask(a, ev, params, plan)
        browse = plan.query is None and not plan.first and (allowed is not None or not params.q.strip())
        found, match, strict_total = self._evaluate(ev, plan, allowed, browse)
        docs = np.flatnonzero(match)
        total = len(docs)
        pages = -(-total // params.per_page)
        if total and params.page > pages:
            raise ParamError("page", f"Không có trang {params.page}: kết quả chỉ có {pages} trang.")
        by_date = params.sort != "relevance" or browse
        page = self._page(a, docs, found.score, params, by_date)
        terms = query_terms(plan.parsed)
        results = [self._result(s, int(d), None if by_date else float(found.score[d]), terms, plan.number_keys)
                   for d in page]
        suggestion = self.suggest(s, plan.parsed) if strict_total == 0 and params.q.strip() else ""
        return SearchResponse(total, params.page, params.per_page, results, self.facet_counts(a, match), suggestion,
                              plan.number_keys, plan.notes + notes)

    def _mask(self, a: IndexArrays, ev: Evaluator, params: SearchParams,
              plan: QueryPlan) -> tuple[np.ndarray | None, tuple[str, ...]]:
        """Entries the filters let through, less those the query excludes (``-word``), and within the
        year the query says ("năm 2019") when the index has entries of it; ``None``: all. And what the
        page says about that year."""
        allowed = self._allowed(a, params)
        if plan.excluded is not None:
            gone = ev.run(plan.excluded).match
            allowed = ~gone if allowed is None else allowed & ~gone
        if plan.year and not params.values("year"):
            of_year = BY_PARAM["year"].mask(*a.facets["year"], [plan.year])
            of_year = of_year if allowed is None else allowed & of_year
            if of_year.any():
                return of_year, (f"Chỉ các kết quả năm {plan.year}, như câu tìm nói “năm {plan.year}”.",)
        return allowed, ()

    @staticmethod
    def _evaluate(ev: Evaluator, plan: QueryPlan, allowed: np.ndarray | None, browse: bool):
        """(scored, matching entries, count before the fallback): every word required; when that finds
        nothing (and no number was asked for), any word, ranked."""
        found = ev.run(Q.Every() if browse else plan.query if plan.query is not None else Q.NullQuery())
        match = found.match if allowed is None else found.match & allowed
        strict_total = int(np.count_nonzero(match))
        if strict_total == 0 and plan.fallback is not None:
            found = ev.run(plan.fallback)
            match = found.match if allowed is None else found.match & allowed
        if browse:
            return found, match, strict_total
        score = found.score.copy()
        for q, factor in plan.prefer:  # a preference reorders what matched, it never adds to it
            score[ev.run(q).match & match] *= factor
        if plan.first:
            score, match = SearchService._put_first(ev, plan.first, allowed, score, match)
        return Scored(match, score), match, strict_total

    @staticmethod
    def _put_first(ev: Evaluator, first, allowed, score: np.ndarray, match: np.ndarray):
        """Entries of ``first`` (in its order; ties by their own score) above every other result."""
        step = float(score.max(initial=0.0)) + 1.0
        pinned = score.copy()
        for rank, q in reversed(list(enumerate(first))):
            hit = ev.run(q).match if allowed is None else ev.run(q).match & allowed
            pinned[hit] = score[hit] + step * (len(first) - rank)
            match = match | hit
        return pinned, match

    @staticmethod
    def _page(a: IndexArrays, docs: np.ndarray, score: np.ndarray, params: SearchParams, by_date: bool):
        """Doc numbers of the requested page: best score first (ties: index order), or by date
        (newest first, or oldest with ``date_asc``; undated last; ties: index order)."""
        need = params.page * params.per_page
        if by_date:
            date = a.date[docs] if params.sort == "date_asc" else -a.date[docs]
            order = np.lexsort((docs, date, a.undated[docs]))
        else:
            key = -score[docs]
            if len(docs) > need:  # only the best ``need`` need sorting
                cut = np.argpartition(key, need - 1)[:need]
                threshold = key[cut].max()
                keep = np.flatnonzero(key <= threshold)  # every tie of the last place, for index order
                docs, key = docs[keep], key[keep]
            order = np.lexsort((docs, key))
        return docs[order][(params.page - 1) * params.per_page:need]

    def _result(self, s, docnum: int, score: float | None, terms, numbers: tuple[str, ...] = ()) -> dict:
        fields = s.stored_fields(docnum)
        return {
            "id": fields["id"], "kind": fields["kind"], "title": fields.get("title", ""),
            "date": _iso(fields.get("date")), "doc_number": fields.get("doc_number", ""),
            "doc_type": fields.get("doc_type", ""), "agency": fields.get("agency", ""),
            "url": fields.get("url", ""), "snippet": snippet(fields.get("body", ""), terms, numbers=numbers),
            "score": None if score is None else round(score, 4), "cite_count": fields.get("cite_count", 0),
            "field": fields.get("field", ""), "signer": fields.get("signer", ""), "status": fields.get("status", ""),
        }

    def index_info(self) -> dict:
        """When the live index was built / last updated and how many entries it holds ("data as of").

        Read from ``build_info.json`` of the folder the index link points to, again only when that
        file changes; ``{}`` when there is none. Independent of the searchers.
        """
        path = self.index_dir.resolve() / INFO_FILE
        try:
            stamp = (str(path), path.stat().st_mtime_ns)
        except OSError:
            return {}
        cached = getattr(self, "_info", None)
        if cached is None or cached[0] != stamp:
            try:
                info = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return {}
            cached = (stamp, {"built_at": info.get("built_at") or "", "updated_at": info.get("updated_at") or "",
                              "entries": info.get("entries")})
            self._info = cached
        return cached[1]

    def suggest(self, s, parsed) -> str:
        """A close spelling of the query that does find something ("Có phải bạn muốn tìm")."""
        text = " ".join(parsed.groups)
        if not text.strip():
            return ""
        words = text.split()[:MAX_TERMS]
        if len(words) > MAX_SUGGEST_WORDS or any(len(w) > MAX_SUGGEST_LETTERS for w in words):
            return ""
        field = "text" if parsed.accented else "text_f"
        corrector = s.corrector("text")  # unaccented words are corrected among the spellings, then folded
        arrays = self.arrays(s)
        fixed, changed = [], False
        for word in words:
            probe = word.lower() if parsed.accented else fold(word)
            if arrays.doc_frequency(s, field, probe):
                fixed.append(word)
                continue
            options = corrector.suggest(probe, limit=1, maxdist=1) or corrector.suggest(probe, limit=1, maxdist=2)
            options = options if parsed.accented else [fold(o) for o in options]
            fixed.append(options[0] if options else word)
            changed |= bool(options)
        if not changed:
            return ""
        candidate = " ".join(fixed)
        query = self.plan(s, candidate).query
        return candidate if query is not None and Evaluator(self.arrays(s), s).count(query) else ""

    # --- entries and citations ---------------------------------------------------------------------

    @_recovering
    def entry(self, entry_id: str) -> dict | None:
        """Every stored field of one entry, with ``cites`` and ``cited_by`` (each item with its relation
        and a short quote) and both grouped by relation (``relations``); ``None`` if unknown."""
        s = self.searcher()
        num = next(iter(s.document_numbers(id=entry_id)), None)
        if num is None:
            return None
        fields = dict(s.stored_fields(num))
        fields["date"] = _iso(fields.get("date"))
        text = entry_text(fields.get("title", ""), fields.get("body", ""))
        raw = [c for c in fields.get("cites", []) if c.get("key")]
        for c in raw:
            c["target"] = self._target_id(s, c)
        fields["citations"] = fields.get("cites", [])   # every citation found, with its offsets and target
        fields["cites"] = self.cites(fields, text)      # one item per cited document
        fields["cited_by"] = self.cited_by(fields)
        fields["relations"] = {"cites": relation_groups(fields["cites"], LABELS),
                               "cited_by": relation_groups(fields["cited_by"], REVERSE_LABELS)}
        fields["status_basis"] = fields.get("status_basis") or {}
        return fields

    @staticmethod
    def _entries_of(s, key: str) -> list[dict]:
        """The documents and cited-only entries bearing number ``key``, real documents first."""
        found = [s.stored_fields(n) for n in s.document_numbers(doc_key=key)]
        return sorted((f for f in found if f["kind"] in ("document", "cited")),
                      key=lambda f: (f["kind"] != "document", f.get("year") or "", f["id"]))

    def _target_id(self, s, cite: dict) -> str:
        """The entry a citation points to: the one of the year its number or date names (``""``: it
        cannot tell, or no entry bears the number)."""
        entries = self._entries_of(s, keyword(cite.get("key", "")))
        year = target_year(cite, {e.get("year") or "" for e in entries})
        return next((e["id"] for e in entries if (e.get("year") or "") == year), "") if year is not None else ""

    def cited_by(self, fields: dict) -> list[dict]:
        """Entries citing this entry: by its number, and pointing to its year (``target_year``), newest first."""
        key = fields.get("doc_key")
        if not key:
            return []
        s = self.searcher()
        year = fields.get("year") or ""
        years = {e.get("year") or "" for e in self._entries_of(s, key)}
        out = []
        for num in s.document_numbers(citations=key):
            other = s.stored_fields(num)
            mine = [c for c in other.get("cites", []) if keyword(c.get("key", "")) == key
                    and target_year(c, years) == year]
            if not mine or other["id"] == fields.get("id"):
                continue
            best = _strongest(mine)
            text = entry_text(other.get("title", ""), other.get("body", ""))
            out.append({"id": other["id"], "title": other.get("title", ""), "kind": other["kind"],
                        "date": _iso(other.get("date")), "year": other.get("year") or "",
                        "doc_number": other.get("doc_number", ""), "doc_type": other.get("doc_type", ""),
                        "relation": best.get("relation", "dan_chieu"), "quote": _quote(text, best)})
        return sorted(out, key=lambda e: (e["date"], e["id"]), reverse=True)

    def cites(self, fields: dict, text: str = "") -> list[dict]:
        """What this entry cites, one item per cited document (never itself), with how often, the
        entry to open, the strongest relation and a quote of its sentence."""
        own = fields.get("doc_key") or ""
        groups: dict[tuple[str, str], list[dict]] = {}
        for c in fields.get("citations", []):
            key = keyword(c.get("key") or "")
            if key and key != own:
                groups.setdefault((key, c.get("target", "")), []).append(c)
        s = self.searcher()
        out = []
        for (key, target), mentions in groups.items():
            first, best = mentions[0], _strongest(mentions)
            found = next((s.stored_fields(n) for n in s.document_numbers(id=target)), None) if target else None
            out.append({"key": key, "number": first.get("number", ""), "name": first.get("name", ""),
                        "doc_type": first.get("doc_type", ""),
                        "date": next((m["date"] for m in mentions if m.get("date")), "")
                        or (_iso(found.get("date")) if found else ""),
                        "count": len(mentions), "id": target, "title": found.get("title", "") if found else "",
                        "status": found.get("status", "") if found else "",
                        "relation": best.get("relation", "dan_chieu"), "quote": _quote(text, best) if text else {}})
        return out

    @_recovering
    def by_number(self, number: str) -> tuple[dict | None, str, list[dict]]:
        """The entry (with ``cited_by``) for a document number typed any way, the key that matched,
        and every entry bearing that number when there are several (one per year: "3077/KH-UBND")."""
        s = self.searcher()
        key = number_key(number)
        for k in dict.fromkeys([key, number] + near_miss_keys(key)):  # a law's name key is its own key
            entries = self._entries_of(s, k)
            if entries:
                several = [{"id": e["id"], "kind": e["kind"], "title": e.get("title", ""), "year": e.get("year") or "",
                            "date": _iso(e.get("date")), "doc_number": e.get("doc_number", ""),
                            "status": e.get("status", ""), "cite_count": e.get("cite_count", 0)}
                           for e in entries] if len(entries) > 1 else []
                return self.entry(entries[0]["id"]), k, several
        return None, key, []

    @_recovering
    def citing(self, number: str, relation: str = "") -> tuple[dict | None, str, list[dict]]:
        """``by_number``, with the ``cited_by`` of its entry narrowed to one ``relation`` when given."""
        found, key, several = self.by_number(number)
        if found is not None and relation:
            found["cited_by"] = [c for c in found["cited_by"] if c["relation"] == relation]
        return found, key, several

    @_recovering
    def health(self) -> dict:
        """Index age and size, for ``/healthz``."""
        s = self.searcher()
        target = self._target()
        built = max((p.stat().st_mtime for p in target.iterdir() if p.suffix == ".toc"), default=0.0)
        return {"status": "ok", "entries": s.doc_count(), "index": target.name,
                "index_age_seconds": round(time.time() - built, 1)}

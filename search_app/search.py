"""The search service: the one object the views and the API ask (``SearchService``).

Its three parts, one module each: ``searchers`` owns the Whoosh searchers (one per serving thread,
moved to each new index version without a restart) and the arrays every thread shares; this module
answers searches — plan (``understand``) → mask (filters, exclusions) → evaluate (``engine``) → page →
results with snippets and exact facet counts; ``entry_pages`` answers for one entry or one number.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, time as dtime

import numpy as np
from whoosh import query as Q

from indexer.index.entries import LAW_TYPES
from indexer.index.schema import INFO_FILE
from indexer.text.normalize import fold, prepare_fold
from search_app import engine
from search_app.engine import Evaluator, Hits, IndexArrays, ids_of, kth_largest, mask_words, popcount
from search_app.entry_pages import EntryPages, iso
from search_app.fields import BY_PARAM, FacetCounter
from search_app.params import ParamError, SearchParams
from search_app.query import MAX_TERMS
from search_app.rerank import DEPTH, applies, rerank, warm_titles
from search_app.rerank import model as rerank_model
from search_app.searchers import EngineCheckError, NoIndexError, Searchers, recovering
from search_app.snippets import query_terms, snippet
from search_app.spelling import Spelling
from search_app.understand import LAW_HEADS, MAX_LAW_NAME_WORDS, QueryPlan, law_words, plan_query

__all__ = ["SearchService", "SearchResponse", "NoIndexError", "EngineCheckError"]

log = logging.getLogger(__name__)

# "Có phải bạn muốn tìm" compares each unknown word with every term of the field in pure Python:
# only a few words, of syllable length (no Vietnamese syllable has more than 7 letters), are looked up.
MAX_SUGGEST_WORDS, MAX_SUGGEST_LETTERS = 8, 12
# Laws known by name are read from the titles of law entries (once per index version): bounded.
MAX_LAW_ENTRIES = 5000


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


@dataclass(frozen=True)
class _Within:
    """Where results may come from: the entries the filters allow (a mask over the index, ``None``:
    all) less those the query excludes (``gone``, the excluded words' matches)."""

    allowed: np.ndarray | None
    gone: Hits | None

    def keep(self, hits: Hits | None, size: int) -> Hits | None:
        """``hits`` within these bounds (``None`` when none is left)."""
        if hits is not None and self.allowed is not None:
            ok = self.allowed[hits.ids]
            hits = hits if ok.all() else Hits(hits.ids[ok], hits.score[ok]) if ok.any() else None
        if hits is not None and self.gone is not None:
            hits = hits.without(self.gone, size)
        return hits

    def words(self, a: IndexArrays) -> np.ndarray:
        """These bounds as a bitmap (``engine.words_of``) of live entries."""
        words = _live_words(a)
        if self.allowed is not None:
            words = words & mask_words(self.allowed)
        if self.gone is not None:
            words = words & ~self.gone.words(a.size)
        return words

    def any(self, a: IndexArrays) -> bool:
        """Does any live entry lie within (``allowed`` set)?"""
        ids = np.flatnonzero(self.allowed & a.live)
        return self.keep(Hits(ids, np.zeros(len(ids))), a.size) is not None if len(ids) else False


def _live_words(a: IndexArrays) -> np.ndarray:
    """The live entries of ``a`` as a bitmap (made once per index version)."""
    return a.once("live_words", lambda: mask_words(a.live))


def _counter(a: IndexArrays) -> FacetCounter:
    """The facets' counter over the columns of ``a`` (made once per index version)."""
    return a.once("facet_counter", lambda: FacetCounter(a.facets))


def _strict_or_fallback(plan: QueryPlan, find):
    """(the query answered, what ``find`` gave for it and its count, the count of the plan's own query):
    every word required; when that finds nothing, the plan's fallback (any word), if it has one.
    ``find(q)``: (a result, its count), for ``q`` ``None`` too."""
    got, strict = find(plan.query)
    if strict == 0 and plan.fallback is not None:
        return plan.fallback, *find(plan.fallback), strict
    return plan.query, got, strict, strict


class SearchService(Searchers, EntryPages):
    """Answers queries over the index at ``index_dir``: plan → mask → evaluate → page → results."""

    @recovering
    def warm_up(self, wait: float = 0.0) -> None:
        """Open the searcher, read the columns and the stored fields' tables, load pyvi, fold's table and
        the ranking model now, not on the first visitor's query;
        wait up to ``wait`` seconds for the common terms to be scored (``Searchers._warm``; a small
        index's titles read after them)."""
        self.options()
        s = self.searcher()
        a = self.arrays(s)
        self._warm_more(s, a)
        self.plan(s, "khởi động")
        prepare_fold()
        rerank_model()  # the learned stage's trees (~3 ms to read), not on the first long question
        for leaf, base in s.reader().leaf_readers():  # each segment's table of stored fields (~1 ms a segment at 62k)
            if leaf.doc_count_all():
                s.stored_fields(base)
        a.warmed.wait(wait)

    def _warm_behind(self, s, a: IndexArrays, stop) -> None:
        """A small index's titles, as the learned stage reads them (``rerank.warm_titles``)."""
        warm_titles(s, a, stop)

    def _warm_more(self, s, a: IndexArrays) -> None:
        """The folded lexicon and the suggester's word lists (~1 s at 1M entries) of a new version."""
        a.folded_terms(s, "text_f")
        for accented in (True, False):
            self._spelling(s, a, accented)

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
    def facet_counts(a: IndexArrays, docs: np.ndarray) -> dict[str, dict[str, int]]:
        """Each facet's counts over the (live) entries ``docs``, read as its ``fields.Facet`` says (keyed
        by index field). When they are most of the index, the entries left out are counted and taken
        from the index's own counts (read once per version): fewer to gather and count."""
        if len(docs) * 2 <= a.size:
            return _counter(a).counts(docs)
        rest = a.live.copy()
        rest[docs] = False
        return SearchService._counts_without(a, np.flatnonzero(rest))  # gathering by numbers is faster than by a mask

    @staticmethod
    def _counts_without(a: IndexArrays, rest: np.ndarray) -> dict[str, dict[str, int]]:
        """Each facet's counts over the live entries but ``rest``: the index's own counts (read once per
        version) less those of ``rest``."""
        counter = _counter(a)
        whole = a.once("facet_totals", lambda: counter.per_label(np.flatnonzero(a.live)))
        theirs = counter.per_label(rest)
        return counter.named({field: whole[field] - theirs[field] for field in whole})

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
        return a.once("laws", lambda: self._read_laws(s, a))

    @staticmethod
    def _read_laws(s, a: IndexArrays) -> dict[tuple[str, ...], list[tuple[str, str, str]]]:
        types = Q.Or([Q.Term("doc_type", t) for t in sorted(LAW_TYPES)])
        heads = Q.Or([Q.Term("title", w) for w in ("luật", "lệnh", "pháp")])
        # an article's title ("Điều 5. …") may name its law too: only titles without "điều" are read
        found = Evaluator(a, s).hits(Q.AndNot(Q.And([types, heads]), Q.Term("title", "điều")))
        table: dict[tuple[str, ...], set[tuple[str, str, str]]] = {}
        for doc in ([] if found is None else found.ids[:MAX_LAW_ENTRIES].tolist()):
            fields = s.stored_fields(doc)
            words, key = law_words(fields.get("title", "")), fields.get("doc_key") or ""
            if (key and ":" not in key and 1 < len(words) <= MAX_LAW_NAME_WORDS and words[0] in LAW_HEADS
                    and not any(w.isdigit() for w in words)):  # "Luật số 01/2007/QH12" is a number, not a name
                table.setdefault(words, set()).add((fields.get("year") or "", key, fields["id"]))
        return {words: sorted(v, reverse=True) for words, v in table.items()}

    @recovering
    def options(self) -> dict[str, dict[str, int]]:
        """Every value of the filter fields with its count in the whole index (for the filter menus)."""
        s = self.searcher()
        a = self.arrays(s)
        return a.once("options", lambda: self.facet_counts(a, np.flatnonzero(a.live)))

    @recovering
    def search(self, params: SearchParams, snippets: bool = True) -> SearchResponse:
        """plan → mask (filters, exclusions) → evaluate → page → results, with exact facet counts
        (``snippets=False``: results without their highlighted snippet, e.g. for an export).

        The result set is carried as the matching entries' numbers (ascending) and scores: what a
        search costs follows its matches, not the size of the index."""
        s = self.searcher()
        a = self.arrays(s)
        ev = Evaluator(a, s)
        plan = self.plan(s, params.q)
        within, notes = self._mask(a, ev, params, plan)
        browse = plan.query is None and not plan.first and (within.allowed is not None or not params.q.strip())
        by_date = params.sort != "relevance" or browse
        if self._by_blocks(a, plan, by_date):  # the set as a bitmap, only the best scored
            need = params.page * params.per_page  # (the learned stage re-orders the best DEPTH)
            total, strict_total, docs, score, words = self._evaluate_best(
                ev, plan, within, max(need, DEPTH) if applies(plan) else need)
            facets = lambda: self.facet_counts_of(a, words, total)  # noqa: E731
        else:
            found, strict_total = self._evaluate(ev, plan, within, browse)
            docs, score = (found.ids, found.score) if found is not None else (np.zeros(0, np.int64), np.zeros(0))
            total = len(docs)
            facets = lambda: self.facet_counts(a, docs)  # noqa: E731
        pages = -(-total // params.per_page)
        if total and params.page > pages:
            raise ParamError("page", f"Không có trang {params.page}: kết quả chỉ có {pages} trang.")
        if not by_date and applies(plan):  # the learned stage (long questions)
            score = rerank(ev, plan, docs, score)
        page = self._page(a, docs, score, params, by_date)
        terms = query_terms(plan.parsed) if snippets else None
        results = [self._result(s, int(docs[k]), None if by_date else float(score[k]), terms, plan.number_keys)
                   for k in page]
        suggestion = self.suggest(s, plan.parsed) if strict_total == 0 and params.q.strip() else ""
        return SearchResponse(total, params.page, params.per_page, results, facets(), suggestion,
                              plan.number_keys, plan.notes + notes)

    def served(self, ev: Evaluator, plan: QueryPlan) -> tuple[np.ndarray, np.ndarray]:
        """(entries ``plan`` matches, with no filter; their served scores): what the learned stage
        re-orders (``bench/ltr.py`` trains on it)."""
        found, _ = self._evaluate(ev, plan, _Within(None, None), False)
        return (found.ids, found.score) if found is not None else (np.zeros(0, np.int64), np.zeros(0))

    @staticmethod
    def _by_blocks(a: IndexArrays, plan: QueryPlan, by_date: bool) -> bool:
        """Is the page found by ``_evaluate_best``: ranked by relevance, nothing put first, on an index
        of ``engine.BLOCKS_FROM`` entries or more, preferences that only raise scores?"""
        return (not by_date and not plan.first and a.size >= engine.BLOCKS_FROM and plan.query is not None
                and all(factor >= 1 for _, factor in plan.prefer))

    @staticmethod
    def _evaluate_best(ev: Evaluator, plan: QueryPlan, within: _Within,
                       k: int) -> tuple[int, int, np.ndarray, np.ndarray, np.ndarray | None]:
        """What ``_evaluate`` finds, as (total, count before the fallback, the best ``k`` entries and
        their scores, the bitmap of every match): the matches as a bitmap (``Evaluator.matches``), and
        only the blocks that can hold the best ``k`` scored (``Evaluator.best``)."""
        bounds = within.words(ev.a)

        def find(q) -> tuple[np.ndarray | None, int]:
            words = ev.matches(q) if q is not None else None
            if words is None:
                return None, 0
            words = words & bounds  # (a new array: a term's own bitmap may be the one given)
            return words, popcount(words)

        query, words, total, strict_total = _strict_or_fallback(plan, find)
        if not total:
            return 0, strict_total, np.zeros(0, np.int64), np.zeros(0), None
        ids, score = ev.best(query, words, k, plan.prefer)
        return total, strict_total, ids, score, words

    @classmethod
    def facet_counts_of(cls, a: IndexArrays, words: np.ndarray | None, total: int) -> dict[str, dict[str, int]]:
        """``facet_counts`` of the entries of a bitmap (``total`` of them, all live)."""
        if words is None or total * 2 <= a.size:
            return cls.facet_counts(a, np.zeros(0, np.int64) if words is None else ids_of(words))
        return cls._counts_without(a, ids_of(_live_words(a) & ~words))

    def _mask(self, a: IndexArrays, ev: Evaluator, params: SearchParams,
              plan: QueryPlan) -> tuple[_Within, tuple[str, ...]]:
        """Entries the filters let through, less those the query excludes (``-word``), and within the
        year the query says ("năm 2019") when the index has entries of it. And what the page says
        about that year."""
        allowed = self._allowed(a, params)
        gone = ev.hits(plan.excluded) if plan.excluded is not None else None
        if plan.year and not params.values("year"):
            of_year = BY_PARAM["year"].mask(*a.facets["year"], [plan.year])
            of_year = of_year if allowed is None else allowed & of_year
            if _Within(of_year, gone).any(a):
                return _Within(of_year, gone), (f"Chỉ các kết quả năm {plan.year}, như câu tìm nói “năm {plan.year}”.",)
        return _Within(allowed, gone), ()

    @staticmethod
    def _evaluate(ev: Evaluator, plan: QueryPlan, within: _Within, browse: bool) -> tuple[Hits | None, int]:
        """(matching entries with their scores, count before the fallback): every word required; when
        that finds nothing (and no number was asked for), any word, ranked."""
        size = ev.a.size
        if browse:
            found = within.keep(ev.hits(Q.Every()), size)
            return found, 0 if found is None else len(found.ids)
        def find(q) -> tuple[Hits | None, int]:
            got = within.keep(ev.hits(q) if q is not None else None, size)
            return got, 0 if got is None else len(got.ids)

        _, found, _, strict_total = _strict_or_fallback(plan, find)
        if found is not None and plan.prefer:
            score = found.score.copy()
            for q, factor in plan.prefer:  # a preference reorders what matched, it never adds to it
                preferred = ev.hits(q)
                if preferred is not None:
                    score[found._lookup(preferred, size)[0]] *= factor
            found = Hits(found.ids, score)
        if plan.first:
            found = SearchService._put_first(ev, plan.first, within, found)
        return found, strict_total

    @staticmethod
    def _put_first(ev: Evaluator, first, within: _Within, found: Hits | None) -> Hits | None:
        """Entries of ``first`` (in its order; ties by their own score) above every other result."""
        size = ev.a.size
        base = found if found is not None else Hits(np.zeros(0, np.int64), np.zeros(0))
        step = float(base.score.max(initial=0.0)) + 1.0
        ids, score = base.ids, base.score
        for rank, q in reversed(list(enumerate(first))):  # the first of ``first`` is set last: it wins
            hit = within.keep(ev.hits(q), size)
            if hit is None:
                continue
            held, theirs = hit._lookup(base, size)
            pinned = np.full(len(hit.ids), step * (len(first) - rank))
            pinned[held] += theirs
            merged = np.union1d(ids, hit.ids)
            merged_score = np.zeros(len(merged))
            merged_score[np.searchsorted(merged, ids)] = score
            merged_score[np.searchsorted(merged, hit.ids)] = pinned
            ids, score = merged, merged_score
        return Hits(ids, score) if len(ids) else None

    @staticmethod
    def _page(a: IndexArrays, docs: np.ndarray, score: np.ndarray, params: SearchParams, by_date: bool):
        """Positions in ``docs`` (ascending entry numbers; ``score`` beside them) of the requested page:
        best score first (ties: index order), or by date (newest first, or oldest with ``date_asc``;
        undated last; ties: index order)."""
        need = params.page * params.per_page
        at = np.arange(len(docs))
        if by_date:
            date = a.date[docs] if params.sort == "date_asc" else -a.date[docs]
            order = np.lexsort((docs, date, a.undated[docs]))
        else:
            key = -score
            if len(docs) > need:  # only the best ``need`` need sorting
                at = np.flatnonzero(score >= kth_largest(score, need))  # every tie of the last place too
            order = at[np.lexsort((docs[at], key[at]))]
        return order[(params.page - 1) * params.per_page:need].tolist()

    def _result(self, s, docnum: int, score: float | None, terms, numbers: tuple[str, ...] = ()) -> dict:
        fields = s.stored_fields(docnum)
        return {
            "id": fields["id"], "kind": fields["kind"], "title": fields.get("title", ""),
            "date": iso(fields.get("date")), "doc_number": fields.get("doc_number", ""),
            "doc_type": fields.get("doc_type", ""), "agency": fields.get("agency", ""),
            "url": fields.get("url", ""), "snippet": "" if terms is None else snippet(fields.get("body", ""), terms, numbers=numbers),
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

    @staticmethod
    def _spelling(s, a: IndexArrays, accented: bool) -> Spelling:
        """The words suggestions are made of, read once per index version."""
        make = Spelling.accented if accented else Spelling.folded
        return a.once(f"spelling:{accented}", lambda: make(a.folded_terms(s, "text_f")))

    def suggest(self, s, parsed) -> str:
        """A close spelling of the query that does find something ("Có phải bạn muốn tìm")."""
        text = " ".join(parsed.groups)
        if not text.strip():
            return ""
        words = text.split()[:MAX_TERMS]
        if len(words) > MAX_SUGGEST_WORDS or any(len(w) > MAX_SUGGEST_LETTERS for w in words):
            return ""
        field = "text" if parsed.accented else "text_f"
        arrays = self.arrays(s)
        spelling = self._spelling(s, arrays, parsed.accented)  # unaccented words among the folded words
        reader = s.reader()
        fixed, changed = [], False
        for i, word in enumerate(words):
            probe = word.lower() if parsed.accented else fold(word)
            if arrays.doc_frequency(s, field, probe):
                fixed.append(word)
                continue
            neighbours = [fold(w) for w in fixed[-1:]], [fold(w) for w in words[i + 1:i + 2]]

            def rank(option: str) -> tuple:  # beside the other words most often, then the most used
                folded = fold(option)
                pairs = [f"{n} {folded}" for n in neighbours[0]] + [f"{folded} {n}" for n in neighbours[1]]
                return (-sum(reader.doc_frequency("text_b", p) for p in pairs),
                        -sum(reader.frequency("text", t) for t in spelling.forms(option)), option)

            options = sorted(spelling.nearest(probe), key=rank)
            fixed.append(options[0] if options else word)
            changed |= bool(options)
        if not changed:
            return ""
        candidate = " ".join(fixed)
        query = self.plan(s, candidate).query
        return candidate if query is not None and Evaluator(self.arrays(s), s).count(query) else ""

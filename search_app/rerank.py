"""A learned ranking stage over the best results of a question (issue 17).

The served score of a long query (a question, a pasted sentence) is one weighted sum of BM25 clause
scores (``query.WEIGHTS``). This stage looks again at the best ``DEPTH`` entries with what the engine
has already computed for them — each clause group's BM25 on its own, how much of the question's
syllables, words and syllable pairs each entry holds (plain and idf-weighted), its length, its
served score and rank, how much of the top results share its group (``field``: the law of an ALQAC
article, the đề mục of a Pháp điển one) — and how much of the entry's title the question says (an
article titled "Điều kiện cấp thẻ hướng dẫn viên du lịch" answers "Đâu không phải là điều kiện
cấp thẻ hướng dẫn viên du lịch?"), and orders them by boosted trees trained on labelled ALQAC questions
by ``bench/ltr.py`` (LightGBM LambdaMART, evaluated here with numpy: nothing to install, no network).

It applies to long free-text queries ranked by relevance only (``applies``): a short query, a
number, a quoted phrase, a law or article put first keep the served order. It reorders the best
``DEPTH`` and gives them the served scores in the new order: the result set, the totals, the facets
and every entry below ``DEPTH`` are untouched.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from whoosh import query as Q

from indexer.text.normalize import fold
from search_app.engine import PAIR_FIELD, Evaluator, kth_largest
from search_app.query import is_short
from search_app.understand import QueryPlan

__all__ = ["DEPTH", "FEATURES", "MODEL_FILE", "Trees", "model", "applies", "candidates", "features", "rerank", "warm_titles"]

log = logging.getLogger(__name__)

MODEL_FILE = Path(__file__).parent / "models" / "rerank.json"
# Entries looked at again. The answer of 97–98% of ALQAC questions is in the served top 30, and the
# stage reads each candidate's title (~40 µs an entry on the 62k index): 30 keeps it near a millisecond.
DEPTH = 30
RANK_SCALE = 100  # ranks enter the features as rank / 100
GROUP_TOP = 10  # the group of an entry is judged by the served top 10
# Clause groups of a long query (``query.text_query``): which field a term is scored in.
TERM_GROUPS = ("text", "text_f", "text_w")
FEATURES = (
    "score_rel",        # served score / the question's best served score
    "log_score",        # log(1 + served score)
    "rank",             # served rank / 100
    *(f"bm25_{g}" for g in TERM_GROUPS), "bm25_pair",          # unboosted BM25 sum of each clause group
    *(f"cover_{g}" for g in TERM_GROUPS), "cover_pair",        # share of the group's distinct terms held
    *(f"idfcover_{g}" for g in TERM_GROUPS), "idfcover_pair",  # the same, idf-weighted
    "log_length",       # log(1 + syllables of the entry's text)
    "group_share",      # share of the top 10's served score whose entries are in this entry's group
    "group_count",      # entries of the top 10 in this entry's group / 10
    "group_best",       # served rank of the group's best entry / 100
    "accented",         # 1 when the question was typed with diacritics
    "title_pairs",      # share of the title's adjacent syllable pairs that are in the question (folded)
    "title_syllables",  # share of the title's syllables that are in the question
    "title_run",        # longest run of the title's syllables in a row in the question / title syllables
    "question_in_title",  # share of the question's syllables in the title
    "title_length",     # log(1 + title syllables)
)
TITLES_WARM_MAX = 150_000  # entries: at 43 µs an entry, a larger index reads its titles as they are asked for
TITLES_WARM_SECONDS, TITLES_CHECK_EVERY = 15.0, 1000
# "Điều 12." / "Điều 12a." / "1." heading a title: the article's number, not its subject.
_TITLE_NUMBER = re.compile(r"^\s*(?:dieu\s+\w+\s*[.:]?|\d+\s*[.)])\s*")
_SYLLABLE = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Trees:
    """Regression trees over ``FEATURES`` (LightGBM's, as ``bench/ltr.py`` writes them), all evaluated
    at once: node ``i`` of tree ``t`` sends a row left when ``x[feature] <= threshold``; a leaf has
    feature -1 and its value in ``value``."""

    feature: np.ndarray    # trees × nodes, int
    threshold: np.ndarray  # trees × nodes
    left: np.ndarray       # trees × nodes, int (a leaf points to itself)
    right: np.ndarray
    value: np.ndarray      # trees × nodes: a leaf's output (0 at split nodes)
    depth: int             # the longest path from a root to a leaf

    @classmethod
    def from_json(cls, data: dict) -> "Trees":
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"{MODEL_FILE.name} was trained on other features: retrain with bench/ltr.py --write-model")
        t = data["trees"]
        return cls(np.asarray(t["feature"], np.int64), np.asarray(t["threshold"], np.float64),
                   np.asarray(t["left"], np.int64), np.asarray(t["right"], np.int64),
                   np.asarray(t["value"], np.float64), int(t["depth"]))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The model's score of each row of ``X`` (the sum of every tree's leaf, in tree order)."""
        trees, width = self.feature.shape
        base = (np.arange(trees) * width)[:, None]  # nodes numbered across trees: one flat gather a level
        feature, threshold = self.feature.ravel(), self.threshold.ravel()
        left, right = (self.left + base).ravel(), (self.right + base).ravel()
        x = np.ascontiguousarray(X, dtype=np.float64)
        row = (np.arange(len(x)) * x.shape[1])[None, :]
        x = x.ravel()
        node = np.repeat(base, len(X), axis=1)  # every row at every root
        for _ in range(self.depth):
            go_left = x[row + np.maximum(feature[node], 0)] <= threshold[node]
            node = np.where(go_left, left[node], right[node])
        return self.value.ravel()[node].sum(0)


@lru_cache(maxsize=1)
def model() -> Trees | None:
    """The shipped model (``models/rerank.json``), read once; ``None`` when the file is not there."""
    try:
        return Trees.from_json(json.loads(MODEL_FILE.read_text(encoding="utf-8")))
    except FileNotFoundError:
        log.warning("no ranking model at %s: results keep the served order", MODEL_FILE)
        return None


def applies(plan: QueryPlan) -> bool:
    """Is ``plan`` a long free-text query, the kind the model was trained on (ALQAC questions)?"""
    return (plan.query is not None and not plan.first and not plan.number_keys and not plan.parsed.phrases
            and bool(plan.parsed.groups) and not any(is_short(g) for g in plan.parsed.groups))


def rerank(ev: Evaluator, plan: QueryPlan, docs: np.ndarray, score: np.ndarray) -> np.ndarray:
    """The scores ``score`` of ``docs`` with the best ``DEPTH`` of them ordered by the model and given
    the served scores in that order (the same array when the stage does not apply)."""
    trees = model()
    if trees is None or not applies(plan) or len(docs) < 2:
        return score
    at = _best(docs, score, DEPTH)
    order = np.argsort(-trees.predict(features(ev, plan, score[at], docs[at])), kind="stable")
    new = score.copy()
    shown = score[at]  # best first (a copy)
    for i in range(1, len(shown)):  # strictly falling: a tie would be broken by index order, not the model
        shown[i] = min(shown[i], np.nextafter(shown[i - 1], -np.inf))
    new[at[order]] = shown
    return new


def candidates(docs: np.ndarray, score: np.ndarray, depth: int = DEPTH) -> tuple[np.ndarray, np.ndarray]:
    """The best ``depth`` of ``docs`` (ascending entry numbers, ``score`` beside them), best first, ties
    in index order (as the service pages them), and their scores."""
    at = _best(docs, score, depth)
    return docs[at], score[at]


def _best(docs: np.ndarray, score: np.ndarray, depth: int) -> np.ndarray:
    """Positions in ``docs`` of ``candidates``."""
    at = np.arange(len(docs))
    if len(docs) > depth:  # every entry scoring at least the depth-th best (ties of the last place too)
        at = np.flatnonzero(score >= kth_largest(score, depth))
    return at[np.lexsort((docs[at], -score[at]))][:depth]


def _leaves(q):
    """The query's terms and phrases (``query.text_query`` builds long queries of nothing else)."""
    if isinstance(q, (Q.Term, Q.Phrase)):
        yield q
    elif q is not None and not isinstance(q, Q.Prefix):
        for child in q.children():
            yield from _leaves(child)


def _term_at(ev: Evaluator, fieldname: str, text: str, top: np.ndarray):
    """(held, unboosted BM25, entries holding it) of one term at the entries ``top``.

    The query has scored this term already: ``Evaluator._base`` hands back the request's own result
    (deleted entries included, which ``top`` never holds), so no posting is read again and no array
    over the index is made."""
    got = ev._base(fieldname, text)
    return (*ev._base_at(fieldname, text, top), 0 if got is None else len(got.ids))


def _clause_arrays(ev: Evaluator, q, top: np.ndarray, seen: dict) -> tuple[np.ndarray, np.ndarray, float]:
    """(held, unboosted BM25, idf) of one term or phrase at ``top``; a phrase as the engine scores it
    (every pair of adjacent folded syllables in ``text_b``, the sum of its words' scores), its idf
    the mean of its words'. ``seen``: terms already looked up for this request."""
    def at(fieldname: str, text: str):
        key = (fieldname, text)
        if key not in seen:
            seen[key] = _term_at(ev, fieldname, text, top)
        return seen[key]

    n = float(ev.a.size)
    if isinstance(q, Q.Term):
        held, score, df = at(q.fieldname, q.text)
        return held, score, math.log(n / (1 + df)) + 1
    words = list(q.words)
    folded = [fold(w) for w in words]
    held, score, idf = np.ones(len(top), bool), np.zeros(len(top)), 0.0
    for pair in zip(folded, folded[1:]):
        held &= at(PAIR_FIELD, " ".join(pair))[0]
    for w in words:
        m, s, df = at(q.fieldname, w)
        held &= m
        score += s
        idf += (math.log(n / (1 + df)) + 1) / len(words)
    return held, np.where(held, score, 0.0), idf


def syllables(text: str) -> list[str]:
    """Folded syllables of ``text``: ``"Điều 5. Cấp thẻ"`` → ``["dieu", "5", "cap", "the"]``."""
    return _SYLLABLE.findall(fold(text).lower())


def _title_words(ev: Evaluator, doc: int) -> list[str]:
    """Folded syllables of entry ``doc``'s title without its article number, kept per index version
    as one string an entry (reading an entry's stored fields costs ~40 µs: its body comes with it;
    ``warm_titles`` reads a small index's all at start)."""
    titles = ev.a.once("rerank_titles", dict)
    got = titles.get(doc)
    if got is None:
        got = titles[doc] = _title_key(ev.s.stored_fields(doc).get("title", ""))
    return got.split()


def _title_key(title: str) -> str:
    return " ".join(syllables(_TITLE_NUMBER.sub("", fold(title).lower(), count=1)))


def warm_titles(searcher, arrays, stop) -> int:
    """Read the titles ``_title_words`` keeps of every entry of an index of at most ``TITLES_WARM_MAX``
    entries (in one pass over the stored fields: ~3 s at 68k entries, in the background warm-up), so
    a long question's first candidates are not read one by one (~2.4 ms of its first run at 68k).
    Stops when ``stop()`` says so, or after ``TITLES_WARM_SECONDS`` (long texts are slower to read:
    what is left is read as asked). Returns how many were read."""
    if arrays.size > TITLES_WARM_MAX:
        return 0
    titles, done, until = arrays.once("rerank_titles", dict), 0, time.monotonic() + TITLES_WARM_SECONDS
    for doc, fields in searcher.reader().iter_docs():  # live entries (no deleted one is a candidate)
        if doc not in titles:
            titles[doc] = _title_key(fields.get("title", ""))
        done += 1
        if not done % TITLES_CHECK_EVERY and (stop() or time.monotonic() > until):
            break
    return done


def _title_features(words: list[str], question: set, pairs: set) -> tuple[float, ...]:
    if not words:
        return 0.0, 0.0, 0.0, 0.0, 0.0
    held = [w in question for w in words]
    in_pairs = [p in pairs for p in zip(words, words[1:])]
    run = best = 0
    for hit in in_pairs:  # runs of pairs in the question: a run of k pairs is k + 1 syllables
        run = run + 1 if hit else 0
        best = max(best, run)
    best_run = best + 1 if best else float(any(held))
    wanted = set(question)
    return (sum(in_pairs) / max(len(in_pairs), 1), sum(held) / len(words), best_run / len(words),
            len(wanted & set(words)) / max(len(wanted), 1), math.log1p(len(words)))


def _group_features(codes: np.ndarray, served: np.ndarray) -> np.ndarray:
    """Per candidate (``codes``: its group, best served first): the share of the top 10's served score
    in its group, the top 10's entries in its group / 10, the rank of its group's best / 100."""
    head, head_score = codes[:GROUP_TOP], served[:GROUP_TOP]
    same = codes[:, None] == head[None, :]
    first: dict[int, int] = {}
    for rank, c in enumerate(codes.tolist()):
        first.setdefault(c, rank)
    return np.column_stack([(same * head_score[None, :]).sum(1) / max(float(head_score.sum()), 1e-9),
                            same.sum(1) / GROUP_TOP, np.array([first[c] for c in codes.tolist()]) / RANK_SCALE])


def features(ev: Evaluator, plan: QueryPlan, served: np.ndarray, top: np.ndarray) -> np.ndarray:
    """``len(top) × len(FEATURES)`` features of the candidates ``top`` (best served first, with their
    served scores ``served``) of ``plan``."""
    n = len(top)
    out = np.zeros((n, len(FEATURES)))
    if not n:
        return out
    best = max(float(served[0]), 1e-9)
    out[:, 0], out[:, 1], out[:, 2] = served / best, np.log1p(np.maximum(served, 0)), np.arange(n) / RANK_SCALE
    groups: dict[str, dict] = {}
    for leaf in dict.fromkeys(_leaves(plan.query)):
        kind = "pair" if isinstance(leaf, Q.Phrase) else leaf.fieldname
        if kind not in TERM_GROUPS and kind != "pair":
            continue
        groups.setdefault(kind, {})[leaf] = None
    seen: dict = {}
    for i, kind in enumerate(TERM_GROUPS + ("pair",)):
        leaves = list(groups.get(kind, ()))
        if not leaves:
            continue
        bm25, held, idf_held, idf_sum = np.zeros(n), np.zeros(n), np.zeros(n), 0.0
        for leaf in leaves:
            m, s, idf = _clause_arrays(ev, leaf, top, seen)
            bm25 += s
            held += m
            idf_held += idf * m
            idf_sum += idf
        out[:, 3 + i], out[:, 7 + i], out[:, 11 + i] = bm25, held / len(leaves), idf_held / idf_sum
    out[:, 15] = np.log1p(ev.a.lengths(ev.s, "text")[top])
    codes = ev.a.facets["field"][0][top] if "field" in ev.a.facets else np.zeros(n, np.int32)
    out[:, 16:19] = _group_features(codes, served)
    out[:, 19] = float(plan.parsed.accented)
    words = syllables(" ".join(plan.parsed.groups))
    pairs, wanted = set(zip(words, words[1:])), set(words)
    for i, doc in enumerate(top.tolist()):
        out[i, 20:25] = _title_features(_title_words(ev, doc), wanted, pairs)
    # 9 digits: sums of BM25 scores may differ in their last bit from one run to the next (the order
    # the engine adds them in), which would move the trained thresholds by as much
    return np.round(out, 9)

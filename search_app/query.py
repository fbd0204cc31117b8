"""Query understanding: what a person typed → Whoosh query objects. Pure; never raises on text.

The text goes through the index's own normalize + analysis chains (``indexer.text.analysis``), so a query
meets the index in the same spelling, the same words and the same syllables:

- a document number anywhere (``43-CT/TW``, ``43 - ct/tw``, ``30/2020/ND-CP``) matches the entry that
  bears it (first) and the entries citing it;
- ``"quoted phrases"`` must appear as phrases, ``-word`` excludes, ``a OR b`` offers alternatives;
- plain words match as words (pyvi compounds), as syllables, and folded (without diacritics); when
  the query has diacritics, exact matches score above folded ones;
- an abbreviation matches its long form and the other way round (``UBND`` ↔ "Ủy ban nhân dân",
  ``search_app.abbreviations``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from whoosh import query as Q

from indexer.text.analysis import folded_analyzer, syllable_analyzer, word_analyzer
from indexer.cite.citations import find_numbers
from indexer.text.normalize import clean, fold
from search_app.abbreviations import segments

__all__ = ["ExactPhrase", "ParsedQuery", "parse_query", "text_query", "MAX_TERMS", "type_number_query", "is_short", "compose",
           "exclusion_query", "any_word_query", "WEIGHTS"]



class ExactPhrase(Q.Phrase):
    """A phrase the user quoted: its syllables must be adjacent, in order (the engine checks it)."""


# Bounds on what one query may ask of the index (hostile or pasted queries): syllables kept.
MAX_TERMS = 64
MAX_QUERY_CHARS = 1000
# Each OR part, phrase, exclusion or number is a subquery evaluated over every entry: one query
# keeps only the first few of each.
MAX_PARTS = {"groups": 8, "phrases": 4, "excluded": 8, "number_keys": 8}

# Weights of the clauses a query contributes; tuned on ALQAC train (bench/tune.py). A weight of 0
# leaves the clause out.
WEIGHTS = {
    "text": 1.0,          # a syllable with its diacritics (title + body)
    "text_f": 0.25,       # the same syllable folded: what matches a query typed without diacritics
    "text_w": 2.0,        # a pyvi word of the query: a compound match is worth more than its syllables
    "title": 1.0,         # a query syllable in the title
    "phrase": 2.0,        # the whole run of words as a phrase (short queries)
    "doc_key": 1000.0, "citations": 40.0,  # document numbers: the entry itself, then its citers
    # Long queries (questions, pasted sentences): one flat union in which each pair of syllables in a
    # row counts as a phrase; a pair approximates a two-syllable word and works without diacritics.
    # Tuned on alqac2024_unverified_train, checked on alqac2023_train (bench/tune.py --pairs).
    "long_text": 0.05, "long_text_f": 0.155, "long_text_w": 0.075, "long_pair": 3.0,
    # Preferences (``understand.plan_query``): factors on the scores of entries that already match.
    "year": 1.3,          # entries of a year the query names ("… 2012")
    "law_cited": 1.2,     # entries of a law the query names ("luật an ninh mạng"), and citing it when looked up
}
# Up to this many distinct syllables a query is "short": every syllable is required and phrase, title
# and word bonuses apply. Longer queries (questions, pasted sentences) rank any-word matches by BM25,
# one flat union of terms.
SHORT_QUERY = 6

_SYL, _WORD, _FOLD = syllable_analyzer(), word_analyzer(), folded_analyzer()

_SPACED_SEPARATOR = re.compile(r"(?<=\w)\s+([/-])\s+(?=\w)")

# Pieces of a query string, in order of precedence.
_PIECE = re.compile(
    r'(?P<neg>-)?"(?P<phrase>[^"]*)"?'       # a quoted phrase, e.g. "hội chữ thập đỏ" or -"x y"
    r"|(?P<or>\bOR\b|\|\|)"                  # alternative, e.g. a OR b
    r"|(?<!\S)-(?P<exclude>[^\s\"]+)"        # exclusion, e.g. -thuế
    r"|(?P<word>[^\s\"]+)"                   # anything else is text
)


@dataclass(frozen=True)
class ParsedQuery:
    """What a query string asks for: free text groups (OR'ed), phrases, exclusions, number keys."""

    groups: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    number_keys: tuple[str, ...] = ()
    accented: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not (any(g.strip() for g in self.groups) or self.phrases or self.number_keys)


def parse_query(text: str) -> ParsedQuery:
    """Split ``text`` into its parts. ``'"chữ thập đỏ" -thuế 43-CT/TW'`` → a phrase, an exclusion, a key."""
    # "18/CT - TTg" is one number in a search box (in running text " - " may end one)
    text = _SPACED_SEPARATOR.sub(r"\1", clean(text or "")[:MAX_QUERY_CHARS])
    keys = []
    for start, end, key in sorted(find_numbers(text), reverse=True):
        keys.append(key)
        text = text[:start] + " " + text[end:]
    groups, phrases, excluded, current = [], [], [], []
    for m in _PIECE.finditer(text):
        if m.group("phrase") is not None:
            (excluded if m.group("neg") else phrases).append(m.group("phrase"))
        elif m.group("or"):
            groups.append(" ".join(current))
            current = []
        elif m.group("exclude"):
            excluded.append(m.group("exclude"))
        else:
            current.append(m.group("word"))
    groups.append(" ".join(current))
    groups = [g for g in groups if g.strip()][:MAX_PARTS["groups"]]
    phrases = [p for p in phrases if p.strip()][:MAX_PARTS["phrases"]]
    visible = " ".join(groups + phrases)
    return ParsedQuery(tuple(groups), tuple(phrases), tuple(excluded[:MAX_PARTS["excluded"]]),
                       tuple(list(dict.fromkeys(reversed(keys)))[:MAX_PARTS["number_keys"]]),
                       accented=fold(visible) != visible.lower())


def _tokens(analyzer, text: str) -> list[str]:
    return [t.text for t in analyzer(text)][:MAX_TERMS]


def _phrase(fieldname: str, words: list[str], boost: float = 1.0, cls=Q.Phrase) -> Q.Query:
    return cls(fieldname, words, boost=boost) if len(words) > 1 else Q.Term(fieldname, words[0], boost=boost)


def _weighted(fieldname: str, words: list[str], weight_key: str) -> list[Q.Query]:
    weight = WEIGHTS[weight_key]
    return [Q.Term(fieldname, w, boost=weight) for w in dict.fromkeys(words)] if weight else []


def is_short(text: str) -> bool:
    """At most ``SHORT_QUERY`` distinct syllables (an abbreviation's long form counts as one, as the
    abbreviation does): every one of them is required."""
    return len({run for run, _ in segments(_tokens(_FOLD, text))}) <= SHORT_QUERY


def _required_unit(run: tuple[str, ...], alt: tuple[str, ...] | None) -> Q.Query:
    """A required folded syllable, or a run that is an abbreviation or its long form: either form."""
    weight = WEIGHTS["text_f"]
    if alt is None:
        return Q.Term("text_f", run[0], boost=weight)
    return Q.Or([_phrase("text_f", list(run), weight), _phrase("text_f", list(alt), weight)])


def text_query(text: str, accented: bool, require_all: bool) -> Q.Query | None:
    """Scored query for free text; ``require_all`` makes every syllable required (short queries)."""
    syls, folded = _tokens(_SYL, text), _tokens(_FOLD, text)
    if not folded:
        return None
    if not require_all:  # one flat union: BM25 over whatever matches, pairs of syllables as phrases
        terms = _weighted("text_f", folded, "long_text_f")
        if accented:
            terms += _weighted("text", syls, "long_text") + _weighted("text_w", _tokens(_WORD, text), "long_text_w")
        seq, field = (syls, "text") if accented else (folded, "text_f")
        terms += [_phrase("text_f", list(alt), WEIGHTS["long_text_f"]) for _, alt in segments(folded) if alt]
        if WEIGHTS["long_pair"]:  # each pair where it stands in a row (``text_b``), scored as a phrase
            terms += [Q.Phrase(field, list(p), boost=WEIGHTS["long_pair"]) for p in dict.fromkeys(zip(seq, seq[1:]))]
        return Q.Or(terms or [Q.Term("text_f", f) for f in folded])
    # Required: every syllable, folded (the folded term holds the exact one), an abbreviation or its
    # long form ("ubnd" or "uy ban nhan dan"). With diacritics typed, exact syllables, words and the
    # title then add to the score of what matched.
    required = Q.And(list(dict.fromkeys(_required_unit(run, alt) for run, alt in segments(folded))))
    bonus = []
    if accented:
        bonus = (_weighted("text", syls, "text") + _weighted("text_w", _tokens(_WORD, text), "text_w")
                 + _weighted("title", syls, "title"))
    if len(folded) > 1 and WEIGHTS["phrase"]:
        bonus.append(_phrase("text" if accented else "text_f", syls if accented else folded, WEIGHTS["phrase"]))
    return Q.AndMaybe(required, Q.Or(bonus)) if bonus else required


def phrase_query(text: str) -> Q.Query | None:
    """A quoted phrase, with diacritics when it has any."""
    syls, folded = _tokens(_SYL, text), _tokens(_FOLD, text)
    if not folded:
        return None
    if fold(text) != text.lower():
        return _phrase("text", syls, cls=ExactPhrase)
    return _phrase("text_f", folded, cls=ExactPhrase)


def number_query(key: str) -> Q.Query:
    """The entry numbered ``key`` first, then every entry citing it."""
    return Q.Or([Q.Term("doc_key", key, boost=WEIGHTS["doc_key"]),
                 Q.Term("citations", key, boost=WEIGHTS["citations"])])


def type_number_query(doc_type: str, number: str) -> Q.Query:
    """``chỉ thị 43``: entries of that type numbered 43 (``43/…``, ``43-…``; ``05/…`` for 5)."""
    stems = {number, number.rjust(2, "0")}
    prefixes = [Q.Prefix("doc_key", f"{n}{sep}") for n in sorted(stems) for sep in "/-"]
    return Q.And([Q.Term("doc_type", doc_type), Q.Or(prefixes)], boost=WEIGHTS["doc_key"])


def _excluded_query(words: tuple[str, ...]) -> Q.Query | None:
    alts = [q for q in (phrase_query(text) for text in words) if q is not None]
    return Q.Or(alts) if alts else None


def exclusion_query(parsed: ParsedQuery) -> Q.Query | None:
    """What ``-word`` and ``-"phrase"`` exclude, as a mask: Whoosh's ``AndNot`` leaks excluded
    documents back in when results are grouped for facets, a search ``mask`` does not."""
    return _excluded_query(parsed.excluded)


def compose(parsed: ParsedQuery, number_keys: list[str], extra: list[Q.Query] = ()) -> Q.Query | None:
    """The positive query: numbers (when any) lead, text is required or a bonus (see ``exclusion_query``)."""
    texts = [text_query(g, parsed.accented, require_all=is_short(g)) for g in parsed.groups]
    texts = [t for t in texts if t is not None]
    text = Q.Or(texts) if len(texts) > 1 else (texts[0] if texts else None)
    phrases = [p for p in (phrase_query(p) for p in parsed.phrases) if p is not None]
    leads = [number_query(k) for k in number_keys] + list(extra)
    if leads:
        lead = Q.Or(leads)
        required = Q.And([lead] + phrases) if phrases else lead
        main = Q.AndMaybe(required, text) if text is not None else required
    elif text is not None or phrases:
        main = Q.And([q for q in [text] + phrases if q is not None])
    else:
        return None
    return main




def any_word_query(parsed: ParsedQuery) -> Q.Query | None:
    """Free text with every syllable optional (BM25 over whatever matches)."""
    texts = [text_query(g, parsed.accented, require_all=False) for g in parsed.groups]
    texts = [t for t in texts if t is not None]
    return Q.Or(texts) if texts else None

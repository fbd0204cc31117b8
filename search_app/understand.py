"""Number-shaped parts of a query that are not full document numbers.

- ``near_miss_keys("43/ct-tw")`` → ``["43-ct/tw"]``: the other separator style of the same number
  (state documents use ``number/TYPE-ISSUER``, Party documents ``number-TYPE/ORGAN``; people mix them).
- ``type_and_number(parsed, types)``: ``chỉ thị 43`` → the Chỉ thị numbered 43, whatever its symbol.
- ``number_note("43/ct-tw", "43-CT/TW")``: what the results page says when it searched the other spelling.
- ``plan_query(text, ...)``: all of the above and ``query.parse_query`` / ``compose`` as one typed
  ``QueryPlan``, the only thing the search service evaluates. Pure: what the index holds comes in as
  arguments (a ``known`` test for number keys, the document types), so understanding never imports
  evaluation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable

from whoosh import query as Q

from indexer.text.normalize import fold
from search_app.query import ParsedQuery, any_word_query, compose, exclusion_query, parse_query, type_number_query

__all__ = ["near_miss_keys", "number_note", "type_and_number", "QueryPlan", "plan_query"]

# A number key split in its parts, e.g. "43/ct-tw", "30/2020/nd-cp", "108-kh/tu".
_KEY = re.compile(r"^(?P<n>\d+)(?:/(?P<year>(?:19|20)\d\d))?[/-](?P<type>[a-z]+)[/-](?P<issuer>[a-z0-9-]+)$")


def near_miss_keys(key: str) -> list[str]:
    """Other spellings of ``key`` that a person may have meant, most likely first."""
    m = _KEY.match(key)
    if not m:
        return []
    year, t, issuer = m.group("year"), m.group("type"), m.group("issuer")
    numbers = dict.fromkeys([m.group("n"), m.group("n").lstrip("0") or "0", m.group("n").rjust(2, "0")])
    forms = []
    for n in numbers:  # as typed, then without / with the leading zero ("3/VBHN" for "03/VBHN")
        stem = f"{n}/{year}" if year else n
        forms += [f"{stem}/{t}-{issuer}", f"{stem}-{t}/{issuer}", f"{n}/{t}-{issuer}", f"{n}-{t}/{issuer}"]
    return [f for f in dict.fromkeys(forms) if f != key]


def number_note(typed_key: str, shown: str) -> str:
    """``("43/ct-tw", "43-CT/TW")`` → ``"Số hiệu 43/CT-TW được tìm theo cách viết 43-CT/TW."``

    Said only when the index holds no entry numbered as typed but does hold the other spelling;
    the results below are that number's, so the note does not say that nothing matched.
    """
    return f"Số hiệu {typed_key.upper()} được tìm theo cách viết {shown}."


def type_and_number(parsed, types: list[str]) -> list[tuple[str, str, object]]:
    """``[(doc_type, number, parsed_without_it)]`` for "<type name> [số] <number>" in the free text.

    ``types`` are the document type names the index holds (its ``doc_type`` values), so only real
    types are recognised: ``chỉ thị 43``, ``chi thi so 43``, ``Kế hoạch 93``.
    """
    found = []
    by_fold = sorted(((fold(t), t) for t in types if t), key=lambda p: -len(p[0]))
    if not by_fold:
        return found
    names = "|".join(re.escape(f) for f, _ in by_fold)
    pattern = re.compile(rf"(?<!\w)(?P<type>{names})\s+(?:so\s+)?(?P<n>\d{{1,5}})(?![\w/.-])")
    groups = list(parsed.groups)
    for i, group in enumerate(groups):
        m = pattern.search(fold(group))  # fold keeps offsets: cut the original text at them
        if not m:
            continue
        doc_type = dict(by_fold)[m.group("type")]
        groups[i] = (group[:m.start()] + " " + group[m.end():]).strip()
        found.append((doc_type, m.group("n").lstrip("0") or "0"))
    if not found:
        return []
    rest = replace(parsed, groups=tuple(g for g in groups if g))
    return [(t, n, rest) for t, n in found]


@dataclass(frozen=True)
class QueryPlan:
    """What one query asks of the index, decided before anything is evaluated."""

    parsed: ParsedQuery                 # the words that are left once numbers and type+number are taken out
    query: Q.Query | None               # the ranked query; ``None``: nothing to rank (browse, or no usable word)
    excluded: Q.Query | None            # ``-word`` / ``-"phrase"``: entries to leave out
    fallback: Q.Query | None            # any word, ranked: when every word required finds nothing
    number_keys: tuple[str, ...]        # document numbers searched (as typed, or their known spelling)
    notes: tuple[str, ...]              # what the page says about how numbers were read


def plan_query(text: str, known: Callable[[str], bool], doc_types: list[str],
               shown: Callable[[str], str] = str.upper) -> QueryPlan:
    """``text`` → ``QueryPlan``. ``known(key)``: does the index hold that number (as an entry or a
    citation); ``doc_types``: the type names it holds; ``shown(key)``: how it writes that number."""
    parsed = parse_query(text)
    keys, notes = [], []
    for key in parsed.number_keys:
        alt = None if known(key) else next((k for k in near_miss_keys(key) if known(k)), None)
        keys.append(alt or key)
        if alt:
            notes.append(number_note(key, shown(alt)))
    extra = []
    for doc_type, number, rest in type_and_number(parsed, doc_types):
        extra.append(type_number_query(doc_type, number))
        parsed = rest
    return QueryPlan(parsed=parsed, query=compose(parsed, keys, extra), excluded=exclusion_query(parsed),
                     fallback=None if keys else any_word_query(parsed), number_keys=tuple(keys), notes=tuple(notes))

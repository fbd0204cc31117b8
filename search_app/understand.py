"""Number-shaped parts of a query that are not full document numbers.

- ``near_miss_keys("43/ct-tw")`` → ``["43-ct/tw"]``: the other separator style of the same number
  (state documents use ``number/TYPE-ISSUER``, Party documents ``number-TYPE/ORGAN``; people mix them).
- ``type_and_number(parsed, types)``: ``chỉ thị 43`` → the Chỉ thị numbered 43, whatever its symbol.
- ``number_note("43/ct-tw", "43-CT/TW")``: what the results page says when it searched the other spelling.
- ``plan_query(text, ...)``: all of the above and ``query.parse_query`` / ``compose`` as one typed
  ``QueryPlan``, the only thing the search service evaluates. Pure: what the index holds comes in as
  arguments (a ``known`` test for number keys, the document types, the laws it names), so understanding
  never imports evaluation.

What people type beyond words (``plan_query``):

- a number no entry bears or cites is a note, not a required clause ("không gian mạng 99/2018/QH14"
  → the results of "không gian mạng");
- a year is a preference ("luật phổ biến giáo dục pháp luật 2012": that year's entries first, the same
  hits), and a filter when the user says "năm 2019" in a short query;
- a law named without its number ("luật an ninh mạng", "bộ luật lao động 2019") puts the law's own
  record first; "Điều 2 Luật An ninh mạng" puts that article (a title "Điều 2. …") before it;
- question boilerplate ("…, đúng hay sai?") is left out (``search_app.boilerplate``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable, Mapping

from whoosh import query as Q

from indexer.cite.citations import extract_citations
from indexer.text.normalize import fold
from search_app.boilerplate import strip_boilerplate
from search_app.query import (WEIGHTS, ParsedQuery, any_word_query, compose, exclusion_query, is_short, parse_query,
                              type_number_query)

# A law's name is at most this many words ("Luật Tổ chức Tòa án nhân dân" has 7): longer titles are not names.
MAX_LAW_NAME_WORDS = 16

__all__ = ["MAX_LAW_NAME_WORDS", "near_miss_keys", "number_note", "unknown_number_note", "type_and_number", "take_years", "find_laws",
           "law_words", "LAW_HEADS", "QueryPlan", "plan_query"]

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


def unknown_number_note(typed_key: str) -> str:
    """``"99/2018/qh14"`` → what the page says when no entry bears or cites that number."""
    return f"Số hiệu {typed_key.upper()} không có trong dữ liệu (không văn bản nào mang hay trích dẫn số này): kết quả theo các từ còn lại."


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
        if not m or (fold(dict(by_fold)[m.group("type")]) in _LAW_TYPE_NAMES and _YEAR.fullmatch(m.group("n"))):
            continue  # "Luật … 2012": laws are numbered 14/2012/QH13, the 2012 is a year
        doc_type = dict(by_fold)[m.group("type")]
        groups[i] = (group[:m.start()] + " " + group[m.end():]).strip()
        found.append((doc_type, m.group("n").lstrip("0") or "0"))
    if not found:
        return []
    rest = replace(parsed, groups=tuple(g for g in groups if g))
    return [(t, n, rest) for t, n in found]


MAX_LAW_VERSIONS = 3  # a name without a year: its newest few laws ("Bộ luật Lao động": 2019, then 2012)
_NUMBER_WORD_LEFT = re.compile(r"\s*(?<!\w)(?:số|so)\s*:?\s*$", re.IGNORECASE)  # "… số" once its number is cut
_LAW_TYPE_NAMES = ("luat", "bo luat", "phap lenh", "hien phap")
_WORD = re.compile(r"[^\W_]+")
# A year standing alone, e.g. "2012" in "luật phổ biến giáo dục pháp luật 2012", or "năm 2019".
_YEAR = re.compile(r"(?<![\w/.-])(?:(?P<nam>nam)\s+)?(?P<y>(?:19|20)\d\d)(?![\w/.-])")
# An article reference, e.g. "Điều 2", "khoản 3 Điều 143", "điểm a khoản 1 Điều 5".
_ARTICLE = re.compile(r"(?<!\w)(?:diem\s+[a-z]\s+)?(?:khoan\s+\d+\s+)?dieu\s+(?P<n>\d{1,3})(?![\w/.-])")
LAW_HEADS = ("luat", "bo", "phap", "hien")  # first folded word of a law's name: Luật, Bộ luật, Pháp lệnh, Hiến pháp


def law_words(title: str) -> tuple[str, ...]:
    """A law's name as folded words: ``"Luật Phổ biến, giáo dục pháp luật"`` → ``("luat", "pho", …)``."""
    return tuple(_WORD.findall(fold(title).lower()))


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " " + text[end:]
    return " ".join(text.split())


def find_laws(group: str, laws: Mapping[tuple[str, ...], list[tuple[str, str, str]]]):
    """``[([(number key, entry id)], year, (start, end) of the year or None)]`` for each law ``group`` names.

    ``laws``: a law's folded name words → ``[(year, number key, entry id)]`` newest first, as the index
    holds them. A year right after the name ("Bộ luật Lao động 2019", "… năm 2019") chooses among them.
    """
    words = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(fold(group).lower())]
    longest = MAX_LAW_NAME_WORDS  # no name in ``laws`` is longer (the service reads no longer one)
    found, i = [], 0
    while i < len(words):
        size = next((n for n in range(min(longest, len(words) - i), 1, -1)
                     if words[i][0] in LAW_HEADS and tuple(w for w, _, _ in words[i:i + n]) in laws), 0)
        if not size:
            i += 1
            continue
        versions = laws[tuple(w for w, _, _ in words[i:i + size])]
        i += size
        year, span = "", None
        at = i + (i < len(words) and words[i][0] == "nam")
        if at < len(words) and _YEAR.fullmatch(words[at][0]):
            year, span = words[at][0], (words[i][1], words[at][2])
            i = at + 1
        chosen = [(k, e) for y, k, e in versions if y == year] if year else []
        found.append((chosen or [(k, e) for _, k, e in versions], year, span))
    return found


def take_years(group: str) -> tuple[str, list[str], str]:
    """``(group without its years, preferred years, filter year)``: "năm 2019" in a short query is a
    filter, any other year a preference. ``"kế hoạch năm 2019"`` → ``("kế hoạch", [], "2019")``."""
    matches = list(_YEAR.finditer(fold(group).lower()))
    if not matches:
        return group, [], ""
    rest = _cut(group, [m.span() for m in matches])
    if not rest and not any(m.group("nam") for m in matches):  # "2012" alone: the number is the query
        return group, [], ""
    said = [m.group("y") for m in matches if m.group("nam")]
    year_filter = said[0] if said and len(set(said)) == 1 and is_short(rest or "x") else ""
    preferred = [m.group("y") for m in matches if m.group("y") != year_filter]
    return rest, list(dict.fromkeys(preferred)), year_filter


def _named_laws(group: str) -> list[tuple[str, ...]]:
    """Folded words of the laws ``group`` names that the index may not hold ("Luật Du lịch")."""
    return [law_words(c.name) for c in extract_citations(group) if c.name and not c.number]


def _article_pins(group: str, keys: list[str]) -> tuple[str, list[Q.Query]]:
    """``(group without "khoản 3 Điều 2", [that article of the law named])``: an entry titled
    "Điều 2. …" that bears or cites the law's number (``keys``), or whose text names the law."""
    m = _ARTICLE.search(fold(group).lower())
    names = _named_laws(group) if m else []
    if not m or not (keys or names):
        return group, []
    law = [Q.Term(f, k) for k in keys for f in ("doc_key", "citations")]
    law += [Q.Phrase("text_f", list(n)) for n in names if len(n) > 1]
    pin = Q.And([Q.Term("title", "điều"), Q.Term("title", m.group("n")), Q.Or(law)])
    return _cut(group, [m.span()]), [pin]


@dataclass(frozen=True)
class QueryPlan:
    """What one query asks of the index, decided before anything is evaluated."""

    parsed: ParsedQuery                 # the words that are left once numbers and type+number are taken out
    query: Q.Query | None               # the ranked query; ``None``: nothing to rank (browse, or no usable word)
    excluded: Q.Query | None            # ``-word`` / ``-"phrase"``: entries to leave out
    fallback: Q.Query | None            # any word, ranked: when every word required finds nothing
    number_keys: tuple[str, ...]        # document numbers searched (as typed, or their known spelling)
    notes: tuple[str, ...]              # what the page says about how numbers were read
    first: tuple[Q.Query, ...] = ()     # entries put first, in this order (an article, a law named)
    prefer: tuple[tuple[Q.Query, float], ...] = ()  # matching entries' scores × factor (a year)
    year: str = ""                      # "năm 2019": only entries of that year (when there are any)


def plan_query(text: str, known: Callable[[str], bool], doc_types: list[str],
               shown: Callable[[str], str] = str.upper,
               laws: Mapping[tuple[str, ...], list[tuple[str, str, str]]] | None = None) -> QueryPlan:
    """``text`` → ``QueryPlan``. ``known(key)``: does the index hold that number (as an entry or a
    citation); ``doc_types``: the type names it holds; ``shown(key)``: how it writes that number;
    ``laws``: the laws it holds by name (``find_laws``)."""
    parsed = parse_query(text)
    keys, notes = [], []
    for key in parsed.number_keys:
        alt = None if known(key) else next((k for k in near_miss_keys(key) if known(k)), None)
        if alt:
            notes.append(number_note(key, shown(alt)))
        elif not known(key):  # a preference the index cannot meet: the words still count
            notes.append(unknown_number_note(key))
            continue
        keys.append(alt or key)
    extra = []
    for doc_type, number, rest in type_and_number(parsed, doc_types):
        extra.append(type_number_query(doc_type, number))
        parsed = rest
    groups, first, law_first, prefer, year_filter = [], [], [], [], ""
    for group in parsed.groups:
        if parsed.number_keys:  # "Luật An ninh mạng số 24/2018/QH14": the "số" went with its number
            group = _NUMBER_WORD_LEFT.sub("", group)
        found = find_laws(group, laws or {})
        versions = [v for vs, _, _ in found for v in vs[:MAX_LAW_VERSIONS]]
        law_keys = list(dict.fromkeys(k for k, _ in versions))
        group = _cut(group, [span for _, _, span in found if span])
        group, pins = _article_pins(group, law_keys + keys)
        first += pins
        if is_short(group):  # the law looked up by name: its own record first, then what cites it
            law_first += [Q.Term("id", e) for _, e in versions]
            prefer += [(Q.Or([Q.Term("doc_key", k), Q.Term("citations", k)]), WEIGHTS["law_cited"]) for k in law_keys]
        else:  # a question about the law: its articles (entries bearing its number) rank higher
            prefer += [(Q.Term("doc_key", k), WEIGHTS["law_cited"]) for k in law_keys]
        stripped = strip_boilerplate(group)
        # a question stays a question: left short, every remaining word would be required
        group, years, said = take_years(group if is_short(stripped) and not is_short(group) else stripped)
        year_filter = year_filter or said
        prefer += [(Q.Term("year", y), WEIGHTS["year"]) for y in years]
        if group:
            groups.append(group)
    parsed = replace(parsed, groups=tuple(groups))
    return QueryPlan(parsed=parsed, query=compose(parsed, keys, extra), excluded=exclusion_query(parsed),
                     fallback=None if keys else any_word_query(parsed), number_keys=tuple(keys), notes=tuple(notes),
                     first=tuple(first + law_first), prefer=tuple(prefer), year=year_filter)

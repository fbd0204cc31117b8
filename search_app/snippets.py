"""HTML from stored text: highlighted snippets, and full text with its citations linked.

Everything from a document is escaped; the only markup is what this module adds (``<mark>``,
``<a href>``, ``<p>``). Matching is on folded syllables, so ``chu thap do`` marks ``Chữ thập đỏ``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape
from urllib.parse import quote

from indexer.text.analysis import folded_analyzer
from indexer.text.normalize import fold

__all__ = ["snippet", "number_pattern", "query_terms", "linked_text", "citation_href"]

SNIPPET_CHARS = 260
# A long text (a gazette's 240k characters take ~2 ms to fold and search, and a common word's
# thousands of matches more to weigh) is read from its first SCAN_CHARS when every word and number
# of the query is found there; else whole.
SCAN_CHARS = 5_000
_SYLLABLE = re.compile(r"\w+")
_LAST_SPACE = re.compile(r"\s\S*$")
_FOLD = folded_analyzer()


def query_terms(parsed) -> frozenset[str]:
    """Folded syllables of the query's text and phrases (not of its exclusions)."""
    text = " ".join(tuple(parsed.groups) + tuple(parsed.phrases))
    return frozenset(t.text for t in _FOLD(text))


@lru_cache(maxsize=256)
def number_pattern(key: str) -> re.Pattern | None:
    """Where a document number appears in folded text, any spelling: ``"43-ct/tw"`` matches
    ``"43-ct/tw"``, ``"43 - ct/tw"`` and ``"43/ct-tw"``; ``None`` for a law's name key."""
    parts = re.findall(r"\w+", fold(key))
    if ":" in key or len(parts) < 2:
        return None
    # its first part before the look-behind: a pattern that starts with a literal is searched for as
    # one (~20x faster on a long text than a look-behind tried at every character)
    first = re.escape(parts[0])
    return re.compile(first + rf"(?<!\w{first})" + "".join(r"\s*[-/_ ]\s*" + re.escape(p) for p in parts[1:]) + r"(?!\w)")


@lru_cache(maxsize=256)
def _terms_pattern(terms: frozenset[str]) -> re.Pattern | None:
    """Whole syllables (runs of word characters) equal to one of ``terms``, longest first, so the
    regex engine scans the text instead of Python looking at each of its syllables."""
    words = sorted((t for t in terms if _SYLLABLE.fullmatch(t)), key=lambda t: (-len(t), t))
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)") if words else None


def _matches(folded: str, terms: frozenset[str], numbers: tuple[str, ...] = ()) -> list[tuple[int, int]]:
    """Spans of the query's syllables and numbers in ``folded`` (the text folded: one character for
    one, so offsets carry over to the text)."""
    pattern = _terms_pattern(terms)
    spans = [m.span() for m in pattern.finditer(folded)] if pattern is not None else []
    for pattern in filter(None, map(number_pattern, numbers)):
        spans += [(m.start(), m.end()) for m in pattern.finditer(folded)]
    spans.sort()
    return [sp for i, sp in enumerate(spans) if i == 0 or sp[0] >= spans[i - 1][1]]  # no overlaps


def _window(text: str, folded: str, spans: list[tuple[int, int]], size: int) -> tuple[int, int]:
    """The ``size``-character window holding the most distinct matched words, snapped to spaces."""
    if not spans:
        return 0, min(len(text), size)
    words = [folded[s:e] for s, e in spans]
    best, best_score, j = 0, -1, 0
    held: dict[str, int] = {}  # matched words in spans[i:j], with how often
    for i, (start, _) in enumerate(spans):
        if i and i <= j:  # the window no longer starts at spans[i - 1], which it held
            held[words[i - 1]] -= 1
            if not held[words[i - 1]]:
                del held[words[i - 1]]
        j = max(j, i)  # a match longer than the window: an empty one starts here
        while j < len(spans) and spans[j][1] - start <= size:
            held[words[j]] = held.get(words[j], 0) + 1
            j += 1
        score = len(held) * 10 + (j - i)
        if score > best_score:
            best, best_score = i, score
    start = max(0, spans[best][0] - size // 5)
    if start:
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= 0 and start - space < 30 else start
    end = min(len(text), start + size)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + size // 2 else end
    return start, end


def _marked(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    out, pos = [], start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(escape(text[pos:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    out.append(escape(text[pos:end]))
    return "".join(out)


def _read(text: str, terms: frozenset[str], numbers: tuple[str, ...]) -> tuple[str, list[tuple[int, int]]]:
    """``text`` folded, and the spans of the query's words and numbers in it."""
    folded = fold(text).lower()
    return folded, (_matches(folded, terms, numbers) if terms or numbers else [])


def _holds_all(folded: str, spans: list[tuple[int, int]], terms: frozenset[str], numbers: tuple[str, ...]) -> bool:
    """Does ``folded`` hold every syllable of ``terms`` (``spans``: where they were found) and every
    number?"""
    found = {folded[s:e] for s, e in spans}
    return (all(t in found for t in terms if _SYLLABLE.fullmatch(t))
            and all(p.search(folded) for p in filter(None, map(number_pattern, numbers))))


def snippet(text: str, terms: frozenset[str], size: int = SNIPPET_CHARS, numbers: tuple[str, ...] = ()) -> str:
    """An HTML snippet of ``text`` around the query's words and document numbers (keys), matches in
    ``<mark>``, the rest escaped: the window holding most of them (of the first ``SCAN_CHARS`` of a
    long text when they hold every one)."""
    if not text:
        return ""
    read = text
    if len(text) > 2 * SCAN_CHARS:  # its head, cut where a word ends (a cut word could pass for another)
        cut = _LAST_SPACE.search(text, 0, SCAN_CHARS)
        read = text[:cut.start() if cut and cut.start() else SCAN_CHARS]
    folded, spans = _read(read, terms, numbers)
    if len(read) < len(text) and not _holds_all(folded, spans, terms, numbers):
        read = text
        folded, spans = _read(text, terms, numbers)
    start, end = _window(read, folded, spans, size)  # (within what was read: what is shown is marked)
    body = _marked(read, spans, start, end).replace("\n", " ")
    return ("… " if start else "") + body + (" …" if end < len(text) else "")


def _paragraphs(escaped: str) -> str:
    parts = [p.strip() for p in re.split(r"\n\s*\n", escaped)]
    return "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in parts if p)


def citation_href(cite: dict) -> str:
    """Where a citation links: the page of its number (or of its key, for a law cited by name)."""
    return "/van-ban/" + quote(cite.get("number") or cite.get("key", ""), safe="/")


def linked_text(body: str, cites: list[dict], offset: int, href=citation_href) -> str:
    """``body`` as HTML paragraphs with each citation (offsets shifted by ``offset``) as a link."""
    out, pos = [], 0
    for c in sorted(cites, key=lambda c: c.get("start", 0)):
        s, e = c.get("start", 0) - offset, c.get("end", 0) - offset
        if s < pos or e > len(body) or s < 0 or not c.get("key"):
            continue
        out.append(escape(body[pos:s]))
        out.append(f'\x00a href="{escape(href(c))}"\x01{escape(" ".join(body[s:e].split()))}\x00/a\x01')
        pos = e
    out.append(escape(body[pos:]))
    html = _paragraphs("".join(out))
    return html.replace("\x00", "<").replace("\x01", ">")

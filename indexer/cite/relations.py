"""What each citation means: the relation of the citing entry to the cited document (pure).

``read_relations(text, extract_citations(text))`` reads, for every citation, the words of its sentence
around it (the cue phrases of ``cues.py``, matched on ``fold(text)`` so offsets hold) and answers one
of ``cues.RELATIONS``:

* a sentence that starts with "Căn cứ" rests on every document it names: ``can_cu``, even a law
  whose name says "sửa đổi, bổ sung" or one that "đã được sửa đổi, bổ sung bởi Luật số …";
* a passive cue right before a citation ("Được thay thế bởi Nghị định số …") says the citing entry
  is the one affected: ``bi_thay_the`` …;
* an active cue right before a citation ("Bãi bỏ Điều 5 Thông tư số …", "Kế hoạch thực hiện Kết luận
  số 44-KL/TW") gives its relation to that document and to the list that follows it; a cue after a
  citation that is its subject ("Thông tư số … hết hiệu lực kể từ ngày …") gives ``het_hieu_luc``;
* items of a list ("a) Quyết định số …;") take the cue of the line that introduces them
  ("Bãi bỏ các văn bản sau đây:");
* anything else, and any cue whose subject is another cited document ("Nghị định số A sửa đổi
  Nghị định số B"), is ``dan_chieu``: a wrong "no longer in force" misleads most, so when unsure, say
  only that the document is referred to.

Cues inside a citation (the name "Luật sửa đổi, bổ sung …", the type "Hướng dẫn số …") never count.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from indexer.cite import cues
from indexer.cite.citations import Citation, _DATE, _iso
from indexer.text.normalize import fold

__all__ = ["Reading", "read_relations", "quote", "STRONG"]

STRONG = frozenset({"thay_the", "bai_bo", "het_hieu_luc"})  # what ends a document's force


@dataclass(frozen=True)
class Reading:
    """The relation of one citation, with where it was read: ``cue`` and ``sentence`` are offsets."""

    relation: str
    cue: tuple[int, int] = (0, 0)
    sentence: tuple[int, int] = (0, 0)
    partial: bool = False   # only some provisions: "Bãi bỏ Điều 5 Thông tư số …"
    effect_date: str = ""   # "hết hiệu lực kể từ ngày 01/7/2025" → "2025-07-01"

    def to_dict(self) -> dict:
        """JSON-ready: ``{"relation": …, "cue": [s, e], "sentence": [s, e], "partial": …, "effect_date": …}``."""
        d = asdict(self)
        d["cue"], d["sentence"] = list(self.cue), list(self.sentence)
        return d


def _alt(patterns) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


_ACTIVE_RE = {rel: re.compile(rf"(?<![a-z])(?:{_alt(ps)})(?![a-z])") for rel, ps in cues.ACTIVE.items()}
_PASSIVE_RE = {rel: re.compile(rf"(?<![a-z])(?:{_alt(ps)})(?![a-z])") for rel, ps in cues.PASSIVE.items()}
_SUBJECT_RE = {rel: re.compile(rf"(?<![a-z])(?:{_alt(ps)})(?![a-z])") for rel, ps in cues.SUBJECT_CUES.items()}
_BASIS_RE = re.compile(rf"{cues.BASIS}")
_NOT_ACTIVE_RE = re.compile(cues.NOT_ACTIVE_BEFORE)
_NEGATION_RE = re.compile(cues.NEGATION)
_PROVISION_RE = re.compile(rf"(?<![a-z]){cues.PROVISION_WORDS}")
# what may stand between a cue and its document: gap words, provisions and their numbers, "số",
# quoted phrases ("cụm từ “…”"), commas and dashes
_GAP_RE = re.compile(
    rf"(?:\s|,|-|\bso\b|\b(?:{cues.GAP_WORDS})\b|{cues.PROVISION_WORDS}\s*(?:\d+[a-z]?|[a-z]\b|[ivxlc]+\b)?"
    r"|\d+[a-z]?\b|[\u201c\"][^\u201d\"]{0,120}[\u201d\"])*")
_CONNECTOR_RE = re.compile(r"(?:,|;|\bva|\bhoac|\bcung\s+nhu)\s*(?:cac\s+|tai\s+|cua\s+)?$")
_SENTENCE_END_RE = re.compile(r"[;\n]|\.(?=\s)")
_LIST_ITEM_RE = re.compile(r"\s*(?:[a-zđ]\)|\d{1,2}[.)]|[-+•*])\s")
_THIS_RE = re.compile(r"(?<![a-z])nay(?![a-z])")
_EFFECT_DATE_RE = re.compile(rf"(?:ke\s+)?tu\s+ngay\s*{_DATE}")
_AND_BEFORE_RE = re.compile(r"(?:,|\bva|\bdong\s+thoi)\s*$")
_FOOTNOTE_RE = re.compile(r"^\s*\d{0,3}\s*")  # the mark of a footnote in a consolidated text: "12 Khoản này …"
_ATTACHED_RE = re.compile(r"(?:kem\s+theo|quy\s+dinh\s+tai)\s*$")  # "Quy trình … ban hành kèm theo Thông tư số …": a part of it
_PASSIVE_GAP_RE = re.compile(rf"(?<![a-z])(?:{cues.PASSIVE_GAP_WORDS})(?![a-z])")
_STRONG_LEAD_RE = re.compile(cues.STRONG_LEAD)
_NOT_SUBJECT_BETWEEN_RE = re.compile(cues.NOT_SUBJECT_BETWEEN)
_NOT_SUBJECT_BEFORE_RE = re.compile(cues.NOT_SUBJECT_BEFORE)
_TYPE_AFTER_RE = re.compile(r"\s*so\b")  # "Đính chính số 764/BYT-DP", "Hướng dẫn số …": the cue is a type
_WHERE_GAP_RE = re.compile(cues.WHERE_GAP)
_WHERE_CUE_RE = re.compile(r"bai\s+bo|sua\s+doi|bo\s+sung")  # not "thu hồi quyết định kê biên … quy định tại …"
_WHERE_RE = re.compile(r"(?<![a-z])quy\s+dinh\s+tai(?![a-z])")
_OUTLINE_RE = re.compile(cues.OUTLINE_HEADING)
_PASSIVE_AFTER_RE = re.compile(r"\s*(?:boi|theo|tai)\b")
_PARTIAL_AFTER_RE = re.compile(r"\s*(?:thi\s+hanh\s+)?mot\s+phan\b")
MAX_GAP = 160        # characters between a cue and the document it governs
MAX_SUBJECT_GAP = 320  # between a document and the "hết hiệu lực" it is the subject of (its tail, abstract)


def _ends_sentence(text: str, m: re.Match) -> bool:
    """A ";" or ". " ends a sentence; a line break only where a new one visibly starts (gazette PDF
    text wraps lines mid-sentence: "Luật Giáo dục số \\n38/2005/QH11"): after ".;:", before a blank
    line, a capital letter or a list item ("a) …", "1. …", "- …")."""
    if m.group() != "\n":
        return True
    before = text[max(0, m.start() - 80):m.start()].rstrip(" \t")
    if not before or before[-1] in ".;:!?\n":
        return True
    nxt = text[m.end():m.end() + 8].lstrip(" \t")
    return not nxt or nxt[0] == "\n" or nxt[0].isupper() or _LIST_ITEM_RE.match(" " + nxt + " ") is not None


def _sentence(text: str, f: str, start: int, end: int) -> tuple[int, int]:
    """The clause around ``start:end``: from after the last sentence end (``_ends_sentence``) to the next."""
    s0 = max((m.end() for m in _SENTENCE_END_RE.finditer(f, max(0, start - 1500), start) if _ends_sentence(text, m)),
             default=0)
    stop = next((m.start() for m in _SENTENCE_END_RE.finditer(f, end, min(len(f), end + 1500))
                 if _ends_sentence(text, m)), min(len(f), end + 1500))
    return s0, stop


def _outline(f: str) -> list[tuple[int, int, str, tuple[int, int]]]:
    """The parts of a flattened "Lược đồ" (start, end, relation, heading offsets): from a heading
    ("Văn bản căn cứ [2]") to the next one."""
    heads = list(_OUTLINE_RE.finditer(f))
    out = []
    for m, nxt in zip(heads, heads[1:] + [None]):
        label = " ".join(f[m.start():m.end()].rsplit("[", 1)[0].split())
        end = nxt.start() if nxt is not None else min(len(f), m.end() + 600)
        if label in cues.OUTLINE and not f[m.end() - 3:m.end()].endswith("[0]"):
            out.append((m.end(), end, cues.OUTLINE[label], m.span()))
    return out


class _Reader:
    """Reads the relations of every citation of one text."""

    def __init__(self, text: str, citations: list[Citation], own_key: str = ""):
        self.text, self.f, self.own_key = text, fold(text), own_key
        self.cites = citations
        self.spans = [(c.start, c.end) for c in citations]
        self._memo: dict[tuple[int, int], Reading] = {}
        self.outline = _outline(self.f) if "[" in text else []

    def _inside_citation(self, start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in self.spans)

    def _others_between(self, c: Citation, start: int, end: int) -> list[Citation]:
        """Citations of another document (not this one, not the entry's own) in ``start:end``."""
        return [o for o in self.cites if start <= o.start and o.end <= end and o.key != c.key
                and o.key != self.own_key]

    def _cues_before(self, table: dict, s0: int, pos: int):
        """(relation, match) of every cue in ``s0:pos`` outside citations, last first."""
        found = [(m.start(), rel, m) for rel, rx in table.items() for m in rx.finditer(self.f, s0, pos)
                 if not self._inside_citation(m.start(), m.end())]
        # a longer cue at the same place wins ("sửa đổi, bổ sung" over "sửa đổi"), and a cue that
        # overlaps the next one holds it ("hướng dẫn thực hiện" over "thực hiện")
        ordered = [(rel, m) for _, rel, m in sorted(found, key=lambda t: (t[0], t[2].end()), reverse=True)]
        out = []
        for rel, m in ordered:
            while out and m.end() > out[-1][1].start() and m.start() < out[-1][1].start():
                out.pop()
            out.append((rel, m))
        return out

    def _gap_ok(self, start: int, end: int, passive: bool = False, where: bool = False) -> bool:
        gap = self.f[start:end]
        if passive:
            gap = _PASSIVE_GAP_RE.sub(" ", gap)
        if where and (m := _WHERE_GAP_RE.match(gap)):  # "Bãi bỏ điều kiện … quy định tại Điều 61 …"
            gap = gap[m.end():]
        return len(gap) <= MAX_GAP and _GAP_RE.fullmatch(gap) is not None

    def _subject_is_other(self, c: Citation, s0: int, cue_start: int) -> bool:
        """Another cited document stands before the cue, with no "này" after it: A does it, not us.

        Not when that document is itself the object of an earlier cue and this cue starts a new verb
        of the same subject: "Quán triệt Nghị quyết số 27-NQ/TW … và triển khai thực hiện Kết luận số …".
        """
        before = self._others_between(c, s0, cue_start)
        if not before or _THIS_RE.search(self.f, before[-1].end, cue_start):
            return False
        prev = before[-1]
        if _AND_BEFORE_RE.search(self.f, prev.end, cue_start) and self.read(prev).relation != "dan_chieu":
            return False
        return True

    def _list_ok(self, first: Citation, c: Citation) -> bool:
        """``c`` continues the list that ``first`` starts: each item joined by a comma, "và", "hoặc"."""
        items = [o for o in self.cites if first.start <= o.start <= c.start]
        for a, b in zip(items, items[1:]):
            if b.start - a.end > MAX_SUBJECT_GAP or not _CONNECTOR_RE.search(self.f, a.end, b.start):
                return False
            if any(not self._inside_citation(m.start(), m.end())
                   for rx in list(_ACTIVE_RE.values()) + list(_SUBJECT_RE.values())
                   for m in rx.finditer(self.f, a.end, b.start)):
                return False  # another cue between the items starts another statement
        return True

    def _self_subject(self, start: int, cue_start: int) -> bool:
        """The passive speaks of the citing entry: the cue opens the clause (a page's metadata "Được
        thay thế bởi …", a footnote "12 Khoản này …"), "này" names it ("Khoản này được bãi bỏ theo …")
        or the clause opens with a part of it ("Cụm từ “…” được thay thế bằng …")."""
        lead = _FOOTNOTE_RE.sub("", self.f[start:cue_start])
        # a part of the text itself: "Cụm từ “…” được thay thế bằng …", "Mẫu số 5 được bãi bỏ theo …"
        return not lead.strip() or _THIS_RE.search(lead) is not None or _PROVISION_RE.match(lead) is not None

    def _amended_by(self, start: int, end: int) -> bool:
        """ "… số 51/2014/QH13 đã được sửa đổi, bổ sung một số điều theo Luật số …": the amending laws
        between a document and what is said of it belong to it."""
        return any(rx.search(self.f, start, end) for rx in _PASSIVE_RE.values())

    def _effect_date(self, s0: int, s1: int) -> str:
        m = _EFFECT_DATE_RE.search(self.f, s0, s1)
        return _iso(m) if m else ""

    def _active(self, c: Citation, s0: int, table: dict) -> tuple[str, re.Match] | None:
        """The cue of ``table`` that governs ``c``: right before it, or before the list it belongs to."""
        for rel, m in self._cues_before(table, s0, c.start):
            firsts = [o for o in self.cites if m.end() <= o.start <= c.start]
            first = min(firsts, key=lambda o: o.start) if firsts else c
            where = rel in cues.WHERE_GAP_RELATIONS and _WHERE_CUE_RE.match(self.f, m.start()) is not None
            if (not self._gap_ok(m.end(), first.start, table is _PASSIVE_RE, where)
                    or (first is not c and not self._list_ok(first, c)) or _TYPE_AFTER_RE.match(self.f, m.end())):
                return None  # the nearest cue does not govern it: no farther one does
            return rel, m
        return None

    def _subject(self, c: Citation, s0: int, s1: int) -> tuple[str, re.Match] | None:
        """A cue after ``c`` whose subject it is: "Thông tư số … hết hiệu lực kể từ ngày …"."""
        for rel, rx in _SUBJECT_RE.items():
            for m in rx.finditer(self.f, c.end, min(s1, c.end + MAX_SUBJECT_GAP)):
                if self._inside_citation(m.start(), m.end()):
                    continue
                later = [o for o in self.cites if c.end <= o.start and o.end <= m.start()]
                if later and not self._list_ok(c, later[-1]) and not self._amended_by(c.end, later[0].start):
                    return None
                before = self._others_between(c, s0, c.start)
                if before and not _CONNECTOR_RE.search(self.f, before[-1].end, c.start):
                    return None  # ``c`` is named in another document's abstract: that one is the subject
                if (_NOT_SUBJECT_BETWEEN_RE.search(self.f, c.end, m.start())
                        or _NOT_SUBJECT_BEFORE_RE.search(self.f, s0, c.start)):
                    return None
                if (_NEGATION_RE.search(self.f, max(0, m.start() - 12), m.start())
                        or _PASSIVE_AFTER_RE.match(self.f, m.end()) or _THIS_RE.search(self.f, c.end, m.start())):
                    return None
                return rel, m
        return None

    def read(self, c: Citation) -> Reading:
        key = (c.start, c.end)
        if key not in self._memo:
            self._memo[key] = self._read(c)
        return self._memo[key]

    def _read(self, c: Citation) -> Reading:
        for start, end, rel, head in self.outline:  # a page's "Lược đồ": the heading says
            if start <= c.start < end:
                return Reading(rel, head, (start, end))
        s0, s1 = _sentence(self.text, self.f, c.start, c.end)
        head = _LIST_ITEM_RE.match(self.f, s0)
        start = head.end() if head else s0
        while start < c.start and self.f[start].isspace():
            start += 1
        if (m := _BASIS_RE.match(self.f, start)) and not self._inside_citation(m.start(), m.end()):
            return Reading("can_cu", m.span(), (s0, s1))
        if c.key and c.key == self.own_key:
            return Reading("dan_chieu", sentence=(s0, s1))
        found = self._active(c, s0, _PASSIVE_RE)
        if found:
            rel, m = found
            if self._subject_is_other(c, s0, m.start()) or not self._self_subject(start, m.start()):
                return Reading("dan_chieu", sentence=(s0, s1))
            partial = bool(_PROVISION_RE.search(self.f, s0, m.start()))  # "Khoản này được bãi bỏ theo …"
            if rel == "bi_thay_the" and partial:  # "Cụm từ … được thay thế bằng …": an amendment
                rel = "bi_sua_doi"
            return Reading(rel, m.span(), (s0, s1), partial, self._effect_date(s0, s1))
        found = self._active(c, s0, _ACTIVE_RE)
        if found:
            rel, m = found
            if (_NOT_ACTIVE_RE.search(self.f, max(s0, m.start() - 24), m.start())
                    or self._subject_is_other(c, s0, m.start())
                    or (rel in STRONG and not _STRONG_LEAD_RE.search(_FOOTNOTE_RE.sub("", self.f[start:m.start()])))):
                return Reading("dan_chieu", sentence=(s0, s1))
            partial = bool(_PROVISION_RE.search(self.f, m.end(), c.start) or _WHERE_RE.search(self.f, m.end(), c.start))
            if rel == "thay_the" and partial:  # "Thay thế Mẫu số 08 … Thông tư số …": an amendment
                rel = "sua_doi"
            return Reading(rel, m.span(), (s0, s1), partial, self._effect_date(s0, s1) if rel in STRONG else "")
        found = self._subject(c, s0, s1)
        if found:
            rel, m = found
            partial = (bool(_PROVISION_RE.search(self.f, s0, c.start)) or bool(_PARTIAL_AFTER_RE.match(self.f, m.end()))
                       or bool(_ATTACHED_RE.search(self.f, max(s0, c.start - 30), c.start)))
            return Reading(rel, m.span(), (s0, s1), partial, self._effect_date(m.end(), s1))
        if head:
            return self._from_lead_in(c, s0, s1)
        return Reading("dan_chieu", sentence=(s0, s1))

    def _from_lead_in(self, c: Citation, s0: int, s1: int) -> Reading:
        """A list item takes the cue of the line ending in ":" that introduces the list."""
        pos = s0
        for _ in range(40):  # items of one list, back to its lead-in line
            prev_end = self.f.rfind("\n", 0, max(0, pos - 1))
            line = self.f[prev_end + 1:pos].rstrip()
            if not line:
                pos = prev_end + 1
                if prev_end < 0:
                    break
                continue
            if line.endswith(":"):
                lead0 = prev_end + 1
                if _BASIS_RE.match(self.f, lead0 + len(line) - len(line.lstrip())):
                    return Reading("can_cu", sentence=(s0, s1))
                for table in (_ACTIVE_RE, _SUBJECT_RE):
                    hits = self._cues_before(table, lead0, lead0 + len(line))
                    if hits and not self._others_between(c, lead0, lead0 + len(line)):
                        rel, m = hits[0]
                        if (table is _ACTIVE_RE and not re.search(r"\bsau(?:\s+day)?\s*:$", line)) or \
                                _NOT_ACTIVE_RE.search(self.f, max(lead0, m.start() - 24), m.start()):
                            break
                        return Reading(rel, m.span(), (s0, s1), self._partial_item(c, s0),
                                       self._effect_date(lead0, lead0 + len(line)))
                break
            if not _LIST_ITEM_RE.match(line + " "):
                break
            pos = prev_end + 1
            if prev_end < 0:
                break
        return Reading("dan_chieu", sentence=(s0, s1))

    def _partial_item(self, c: Citation, s0: int) -> bool:
        return bool(_PROVISION_RE.search(self.f, s0, c.start))


def read_relations(text: str, citations: list[Citation], own_key: str = "") -> list[Reading]:
    """One ``Reading`` per citation of ``text`` (``extract_citations(text)``), in the same order.

    ``"Nghị định này thay thế Nghị định số 123/2016/NĐ-CP"`` → ``thay_the``; ``own_key`` is the
    number key of the citing document itself, which is never the subject of another's act.
    """
    reader = _Reader(text, citations, own_key)
    return [reader.read(c) for c in citations]


def quote(text: str, sentence, cue, cite: tuple[int, int], width: int = 220) -> tuple[str, str, str, bool, bool]:
    """A short quote of the sentence around a citation, split at the cue: ``(before, cue, after, cut left,
    cut right)``; the cue is empty when the relation had none."""
    s0, s1 = sentence
    c0, c1 = cue if cue and cue[1] > cue[0] else (cite[0], cite[0])
    lo, hi = min(c0, cite[0]), max(c1, cite[1])
    left = max(s0, min(lo, hi - width) - 40)
    right = min(s1, max(hi, left + width))
    left = max(s0, min(left, right - width))
    before, mark, after = text[left:c0], text[c0:c1], text[c1:right]
    return " ".join(before.split()) + (" " if before[-1:].isspace() else ""), mark, \
        (" " if after[:1].isspace() else "") + " ".join(after.split()), left > s0, right < s1

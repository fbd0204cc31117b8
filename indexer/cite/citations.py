"""Citations of legal documents in Vietnamese text: ``extract_citations(clean(text))``.

Finds document numbers ("Kế hoạch số 93/KH-UBND", "Chỉ thị số 18/CT-TTg, ngày 09/7/2018",
"Kết luận số 44- KL/TW", "các Nghị định số 15/2020/NĐ-CP và 14/2022/NĐ-CP") and laws cited by name
("Luật hoạt động Chữ thập đỏ", "Bộ luật Lao động năm 2019"), with the issue date, issuer and abstract
where the text states them. Matching runs on ``fold(text)``, which has the length of the text (one
character for one), so case, diacritics and Ð/Đ do not matter and offsets point into the text given.
Pass ``normalize.clean(text)``: NFD text must be composed first.

The scanners live in ``docnumbers.py`` (document numbers) and ``lawnames.py`` (laws cited by name);
this module adds what the text says around each citation (date, issuer, abstract), the QCVN/TCVN
standards and the public API.

Decisions (the code tables and word lists live in ``tables.py``, with their sources):

* ``key`` of a numbered citation is ``fold(number)`` ("93/kh-ubnd"). A year-less number of two years
  has one key; ``year``/``date`` tell them apart (the index uses key + year where it needs to).
* A law's year is not part of its ``name``: "Bộ luật Lao động năm 2019" → name "Bộ luật Lao động",
  year 2019, key "bo luat:lao dong", so every citation of the law by name merges.
* A law named before its number ("Luật Đầu tư số 61/2020/QH14") is one numbered citation with
  ``name`` set. "Luật sửa đổi, bổ sung một số điều của Luật A và Luật B" is one citation.
* "Hiến pháp" is a citation with "nước Cộng hòa xã hội chủ nghĩa Việt Nam", a year, or after
  "Căn cứ"; not in "tuân thủ Hiến pháp và pháp luật".
* QCVN/TCVN standards written "QCVN 01:2009/BYT" are citations (doc_type "Quy chuẩn kỹ thuật quốc
  gia"); forms ("Mẫu số 01/TNCN"), licences ("Giấy phép số 28/GP-BC") and file names are not.
* ``issuer_name``: national codes from the table (TTg → "Thủ tướng Chính phủ"); codes whose holder
  depends on the place (UBND, HĐND, TU, Sở…) only from a stated phrase naming the place
  ("của UBND tỉnh Thanh Hóa", "Ủy ban nhân dân tỉnh Thanh Hóa đã ban hành …"); else "".
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from indexer.cite import tables
from indexer.cite.docnumbers import _NUMBER_RE, _Seg, _alternation, _left_ok, _number_parts, _scan_numbers
from indexer.cite.lawnames import _scan_laws, _starts_type
from indexer.text.normalize import fold

__all__ = ["Citation", "NotANumberError", "extract_citations", "find_numbers", "number_key",
           "canonical_number"]

class NotANumberError(ValueError):
    """The string holds no document number: ``canonical_number("Điều 5")``."""


@dataclass(frozen=True)
class Citation:
    """One citation. Numbered: ``number``/``key`` "93/KH-UBND"/"93/kh-ubnd"; by name: ``name`` set."""

    number: str = ""
    key: str = ""
    doc_type: str = ""
    type_code: str = ""
    issuer_code: str = ""
    issuer_name: str = ""
    year: int | None = None
    date: str = ""
    party: bool = False
    subject: str = ""
    name: str = ""
    start: int = 0
    end: int = 0
    raw: str = ""

    def to_dict(self) -> dict:
        """A JSON-ready dict with every field."""
        return asdict(self)


# --- what the text says next to a citation: date, issuer, abstract -------------------------------

_DATE = (r"(?:(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})"       # e.g. "09/7/2018"
         r"|(?P<d2>\d{1,2})\s+thang\s+(?P<m2>\d{1,2})\s*,?\s+nam\s+(?P<y2>\d{4}))")  # "18 tháng 4 năm 2023"
_DATE_AFTER_RE = re.compile(                                       # e.g. ", ngày 09/7/2018", " ban hành ngày …"
    rf"[\s,]*\(?\s*(?:(?:ky|ban\s+hanh|thong\s+qua)\s+)?ngay\s*{_DATE}")
_YEAR_AFTER_RE = re.compile(r"[\s,]*\(?\s*nam\s+(?P<y>(?:19|20)\d\d)(?![\d/])")  # e.g. " năm 2017"
_OF_RE = re.compile(r"[\s,]*cua\s+")                                 # e.g. " của " (checked on the text)
_TERM_RE = re.compile(r"\s*\(\s*khoa\s+[ivxlc\d]+\s*\)")             # e.g. " (khóa XIII)"
_ABOUT_RE = re.compile(r"[\s,]*(?P<kw>ve\s+viec|ve|v/v)\s+")        # e.g. " về việc " (checked on the text)
_QUOTE_RE = re.compile(r"[\s,:]*[\u201c\"](?P<q>[^\u201d\"\n]{3,400})[\u201d\"]")  # e.g. “Về tăng cường …”
_SUBJECT_END_RE = re.compile(r";|\.(?=\s|$)|\n\s*\n|\s\u2013\s")    # e.g. "; ", ". ", " – "
_ISSUED_BY_RE = re.compile(r"(?:(?:da|vua|moi)\s+)?ban\s+hanh\s*$")  # e.g. " đã ban hành "
_LEAD_DATE_RE = re.compile(rf"ngay\s+{_DATE}\s*,?\s*$")              # e.g. "Ngày 18 tháng 4 năm 2023, "
_LIST_BEFORE_RE = re.compile(r"(?:[,;]|\s(?:va|hoac))\s*(?:cac\s+)?$")  # e.g. "… và " before a list item
_WORD_RE = re.compile(r"[^\s,;:()\[\]\u201c\u201d\"]+")
_PLACE_BOUND = {fold(c) for c in tables.CONTEXT_ISSUERS} | {  # local Party organs: "TU", "VPTU"…
    fold(c) for c, name in tables.PARTY_ORGANS.items() if " ủy" in name and "Trung ương" not in name}
_ISSUER_NAMES_RE = re.compile(                                       # e.g. "Bộ trưởng Bộ Tài chính"
    r"(?:(?:bo\s+truong|thu\s+truong|chu\s+tich|thong\s+doc|chanh\s+an|vien\s+truong)\s+)?"
    rf"(?:{_alternation(list(tables.ISSUERS.values()) + ['Ban Bí thư', 'Bộ Chính trị'])})(?![a-z])")


def _iso(m: re.Match) -> str:
    d, mo, y = (int(m.group(k) or m.group(k + "2")) for k in ("d", "m", "y"))
    return f"{y:04d}-{mo:02d}-{d:02d}" if 1 <= d <= 31 and 1 <= mo <= 12 and 1900 <= y <= 2100 else ""


def _phrase(text: str, f: str, pos: int) -> tuple[str, int]:
    """The name of an issuing body starting at ``pos``: "Thủ tướng Chính phủ" (stops at "về …")."""
    known = _ISSUER_NAMES_RE.match(f, pos)
    words, end, last_full = 0, pos, pos
    for m in _WORD_RE.finditer(text, pos, min(len(text), pos + 160)):
        w, low, gap = m.group(), m.group().lower(), text[end:m.start()]
        nxt = text[m.end():m.end() + 12].split()
        if gap.count("\n") > 1 or (words and gap.strip()):
            break
        if not w[0].isupper() and (not words or low not in tables.ORGAN_WORDS):
            break
        if words and w[0].isupper() and _starts_type(f, m.start()):
            break
        if low == "về" or (low, nxt[0].lower() if nxt else "") in tables.ISSUER_STOP_PAIRS:
            break
        words, end = words + 1, m.end()
        if low not in ("và", "-"):
            last_full = end  # a name does not end with "và" or "-"
    end = last_full
    if known and known.end() > end:
        end = known.end()
    return " ".join(text[pos:end].split()), end


def _has_place(phrase: str) -> bool:
    """"UBND tỉnh Thanh Hóa", "Tỉnh ủy Thanh Hóa" name a place; "UBND tỉnh" does not."""
    words = phrase.split()
    places = {"tỉnh", "phố", "huyện", "quận", "xã", "phường", "ủy", "uỷ"}
    return any(w.lower() in places and nxt[0].isupper() for w, nxt in zip(words, words[1:]))


def _issuer_name(code: str, phrase: str) -> str:
    """The stated issuer if it fits the code; a national code's name from the table otherwise."""
    codes = code.split("-")
    if phrase:
        wanted = tables.ISSUER_PHRASES.get(codes[0]) or (fold(tables.ISSUERS.get(codes[0], "")),)
        if any(w and w in fold(phrase) for w in wanted):
            local = codes[0] in tables.CONTEXT_ISSUERS or fold(codes[0]) in _PLACE_BOUND
            if not local or _has_place(phrase):
                return phrase
    if all(c in tables.ISSUERS and c not in tables.CONTEXT_ISSUERS for c in codes):
        return ", ".join(tables.ISSUERS[c] for c in codes)
    return ""


def _tail(text: str, f: str, hit: dict) -> None:
    """Date, issuer and abstract written after the number: ", ngày 09/7/2018 của … về …"."""
    pos = hit["end"]
    m = _DATE_AFTER_RE.match(f, pos)
    if m and _iso(m):
        hit["date"], pos = _iso(m), m.end()
    elif (m := _YEAR_AFTER_RE.match(f, pos)) and hit["year"] is None:
        hit["year"], pos = int(m.group("y")), m.end()
    phrase = ""
    if (m := _OF_RE.match(f, pos)) and text[m.end() - 4:m.end() - 1].lower() == "của":
        phrase, pos = _phrase(text, f, m.end())
        pos = m2.end() if (m2 := _TERM_RE.match(f, pos)) else pos
    hit["issuer_name"] = _issuer_name(hit["issuer_code"], phrase) if hit["issuer_code"] else ""
    _subject(text, f, hit, pos)


def _subject(text: str, f: str, hit: dict, pos: int) -> None:
    """The abstract: a quotation right after, or "về …" up to the end of the clause."""
    if m := _QUOTE_RE.match(f, pos):
        hit["subject_span"] = m.span("q")
        return
    m = _ABOUT_RE.match(f, pos)
    if not m or text[m.start("kw"):m.start("kw") + 2].lower() not in ("về", "v/"):
        return
    stop = _SUBJECT_END_RE.search(text, m.end(), min(len(text), m.end() + 400))
    hit["subject_span"] = (m.end(), stop.start() if stop else min(len(text), m.end() + 400))


def _lead(text: str, f: str, hit: dict) -> None:
    """"Ngày 18 tháng 4 năm 2023, UBND tỉnh Thanh Hóa đã ban hành Kế hoạch số 93/KH-UBND"."""
    window_start = max(0, hit["start"] - 240)
    m = _ISSUED_BY_RE.search(f, window_start, hit["start"])
    if not m:
        return
    clause = max(text.rfind(c, window_start, m.start()) for c in ",;.\n:")
    org_start = clause + 1 if clause >= 0 else window_start
    words = text[org_start:m.start()].split()
    keep = len(words)
    while keep and (words[keep - 1][0].isupper() or words[keep - 1].lower() in tables.ORGAN_WORDS):
        keep -= 1
    org = words[keep:]
    while org and not org[0][0].isupper():
        org = org[1:]
    if org and not hit["issuer_name"] and hit["issuer_code"]:
        hit["issuer_name"] = _issuer_name(hit["issuer_code"], " ".join(org))
    if not hit["date"] and (d := _LEAD_DATE_RE.search(f, window_start, org_start)) and _iso(d):
        hit["date"] = _iso(d)


def _cut_subjects(hits: list[dict], text: str, f: str) -> None:
    """An abstract stops where the next item of a list starts: "… về X và Kế hoạch số 108 …"."""
    for hit in hits:
        s0, s1 = hit.pop("subject_span", (0, 0))
        for other in hits:
            if s0 < other["start"] < s1 and (cut := _LIST_BEFORE_RE.search(f, s0, other["start"])):
                s1 = cut.start()
                break
        hit["subject"] = " ".join(text[s0:s1].split()).rstrip(" ,;")


# --- technical standards ---------------------------------------------------------------------------

_STANDARD_RE = re.compile(
    r"(?P<kind>qcvn|tcvn)\s*"                                        # e.g. "QCVN "
    r"(?P<n>\d{1,5}(?:[-.]\d{1,4})*)\s*:\s*(?P<y>(?:19|20)\d\d)"     # e.g. "01:2009", "01-1:2018"
    r"(?:\s*/\s*(?P<iss>[a-z]{2,12})(?![a-z]))?")                    # e.g. "/BYT"
_STANDARD_TYPES = {"qcvn": "Quy chuẩn kỹ thuật quốc gia", "tcvn": "Tiêu chuẩn quốc gia"}


def _scan_standards(text: str, f: str) -> list[dict]:
    """QCVN/TCVN written with their prefix and year: "QCVN 01:2009/BYT"."""
    hits = []
    for m in _STANDARD_RE.finditer(f) if "cvn" in f else ():
        if m.start() and f[m.start() - 1].isalpha():
            continue
        issuer = _Seg(text[m.start("iss"):m.end("iss")]).canonical() if m.group("iss") else ""
        number = f"{m.group('kind').upper()} {m.group('n')}:{m.group('y')}" + (f"/{issuer}" if issuer else "")
        hits.append({"start": m.start(), "end": m.end(), "number": number, "key": fold(number),
                     "doc_type": _STANDARD_TYPES[m.group("kind")], "type_code": m.group("kind").upper(),
                     "issuer_code": issuer, "party": False, "year": int(m.group("y")), "name": ""})
    return hits


# --- public API -----------------------------------------------------------------------------------


def extract_citations(text: str) -> list[Citation]:
    """Citations in ``clean``-ed text, in text order.

    ``"Chỉ thị số 18/CT-TTg, ngày 09/7/2018 của Thủ tướng Chính phủ"`` → one citation with number
    "18/CT-TTg", date "2018-07-09", issuer_name "Thủ tướng Chính phủ".
    """
    if not text:
        return []
    f = fold(text)
    if len(f) != len(text):  # fold() maps one character to one; offsets rely on it
        raise ValueError("fold() changed the text length")
    numbered = _scan_numbers(text, f)
    hits = sorted(numbered + _scan_laws(text, f, numbered) + _scan_standards(text, f),
                  key=lambda h: h["start"])
    for hit in hits:
        hit.update(date="", issuer_name="")
        _tail(text, f, hit)
        _lead(text, f, hit)
        if hit["year"] is None and hit["date"]:
            hit["year"] = int(hit["date"][:4])
    _cut_subjects(hits, text, f)
    return [Citation(number=h["number"], key=h["key"], doc_type=h["doc_type"] or "",
                     type_code=h["type_code"], issuer_code=h["issuer_code"], issuer_name=h["issuer_name"],
                     year=h["year"], date=h["date"], party=h["party"], subject=h["subject"],
                     name=h["name"], start=h["start"], end=h["end"], raw=text[h["start"]:h["end"]])
            for h in hits]


def _numbers(text: str) -> list[dict]:
    """Numbers in a short query, accepted without context ("93/kh-ubnd", "43-CT/TW").

    A number typed all in lowercase is read as if typed in capitals when that makes it one: a công văn
    number's department code is free ("6027/ubnd-vx" → "6027/UBND-VX"), and in running text a lowercase
    unknown code is rejected for good reasons, but a query is a number someone means.
    """
    f = fold(text)
    upper = text.upper()
    upper = upper if len(upper) == len(text) else text
    found = []
    for m in _NUMBER_RE.finditer(f):
        if not _left_ok(f, m.start()):
            continue
        if parts := _number_parts(text, f, m, None) or _number_parts(upper, f, m, None):
            found.append(dict(parts, start=m.start()))
    return sorted(found + _scan_standards(text, f), key=lambda h: h["start"])


def find_numbers(text: str) -> list[tuple[int, int, str]]:
    """Document numbers anywhere in a query: ``"ke hoach 93/kh-ubnd"`` → ``[(9, 19, "93/kh-ubnd")]``."""
    return [(h["start"], h["end"], fold(h["number"])) for h in _numbers(text)]


def canonical_number(s: str) -> str:
    """The official spelling of a typed number: ``"108 - kh/tu"`` → ``"108-KH/TU"``."""
    found = _numbers(s)
    if not found:
        raise NotANumberError(f"no document number in {s!r}")
    return found[0]["number"]


def number_key(s: str) -> str:
    """The matching key of any spelling of a number: ``"43 - CT/TW"``, ``"43-ct/tw"`` → ``"43-ct/tw"``.

    A string that holds no number folds to itself without spaces, so a lookup simply finds nothing.
    A string that *is* a number once its spaces go ("18/CT - TTg") is read that way first: in running
    text " - " may end a number, in a typed lookup it does not.
    """
    compact = _SPACED_SEPARATOR_RE.sub(r"\1", s.strip())
    whole = [h for h in _numbers(compact) if h["start"] == 0 and h["end"] == len(compact)]
    if whole:
        return fold(whole[0]["number"])
    try:
        return fold(canonical_number(s))
    except NotANumberError:
        return "".join(fold(s).split())


_SPACED_SEPARATOR_RE = re.compile(r"\s*([/-])\s*")  # e.g. "18/CT - TTg" → "18/CT-TTg"

"""Citations of legal documents in Vietnamese text: ``extract_citations(clean(text))``.

Finds document numbers ("Kế hoạch số 93/KH-UBND", "Chỉ thị số 18/CT-TTg, ngày 09/7/2018",
"Kết luận số 44- KL/TW", "các Nghị định số 15/2020/NĐ-CP và 14/2022/NĐ-CP") and laws cited by name
("Luật hoạt động Chữ thập đỏ", "Bộ luật Lao động năm 2019"), with the issue date, issuer and abstract
where the text states them. Matching runs on ``fold(text)``, which has the length of the text (one
character for one), so case, diacritics and Ð/Đ do not matter and offsets point into the text given.
Pass ``normalize.clean(text)``: NFD text must be composed first.

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

from indexer import tables
from indexer.normalize import fold

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


# --- code tables, indexed by folded spelling ----------------------------------------------------


def _index(*tables_: dict[str, str]) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for table in tables_:
        for code in table:
            if code not in out.setdefault(fold(code), []):
                out[fold(code)].append(code)
    return {k: tuple(v) for k, v in out.items()}


_STATE_TYPE = _index(tables.STATE_TYPES)
_PARTY_TYPE = _index(tables.PARTY_TYPES)
_ISSUER = _index(tables.ISSUERS, tables.CONTEXT_ISSUERS, tables.PARTY_ORGANS)
_OLD_STATE_ISSUERS = ("CTN", "HĐNN", "CP", "HĐBT", "L", "QH")  # "18-L/CTN", "64-CP" (pre-1992)
_ORGAN = _index(tables.PARTY_ORGANS, dict.fromkeys(_OLD_STATE_ISSUERS, ""))
_OLD_STATE = {"cp", "hdbt", "ttg", "ctn", "hdnn", "qh", "ubtvqh"}
_PLACE_BOUND = {fold(c) for c in tables.CONTEXT_ISSUERS} | {  # local Party organs: "TU", "VPTU"…
    fold(c) for c, name in tables.PARTY_ORGANS.items() if " ủy" in name and "Trung ương" not in name}


def _canon(alpha: str, index: dict[str, tuple[str, ...]]) -> str:
    """Official spelling of a code as written: ``"qd"`` → ``"QĐ"``, ``"hd"`` → ``"HD"``; "" if unknown."""
    cands = index.get(fold(alpha))
    if not cands:
        return ""
    if alpha in cands:
        return alpha
    upper = alpha.upper()
    return next((c for c in cands if c.upper() == upper), cands[0])


def _alternation(words) -> str:
    folded = sorted({fold(w) for w in words}, key=len, reverse=True)
    return "|".join(r"\s+".join(map(re.escape, w.split())) for w in folded)


# --- document numbers ---------------------------------------------------------------------------

_SEG = r"[a-z][a-z0-9]*(?:&[a-z]+)?"  # one part of a folded symbol, e.g. "kh", "qh14", "bgd&dt"
_NUMBER_RE = re.compile(
    r"(?P<n>\d{1,5})(?:"                                       # the number, e.g. "93", "108"
    r"(?:[ \t]*/[ \t]*(?P<y>(?:19|20)\d\d))?[ \t]*/\s*"         # optional year, e.g. "/2020/"
    rf"(?P<sym>{_SEG}(?:[ \t]*[-_\u2010\u2013]\s*{_SEG})*)"     # state symbol, e.g. "/KH-UBND", "/NĐ-\nCP"
    rf"|[ \t]*[-\u2013][ \t]*(?P<pt>{_SEG})[ \t]*/[ \t]*(?P<po>{_SEG})"  # Party, e.g. "44-KL/TW", "108 - KH/TU"
    rf"|[ \t]+(?P<sp>{_SEG}-{_SEG}(?:-{_SEG})*)"                # space for slash, e.g. "1830 QĐ-UBND"
    rf"|-(?P<old>{_SEG})(?![a-z0-9/])"                          # pre-1992 state, e.g. "64-CP"
    r")")
_SEG_RE = re.compile(_SEG)
_NOT_BEFORE_NUMBER = set("0123456789abcdefghijklmnopqrstuvwxyz/.:_-+%\u2013")  # "1.500", "8h30", "%20"
_TYPE_WORD = {fold(w): w for w in tables.TYPE_WORDS} | {"thong bao ket luan": "Thông báo", "van ban": ""}
_TYPE_ALT = _alternation(tables.TYPE_WORDS)
_TYPE_START_RE = re.compile(rf"(?:{_TYPE_ALT})(?![a-z])")
_BEFORE_RE = re.compile(
    rf"(?:(?<![a-z])(?P<type>{_TYPE_ALT})\s*)?"                    # type words, e.g. "Kế hoạch "
    r"(?:(?P<so>so(?:\s*,?\s*(?:ky\s*)?hieu)?)\s*[:.]?\s*)?$")      # e.g. "số ", "số: ", "số, ký hiệu "
_NEGATIVE_RE = re.compile(                                        # a form, an account: "Mẫu số "
    rf"(?<![a-z])(?:{_alternation(tables.NOT_A_DOCUMENT_BEFORE)})(?:\s+so)?\s*[:.]?\s*$")
_LIST_GAP_RE = re.compile(r"[\s,;]*(?:(?:va|hoac)\s+)?(?:so\s*)?")  # between list items, e.g. " và "
_URL_RE = re.compile(r"(?:https?://|www\.)\S+")                   # e.g. "http://vbpl.vn/TW/Pages/…"


class _Seg:
    """One symbol part: its text as written, official spelling and what the tables know of it."""

    __slots__ = ("alpha", "digits", "type", "issuer", "upper", "lower")

    def __init__(self, orig: str) -> None:
        alpha = orig.rstrip("0123456789")
        self.alpha, self.digits = alpha, orig[len(alpha):]
        self.type = "" if self.digits else _canon(alpha, _STATE_TYPE)
        self.issuer = _canon(alpha, _ISSUER)
        self.upper = alpha == alpha.upper()
        self.lower = alpha == alpha.lower() and not self.upper

    @property
    def known(self) -> bool:
        return bool(self.type or self.issuer)

    def canonical(self) -> str:
        return (self.type or self.issuer or self.alpha.upper()) + self.digits


def _glued(orig: str) -> str:
    """A code with a word glued on: ``"CPngày"`` → ``"CP"``; "" if it is not one."""
    for k in range(len(orig) - 1, 0, -1):
        head, rest = orig[:k], orig[k:]
        if rest.islower() and head != head.lower() and _Seg(head).known:
            return head
    return ""


def _symbol_segs(text: str, f: str, start: int, end: int) -> tuple[list[_Seg], int]:
    """The parts of a state symbol, cut where the text stops looking like a code; and their end."""
    segs: list[_Seg] = []
    prev_end = start
    for m in _SEG_RE.finditer(f, start, end):
        orig = text[m.start():m.end()]
        seg = _Seg(orig)
        spaced = bool(segs) and text[prev_end:m.start()].strip() != text[prev_end:m.start()]
        lower_unit = seg.lower and segs and segs[-1].known and not spaced and len(orig) <= 8  # "byt-dp"
        if not (seg.known or seg.upper or lower_unit):
            orig = _glued(orig) if m.end() == end else ""
            if not orig:
                break
            seg = _Seg(orig)
        if spaced and not ((seg.upper and len(seg.alpha) > 1) or (seg.known and not seg.lower)):
            break
        segs.append(seg)
        prev_end = m.start() + len(orig)
    return segs, prev_end


class _Ctx:
    """What precedes a number: type words, "số", a form word, or a list it continues."""

    __slots__ = ("type_word", "type_len", "so", "negative", "listed")

    def __init__(self, f: str, start: int, prev_end: int) -> None:
        window = f[max(0, start - 48):start]
        m = _BEFORE_RE.search(window)
        self.type_word = _TYPE_WORD.get(" ".join(m.group("type").split())) if m.group("type") else None
        self.type_len = len(m.group(0).lstrip()) if m.group("type") else 0
        self.so = bool(m.group("so"))
        self.negative = bool(_NEGATIVE_RE.search(window))
        self.listed = 0 <= start - prev_end < 16 and bool(_LIST_GAP_RE.fullmatch(f, prev_end, start))

    @property
    def typed(self) -> bool:
        return self.type_word is not None or self.listed


def _state_ok(segs: list[_Seg], year: str, ctx: _Ctx | None) -> bool:
    """Accept a state number: "30/2020/NĐ-CP" alone; "3637/UBND-VX" alone; "12/CP" after "số"."""
    if ctx is not None and ctx.typed:
        return any(s.known for s in segs) or all(s.upper for s in segs)
    if any(s.lower and not s.known for s in segs):
        return False
    if ctx is None:  # a query typed by a user
        return bool(year) or any(s.known for s in segs)
    if year:
        return any(s.known for s in segs) or all(s.upper for s in segs)
    if len(segs) > 1:
        return segs[0].known and all(s.known or s.upper for s in segs)
    return bool(segs[0].issuer) and not segs[0].lower and ctx.so


def _party_ok(pt: _Seg, po: _Seg, ctx: _Ctx | None) -> bool:
    """Accept a Party number: "44-KL/TW"; "12-TT/TC" only after type words."""
    ptype, organ = _canon(pt.alpha, _PARTY_TYPE), _canon(po.alpha, _ORGAN) or po.issuer
    if ctx is None:
        return bool(ptype or organ)
    if ctx.typed:
        return bool(ptype) or (pt.upper and bool(organ or po.upper))
    return bool(ptype and organ) and not (pt.lower and po.lower and not ctx.so)


def _number_parts(text: str, f: str, m: re.Match, ctx: _Ctx | None) -> dict | None:
    """Validate one regex match; return number, codes and the end of the number, or None."""
    n = text[m.start("n"):m.end("n")]
    if m.group("sym") is not None:
        segs, end = _symbol_segs(text, f, m.start("sym"), m.end("sym"))
        year = m.group("y") or ""
        return _state_parts(n, year, segs, end) if segs and _state_ok(segs, year, ctx) else None
    if m.group("pt") is not None:
        pt, po = _Seg(text[m.start("pt"):m.end("pt")]), _Seg(text[m.start("po"):m.end("po")])
        return _party_parts(n, pt, po, m.end()) if _party_ok(pt, po, ctx) else None
    if m.group("sp") is not None:
        segs = [_Seg(s) for s in text[m.start("sp"):m.end("sp")].split("-")]
        if not (segs[0].type and segs[-1].issuer and all(s.upper or s.known for s in segs)):
            return None
        if any(s.lower for s in segs) and not (ctx and ctx.typed):
            return None
        return _state_parts(n, "", segs, m.end())
    seg = _Seg(text[m.start("old"):m.end("old")])
    if fold(seg.alpha) not in _OLD_STATE or (ctx is not None and not ctx.typed):
        return None
    return {"number": f"{n}-{seg.canonical()}", "type_code": "", "issuer_code": seg.issuer,
            "party": False, "year": None, "end": m.end(), "code_type": ""}


def _issuer_code(segs: list[_Seg]) -> str:
    """Issuer part of a symbol: "BTP-BTC"; term numbers dropped ("QH14" → "QH")."""
    return "-".join(s.issuer if s.issuer in tables.TERM_NUMBERED
                    else (s.issuer or s.type or s.alpha.upper()) + s.digits for s in segs)


def _state_parts(n: str, year: str, segs: list[_Seg], end: int) -> dict:
    """Codes of a state number: "93/KH-UBND" → type KH, issuer UBND; "3637/UBND-VX" → Công văn."""
    first = segs[0]
    if first.type and not (first.issuer and len(segs) == 1):
        type_code, issuer_code = first.type, _issuer_code(segs[1:])
        code_type = tables.STATE_TYPES[first.type]
    elif first.issuer and len(segs) > 1:
        type_code, issuer_code, code_type = "", _issuer_code(segs[:1]), "Công văn"
    else:
        type_code, issuer_code, code_type = "", _issuer_code(segs), ""
    number = "/".join(p for p in (n, year, "-".join(s.canonical() for s in segs)) if p)
    party = any(s.issuer in tables.PARTY_ORGANS and s.issuer not in tables.CONTEXT_ISSUERS for s in segs)
    return {"number": number, "type_code": type_code, "issuer_code": issuer_code, "party": party,
            "year": int(year) if year else None, "end": end, "code_type": code_type}


def _party_parts(n: str, pt: _Seg, po: _Seg, end: int) -> dict:
    """Codes of a Party-layout number: "44-KL/TW"; "18-L/CTN" (pre-1992 state law) is not Party."""
    ptype = _canon(pt.alpha, _PARTY_TYPE) or pt.alpha.upper()
    organ = _canon(po.alpha, _ORGAN) or po.issuer or po.alpha.upper()
    state = organ in tables.ISSUERS or organ in _OLD_STATE_ISSUERS
    return {"number": f"{n}-{ptype}/{organ}{po.digits}", "type_code": ptype,
            "issuer_code": organ, "party": not state, "year": None, "end": end,
            "code_type": tables.PARTY_TYPES.get(ptype, "")}


def _left_ok(f: str, start: int) -> bool:
    """A number starts a token: not inside "1.500", "01:2009", a path, or "8h30"; "số11/…" is fine."""
    if start == 0 or f[start - 1] not in _NOT_BEFORE_NUMBER:
        return True
    return f[start - 2:start] == "so" and (start < 3 or not f[start - 3].isalpha())


def _scan_numbers(text: str, f: str) -> list[dict]:
    """Every document number, with the type words before it: one pass of ``_NUMBER_RE``."""
    urls = [m.span() for m in _URL_RE.finditer(f)] if ("http" in f or "www." in f) else []
    hits: list[dict] = []
    prev_end = -100
    for m in _NUMBER_RE.finditer(f):
        start = m.start()
        if not _left_ok(f, start) or any(s <= start < e for s, e in urls):
            continue
        ctx = _Ctx(f, start, prev_end)
        parts = None if ctx.negative else _number_parts(text, f, m, ctx)
        if parts is None or f[parts["end"]:parts["end"] + 1] == "%":  # URL-encoded: "…/TT-BL%C4%90…"
            continue
        code_type = parts.pop("code_type")
        listed_type = hits[-1]["doc_type"] if ctx.listed and hits and not code_type else ""
        hits.append(dict(parts, start=start - ctx.type_len, num_start=start, name="",
                         doc_type=ctx.type_word or listed_type or code_type, key=fold(parts["number"])))
        prev_end = parts["end"]
    return hits


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


# --- laws cited by name ---------------------------------------------------------------------------

_HEAD_RE = re.compile(r"(?P<head>bo\s+luat|luat|phap\s+lenh|hien\s+phap)(?![a-z0-9])")  # e.g. "Luật"
_TOKEN_RE = re.compile(r"[^\W_]+(?:/[^\W_]+)?|,|\n[ \t]*\n|[^\w\s]")  # words, commas, breaks, marks
_HEADS = {fold(h): h for h in tables.LAW_HEADS}
_NOT_A_LAW_BEFORE_RE = re.compile(                                 # e.g. "Đại học Luật", "51 Luật"
    rf"(?<![a-z])(?:{_alternation(tables.NOT_A_LAW_BEFORE)}"
    r"|(?<![\d.])(?<!dieu\s)(?<!khoan\s)(?<!chuong\s)\d+)\s+$")
_CONSTITUTION_RE = re.compile(r"\s+nuoc\s+cong\s+hoa\s+xa\s+hoi\s+chu\s+nghia\s+viet\s+nam(?![a-z])")
_NAME_YEAR_RE = re.compile(r"[ \t]*,?[ \t]*(?:nam\s+)?(?P<y>(?:19|20)\d\d)(?![\d/])")  # e.g. " năm 2019"
_NAME_NUMBER_GAP_RE = re.compile(r"\s*(?:so\s*:?\s*)?")                             # e.g. " số "
_CAN_CU_RE = re.compile(r"can\s+cu\s+$")                                            # e.g. "Căn cứ "
_SPACES_RE = re.compile(r"\s*")
_LAW_LIST_SEP_RE = re.compile(r"\s*(?:,|và)\s*")                                      # e.g. ", ", " và "


def _gazetteer() -> dict[str, set[tuple[str, ...]]]:
    """Known names by head, as tuples of folded tokens: {"luat": {("dat", "dai"), …}}."""
    out: dict[str, set[tuple[str, ...]]] = {}
    for name in tables.LAW_NAMES:
        head = next(h for h in sorted(_HEADS, key=len, reverse=True) if fold(name).startswith(h + " "))
        out.setdefault(head, set()).add(tuple(fold(t) for t in _TOKEN_RE.findall(name[len(head):])))
    return out


_GAZETTEER = _gazetteer()
_GAZ_MAX = max(len(t) for names in _GAZETTEER.values() for t in names)


def _starts_type(f: str, pos: int) -> bool:
    return bool(_HEAD_RE.match(f, pos) or _TYPE_START_RE.match(f, pos))


def _stops_name(toks: list[re.Match], f: str, i: int, pl: bool) -> bool:
    """Whether token ``i`` (not a comma) ends a name not in the table (word rules)."""
    t = toks[i].group()
    low = t.lower()
    nxt = toks[i + 1].group().lower() if i + 1 < len(toks) else ""
    if i == 0:  # "Luật này", "Luật pháp"; but "Pháp lệnh về …", "Pháp lệnh pháp điển"
        generic = t == low and low in tables.NAME_GENERIC_FIRST and not (pl and low in ("về", "pháp"))
        return generic or t in tables.NAME_FIRST_STOP or _starts_type(f, toks[i].start())
    if t == low:
        return low in tables.NAME_STOP or (low, nxt) in tables.NAME_STOP_PAIRS
    return t in tables.NAME_CAP_STOP or _starts_type(f, toks[i].start())


def _extend(toks: list[re.Match], f: str, pl: bool) -> int:
    """How many tokens a name not in the table takes ("Luật hoạt động Chữ thập đỏ" → 4)."""
    i = 0
    while i < min(len(toks), 16):
        t = toks[i].group()
        nxt = toks[i + 1].group() if i + 1 < len(toks) else ""
        if t == ",":
            if not (i and nxt.lower() in tables.NAME_COMMA_CONTINUES):
                break
        elif not t[0].isalpha():
            break
        elif t.lower() == "và" and i and nxt[:1].isupper() and nxt not in tables.NAME_CAP_STOP \
                and not _starts_type(f, toks[i + 1].start()):
            pass  # "Luật Tổ chức HĐND và UBND"
        elif _stops_name(toks, f, i, pl):
            break
        i += 1
    while i and toks[i - 1].group().lower() in ("và", ",", "-"):
        i -= 1
    return i


def _tokens(text: str, pos: int, limit: int) -> list[re.Match]:
    toks: list[re.Match] = []
    for m in _TOKEN_RE.finditer(text, pos, min(len(text), pos + 12 * limit)):
        gap = text[toks[-1].end():m.start()] if toks else ""
        if len(toks) >= limit or ("\n" in gap and gap.count("\n") > 1):
            break
        toks.append(m)
    return toks


def _name_end(text: str, f: str, head: str, pos: int, lowercase: bool) -> int:
    """End of the name after the head word at ``pos``, or -1: table names first, then word rules."""
    toks = _tokens(text, pos, _GAZ_MAX)
    folded = [f[t.start():t.end()] for t in toks]
    if head != "bo luat" and folded[:2] == ["sua", "doi"]:
        return _amending_end(text, f, toks)
    known = _GAZETTEER.get(head, ())
    for n in range(min(len(toks), _GAZ_MAX), 0, -1):
        if tuple(folded[:n]) in known:
            return toks[n - 1].end()
    n = 0 if lowercase else _extend(toks, f, head == "phap lenh")
    return toks[n - 1].end() if n else -1


def _amending_end(text: str, f: str, toks: list[re.Match]) -> int:
    """"Luật sửa đổi, bổ sung một số điều của Luật A và Luật B": the end of the last law named."""
    of = next((i for i, t in enumerate(toks[:10]) if t.group().lower() == "của"), None)
    end, pos = -1, (toks[of].end() if of is not None else -1)
    while pos >= 0:
        m = _HEAD_RE.match(f, _SPACES_RE.match(f, pos).end())
        if not m or m.group("head") == "hien phap" or not text[m.start()].isupper():
            break
        inner = _name_end(text, f, " ".join(m.group("head").split()), m.end(), False)
        if inner < 0:
            break
        end = inner
        sep = _LAW_LIST_SEP_RE.match(text, end)
        pos = sep.end() if sep else -1
    return end


def _law_at(text: str, f: str, m: re.Match) -> dict | None:
    """The law named at a head word ("Luật hoạt động Chữ thập đỏ"), or None ("Luật này", "pháp luật")."""
    start, head = m.start(), " ".join(m.group("head").split())
    if start and f[start - 1].isalpha():
        return None
    written = text[start:m.end()]
    if not written[0].isupper():
        window = text[max(0, start - 120):start + 120]
        if window != window.lower():  # lowercase heads only in lowercase text: "luật đất đai"
            return None
    lowercase = not written[0].isupper()
    if (written.isupper() and len(written) > 1) or _NOT_A_LAW_BEFORE_RE.search(f, max(0, start - 24), start):
        return None
    if head == "hien phap":
        c = _CONSTITUTION_RE.match(f, m.end())
        end = c.end() if c else m.end()
        if not (c or _NAME_YEAR_RE.match(f, end) or _CAN_CU_RE.search(f, max(0, start - 12), start)):
            return None
        key = "hien phap"
    else:
        end = _name_end(text, f, head, m.end(), lowercase)
        if end < 0:
            return None
        key = head + ":" + " ".join(re.sub(r"[^a-z0-9/ ]", " ", f[m.end():end]).split())
    return {"start": start, "end": end, "name": " ".join(text[start:end].split()), "key": key,
            "doc_type": _HEADS[head], "number": "", "type_code": "", "issuer_code": "",
            "party": False, "year": None}


def _scan_laws(text: str, f: str, numbered: list[dict]) -> list[dict]:
    """Laws cited by name; a name written before its number ("Luật Đầu tư số 61/2020/QH14") joins it."""
    by_start = {h["num_start"]: h for h in numbered}
    laws: list[dict] = []
    consumed = -1
    for m in _HEAD_RE.finditer(f):
        if m.start() < consumed or (law := _law_at(text, f, m)) is None:
            continue
        consumed = law["end"]
        if y := _NAME_YEAR_RE.match(f, law["end"]):
            law["year"], law["end"] = int(y.group("y")), y.end()
        hit = by_start.get(_NAME_NUMBER_GAP_RE.match(f, law["end"]).end())
        if hit and hit["start"] >= law["start"] and not hit["name"]:
            hit.update(name=law["name"], doc_type=law["doc_type"], start=law["start"])
            consumed = hit["end"]
        else:
            laws.append(law)
    return laws


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
    """Numbers in a short query, accepted without context ("93/kh-ubnd", "43-CT/TW")."""
    f = fold(text)
    found = []
    for m in _NUMBER_RE.finditer(f):
        if _left_ok(f, m.start()) and (parts := _number_parts(text, f, m, None)):
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

"""Document numbers in Vietnamese text: ``_scan_numbers(text, fold(text))``, for ``citations.py``.

One pass of ``_NUMBER_RE`` over the folded text finds every candidate: state numbers ("93/KH-UBND",
"30/2020/NĐ-CP", "1830 QĐ-UBND"), Party numbers ("44-KL/TW", "108 - KH/TU") and pre-1992 ones
("64-CP"). A candidate is accepted from the codes of its symbol (``tables.py``) and the words before it
("Kế hoạch số", "Mẫu số"), then spelt officially with its codes: "Kế hoạch số 93/kh-ubnd" → number
"93/KH-UBND", type_code "KH", issuer_code "UBND", doc_type "Kế hoạch". The code-table helpers
(``_index``, ``_canon``, ``_alternation``) that the other citation modules share live here too.
"""

from __future__ import annotations

import re

from indexer.cite import tables
from indexer.text.normalize import fold


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

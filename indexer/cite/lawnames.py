"""Laws cited by name: ``_scan_laws(text, fold(text), numbered)``, for ``citations.py``.

A head word ("Bộ luật", "Luật", "Pháp lệnh", "Hiến pháp") starts a name. Where the name ends comes
from the gazetteer of known names (``tables.LAW_NAMES``) first, then from word rules: "Luật hoạt động
Chữ thập đỏ năm 2008 quy định …" → name "Luật hoạt động Chữ thập đỏ", year 2008, key
"luat:hoat dong chu thap do". A name written just before its number ("Luật Đầu tư số 61/2020/QH14")
is given to that numbered citation instead of standing alone.
"""

from __future__ import annotations

import re

from indexer.cite import tables
from indexer.cite.docnumbers import _TYPE_ALT, _alternation
from indexer.text.normalize import fold


# --- laws cited by name ---------------------------------------------------------------------------

_HEAD_RE = re.compile(r"(?P<head>bo\s+luat|luat|phap\s+lenh|hien\s+phap)(?![a-z0-9])")  # e.g. "Luật"
_TYPE_START_RE = re.compile(rf"(?:{_TYPE_ALT})(?![a-z])")
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

"""Pure: corpus ``Document`` records → index entries, and cited documents → entries of their own.

Every distinct citation key across the corpus becomes an entry of kind ``cited`` unless a real
document record bears that number, in which case the real document's entry stands for it (its
"cited by" list is the set of entries whose ``citations`` field holds its key).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import datetime
from typing import Iterable

from indexer.cite.citations import extract_citations, number_key
from indexer.document import Document, content_hash
from indexer.text.normalize import fold, to_new_tone_style
from indexer.cite.tables import ISSUERS

__all__ = ["law_aliases", "apply_aliases", "canonical_agency", "canonical_status", "canonical_field", "STATUSES", "LAW_TYPES", "document_entry", "cited_entries", "cited_entry", "cited_for_key", "citation_year", "entry_text",
           "keyword", "CITED_PREFIX"]

CITED_PREFIX = "cite:"
TEXT_FIELDS = ("text", "text_w", "text_b")  # one text (title + body), analysed three ways


def entry_text(title: str, body: str) -> str:
    """The text citations are extracted from; offsets in ``cites`` point into it."""
    return f"{title}\n\n{body}" if title and body else title or body


def keyword(key: str) -> str:
    """Keys go into a comma-separated KEYWORD field: a comma inside a law's name must not split it."""
    return key.replace(",", " ")


# Local bodies are written both ways ("Ủy ban nhân dân tỉnh Thanh Hóa", "UBND tỉnh Thanh Hóa"):
# one spelling per body keeps the agency filter and its counts in one place.
_LOCAL_BODIES = ((re.compile(r"^(?:ủy|uỷ)\s+ban\s+nhân\s+dân\b", re.IGNORECASE), "UBND"),
                 (re.compile(r"^hội\s+đồng\s+nhân\s+dân\b", re.IGNORECASE), "HĐND"))
_NATIONAL = {fold(name): name for name in ISSUERS.values()}


def canonical_agency(agency: str) -> str:
    """One spelling per body: ``"Uỷ ban nhân dân tỉnh Thanh Hoá"`` → ``"UBND tỉnh Thanh Hóa"``,
    ``"QUỐC HỘI"`` → ``"Quốc hội"``."""
    agency = " ".join(to_new_tone_style(agency).split())
    if fold(agency) in _NATIONAL:
        return _NATIONAL[fold(agency)]
    for pattern, short in _LOCAL_BODIES:
        agency = pattern.sub(short, agency)
    return agency


# vbpl.vn's "Tình trạng hiệu lực" values; sources word them otherwise (binhduong.gov.vn: "Văn bản đang
# có hiệu lực", "Văn bản còn hiệu lực một phần", "Văn bản hết hiệu lực"). Checked in this order.
STATUSES = ("Còn hiệu lực", "Hết hiệu lực toàn bộ", "Hết hiệu lực một phần", "Chưa có hiệu lực")
_STATUS_RULES = (
    (re.compile(r"\bmot phan\b"), "Hết hiệu lực một phần"),       # e.g. "Văn bản còn hiệu lực một phần"
    (re.compile(r"^chua\b"), "Chưa có hiệu lực"),                  # e.g. "Chưa có hiệu lực"
    (re.compile(r"\bhet hieu luc\b"), "Hết hiệu lực toàn bộ"),     # e.g. "Văn bản hết hiệu lực"
    (re.compile(r"^(?:con|dang co|co) hieu luc\b"), "Còn hiệu lực"),  # e.g. "Văn bản đang có hiệu lực"
)


def canonical_status(status: str) -> str:
    """vbpl.vn's wording of a status when the value clearly means one: ``"Văn bản đang có hiệu lực"``
    → ``"Còn hiệu lực"``, ``"Hết hiệu lực"`` → ``"Hết hiệu lực toàn bộ"``; anything else as given."""
    status = " ".join(status.split())
    folded = re.sub(r"^van ban\s+", "", fold(status).lower())
    return next((name for pattern, name in _STATUS_RULES if pattern.search(folded)), status)


def canonical_field(field: str) -> str:
    """Lĩnh vực as one ``"; "``-joined value, tone style unified, repeats dropped:
    ``"Phổ biến, giáo dục pháp luật ;Hoà giải ở cơ sở"`` → ``"Phổ biến, giáo dục pháp luật; Hòa giải ở cơ sở"``."""
    parts = (" ".join(to_new_tone_style(p).split()) for p in re.split(r"[;\n]", field))
    return "; ".join(dict.fromkeys(p for p in parts if p))


def _iso_date(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, "%Y-%m-%d") if value else None
    except ValueError:
        return None


def document_entry(doc: Document) -> dict:
    """The Whoosh fields of one corpus document (title/body analysed three ways by the schema)."""
    text = entry_text(doc.title, doc.body)
    cites = [c.to_dict() for c in extract_citations(text)]
    own_key = number_key(doc.doc_number) if doc.doc_number else ""
    keys = sorted({keyword(c["key"]) for c in cites if c["key"] and c["key"] != own_key})
    date = _iso_date(doc.date)
    entry = {
        "id": doc.id, "kind": doc.kind, "source_file": doc.path.split("#", 1)[0],
        "title": doc.title, "body": doc.body, **dict.fromkeys(TEXT_FIELDS, text),
        "year": doc.date[:4] if date else "", "doc_number": doc.doc_number, "doc_key": own_key,
        "doc_type": doc.doc_type, "agency": canonical_agency(doc.agency), "citations": ",".join(keys), "cites": cites,
        "cite_count": 0, "signer": doc.signer, "effective_date": doc.effective_date,
        "status": canonical_status(doc.status), "field": canonical_field(doc.field), "author": doc.author, "url": doc.url,
        "source": doc.source, "attachments": [{"name": a.name, "url": a.url} for a in doc.attachments],
        "content_hash": doc.content_hash, "path": doc.path, "subject": "",
    }
    if date:
        entry["date"] = date
    entry["undated"] = 0 if date else 1
    return entry


LAW_TYPES = frozenset({"Luật", "Bộ luật", "Pháp lệnh", "Hiến pháp"})


def _name_key(name: str) -> str:
    """The key of a law cited by this name: ``"Luật hoạt động Chữ thập đỏ"`` → ``"luat:hoat dong chu thap do"``."""
    for c in extract_citations(name):
        if not c.number and c.start == 0:
            return keyword(c.key)
    return ""


def law_aliases(entries: Iterable[dict]) -> dict[tuple[str, str], str]:
    """``(name key, year) → number key`` for laws the corpus names *and* numbers somewhere.

    Learned from citations that give both ("Luật hoạt động Chữ thập đỏ số 11/2008/QH12") and from
    law records' titles. ``(name key, "")`` is kept only when the name maps to a single number
    (Bộ luật Lao động 2012 and 2019 share a name).
    """
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for e in entries:
        for c in e["cites"]:
            if c.get("name") and c["number"] and (k := _name_key(c["name"])):
                found[(k, str(c.get("year") or ""))].add(keyword(c["key"]))
        if e["kind"] == "document" and e["doc_key"] and e["doc_type"] in LAW_TYPES and (k := _name_key(e["title"])):
            found[(k, e["year"])].add(e["doc_key"])
    aliases: dict[tuple[str, str], str] = {}
    by_name: dict[str, set[str]] = defaultdict(set)
    for (k, year), keys in found.items():
        by_name[k] |= keys
        if len(keys) == 1:
            aliases[(k, year)] = next(iter(keys))
    aliases.update({(k, ""): next(iter(keys)) for k, keys in by_name.items() if len(keys) == 1})
    return aliases


def apply_aliases(entry: dict, aliases: dict[tuple[str, str], str]) -> dict:
    """Point name-only citations of ``entry`` at the law's number key when the corpus knows it."""
    for c in entry["cites"]:
        if c["number"] or not c["key"]:
            continue
        name_key = keyword(c["key"])
        target = aliases.get((name_key, str(c.get("year") or ""))) or aliases.get((name_key, ""))
        if target and target != entry["doc_key"]:
            c["name_key"], c["key"] = c["key"], target
    entry["citations"] = ",".join(sorted({keyword(c["key"]) for c in entry["cites"]
                                          if c["key"] and keyword(c["key"]) != entry["doc_key"]}))
    return entry


def _most_common(values: Iterable[str]) -> str:
    counts = Counter(v for v in values if v)
    return counts.most_common(1)[0][0] if counts else ""


def cited_entry(entry_id: str, key: str, citations: list[dict], citers: list[str], year: str = "") -> dict:
    """One entry for a document known only from citations of it: best number, type, date, subject."""
    number = _most_common(c["number"] for c in citations)
    name = _most_common(c.get("name", "") for c in citations)
    doc_type = _most_common(c["doc_type"] for c in citations)
    date = _most_common(c["date"] for c in citations if not year or c["date"][:4] == year)
    subject = max((c.get("subject", "") for c in citations), key=len, default="")
    issuer = canonical_agency(_most_common(c.get("issuer_name", "") for c in citations) or _most_common(
        c.get("issuer_code", "") for c in citations))
    title = name or " ".join(p for p in (doc_type, "số" if number else "", number) if p)
    year = year or (date[:4] if date else "")
    entry = {
        "id": entry_id, "kind": "cited", "source_file": "",
        "title": title, "body": subject, **dict.fromkeys(TEXT_FIELDS, entry_text(title, subject)),
        "year": year, "doc_number": number, "doc_key": key,
        "doc_type": doc_type, "agency": issuer, "citations": "", "cites": [],
        "cite_count": len(citers), "signer": "", "effective_date": "", "status": "", "field": "",
        "author": "", "url": "", "source": "", "attachments": [], "path": "", "subject": subject,
        "content_hash": content_hash(key, title, subject, date, ",".join(sorted(citers))),
    }
    parsed = _iso_date(date)
    if parsed and parsed.year == int(year or parsed.year):
        entry["date"] = parsed
    entry["undated"] = 0 if "date" in entry else 1
    return entry


def citation_year(cite: dict) -> str:
    """The year a citation pins its document to (from the number or the date), or ``""``."""
    return str(cite.get("year") or "") or (cite.get("date") or "")[:4]


def cited_for_key(key: str, citing: list[tuple[str, dict]], real_years: set[str]) -> list[dict]:
    """Cited-only entries for one key, from ``(citer id, citation)`` pairs.

    A number without a year ("Kế hoạch số 93/KH-UBND") names different documents in different
    years; the year of the citation's date tells them apart. A dated citation belongs to the real
    document of that year, else to a cited entry of that year; an undated one to the real
    document(s), else to the only dated group, else to a cited entry of its own.
    """
    if "" in real_years:  # a real document of unknown date stands for every citation of its number
        return []
    dated: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    undated: list[tuple[str, dict]] = []
    for citer, cite in citing:
        year = citation_year(cite)
        (dated[year] if year else undated).append((citer, cite))
    groups = {y: g for y, g in dated.items() if y not in real_years}
    if undated and not real_years:
        if len(groups) == 1:
            only = next(iter(groups))
            groups[only] = groups[only] + undated
        else:
            groups[""] = undated
    single = len(groups) == 1 and not real_years
    out = []
    for year, group in sorted(groups.items()):
        entry_id = CITED_PREFIX + key + ("" if single or not year else f"@{year}")
        citers = sorted({c for c, _ in group})
        out.append(cited_entry(entry_id, key, [c for _, c in group], citers, year))
    return out


def cited_entries(entries: Iterable[dict], real_years: dict[str, set[str]]) -> list[dict]:
    """Entries for every cited document that no real document stands for, from the ``cites`` of ``entries``."""
    by_key: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    for entry in entries:
        for cite in entry["cites"]:
            key = keyword(cite["key"])
            if key and key != entry["doc_key"]:
                by_key[key].append((entry["id"], cite))
    out = []
    for key in sorted(by_key):
        out += cited_for_key(key, by_key[key], real_years.get(key, set()))
    return out

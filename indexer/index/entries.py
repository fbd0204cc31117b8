"""Pure: corpus ``Document`` records → index entries, and cited documents → entries of their own.

Every distinct citation key across the corpus becomes an entry of kind ``cited`` unless a real
document record bears that number, in which case the real document's entry stands for it (its
"cited by" list is the set of entries whose ``citations`` field holds its key).

Each citation carries its relation (``indexer.cite.relations``). What depends on other entries is
settled once all are known (``cited_entries``): which entry a citation points to when a number has
several years (``target_year``), ``cite_count``, and the status the text gives a document ("Hết
hiệu lực toàn bộ" when a later entry replaces, repeals or ends it; ``apply_status``), which never
overrides a status the record states.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import datetime
from typing import Iterable

from indexer.cite.citations import extract_citations, number_key
from indexer.cite.relations import STRONG, read_relations
from indexer.document import Document, content_hash
from indexer.text.normalize import fold, to_new_tone_style
from indexer.cite.tables import CONTEXT_ISSUERS, ISSUERS

__all__ = ["law_aliases", "apply_aliases", "canonical_agency", "canonical_status", "canonical_field", "STATUSES", "LAW_TYPES", "document_entry", "cited_entries", "cited_entry", "cited_for_key", "citation_year", "entry_text",
           "keyword", "CITED_PREFIX", "local_agency", "target_year", "apply_status", "link_document", "link_documents", "DERIVED_STATUSES",
           "citer_summary"]

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


# Bodies written several ways in real text (the seed page: "Ban Bí thư Trung ương Đảng" and "Ban Bí thư").
_SAME_BODY = {fold(k): v for k, v in {"Ban Bí thư": "Ban Bí thư Trung ương Đảng",
                                      "Ban Bí thư Trung ương": "Ban Bí thư Trung ương Đảng",
                                      "Bộ Chính trị Trung ương Đảng": "Bộ Chính trị"}.items()}


def canonical_agency(agency: str) -> str:
    """One spelling per body: ``"Uỷ ban nhân dân tỉnh Thanh Hoá"`` → ``"UBND tỉnh Thanh Hóa"``,
    ``"QUỐC HỘI"`` → ``"Quốc hội"``, ``"Ban Bí thư"`` → ``"Ban Bí thư Trung ương Đảng"``, no trailing period."""
    agency = " ".join(to_new_tone_style(agency).split()).rstrip(" .;,")
    if fold(agency) in _NATIONAL:
        return _NATIONAL[fold(agency)]
    if fold(agency) in _SAME_BODY:
        return _SAME_BODY[fold(agency)]
    for pattern, short in _LOCAL_BODIES:
        agency = pattern.sub(short, agency)
    return agency


# A code whose body depends on the place ("UBND", "TU"): named with the province of the entries
# citing it when they are all of one ("UBND tỉnh Bình Dương"), else left out: a bare code is no agency.
_PLACE_RE = re.compile(r"\b(tỉnh|thành phố) ([A-ZĐ]\w*(?: [A-ZĐ]\w*)*)$")
_LOCAL_NAMES = {"UBND": "UBND {kind} {place}", "HĐND": "HĐND {kind} {place}", "TU": "{party} {place}"}


def local_agency(code: str, places: Iterable[str]) -> str:
    """``"UBND"`` cited by entries of ``"UBND tỉnh Bình Dương"`` → ``"UBND tỉnh Bình Dương"``; ``""`` when
    the citing entries name no single province or the code is not one of a province's bodies."""
    found = {m.groups() for p in places if (m := _PLACE_RE.search(canonical_agency(p)))}
    if code not in _LOCAL_NAMES or len(found) != 1:
        return ""
    kind, place = next(iter(found))
    return _LOCAL_NAMES[code].format(kind=kind, place=place, party="Tỉnh ủy" if kind == "tỉnh" else "Thành ủy")


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
    own_key = number_key(doc.doc_number) if doc.doc_number else ""
    found = extract_citations(text)
    cites = [dict(c.to_dict(), **r.to_dict()) for c, r in zip(found, read_relations(text, found, own_key))]
    keys = sorted({keyword(c["key"]) for c in cites if c["key"] and c["key"] != own_key})
    date = _iso_date(doc.date)
    entry = {
        "id": doc.id, "kind": doc.kind, "source_file": doc.path.split("#", 1)[0],
        "title": doc.title, "body": doc.body, **dict.fromkeys(TEXT_FIELDS, text),
        "year": doc.date[:4] if date else "", "doc_number": doc.doc_number, "doc_key": own_key,
        "doc_type": doc.doc_type, "agency": canonical_agency(doc.agency), "citations": ",".join(keys), "cites": cites,
        "cite_count": 0, "signer": doc.signer, "effective_date": doc.effective_date,
        "status": canonical_status(doc.status), "status_basis": {"record": canonical_status(doc.status)},
        "field": canonical_field(doc.field), "author": doc.author, "url": doc.url,
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
    """Point name-only citations of ``entry`` at the law's number key when the corpus knows it (its own
    number too: a law that names itself is no citation of another document)."""
    for c in entry["cites"]:
        if c["number"] or not c["key"]:
            continue
        name_key = keyword(c["key"])
        target = aliases.get((name_key, str(c.get("year") or ""))) or aliases.get((name_key, ""))
        if target:  # a law naming itself ("Luật Phổ biến, giáo dục pháp luật" in its own text) cites nothing
            c["name_key"], c["key"] = c["key"], target
    entry["citations"] = ",".join(sorted({keyword(c["key"]) for c in entry["cites"]
                                          if c["key"] and keyword(c["key"]) != entry["doc_key"]}))
    return entry


def _most_common(values: Iterable[str]) -> str:
    counts = Counter(v for v in values if v)
    return counts.most_common(1)[0][0] if counts else ""


def cited_entry(entry_id: str, key: str, citations: list[dict], citers: list[str], year: str = "",
                places: Iterable[str] = ()) -> dict:
    """One entry for a document known only from citations of it: best number, type, date, subject;
    ``places`` are the agencies of the citing entries (a local body's province)."""
    number = _most_common(c["number"] for c in citations)
    name = _most_common(c.get("name", "") for c in citations)
    doc_type = _most_common(c["doc_type"] for c in citations)
    date = _most_common(c["date"] for c in citations if not year or c["date"][:4] == year)
    subject = max((c.get("subject", "") for c in citations), key=len, default="")
    issuer = canonical_agency(_most_common(c.get("issuer_name", "") for c in citations))
    if not issuer:
        code = _most_common(c.get("issuer_code", "") for c in citations)
        national = code in ISSUERS and code not in CONTEXT_ISSUERS
        issuer = canonical_agency(ISSUERS[code]) if national else local_agency(code, places)
    title = name or " ".join(p for p in (doc_type, "số" if number else "", number) if p)
    year = year or (date[:4] if date else "")
    entry = {
        "id": entry_id, "kind": "cited", "source_file": "",
        "title": title, "body": subject, **dict.fromkeys(TEXT_FIELDS, entry_text(title, subject)),
        "year": year, "doc_number": number, "doc_key": key,
        "doc_type": doc_type, "agency": issuer, "citations": "", "cites": [],
        "cite_count": len(citers), "signer": "", "effective_date": "", "status": "", "status_basis": {"record": ""},
        "field": "",
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


def cited_for_key(key: str, citing: list[tuple[dict, dict]], real_years: set[str]) -> list[dict]:
    """Cited-only entries for one key, from ``(citing entry, citation)`` pairs (the citing entry as
    stored: ``id``, ``date``, ``doc_number``, … are read), with their status from what those say.

    A number without a year ("Kế hoạch số 93/KH-UBND") names different documents in different
    years; the year of the citation's date tells them apart. A dated citation belongs to the real
    document of that year, else to a cited entry of that year; an undated one to the real
    document(s), else to the only dated group, else to a cited entry of its own.
    """
    if "" in real_years:  # a real document of unknown date stands for every citation of its number
        return []
    dated: dict[str, list[tuple[dict, dict]]] = defaultdict(list)
    undated: list[tuple[dict, dict]] = []
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
        citers = sorted({c["id"] for c, _ in group})
        entry = cited_entry(entry_id, key, [c for _, c in group], citers, year,
                            [c.get("agency", "") for c, _ in group])
        out.append(apply_status(entry, group))
    return out


def target_year(cite: dict, years: set[str]) -> str | None:
    """The year of the entry a citation points to among the ``years`` of the entries of its number
    (``""``: an undated entry), or ``None`` when it cannot tell ("3077/KH-UBND" of 2015 and of 2019,
    cited without a date). ``cite_count``, "cited by" and the citation's link all follow this."""
    year = citation_year(cite)
    if year in years:
        return year
    if "" in years:
        return ""
    if not year and len(years) == 1:
        return next(iter(years))
    return None


# What the text can say of a document's force, strongest first: it beats what is weaker.
DERIVED_STATUSES = ("Hết hiệu lực toàn bộ", "Hết hiệu lực một phần", "Được sửa đổi, bổ sung")
_ENDED = {"bi_thay_the", "bi_bai_bo", "bi_het_hieu_luc"}  # the document says this of itself


def _effect(relation: str, partial: bool) -> str:
    if relation in STRONG or relation in _ENDED:  # a later entry ends the document's force
        return DERIVED_STATUSES[1 if partial else 0]
    return DERIVED_STATUSES[2] if relation in ("sua_doi", "bi_sua_doi") else ""


def citer_summary(citer: dict) -> dict:
    """What a link to a citing entry shows: id, number, title, date (ISO)."""
    date = citer.get("date")
    date = date.date().isoformat() if isinstance(date, datetime) else (date or "")
    return {"id": citer.get("id", ""), "number": citer.get("doc_number", ""), "title": citer.get("title", ""),
            "date": date, "kind": citer.get("kind", "")}


def apply_status(entry: dict, incoming: list[tuple[dict, dict]]) -> dict:
    """Set ``status`` (and ``status_basis``: what the record says, what the text says, by which
    entry, from when) from the citations of ``entry`` by others (``incoming``) and its own "bị …".

    Only a later (or undated) entry ends a document; a status the record states wins.
    """
    own_date = entry.get("date")
    found = []
    for citer, cite in incoming:
        status = _effect(cite.get("relation", ""), bool(cite.get("partial")))
        if not status or cite.get("relation", "").startswith("bi_"):
            continue
        when = citer.get("date")
        if isinstance(own_date, datetime) and isinstance(when, datetime) and when < own_date:
            continue
        effective = citer.get("effective_date", "")
        found.append((status, {**citer_summary(citer), "relation": cite["relation"],
                               "effect_date": cite.get("effect_date") or (effective if _iso_date(effective) else "")}))
    for cite in entry.get("cites") or []:
        rel = cite.get("relation", "")
        if rel in _ENDED or rel == "bi_sua_doi":
            found.append((_effect(rel, bool(cite.get("partial"))), {
                "id": "", "number": cite.get("number", ""), "title": cite.get("name", ""), "date": cite.get("date", ""),
                "kind": "", "key": cite.get("key", ""), "relation": rel, "effect_date": cite.get("effect_date", "")}))
    record = (entry.get("status_basis") or {}).get("record", "")
    basis: dict = {"record": record}
    if found:
        status, by = min(found, key=lambda f: (DERIVED_STATUSES.index(f[0]), f[1]["effect_date"] or f[1]["date"] or "~"))
        basis.update(derived=status, by=by)
    entry["status_basis"] = basis
    entry["status"] = record or basis.get("derived", "")
    return entry


def link_document(entry: dict, citing: Iterable[tuple[dict, dict]], years: set[str]) -> None:
    """``cite_count`` and status of one real document from ``citing`` (citing entry, citation) of its
    number: the citations of other entries that point to its year (``target_year``)."""
    incoming = [(citer, c) for citer, c in citing if citer["id"] != entry["id"]
                and target_year(c, years) == entry["year"]]
    entry["cite_count"] = len({citer["id"] for citer, _ in incoming})
    apply_status(entry, incoming)


def link_documents(entries: list[dict], by_key: dict[str, list[tuple[dict, dict]]], cited: list[dict]) -> None:
    """``cite_count`` and status of the real documents among ``entries``, from who cites them."""
    years: dict[str, set[str]] = defaultdict(set)
    for e in entries + cited:
        if e["doc_key"] and e["kind"] in ("document", "cited"):
            years[e["doc_key"]].add(e["year"])
    for e in entries:
        if e["kind"] == "document":
            link_document(e, by_key.get(e["doc_key"], ()) if e["doc_key"] else (), years[e["doc_key"]])


def cited_entries(entries: Iterable[dict], real_years: dict[str, set[str]]) -> list[dict]:
    """Entries for every cited document that no real document stands for, from the ``cites`` of ``entries``;
    settles the ``cite_count`` and status of the real documents among ``entries`` on the way."""
    entries = list(entries)
    by_key: dict[str, list[tuple[dict, dict]]] = defaultdict(list)
    for entry in entries:
        for cite in entry["cites"]:
            key = keyword(cite["key"])
            if key and key != entry["doc_key"]:
                by_key[key].append((entry, cite))
    out = []
    for key in sorted(by_key):
        out += cited_for_key(key, by_key[key], real_years.get(key, set()))
    link_documents(entries, by_key, out)
    return out

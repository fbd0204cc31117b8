"""Entry pages and citation lists: an entry with what it cites and what cites it, grouped by relation
(vbpl.vn's "Lược đồ" terms), and the entries of a document number typed any way."""

from __future__ import annotations

from datetime import datetime

from indexer.cite.citations import number_key
from indexer.cite.cues import LABELS, RELATIONS, REVERSE_LABELS, STRENGTH
from indexer.cite.relations import quote
from indexer.index.entries import entry_text, keyword, target_year
from search_app.searchers import recovering
from search_app.understand import near_miss_keys

__all__ = ["EntryPages", "relation_groups", "relation_problem", "iso"]


def iso(value) -> str:
    return value.date().isoformat() if isinstance(value, datetime) else ""


def _strongest(mentions: list[dict]) -> dict:
    """The mention whose relation says most ("thay_the" over "dan_chieu"), the first of equals."""
    order = {r: i for i, r in enumerate(STRENGTH)}
    return min(mentions, key=lambda c: order.get(c.get("relation", ""), len(order)))


def _quote(text: str, cite: dict) -> dict:
    """The sentence a citation came from, short, split at its cue (``before``/``cue``/``after``)."""
    sentence, cue = cite.get("sentence") or (0, 0), cite.get("cue") or (0, 0)
    if sentence[1] <= sentence[0] or sentence[1] > len(text):
        return {}
    before, mark, after, cut_left, cut_right = quote(text, sentence, cue, (cite.get("start", 0), cite.get("end", 0)))
    return {"before": ("…" if cut_left else "") + before, "cue": mark, "after": after + ("…" if cut_right else "")}


def relation_groups(items: list[dict], labels: dict[str, str]) -> list[dict]:
    """Items grouped by ``relation`` in ``cues.RELATIONS`` order, each group with its Vietnamese label."""
    return [{"relation": r, "label": labels[r], "items": [i for i in items if i.get("relation") == r]}
            for r in RELATIONS if any(i.get("relation") == r for i in items)]


def _target_id(entries: list[dict], cite: dict) -> str:
    """Of the ``entries`` bearing a citation's number, the one of the year its number or date names
    (``""``: it cannot tell, or no entry bears the number)."""
    year = target_year(cite, {e.get("year") or "" for e in entries})
    return next((e["id"] for e in entries if (e.get("year") or "") == year), "") if year is not None else ""


def relation_problem(value: str) -> str | None:
    """``None`` when ``value`` is a relation the index knows (``cues.RELATIONS``), else the Vietnamese reason."""
    return None if value in RELATIONS else f"Quan hệ «{value}» không có; dùng một trong: {', '.join(RELATIONS)}."


class EntryPages:
    """What ``SearchService`` answers about one entry or one document number (uses its ``searcher()``)."""

    # --- entries and citations ---------------------------------------------------------------------

    @recovering
    def entry(self, entry_id: str) -> dict | None:
        """Every stored field of one entry, with ``cites`` and ``cited_by`` (each item with its relation
        and a short quote) and both grouped by relation (``relations``); ``None`` if unknown."""
        s = self.searcher()
        num = next(iter(s.document_numbers(id=entry_id)), None)
        if num is None:
            return None
        fields = dict(s.stored_fields(num))
        fields["date"] = iso(fields.get("date"))
        text = entry_text(fields.get("title", ""), fields.get("body", ""))
        numbered: dict[str, list[dict]] = {}  # each cited number's entries, read once for all its mentions
        for c in fields.get("cites", []):
            if c.get("key"):
                key = keyword(c["key"])
                if key not in numbered:
                    numbered[key] = self._entries_of(s, key)
                c["target"] = _target_id(numbered[key], c)
        fields["citations"] = fields.get("cites", [])   # every citation found, with its offsets and target
        fields["cites"] = self.cites(fields, text)      # one item per cited document
        fields["cited_by"] = self.cited_by(fields)
        fields["relations"] = {"cites": relation_groups(fields["cites"], LABELS),
                               "cited_by": relation_groups(fields["cited_by"], REVERSE_LABELS)}
        fields["status_basis"] = fields.get("status_basis") or {}
        return fields

    @staticmethod
    def _entries_of(s, key: str) -> list[dict]:
        """The documents and cited-only entries bearing number ``key``, real documents first."""
        found = [s.stored_fields(n) for n in s.document_numbers(doc_key=key)]
        return sorted((f for f in found if f["kind"] in ("document", "cited")),
                      key=lambda f: (f["kind"] != "document", f.get("year") or "", f["id"]))

    def cited_by(self, fields: dict) -> list[dict]:
        """Entries citing this entry: by its number, and pointing to its year (``target_year``), newest first."""
        key = fields.get("doc_key")
        if not key:
            return []
        s = self.searcher()
        year = fields.get("year") or ""
        years = {e.get("year") or "" for e in self._entries_of(s, key)}
        out = []
        for num in s.document_numbers(citations=key):
            other = s.stored_fields(num)
            mine = [c for c in other.get("cites", []) if keyword(c.get("key", "")) == key
                    and target_year(c, years) == year]
            if not mine or other["id"] == fields.get("id"):
                continue
            best = _strongest(mine)
            text = entry_text(other.get("title", ""), other.get("body", ""))
            out.append({"id": other["id"], "title": other.get("title", ""), "kind": other["kind"],
                        "date": iso(other.get("date")), "year": other.get("year") or "",
                        "doc_number": other.get("doc_number", ""), "doc_type": other.get("doc_type", ""),
                        "relation": best.get("relation", "dan_chieu"), "quote": _quote(text, best)})
        return sorted(out, key=lambda e: (e["date"], e["id"]), reverse=True)

    def cites(self, fields: dict, text: str = "") -> list[dict]:
        """What this entry cites, one item per cited document (never itself), with how often, the
        entry to open, the strongest relation and a quote of its sentence."""
        own = fields.get("doc_key") or ""
        groups: dict[tuple[str, str], list[dict]] = {}
        for c in fields.get("citations", []):
            key = keyword(c.get("key") or "")
            if key and key != own:
                groups.setdefault((key, c.get("target", "")), []).append(c)
        s = self.searcher()
        out = []
        for (key, target), mentions in groups.items():
            first, best = mentions[0], _strongest(mentions)
            found = next((s.stored_fields(n) for n in s.document_numbers(id=target)), None) if target else None
            out.append({"key": key, "number": first.get("number", ""), "name": first.get("name", ""),
                        "doc_type": first.get("doc_type", ""),
                        "date": next((m["date"] for m in mentions if m.get("date")), "")
                        or (iso(found.get("date")) if found else ""),
                        "count": len(mentions), "id": target, "title": found.get("title", "") if found else "",
                        "status": found.get("status", "") if found else "",
                        "relation": best.get("relation", "dan_chieu"), "quote": _quote(text, best) if text else {}})
        return out

    @recovering
    def by_number(self, number: str) -> tuple[dict | None, str, list[dict]]:
        """The entry (with ``cited_by``) for a document number typed any way, the key that matched,
        and every entry bearing that number when there are several (one per year: "3077/KH-UBND")."""
        s = self.searcher()
        key = number_key(number)
        for k in dict.fromkeys([key, number] + near_miss_keys(key)):  # a law's name key is its own key
            entries = self._entries_of(s, k)
            if entries:
                several = [{"id": e["id"], "kind": e["kind"], "title": e.get("title", ""), "year": e.get("year") or "",
                            "date": iso(e.get("date")), "doc_number": e.get("doc_number", ""),
                            "status": e.get("status", ""), "cite_count": e.get("cite_count", 0)}
                           for e in entries] if len(entries) > 1 else []
                return self.entry(entries[0]["id"]), k, several
        return None, key, []

    @recovering
    def citing(self, number: str, relation: str = "") -> tuple[dict | None, str, list[dict]]:
        """``by_number``, with the ``cited_by`` of its entry narrowed to one ``relation`` when given."""
        found, key, several = self.by_number(number)
        if found is not None and relation:
            found["cited_by"] = [c for c in found["cited_by"] if c["relation"] == relation]
        return found, key, several


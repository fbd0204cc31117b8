"""The ``Document`` record: what the corpus reader produces and the index stores."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, fields

__all__ = ["Document", "Attachment", "content_hash", "DOCUMENT_FIELDS"]

KINDS = ("article", "document")


@dataclass(frozen=True)
class Attachment:
    """A file attached to a page: ``Attachment("KH93.pdf", "https://…/KH93.pdf")``."""

    name: str
    url: str = ""


@dataclass(frozen=True)
class Document:
    """One corpus entry. Empty fields stay empty: nothing is invented.

    ``date`` and ``effective_date`` are ISO ``YYYY-MM-DD`` strings (or ``""``).
    ``kind`` is ``"article"`` (a news / legal-education page) or ``"document"`` (a legal document).
    """

    id: str
    kind: str
    title: str = ""
    body: str = ""
    date: str = ""
    doc_number: str = ""
    doc_type: str = ""
    agency: str = ""
    signer: str = ""
    effective_date: str = ""
    status: str = ""
    field: str = ""
    author: str = ""
    url: str = ""
    source: str = ""
    attachments: tuple[Attachment, ...] = ()
    content_hash: str = ""
    path: str = ""  # the corpus file it came from (with ``#line`` for records); not searchable

    def to_dict(self) -> dict:
        """A JSON-ready dict: ``attachments`` as a list of ``{"name", "url"}``."""
        out = asdict(self)
        out["attachments"] = [dict(a) for a in out["attachments"]]
        return out


DOCUMENT_FIELDS = tuple(f.name for f in fields(Document))


def content_hash(*parts: str) -> str:
    """A stable hash of the text that decides whether an entry changed (sha1 hex, 40 chars)."""
    h = hashlib.sha1()
    for part in parts:
        h.update(part.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()

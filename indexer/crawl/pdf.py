"""PDF attachments → text (pypdf). A scan without a text layer gives no text and is reported, not indexed."""

from __future__ import annotations

import io
import logging

__all__ = ["PdfError", "pdf_text"]

log = logging.getLogger(__name__)


class PdfError(Exception):
    """The bytes are not a PDF pypdf can read; ``str(err)`` is the reason for the report."""


def pdf_text(data: bytes) -> str:
    """The text of every page, pages separated by a blank line; ``""`` when no page has a text layer."""
    from pypdf import PdfReader  # only a crawl that meets a PDF pays for the import
    from pypdf.errors import PdfReadError

    if not data.startswith(b"%PDF"):
        raise PdfError("not a PDF (no %PDF header)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise PdfError("encrypted PDF")
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as err:
        raise PdfError(f"unreadable PDF ({type(err).__name__}: {err})") from None
    return "\n\n".join(text for text in pages if text)

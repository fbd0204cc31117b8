"""Pure: the bytes of one corpus file → NFC text, or a ``DecodeError`` that says why not.

Order of guesses (first that fits wins):
BOM (UTF-8, UTF-16, UTF-32) → NUL pattern of BOM-less UTF-16 → strict UTF-8 → the charset the
HTML declares → Windows-1258 when the result looks Vietnamese. Windows-1258 writes tones as
combining marks (``"Vie\u0323t"``), so the text is NFC-normalized before it is returned.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

__all__ = ["DecodeError", "decode_bytes", "binary_kind", "declared_charset", "stream_encoding"]


class DecodeError(ValueError):
    """The bytes are not text this reader can use; ``str(err)`` is the reason for the report."""


# Magic numbers of files people drop into a corpus folder by mistake, e.g. a signed PDF.
_MAGIC = (
    (b"%PDF", "PDF document"),
    (b"PK\x03\x04", "ZIP archive or Office document"),
    (b"\xd0\xcf\x11\xe0", "old Office document"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"\x1f\x8b", "gzip data"),
    (b"Rar!", "RAR archive"),
    (b"7z\xbc\xaf", "7z archive"),
)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Control bytes that never occur in text (tab, LF, FF, CR and ESC are allowed).
_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\x0b\x0c\r\x1b")
_SAMPLE = 8192
_MAX_CONTROL_RATIO = 0.02

# <meta charset="windows-1258"> or <meta http-equiv="Content-Type" content="text/html; charset=utf-8">
_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)

# Letters only Vietnamese uses: ă đ ơ ư ĩ ũ and the toned vowels of U+1EA0–U+1EF9, e.g. "ệ" in "Việt".
# Windows-1258 bytes are accepted only when such letters are common (French "é, à" do not count).
_VIETNAMESE_RE = re.compile("[ăđơưĩũĂĐƠƯĨŨ\u1ea0-\u1ef9]")
_MIN_VIETNAMESE_RATIO = 0.02


def binary_kind(data: bytes) -> str:
    """What a binary blob is (``"PDF document"``, ``"binary data"``), or ``""`` for text-like bytes."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    sample = data[:_SAMPLE]
    if not sample or _utf16_order(sample):
        return ""
    if b"\x00" in sample:
        return "binary data"
    controls = sum(sample.count(b) for b in _CONTROL)
    return "binary data" if controls / len(sample) > _MAX_CONTROL_RATIO else ""


def _utf16_order(sample: bytes) -> str:
    """``"utf-16-le"``/``"utf-16-be"`` when NULs sit on one side of most byte pairs (BOM-less UTF-16)."""
    pairs = len(sample) // 2
    if pairs < 2:
        return ""
    odd_nuls = sample[1::2].count(0)
    even_nuls = sample[0::2].count(0)
    if odd_nuls > 0.3 * pairs and even_nuls < 0.05 * pairs:
        return "utf-16-le"
    if even_nuls > 0.3 * pairs and odd_nuls < 0.05 * pairs:
        return "utf-16-be"
    return ""


def stream_encoding(head: bytes) -> str:
    """The codec of a text stream that is not plain UTF-8, judged by its head: a UTF-16/32 BOM or the NUL
    pattern of BOM-less UTF-16 (``"utf-16"``, ``"utf-16-le"`` …); ``""`` for UTF-8 (BOM or not) and bytes."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return "" if codec == "utf-8-sig" else codec
    return _utf16_order(head[:_SAMPLE])


def declared_charset(data: bytes) -> str:
    """The codec an HTML page declares in its first 4 KB (``"cp1258"``), or ``""``."""
    match = _CHARSET_RE.search(data[:4096])
    if not match:
        return ""
    try:
        return codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return ""


def _looks_vietnamese(text: str) -> bool:
    letters = sum(1 for ch in text if ch.isalpha())
    return letters > 0 and len(_VIETNAMESE_RE.findall(text)) / letters >= _MIN_VIETNAMESE_RATIO


def _try(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _decode(data: bytes) -> str:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _try(data, codec)
            if text is None:
                raise DecodeError(f"cannot decode as {codec} despite its byte-order mark")
            return text
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise DecodeError(f"binary file ({kind})")
    order = _utf16_order(data[:_SAMPLE])
    if order:
        text = _try(data, order)
        if text is None:
            raise DecodeError(f"looks like {order} but does not decode")
        return text
    kind = binary_kind(data)
    if kind:
        raise DecodeError(f"binary file ({kind})")
    for codec in ("utf-8", declared_charset(data)):
        text = _try(data, codec) if codec else None
        if text is not None:
            return text
    text = _try(data, "cp1258")
    if text is not None and _looks_vietnamese(unicodedata.normalize("NFC", text)):
        return text
    raise DecodeError("undecodable text: not UTF-8, UTF-16, its declared charset or Vietnamese Windows-1258")


def decode_bytes(data: bytes) -> str:
    """Bytes → NFC text; raises ``DecodeError("empty file" | "binary file (…)" | …)``."""
    if not data.strip():
        raise DecodeError("empty file")
    text = unicodedata.normalize("NFC", _decode(data))
    if not text.strip("\ufeff \t\r\n\x00"):
        raise DecodeError("empty file")
    return text

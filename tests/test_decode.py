"""indexer.read.decode: bytes of every encoding staff have → NFC text, or a reason why not."""

from __future__ import annotations

import codecs
import unicodedata

import pytest

from indexer.read.decode import DecodeError, binary_kind, declared_charset, decode_bytes, stream_encoding

# The seed title (seeds/thanhhoa-article-2023-04-22.txt).
TITLE = ("Thanh Hóa ban hành Kế hoạch tăng cường sự lãnh đạo của Đảng đối với công tác của "
         "Hội Chữ thập đỏ Việt Nam trong tình hình mới")
TONES = "\u0300\u0301\u0303\u0309\u0323"


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letter precomposed, tone as a combining mark."""
    out = b""
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
            out += (base + "".join(c for c in parts if c in TONES)).encode("cp1258")
    return out


@pytest.mark.parametrize("data", [
    TITLE.encode("utf-8"),
    codecs.BOM_UTF8 + TITLE.encode("utf-8"),
    TITLE.encode("utf-16"),                      # with BOM, as Windows Notepad saves "Unicode"
    TITLE.encode("utf-16-le"),                   # no BOM: told apart by where the NULs sit
    TITLE.encode("utf-16-be"),
    TITLE.encode("utf-32"),
    to_cp1258(TITLE),                            # combining tone marks, composed to NFC on the way out
    unicodedata.normalize("NFD", TITLE).encode("utf-8"),  # macOS-style NFD
], ids=["utf8", "utf8-bom", "utf16-bom", "utf16le", "utf16be", "utf32", "cp1258", "utf8-nfd"])
def test_decode_bytes_returns_the_same_nfc_text_for_every_encoding(data):
    assert decode_bytes(data) == TITLE


def test_cp1258_bytes_really_use_combining_marks():
    assert (to_cp1258("ạ"), decode_bytes(to_cp1258("Việt Nam"))) == (b"a\xf2", "Việt Nam")


def test_declared_charset_of_an_html_page_is_used_when_utf8_fails():
    page = b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1258"></head>' \
           b"<body>" + to_cp1258("Số 93") + b"</body></html>"
    assert (declared_charset(page), decode_bytes(page)[-19:]) == ("cp1258", "Số 93</body></html>")


@pytest.mark.parametrize("data, reason", [
    (b"", "empty file"),
    (b" \r\n\t", "empty file"),
    (codecs.BOM_UTF8, "empty file"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "binary file (PDF document)"),
    (b"PK\x03\x04\x14\x00", "binary file (ZIP archive or Office document)"),
    (b"\x00\x01\x02\x03\x04\x05binary" * 20, "binary file (binary data)"),
    # French in Windows-1252 decodes under cp1258 but has no Vietnamese-only letter
    ("Café crème brûlée à la française".encode("cp1252"),
     "undecodable text: not UTF-8, UTF-16, its declared charset or Vietnamese Windows-1258"),
    # 0x81 is undefined in Windows-1258
    (b"\x81\x8d\x8f\x90 abc", "undecodable text: not UTF-8, UTF-16, its declared charset or Vietnamese Windows-1258"),
])
def test_decode_bytes_says_why_it_cannot_decode(data, reason):
    with pytest.raises(DecodeError) as err:
        decode_bytes(data)
    assert str(err.value) == reason


@pytest.mark.parametrize("data, kind", [
    (TITLE.encode("utf-8"), ""),
    (TITLE.encode("utf-16-le"), ""),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Office document"),
    (b"text with one NUL \x00 inside", "binary data"),
])
def test_binary_kind_names_what_the_bytes_are(data, kind):
    assert binary_kind(data) == kind


@pytest.mark.parametrize("data, codec", [
    ('{"title": "Việt Nam"}\n'.encode("utf-16"), "utf-16"),          # Windows "Unicode" export, with a BOM
    ('{"title": "Việt Nam"}\n'.encode("utf-16-le"), "utf-16-le"),    # the same without one
    ('{"title": "Việt Nam"}\n'.encode("utf-32"), "utf-32"),
    (codecs.BOM_UTF8 + '{"title": "Việt Nam"}\n'.encode(), ""),      # UTF-8 is read as bytes, line by line
    (b'{"title": "A"}\n\x00\x01\n{"title": "B"}\n', ""),          # a line of junk does not make it UTF-16
])
def test_stream_encoding_tells_utf16_and_utf32_streams_from_utf8(data, codec):
    assert stream_encoding(data) == codec

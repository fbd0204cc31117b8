"""Pure text normalization for Vietnamese: one code path for the index and the query.

``clean(text)``      NFC, Đ look-alikes fixed, control characters and odd spaces made plain.
                     The display form: it keeps the author's tone-mark style.
``normalize(text)``  ``clean`` + one tone-mark placement style (``TONE_STYLE``). The analysis form.
``fold(text)``       lowercase, diacritics removed, đ → d: what people type without accents.

After ``clean``, the other two steps map one character to one character, so offsets found in
``normalize(clean(t))`` or ``fold(clean(t))`` point at the same characters of ``clean(t)``; this is
what lets highlights on folded or normalized tokens land on the displayed text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np

__all__ = ["clean", "normalize", "fold", "prepare_fold", "to_old_tone_style", "to_new_tone_style", "TONE_STYLE"]

# Which tone-mark placement the analysis uses for the open syllables oa/oe/uy.
#   "old": hoà, khoẻ, thuỷ, Uỷ (mark on the second vowel) -- the spelling of pyvi's dictionary.
#   "new": hòa, khỏe, thủy, Ủy (mark on the first vowel).
# Chosen by measurement (bench/tone_style.py): on real sentences from phapdien_articles pyvi joins
# more compounds when the text is in the old style, because its dictionary only has that spelling.
TONE_STYLE = "old"

# Ð (U+00D0, Icelandic eth) and ð (U+00F0) are typed for Đ/đ in Vietnamese text.
_LOOKALIKES = {0x00D0: "Đ", 0x00F0: "đ"}

# Spaces that are not U+0020 and characters that must not reach the tokenizer.
_ODD_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
              "\u200b\u200c\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff"


def _clean_table() -> dict[int, str]:
    table = dict(_LOOKALIKES)
    for ch in _ODD_SPACES:
        table[ord(ch)] = "\n" if ch in "\u2028\u2029" else " "
    for cp in list(range(0x00, 0x20)) + list(range(0x7F, 0xA0)):
        if chr(cp) not in "\n\t":
            table[cp] = " "
    return table


_CLEAN = _clean_table()
# Most text needs no translation at all: finding that out with one regex search is ~10x faster.
_NEEDS_CLEAN = re.compile("[" + "".join(re.escape(chr(cp)) for cp in _CLEAN) + "]")


def clean(text: str) -> str:
    """NFC, Ð→Đ, odd spaces and control characters → space. ``"Ð\u00a0x"`` → ``"Đ x"``."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    return text.translate(_CLEAN) if _NEEDS_CLEAN.search(text) else text


# --- tone-mark placement -------------------------------------------------------------------------

_TONES = "\u0300\u0301\u0309\u0303\u0323"  # huyền, sắc, hỏi, ngã, nặng


def _compose(base: str, tone: str) -> str:
    return unicodedata.normalize("NFC", base + tone)


def _pair_tables() -> tuple[dict[str, str], dict[str, str]]:
    """Map each toned open diphthong between the styles: ``"òa"`` ↔ ``"oà"``."""
    to_old: dict[str, str] = {}
    for first, second in (("o", "a"), ("o", "e"), ("u", "y")):
        for tone in _TONES:
            for f, s in ((first, second), (first.upper(), second), (first.upper(), second.upper()),
                         (first, second.upper())):
                to_old[_compose(f, tone) + s] = f + _compose(s, tone)
    return to_old, {v: k for k, v in to_old.items()}


_TO_OLD, _TO_NEW = _pair_tables()

# An open syllable ends right after the pair: no letter follows. "q" before "u" makes "uy" a plain
# "y" syllable (quý is spelled the same in both styles), so it is excluded.
_LETTER = r"[^\W\d_]"


def _pair_pattern(table: dict[str, str]) -> re.Pattern:
    """Any first character of a pair of ``table`` followed by any second one, then no letter.

    The alternation of the pairs themselves, after a look-behind, is tried at every position of the
    text (~100 ns a character: ~6 s of a 62k-article build's CPU, paid in the segmenting and in the
    writing); a pattern that starts with a character class is found by a scan in C, ~10× faster. It
    also matches a few pairs that are not in ``table`` (``"òy"``): ``_restyle`` leaves those, and a pair
    after ``q`` (``"quý"`` is spelled alike in both styles), as they are. No second character starts
    a pair, so a pair matched and left never hides one.
    """
    firsts = "".join(sorted({k[0] for k in table}))
    seconds = "".join(sorted({k[1] for k in table}))
    return re.compile(f"[{firsts}][{seconds}](?!{_LETTER})")


_OLD_RE, _NEW_RE = _pair_pattern(_TO_OLD), _pair_pattern(_TO_NEW)


def _restyle(text: str, pattern: re.Pattern, table: dict[str, str]) -> str:
    def swap(m: re.Match) -> str:
        pair, start = m.group(), m.start()
        if start and text[start - 1] in "qQ":
            return pair
        return table.get(pair, pair)
    return pattern.sub(swap, text)


def to_old_tone_style(text: str) -> str:
    """``"hòa giải, Ủy ban, khỏe"`` → ``"hoà giải, Uỷ ban, khoẻ"``; ``"hoàn"`` is left alone."""
    return _restyle(text, _OLD_RE, _TO_OLD)


def to_new_tone_style(text: str) -> str:
    """``"hoà giải, Uỷ ban, khoẻ"`` → ``"hòa giải, Ủy ban, khỏe"``."""
    return _restyle(text, _NEW_RE, _TO_NEW)


_TO_STYLE = {"old": to_old_tone_style, "new": to_new_tone_style}


@lru_cache(maxsize=8)
def normalize(text: str, style: str = TONE_STYLE) -> str:
    """The analysis form: ``clean`` + one tone style. ``"Thanh Hóa"`` → ``"Thanh Hoá"``."""
    return _TO_STYLE[style](clean(text))


# --- folding -------------------------------------------------------------------------------------


class _FoldTable(dict):
    """A lazily filled ``str.translate`` table: every character to at most one character."""

    def __missing__(self, cp: int) -> str:
        ch = chr(cp)
        out = ch
        if cp > 0x7F:
            base = unicodedata.normalize("NFD", ch)[0]
            if base.isascii() and base.isalpha():
                out = base
        low = out.lower()
        if len(low) == 1:
            out = low
        self[cp] = out
        return out


_FOLD = _FoldTable({0x0110: "d", 0x0111: "d", 0x00D0: "d", 0x00F0: "d"})


# ``str.translate`` looks every character up in the table as a Python object: ~44 ns a character,
# 1.3 ms for one long gazette text's snippet. Past this length the text goes through an array of the
# whole Basic Multilingual Plane instead (the same table as an array, made on first use: ~4× faster).
_LONG = 2048
_bmp: np.ndarray | None = None


def _bmp_table() -> np.ndarray:
    global _bmp
    if _bmp is None:
        table = _FoldTable(_FOLD)  # a copy fills up, not the table every short text is folded by
        _bmp = np.array([ord(table[cp]) for cp in range(0x10000)], dtype=np.uint32)
    return _bmp


def prepare_fold() -> None:
    """Make the BMP array long texts are folded through now (~80 ms), not in the first search that
    shows a snippet of one (a server's warm-up calls this)."""
    _bmp_table()


def fold(text: str) -> str:
    """Lowercase, drop diacritics, đ→d, one character for one: ``"Chữ thập đỏ"`` → ``"chu thap do"``."""
    if len(text) < _LONG:
        return text.translate(_FOLD)
    try:
        points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    except UnicodeEncodeError:  # a lone surrogate
        return text.translate(_FOLD)
    table = _bmp_table()
    if points.max() >= len(table):  # beyond the BMP (an emoji): rare, the plain way
        return text.translate(_FOLD)
    return table[points].tobytes().decode("utf-32-le")

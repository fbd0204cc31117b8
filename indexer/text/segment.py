"""Vietnamese word segmentation: the only module that imports pyvi.

pyvi is imported lazily, once per process (it pulls scikit-learn and takes about a second), and fed
sentence by sentence: a whole document in one call is several times slower and much larger in memory.

``segment(text)`` returns ``Word`` tuples with character offsets into ``text``, so the analysis chain
can keep highlights and positions exact. The syllable pattern is pyvi's own (``ViTokenizer.sylabelize``)
and the joining rule is pyvi's own (``ViTokenizer.tokenize``), applied to spans instead of strings.
"""

from __future__ import annotations

import re
import string
from functools import lru_cache
from typing import NamedTuple

__all__ = ["Word", "segment", "syllables", "syllable_texts", "sentences", "segment_text", "join_flags",
           "words_from_flags", "word_texts", "prime", "forget"]

# pyvi's syllable pattern, in its order (first match wins); compiled once here with offsets.
_SYLLABLE = re.compile(
    "("
    r"[A-ZĐ]+\.|Tp\.|Mr\.|Mrs\.|Ms\.|Dr\.|ThS\."  # abbreviations, e.g. "TP." "ThS."
    r"|==>|->|\.\.\.|>>|\n"                        # specials, e.g. "..."
    r"|\w+://[^\s]+"                               # web address, e.g. "https://vbpl.vn/x"
    r"|[a-zA-Z0-9_.+-]+@(?:[a-zA-Z0-9-]+\.)+[a-zA-Z0-9-]+"  # e-mail, e.g. "a.b@stp.gov.vn"
    r"|\d+(?:[.,_]\d+)+"                           # grouped number, e.g. "1.500.000"
    r"|[^\w\s]"                                    # one punctuation mark, e.g. "/"
    r"|\w+"                                        # a syllable, e.g. "Chữ"
    ")"
)

# Sentence ends: pyvi is fed one sentence at a time. Splitting on ". " inside "TP. Thanh Hóa"
# costs nothing: the pieces are still segmented, only without context across the cut.
_SENTENCE_END = re.compile(r"\n+|(?<=[.!?;…])\s+")

# A CRF over a very long "sentence" (tables, lists without stops) is slow and gains nothing.
_MAX_SENTENCE_SYLLABLES = 200

_PUNCT = set(string.punctuation)


class Word(NamedTuple):
    """One segmented word: ``Word("Chữ_thập_đỏ", 4, 15)``; syllables joined by ``_``."""

    text: str
    start: int
    end: int


@lru_cache(maxsize=1)
def _tokenizer():
    """Import pyvi on first use, once per process."""
    from pyvi import ViTokenizer  # noqa: PLC0415 - lazy on purpose: ~1 s and ~100 MB

    return ViTokenizer.ViTokenizer


@lru_cache(maxsize=8)
def syllables(text: str) -> list[tuple[str, int, int]]:
    """pyvi's syllables with offsets: ``"93/KH"`` → ``[("93",0,2), ("/",2,3), ("KH",3,5)]``.

    Cached for the last few texts: the index runs three analyzers over each field value in a row.
    The list is shared: callers must not change it.
    """
    return [(m.group(), m.start(), m.end()) for m in _SYLLABLE.finditer(text) if m.group() != "\n"]


@lru_cache(maxsize=8)
def syllable_texts(text: str) -> list[str]:
    """``syllables(text)`` without the offsets (one C call: the build's writers need no offsets).
    Shared like ``syllables``: callers must not change the list."""
    return [s for s in _SYLLABLE.findall(text) if s != "\n"]


def sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences pyvi is fed, at most ``_MAX_SENTENCE_SYLLABLES`` syllables each."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _joins(prev: str, cur: str, inside: bool) -> bool:
    """pyvi's rule for gluing ``cur`` to the word before it (``inside``: labelled ``I_W``)."""
    return (inside and cur not in _PUNCT and prev not in _PUNCT
            and not cur[0].isdigit() and not prev[0].isdigit()
            and not (cur[0].istitle() and not prev[0].istitle()))


# What pyvi's ``word2features`` says of one syllable, as CRFsuite attribute strings: its lowercase
# at each position of the window, and its case flags. Remembered by syllable (a corpus has few).
_ATTRS_MAX = 200_000
_attrs: dict[str, tuple[list[str], list[str], list[str], str]] = {}


def _attrs_of(word: str) -> tuple[list[str], list[str], list[str], str]:
    """(its own attributes, those it gives the next syllable, those it gives the one before, lowercase)."""
    low, title, upper = word.lower(), word.istitle(), word.isupper()
    own = ["bias", "word.lower():" + low]
    own += ["word.isupper()"] * upper + ["word.istitle()"] * title + ["word.isdigit()"] * word.isdigit()
    before = ["-1:word.lower():" + low] + ["-1:word.istitle()"] * title + ["-1:word.isupper()"] * upper
    after = ["+1:word.lower():" + low] + ["+1:word.istitle()"] * title + ["+1:word.isupper()"] * upper
    return own, before, after, low


def _syllable_attrs(word: str) -> tuple[list[str], list[str], list[str], str]:
    got = _attrs.get(word)
    if got is None:
        if len(_attrs) >= _ATTRS_MAX:
            _attrs.clear()
        got = _attrs[word] = _attrs_of(word)
    return got


def _features(sylls: list[str]) -> list[list[str]]:
    """pyvi's ``sent2features(sylls)`` as CRFsuite reads it, computed once per syllable and pair.

    CRFsuite turns ``{"name": "value"}`` into the attribute ``name:value`` weighing 1, and
    ``{"name": True/False}`` into ``name`` weighing 1/0; an attribute weighing 0 adds nothing. So
    the true flags and the ``name:value`` strings, in pyvi's order, score every label exactly as
    pyvi's dicts do (``tests/test_segment.py`` compares the labels on real text).
    """
    tok = _tokenizer()
    bi, tri = tok.bi_grams, tok.tri_grams
    attrs = [_syllable_attrs(w) for w in sylls]
    low = [a[3] for a in attrs]
    pair = [f"{a} {b}" in bi for a, b in zip(low, low[1:])]  # pair[i]: syllables i and i+1
    triple = [f"{a} {b} {c}" in tri for a, b, c in zip(low, low[1:], low[2:])]  # triple[i]: i, i+1, i+2
    n, out = len(sylls), []
    for i in range(n):
        f = list(attrs[i][0])
        if i > 0:
            f += attrs[i - 1][1]
            if pair[i - 1]:
                f.append("-1:word.bi_gram()")
            if i > 1 and triple[i - 2]:
                f.append("-2:word.tri_gram()")
        if i < n - 1:
            f += attrs[i + 1][2]
            if pair[i]:
                f.append("+1:word.bi_gram()")
            if i < n - 2 and triple[i]:
                f.append("+2:word.tri_gram()")
        out.append(f)
    return out


def _label(sylls: list[str]) -> list[str]:
    """pyvi's labels of one sentence, through CRFsuite (what ``_Model`` is tested against)."""
    return _tokenizer().model.tagger_.tag(_features(sylls))


class _Model:
    """pyvi's CRF read into Python: the weight of each attribute for each of its two labels, and the
    four transition weights, so that a sentence is labelled without building CRFsuite's attribute
    strings (``_features``) and items for it, which was most of the segmenting's CPU.

    CRFsuite scores label ``y`` at a syllable as the sum of the weights of the syllable's attributes
    for ``y`` and takes the best path by Viterbi (ties to the first label). Here the attributes a
    syllable brings to its own position, to the next one ("-1:…") and to the one before ("+1:…") are
    summed once per syllable, the bi-/tri-gram flags added, and the same Viterbi run: the same labels
    (``tests/test_segment.py`` compares them with CRFsuite's on real text; sums in another order may
    differ in the last bit, which decides a label only on an exact tie of two paths).

    The weights are read from the model file itself (``FEAT`` chunk: type, source, target, weight as
    a little-endian double) and the attribute names from CRFsuite's own dump of it; ``None`` (and
    CRFsuite is used) when either is not as expected.
    """

    _ROWS_MAX = 200_000

    def __init__(self, weights: dict[str, tuple[float, float]], trans: tuple[float, float, float, float]):
        self.weights = weights
        self.trans = trans
        self.rows: dict[str, tuple] = {}  # by syllable: what ``_row`` makes of it
        tok = _tokenizer()
        self.bi_grams, self.tri_grams = tok.bi_grams, tok.tri_grams
        get = weights.get
        zero = (0.0, 0.0)
        self.bi_before, self.tri_before = get("-1:word.bi_gram()", zero), get("-2:word.tri_gram()", zero)
        self.bi_after, self.tri_after = get("+1:word.bi_gram()", zero), get("+2:word.tri_gram()", zero)

    @classmethod
    def load(cls) -> "_Model | None":
        import os
        import struct
        import tempfile

        tok = _tokenizer()
        tagger = tok.model.tagger_
        try:
            with open(tok.model.modelfile.name, "rb") as f:
                data = f.read()
            magic, _, kind, _, _, labels, attrs, at = struct.unpack_from("<4sI4sIIIII", data, 0)
            chunk, _, count = struct.unpack_from("<4sII", data, at)
            if (magic, kind, chunk, labels, tagger.labels()) != (b"lCRF", b"FOMC", b"FEAT", 2, ["B_W", "I_W"]):
                return None
            fd, dump = tempfile.mkstemp(suffix=".txt")
            os.close(fd)
            try:
                tagger.dump(dump)
                with open(dump, encoding="utf-8", newline="") as f:
                    lines = f.read().split("\n")
            finally:
                os.unlink(dump)
            names = _attribute_names(lines, attrs)
            if names is None:
                return None
            weights: dict[str, list[float]] = {}
            trans = [0.0] * 4
            for k in range(count):
                feature, source, target, weight = struct.unpack_from("<IIId", data, at + 12 + 20 * k)
                if feature == 0:
                    weights.setdefault(names[source], [0.0, 0.0])[target] = weight
                elif feature == 1:
                    trans[2 * source + target] = weight
                else:
                    return None
        except (OSError, ValueError, KeyError, IndexError, AttributeError, struct.error):
            return None
        return cls({k: (v[0], v[1]) for k, v in weights.items()}, tuple(trans))

    def _row(self, word: str) -> tuple:
        """(lowercase, own B, own I, B and I it adds to the next syllable, to the one before)."""
        own, before, after, low = _attrs_of(word)  # once per syllable: the row is what is kept
        get, zero = self.weights.get, (0.0, 0.0)
        sums = []
        for names in (own, before, after):
            b = i = 0.0
            for name in names:
                wb, wi = get(name, zero)
                b += wb
                i += wi
            sums += (b, i)
        if len(self.rows) >= self._ROWS_MAX:
            self.rows.clear()
        row = self.rows[word] = (low, *sums)
        return row

    def inside(self, sylls: list[str]) -> list[int]:
        """1 for each syllable of a sentence labelled ``I_W`` (inside a word), 0 for ``B_W``."""
        rows, make = self.rows, self._row
        got = [rows.get(w) or make(w) for w in sylls]  # a row is a non-empty tuple
        n = len(got)
        low = [r[0] for r in got]
        bi, tri = self.bi_grams, self.tri_grams
        pair = [f"{a} {b}" in bi for a, b in zip(low, low[1:])]
        triple = [f"{a} {b} {c}" in tri for a, b, c in zip(low, low[1:], low[2:])]
        bbb, bbi = self.bi_before
        tbb, tbi = self.tri_before
        bab, bai = self.bi_after
        tab, tai = self.tri_after
        sb, si = [], []
        for t in range(n):
            _, b, i, _, _, _, _ = got[t]
            if t > 0:
                prev = got[t - 1]
                b += prev[3]
                i += prev[4]
                if pair[t - 1]:
                    b += bbb
                    i += bbi
                if t > 1 and triple[t - 2]:
                    b += tbb
                    i += tbi
            if t < n - 1:
                nxt = got[t + 1]
                b += nxt[5]
                i += nxt[6]
                if pair[t]:
                    b += bab
                    i += bai
                if t < n - 2 and triple[t]:
                    b += tab
                    i += tai
            sb.append(b)
            si.append(i)
        t_bb, t_bi, t_ib, t_ii = self.trans
        p0, p1 = sb[0], si[0]
        back = []
        for t in range(1, n):
            x, y = p0 + t_bb, p1 + t_ib
            if y > x:
                n0, k = y, 1
            else:
                n0, k = x, 0
            x, y = p0 + t_bi, p1 + t_ii
            if y > x:
                n1, k = y, k | 2
            else:
                n1 = x
            p0, p1 = n0 + sb[t], n1 + si[t]
            back.append(k)
        label = 1 if p1 > p0 else 0
        labels = [label]
        for k in reversed(back):
            label = (k >> label) & 1
            labels.append(label)
        labels.reverse()
        return labels


def _attribute_names(lines: list[str], count: int) -> dict[int, str] | None:
    """Attribute number → name from the ``ATTRIBUTES = {`` block of CRFsuite's dump: ``"     12: name"``
    lines; a name may hold a newline (pyvi's model has ``"word.lower():\\n"``), so a line that does not
    start the next number continues the name before it."""
    start = lines.index("ATTRIBUTES = {") + 1
    names: dict[int, str] = {}
    for line in lines[start:]:
        head, sep, name = line.lstrip(" ").partition(": ")
        if sep and head == str(len(names)) and len(names) < count:
            names[len(names)] = name
        elif line == "}" and len(names) == count:
            return names
        elif names:
            names[len(names) - 1] += "\n" + line
        else:
            return None
    return None


@lru_cache(maxsize=1)
def _model() -> _Model | None:
    return _Model.load()


def join_flags(text: str) -> bytes:
    """One byte per syllable of ``text``: 1 where pyvi glues it to the syllable before.

    ``"Hội Chữ thập đỏ"`` → ``b"\\x00\\x00\\x01\\x01"``. This is all a segmentation is, so it is
    what the build caches (keyed by content hash) to skip pyvi on unchanged text.
    """
    model = _model()
    flags = bytearray()
    for start, end in sentences(text):
        sylls = [s for s in _SYLLABLE.findall(text, start, end) if s != "\n"]
        for i in range(0, len(sylls), _MAX_SENTENCE_SYLLABLES):
            chunk = sylls[i:i + _MAX_SENTENCE_SYLLABLES]
            inside = model.inside(chunk) if model is not None else [label == "I_W" for label in _label(chunk)]
            flags.append(0)
            flags.extend(_joins(p, c, k) for p, c, k in zip(chunk, chunk[1:], inside[1:]))
    return bytes(flags)


def words_from_flags(text: str, flags: bytes) -> list[Word]:
    """Rebuild the words of ``text`` from its ``join_flags`` (no pyvi involved)."""
    sylls = syllables(text)
    if len(sylls) != len(flags):
        raise ValueError(f"segmentation does not fit the text: {len(flags)} flags, {len(sylls)} syllables")
    out: list[Word] = []
    parts: list[str] = []
    start = end = 0
    for (syl, s, e), glued in zip(sylls, flags):
        if parts and not glued:
            out.append(Word("_".join(parts), start, end))
            parts = []
        if not parts:
            start = s
        parts.append(syl)
        end = e
    if parts:
        out.append(Word("_".join(parts), start, end))
    return out


# Segmentations handed in ahead of time (by the build's worker processes or its cache), consulted
# before pyvi is run. Keyed by the text's length, hash and first characters, not by the text: a
# build primes every entry's normalized text at once, and keeping those strings alive cost the
# build ~150 MB on 62k articles.
_primed: dict[tuple[int, int, str], bytes] = {}


def _key(text: str) -> tuple[int, int, str]:
    return len(text), hash(text), text[:16]


def prime(text: str, flags: bytes) -> None:
    """Remember ``text``'s segmentation so that ``segment(text)`` does not run pyvi again."""
    _primed[_key(text)] = flags


def forget() -> None:
    """Drop every primed segmentation (the build calls this after each batch)."""
    _primed.clear()


def _flags_for(text: str) -> bytes:
    """``join_flags(text)``, primed or computed."""
    flags = _primed.get(_key(text))
    return join_flags(text) if flags is None else flags


def word_texts(text: str) -> list[str]:
    """``[w.text for w in segment(text)]``, without the offsets: ``"Hội Chữ thập đỏ"`` →
    ``["Hội", "Chữ_thập_đỏ"]`` (what the build's writers index)."""
    flags = _flags_for(text)
    sylls = syllable_texts(text)
    if len(sylls) != len(flags):
        raise ValueError(f"segmentation does not fit the text: {len(flags)} flags, {len(sylls)} syllables")
    words: list[str] = []
    for syl, glued in zip(sylls, flags):
        if glued and words:
            words[-1] += "_" + syl
        else:
            words.append(syl)
    return words


def segment(text: str) -> list[Word]:
    """Words of ``text`` with offsets: ``"Hội Chữ thập đỏ"`` → ``[Word("Hội",0,3), Word("Chữ_thập_đỏ",4,15)]``.

    Punctuation comes out as words of its own (``"/"``); the analysis chain drops what it does not index.
    """
    return words_from_flags(text, _flags_for(text))


def segment_text(text: str) -> str:
    """pyvi-style output string, for comparison with ``ViTokenizer.tokenize``: ``"Hội Chữ_thập_đỏ"``."""
    return " ".join(w.text for w in segment(text))

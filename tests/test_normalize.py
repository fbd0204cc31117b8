"""normalize.clean / normalize / fold: one spelling for index and query (DOMAIN.md §3)."""

import gzip
import itertools
import json
import random
import re
import unicodedata

import pytest

from conftest import shared_path
from indexer.text.normalize import _TO_NEW, _TO_OLD, clean, fold, normalize, to_new_tone_style, to_old_tone_style


@pytest.mark.parametrize("text, expected", [
    # both tone styles meet in the old style (the one pyvi's dictionary knows; bench/tone_style.py)
    ("hòa giải ở cơ sở", "hoà giải ở cơ sở"),
    ("hoà giải ở cơ sở", "hoà giải ở cơ sở"),
    ("Ủy ban nhân dân tỉnh Thanh Hóa", "Uỷ ban nhân dân tỉnh Thanh Hoá"),
    ("thủy lợi, khỏe mạnh, tùy theo, xòe", "thuỷ lợi, khoẻ mạnh, tuỳ theo, xoè"),
    ("HÒA GIẢI, THỦY", "HOÀ GIẢI, THUỶ"),
    # closed syllables and qu- are spelled one way in both styles: untouched
    ("hoàn thành, quý, quỳnh, thuyền, khoảng", "hoàn thành, quý, quỳnh, thuyền, khoảng"),
    # NFD input (macOS, some pages) composes first
    (unicodedata.normalize("NFD", "Hội Chữ thập đỏ"), "Hội Chữ thập đỏ"),
    # U+00D0 typed for Đ in 49 Bình Dương numbers (binhduong_van_ban.jsonl.gz)
    ("1234/QÐ-UBND", "1234/QĐ-UBND"),
    ("\u00f0ảng", "đảng"),
    ("số\u00a093\u200b/KH\x07", "số 93 /KH "),
    ("", ""),
])
def test_normalize(text, expected):
    assert normalize(text) == expected


def test_tone_styles_round_trip():
    text = "Hòa giải, Ủy ban, khỏe, thủy, Hóa"
    assert to_old_tone_style(text) == "Hoà giải, Uỷ ban, khoẻ, thuỷ, Hoá"
    assert to_new_tone_style(to_old_tone_style(text)) == text


def _reference_restyle(text: str, table: dict[str, str]) -> str:
    """The rule as first written: any pair of ``table``, not after q/Q, not followed by a letter."""
    pattern = re.compile(r"(?<![qQ])(" + "|".join(map(re.escape, table)) + r")(?![^\W\d_])")
    return pattern.sub(lambda m: table[m.group(1)], text)


def test_tone_styles_follow_the_rule_on_every_short_string():
    # normalize's pattern is a faster one (a character class, the pair checked after): it must rewrite
    # exactly what the plain rule rewrites, on every string of three characters from the pairs' own
    # letters, q/Q, another letter, a digit, "_" and a space, and on random longer ones
    for table, restyle in ((_TO_OLD, to_old_tone_style), (_TO_NEW, to_new_tone_style)):
        alphabet = sorted({ch for pair in table for ch in pair}) + ["q", "Q", "n", "1", "_", " "]
        texts = ["".join(t) for t in itertools.product(alphabet, repeat=3)]
        rng = random.Random(7)
        texts += ["".join(rng.choices(alphabet, k=12)) for _ in range(20_000)]
        changed = 0
        for text in texts:
            expected = _reference_restyle(text, table)
            assert restyle(text) == expected, text
            changed += expected != text
        assert changed > 1000  # the strings do exercise the rewriting


def test_clean_keeps_the_authors_tone_style():
    # the display form must not rewrite what the author typed
    assert clean("Thanh Hóa và Thanh Hoá") == "Thanh Hóa và Thanh Hoá"
    assert clean("dòng 1\r\ndòng 2\tcột") == "dòng 1 \ndòng 2\tcột"


@pytest.mark.parametrize("text, expected", [
    ("Chữ thập đỏ", "chu thap do"),
    ("Đảng ủy ĐĂNG", "dang uy dang"),
    ("Ủy ban nhân dân", "uy ban nhan dan"),
    ("Nghị định 30/2020/NĐ-CP", "nghi dinh 30/2020/nd-cp"),
    ("QÐ", "qd"),
])
def test_fold(text, expected):
    assert fold(text) == expected


@pytest.mark.parametrize("text", [
    "Kế hoạch số 108 - KH/TU ngày 16/02/2023 của Ban Thường vụ Tỉnh ủy",  # seed article
    "Ủy ban nhân dân tỉnh Thanh Hóa İstanbul ß ǅ",
])
def test_normalize_and_fold_keep_length_after_clean(text):
    # highlights found in the normalized or folded text map back to the displayed characters
    shown = clean(text)
    assert len(normalize(shown)) == len(shown)
    assert len(fold(shown)) == len(shown)


def test_long_texts_fold_through_the_array_as_through_the_table():
    # past normalize._LONG characters fold reads an array of the whole BMP; the same characters come out
    from indexer.text import normalize as N

    every = "".join(chr(cp) for cp in range(0x10000) if not 0xD800 <= cp < 0xE000)
    with gzip.open(shared_path("congbao_8chude_fulltext/congbao_8chude.jsonl.gz"), "rt", encoding="utf-8") as f:
        gazette = json.loads(f.readline())["full_text"]
    texts = {"every BMP character": every, "a gazette text": gazette,
             "beyond the BMP": gazette[:3000] + "🙂", "a lone surrogate": gazette[:3000] + "\ud800"}
    assert min(map(len, texts.values())) >= N._LONG
    assert {name: N.fold(text) == text.translate(N._FOLD) for name, text in texts.items()} == dict.fromkeys(texts, True)
    assert N.fold(gazette)[:200] == gazette[:200].translate(N._FOLD) and "đ" not in N.fold(gazette)


def test_tone_styles_follow_the_rule_on_real_text():
    # the first gazette texts, in both styles: the same rewriting as the plain rule, and some of it
    with gzip.open(shared_path("congbao_8chude_fulltext/congbao_8chude.jsonl.gz"), "rt", encoding="utf-8") as f:
        texts = [clean(json.loads(next(f))["full_text"]) for _ in range(20)]
    for table, restyle in ((_TO_OLD, to_old_tone_style), (_TO_NEW, to_new_tone_style)):
        assert [restyle(t) for t in texts] == [_reference_restyle(t, table) for t in texts]
    assert sum(to_old_tone_style(t) != t for t in texts) + sum(to_new_tone_style(t) != t for t in texts) >= 10

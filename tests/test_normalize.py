"""normalize.clean / normalize / fold: one spelling for index and query (DOMAIN.md §3)."""

import gzip
import json
import unicodedata

import pytest

from conftest import shared_path
from indexer.text.normalize import clean, fold, normalize, to_new_tone_style, to_old_tone_style


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

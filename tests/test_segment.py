"""segment: pyvi words with offsets, fed sentence by sentence, equal to pyvi's own output."""

import gzip
import json

import pytest

from conftest import seed_path, shared_path
from indexer.text.normalize import clean, normalize
from indexer.text.segment import Word, join_flags, segment, segment_text, sentences, syllables, words_from_flags


@pytest.mark.parametrize("text, expected", [
    # seed article (thanhhoa-article-2023-04-22.txt), first sentence, in the analysis form
    ("Uỷ ban nhân dân tỉnh Thanh Hoá đã ban hành Kế hoạch số 93/KH-UBND",
     "Uỷ_ban nhân_dân tỉnh Thanh_Hoá đã ban_hành Kế_hoạch số 93 / KH - UBND"),
    ("Hội Chữ thập đỏ Việt Nam", "Hội Chữ_thập_đỏ Việt_Nam"),
    # phapdien_articles, Điều 36.3.LQ.1 (Luật Thanh niên 57/2020/QH14)
    ("Thanh niên là công dân Việt Nam từ đủ 16 tuổi đến 30 tuổi.",
     "Thanh_niên là công_dân Việt_Nam từ đủ 16 tuổi đến 30 tuổi ."),
    # DOMAIN.md §3: old-style spelling is what pyvi's dictionary knows
    ("hoà giải ở cơ sở", "hoà_giải ở cơ_sở"),
    ("mức phạt 1.500.000 đồng", "mức phạt 1.500.000 đồng"),
    ("", ""),
    ("   \n  ", ""),
])
def test_segment_text(text, expected):
    assert segment_text(text) == expected


def test_words_carry_offsets_into_the_text():
    # a line break is a sentence end: "Chữ" and "thập đỏ" are segmented apart, offsets stay exact
    text = "Hội  Chữ thập đỏ\nViệt Nam"
    assert segment(text) == [Word("Hội", 0, 3), Word("Chữ_thập_đỏ", 5, 16), Word("Việt_Nam", 17, 25)]


def test_sentences_split_on_stops_and_lines():
    text = "Câu một. Câu hai; câu ba\nDòng mới"
    assert [text[s:e] for s, e in sentences(text)] == ["Câu một.", "Câu hai;", "câu ba", "Dòng mới"]


def test_syllables_keep_numbers_urls_and_emails_whole():
    text = "Gọi 1.500.000 đ, https://vbpl.vn/a?b=1 hoặc stp@thanhhoa.gov.vn"
    assert [s[0] for s in syllables(text)] == [
        "Gọi", "1.500.000", "đ", ",", "https://vbpl.vn/a?b=1", "hoặc", "stp@thanhhoa.gov.vn"]


def test_flags_round_trip_without_pyvi():
    text = normalize("Ngày 18 tháng 4 năm 2023, Ủy ban nhân dân tỉnh Thanh Hóa đã ban hành Kế hoạch")
    flags = join_flags(text)
    assert len(flags) == len(syllables(text))
    assert words_from_flags(text, flags) == segment(text)
    with pytest.raises(ValueError):
        words_from_flags(text, flags[:-1])


def test_long_text_is_segmented_in_sentences():
    # a 2,000-sentence text: sentence-by-sentence feeding keeps memory and time bounded
    text = "Hội Chữ thập đỏ Việt Nam hoạt động nhân đạo. " * 2000
    words = segment(text)
    assert len(words) == 2000 * 6  # Hội, Chữ_thập_đỏ, Việt_Nam, hoạt_động, nhân_đạo, "."
    assert words[-2] == Word("nhân_đạo", len(text) - 10, len(text) - 2)


def test_same_words_as_pyvi_on_real_text():
    # pyvi's own tokenize, sentence by sentence, on the seed article and 200 phapdien articles
    from pyvi import ViTokenizer

    texts = [clean(seed_path().read_text(encoding="utf-8"))]
    with gzip.open(shared_path("phapdien_articles/phapdien_articles.jsonl.gz"), "rt", encoding="utf-8") as f:
        for i, line in zip(range(4000), f):
            if i % 20 == 0:
                texts.append(clean(json.loads(line)["text"]))
    checked = 0
    for text in texts:
        for s, e in sentences(text):
            if 0 < len(syllables(text[s:e])) <= 200:  # longer ones are cut on purpose
                assert segment_text(text[s:e]) == ViTokenizer.ViTokenizer.tokenize(text[s:e])
                checked += 1
    assert checked > 500


def _real_sentences(gazette: int, gazette_chars: int, articles: int, every: int) -> tuple[list[str], list[list[str]]]:
    """The seed, the first ``gazette`` gazette texts (their first ``gazette_chars``; headings in capitals,
    numbers, dates, tables) and every ``every``-th of the first ``articles`` phapdien articles: the texts
    and their sentences' syllables as pyvi is fed them (at most 200)."""
    texts = [clean(seed_path().read_text(encoding="utf-8"))]
    with gzip.open(shared_path("congbao_8chude_fulltext/congbao_8chude.jsonl.gz"), "rt", encoding="utf-8") as f:
        texts += [clean(json.loads(line)["full_text"][:gazette_chars]) for _, line in zip(range(gazette), f)]
    with gzip.open(shared_path("phapdien_articles/phapdien_articles.jsonl.gz"), "rt", encoding="utf-8") as f:
        texts += [clean(json.loads(line)["text"]) for i, line in zip(range(articles), f) if i % every == 0]
    found = ([w for w, _, _ in syllables(text[s:e])][:200] for text in texts for s, e in sentences(text))
    return texts, [sylls for sylls in found if sylls]


def test_fast_features_score_every_label_as_pyvis_dicts():
    # The build feeds CRFsuite attribute strings (segment._features) instead of pyvi's feature dicts:
    # same labels and the same probability to the last bit, on gazette text (headings in capitals,
    # numbers, dates) and phapdien articles.
    from indexer.text.segment import _features, _tokenizer

    tok = _tokenizer()
    tagger = tok.model.tagger_
    checked = capitals = 0
    for sylls in _real_sentences(gazette=3, gazette_chars=20_000, articles=3000, every=30)[1]:
        labels = tagger.tag(tok.sent2features(sylls, False))
        p = tagger.probability(labels)
        assert (tagger.tag(_features(sylls)), tagger.probability(labels)) == (labels, p)
        checked += 1
        capitals += any(w.isupper() and len(w) > 1 for w in sylls)
    assert checked > 1000 and capitals > 100


def test_the_model_read_into_python_labels_as_crfsuite(monkeypatch):
    # join_flags labels with pyvi's weights read from its model file (segment._Model), not through
    # CRFsuite: the same labels on every sentence of gazette text (capitals, numbers, tables), the seed
    # and phapdien articles, and so the same segmentation as CRFsuite's labels give
    from indexer.text import segment as S

    model = S._model()
    assert model is not None and len(model.weights) == 6335  # every attribute of pyvi's model
    assert "word.lower():\n" in model.weights  # a name with a newline in CRFsuite's dump, read whole
    texts, sentences_ = _real_sentences(gazette=8, gazette_chars=30_000, articles=4000, every=20)
    checked = inside = 0
    for sylls in sentences_:
        expected = [int(label == "I_W") for label in S._label(sylls)]
        assert model.inside(sylls) == expected, " ".join(sylls)
        checked += len(sylls)
        inside += sum(expected)
    assert checked > 100_000 and inside > 20_000
    fast = [join_flags(t) for t in texts]
    monkeypatch.setattr(S, "_model", lambda: None)  # CRFsuite's own labels
    assert [join_flags(t) for t in texts] == fast


def test_offset_free_syllables_and_words_are_the_same_as_with_offsets():
    # the build's writers take syllable_texts / word_texts (no offsets); the pages take syllables / segment
    from indexer.text.segment import syllable_texts, word_texts

    texts = [clean(seed_path().read_text(encoding="utf-8")), "a.b@stp.gov.vn https://vbpl.vn/x 1.500.000 TP. HCM\n==>"]
    with gzip.open(shared_path("congbao_8chude_fulltext/congbao_8chude.jsonl.gz"), "rt", encoding="utf-8") as f:
        texts.append(normalize(json.loads(f.readline())["full_text"][:30_000]))
    with gzip.open(shared_path("phapdien_articles/phapdien_articles.jsonl.gz"), "rt", encoding="utf-8") as f:
        texts += [normalize(json.loads(line)["text"]) for _, line in zip(range(300), f)]
    for text in texts:
        assert syllable_texts(text) == [s for s, _, _ in syllables(text)]
        assert word_texts(text) == [w.text for w in segment(text)]
    assert sum(len(word_texts(t)) for t in texts) > 20_000

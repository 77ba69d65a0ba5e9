"""The analyzer's fast paths (a translate-and-split for ASCII text, a group-less split for other
text without CJK, cached-word lookups, jieba called without a spaCy Doc) produce exactly the
tokens of the original implementation, kept here as the reference, on every text of the real
corpus and on Chinese, Japanese and odd samples."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ipsearch.analysis import _RUNS, Analyzer, get_analyzer
from ipsearch.model import PatentDocument
from loaders.reader import Parsed, read_source
from loaders.sources import expand

_WORD = re.compile(r"^[^\W_]+$")


@functools.cache
def _spacy_chinese() -> Any:
    """spaCy's Chinese pipeline segmenting with jieba: what the analyzer's direct jieba calls must match."""
    import spacy

    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})


def reference_tokens(analyzer: Analyzer, text: str) -> list[str]:
    """The tokenisation before the fast paths: one regex over runs, spaCy's jieba tokenizer for CJK."""
    out: list[str] = []
    for katakana, cjk, latin in _RUNS.findall(text):
        if katakana:
            out.append(katakana)
        elif cjk:
            words = [t.text for t in _spacy_chinese().tokenizer(cjk)]
            out.extend(w for w in words if w not in analyzer._zh_stop and _WORD.match(w))
        else:
            if token := analyzer._latin(latin):  # "" for a stop word
                out.append(token)
    return out


def texts_of(doc: PatentDocument) -> Iterator[str]:
    yield from (t.text for t in doc.titles)
    yield from (a.text for a in doc.abstracts)
    yield from (c.text for cs in doc.claims.values() for c in cs)
    yield from (p for d in doc.descriptions for p in d.text.split("\n"))
    yield from (p.name for p in doc.parties)


SAMPLES = [
    "本发明公开了一种半导体器件的制造方法，包括在衬底上形成栅极结构。",
    "根据权利要求1所述的方法，其特征在于，所述LED芯片为GaN基。",
    "本発明は、半導体ウェーハの研磨装置に関する。シリコンウエハ・ウェーハ。",
    "請求項１に記載の装置であって、前記ＣＰＵは、データを処理する。",
    "ｶﾀｶﾅ half-width ｶﾀｶﾅ and ー long marks ・ middle dots",
    "mixed 中文 English 日本語テキスト text_with_underscores ümlauts ÉCOLE naïve",
    "LEDs OLEDs CPUs ICs were led by the leading data media as us os gps",
    "x" * 70 + " short " + "Ω résumé 3D 5G 2.5 mm² µm ﬁ ligatures",
    "한국어 텍스트 and Ελληνικά κείμενο and русский текст",
    "",
    "   ",
    "___ --- ... 123_456 a_b",
]


@pytest.fixture(scope="module")
def corpus_texts(shared_data_dir: Path) -> list[str]:
    texts = [t for src in expand([shared_data_dir / "patents"]) for item in read_source(src)
             if isinstance(item, Parsed) for t in texts_of(item.doc)]
    assert len(texts) > 10_000
    return texts


def test_real_corpus_tokens_unchanged(corpus_texts: list[str]) -> None:
    analyzer = get_analyzer()
    cjk = 0
    for text in corpus_texts:
        assert analyzer.tokens(text) == reference_tokens(analyzer, text), text[:200]
        cjk += any("\u4e00" <= c <= "\u9fff" for c in text)
    assert cjk > 100  # the Chinese and Japanese documents were compared too


def test_token_spans_are_the_tokens_where_they_stand(corpus_texts: list[str]) -> None:
    """``token_spans`` (what highlights mark phrases with) gives the very tokens ``tokens`` gives,
    each at a span of the text that analyses to it alone (a CJK word: its own characters)."""
    analyzer = get_analyzer()
    for text in [*corpus_texts, *SAMPLES]:
        spans = analyzer.token_spans(text)
        assert [t for _, _, t in spans] == analyzer.tokens(text), text[:200]
        assert all(analyzer.tokens(text[a:b]) == [t] or text[a:b] == t for a, b, t in spans), text[:200]


@pytest.mark.parametrize("text", SAMPLES)
def test_samples_tokens_unchanged(text: str) -> None:
    analyzer = get_analyzer()
    assert analyzer.tokens(text) == reference_tokens(analyzer, text)


def test_uncached_words_match_a_fresh_analyzer() -> None:
    """Words met for the first time go through the same path as cached ones."""
    fresh = Analyzer()
    text = "Semiconductors were etched; the LEDs and CPUs ran as data flowed."
    first, second = fresh.tokens(text), fresh.tokens(text)
    assert first == second == reference_tokens(get_analyzer(), text)

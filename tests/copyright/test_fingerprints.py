"""Near-duplicate fingerprints: resized/re-encoded images, lightly edited texts, re-encoded audio
are near; unrelated content is not; near pairs share an LSH band (so they are found)."""

from __future__ import annotations

import shutil

import pytest

from copyright.fingerprints import audio_fingerprint, fingerprint
from tests.copyright.media import picture, tune


def _near_pair(a: bytes, b: bytes, kind: str) -> None:
    fa, fb = fingerprint(a), fingerprint(b)
    assert fa is not None and fb is not None and fa.kind == fb.kind == kind
    assert fa.is_near(fb)
    assert set(fa.bands()) & set(fb.bands())


def test_images() -> None:
    _near_pair(picture(1), picture(1, (240, 180), "JPEG", 50), "image")
    fa, fc = fingerprint(picture(1)), fingerprint(picture(2))
    assert fa is not None and fc is not None and not fa.is_near(fc)


def test_texts() -> None:
    story = " ".join(f"Line {i}: the river carried lanterns past the old mill number {i % 23}." for i in range(150))
    edited = story.replace("lanterns", "lamps", 4).replace("old mill", "new mill", 2)
    _near_pair(story.encode(), edited.encode(), "text")
    other = " ".join(f"Row {i}: an unrelated ledger of grain prices in county {i % 7}." for i in range(150))
    fa, fc = fingerprint(story.encode()), fingerprint(other.encode())
    assert fa is not None and fc is not None and not fa.is_near(fc)
    cn = "".join(f"第{i}章 渔夫划船经过灯笼，向潮水歌唱。" for i in range(80))
    _near_pair(cn.encode(), cn.replace("灯笼", "灯火", 3).encode(), "text")


def test_audio_with_chromaprint() -> None:
    if shutil.which("fpcalc") is None:
        pytest.fail("fpcalc (Debian libchromaprint-tools) is missing: scripts/services install puts it there")
    _near_pair(tune(1), tune(1, rate=16000, gain=0.7, noise=0.02), "audio")
    fa, fc = audio_fingerprint(tune(1)), audio_fingerprint(tune(2))
    assert fa is not None and fc is not None and not fa.is_near(fc)
    assert audio_fingerprint(b"RIFF not really audio") is None


def test_other_bytes_have_no_fingerprint() -> None:
    assert fingerprint(bytes(range(256)) * 10) is None

"""Content fingerprints for near-duplicate detection: pHash for images (imagehash), MinHash over
word/character shingles for text (datasketch), Chromaprint for audio (Debian's ``fpcalc``, when
installed).

Each fingerprint also yields LSH band keys stored in the database, so candidates come from an
indexed lookup, not a scan: images use 9 bands of the 64-bit pHash (two hashes within Hamming
distance 8 share at least one band, by the pigeonhole principle); texts use 32 bands of 4 MinHash
values (pairs with Jaccard similarity >= 0.7 share a band with probability > 0.999); audio uses its
duration in 2-second buckets (a re-encoding keeps the duration), then compares the Chromaprint
sub-fingerprints bit by bit.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import tempfile
from typing import Literal

from PIL import Image, UnidentifiedImageError
from pydantic import BaseModel

IMAGE_MAX_DISTANCE = 8  # of 64 pHash bits
TEXT_MIN_JACCARD = 0.7
NUM_PERM = 128
TEXT_BANDS, TEXT_ROWS = 32, 4
IMAGE_BAND_BITS = [7, 7, 7, 7, 7, 7, 7, 7, 8]  # 9 bands covering 64 bits
MAX_TEXT_BYTES = 20 * 1024 * 1024
AUDIO_MIN_SIMILARITY = 0.85  # 1 - bit error rate over the aligned Chromaprint sub-fingerprints
AUDIO_SECONDS = 120


class Fingerprint(BaseModel):
    kind: Literal["image", "text", "audio"]
    value: str  # image: pHash hex; text: MinHash values; audio: "<duration> <chromaprint ints...>"

    def bands(self) -> list[str]:
        if self.kind == "audio":
            bucket = int(float(self.value.split()[0]) // 2)
            return [f"a:{b}" for b in (bucket - 1, bucket, bucket + 1)]
        if self.kind == "image":
            bits = int(self.value, 16)
            out, shift = [], 0
            for i, width in enumerate(IMAGE_BAND_BITS):
                out.append(f"i{i}:{(bits >> shift) & ((1 << width) - 1):x}")
                shift += width
            return out
        values = self.value.split()
        return [f"t{b}:" + "-".join(values[b * TEXT_ROWS:(b + 1) * TEXT_ROWS]) for b in range(TEXT_BANDS)]

    def similarity(self, other: Fingerprint) -> float:
        if self.kind != other.kind:
            return 0.0
        if self.kind == "audio":
            a = [int(v) for v in self.value.split()[1:]]
            b = [int(v) for v in other.value.split()[1:]]
            n = min(len(a), len(b))
            if n == 0:
                return 0.0
            errors = sum(bin((x ^ y) & 0xFFFFFFFF).count("1") for x, y in zip(a[:n], b[:n], strict=True))
            return 1 - errors / (32 * n)
        if self.kind == "image":
            distance = bin(int(self.value, 16) ^ int(other.value, 16)).count("1")
            return 1 - distance / 64
        mine, theirs = self.value.split(), other.value.split()
        return sum(1 for x, y in zip(mine, theirs, strict=True) if x == y) / len(mine)

    def is_near(self, other: Fingerprint) -> bool:
        if self.kind != other.kind:
            return False
        if self.kind == "image":
            return bin(int(self.value, 16) ^ int(other.value, 16)).count("1") <= IMAGE_MAX_DISTANCE
        if self.kind == "audio":
            return self.similarity(other) >= AUDIO_MIN_SIMILARITY
        return self.similarity(other) >= TEXT_MIN_JACCARD


def image_fingerprint(data: bytes) -> Fingerprint | None:
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            import imagehash  # with datasketch below, it brings scipy: a second no other command needs

            return Fingerprint(kind="image", value=str(imagehash.phash(img)))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None


_WORD = re.compile(r"[^\W_]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def _shingles(text: str) -> set[str]:
    text = text.lower()
    if len(_CJK.findall(text)) > len(text) / 4:  # mostly CJK: character 4-grams
        chars = [c for c in text if not c.isspace()]
        return {"".join(chars[i:i + 4]) for i in range(max(1, len(chars) - 3))}
    words = _WORD.findall(text)
    return {" ".join(words[i:i + 3]) for i in range(max(1, len(words) - 2))}


def text_fingerprint(data: bytes) -> Fingerprint | None:
    if len(data) > MAX_TEXT_BYTES:
        data = data[:MAX_TEXT_BYTES]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    shingles = _shingles(text)
    if len(shingles) < 5:
        return None
    from datasketch import MinHash

    mh = MinHash(num_perm=NUM_PERM, seed=1)
    mh.update_batch([s.encode() for s in shingles])
    return Fingerprint(kind="text", value=" ".join(str(int(v)) for v in mh.hashvalues))


def audio_available() -> bool:
    return shutil.which("fpcalc") is not None


def audio_fingerprint(data: bytes) -> Fingerprint | None:
    """Chromaprint via ``fpcalc -raw`` (None when fpcalc is absent or the bytes are not audio)."""
    fpcalc = shutil.which("fpcalc")
    if fpcalc is None:
        return None
    with tempfile.NamedTemporaryFile(suffix=".audio") as tmp:
        tmp.write(data)
        tmp.flush()
        try:
            out = subprocess.run([fpcalc, "-raw", "-json", "-length", str(AUDIO_SECONDS), tmp.name],
                                 capture_output=True, text=True, timeout=60, check=False)
        except subprocess.TimeoutExpired:
            return None
    # fpcalc can exit non-zero after printing a good fingerprint ("End of file" on the last frame)
    try:
        result = json.loads(out.stdout)
    except json.JSONDecodeError:
        return None
    values = result.get("fingerprint") or []
    if len(values) < 10:
        return None
    return Fingerprint(kind="audio", value=" ".join([f"{float(result.get('duration', 0)):.1f}"] +
                                                    [str(int(v)) for v in values]))


_AUDIO_MAGIC = (b"RIFF", b"ID3", b"fLaC", b"OggS", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")


def fingerprint(data: bytes) -> Fingerprint | None:
    """Image, audio or text fingerprint for the bytes, else None."""
    print_ = image_fingerprint(data)
    if print_ is None and (data[:4].startswith(_AUDIO_MAGIC) or data[4:8] == b"ftyp"):
        print_ = audio_fingerprint(data)
    return print_ or text_fingerprint(data)

"""Generated test media: pictures and tunes whose copies can be resized, re-encoded or resampled."""

from __future__ import annotations

import io
import math
import random
import struct
import wave

from PIL import Image, ImageDraw


def picture(seed: int, size: tuple[int, int] = (480, 360), fmt: str = "PNG", quality: int = 90) -> bytes:
    rnd = random.Random(seed)
    img = Image.new("RGB", (480, 360), "white")
    draw = ImageDraw.Draw(img)
    for _ in range(60):
        x, y = rnd.randint(0, 430), rnd.randint(0, 310)
        draw.ellipse([x, y, x + rnd.randint(5, 50), y + rnd.randint(5, 50)],
                     fill=(rnd.randint(0, 255), rnd.randint(0, 255), rnd.randint(0, 255)))
    buf = io.BytesIO()
    img.resize(size).save(buf, fmt, **({"quality": quality} if fmt == "JPEG" else {}))
    return buf.getvalue()


def tune(seed: int, rate: int = 22050, seconds: int = 20, gain: float = 1.0, noise: float = 0.0) -> bytes:
    rnd = random.Random(seed)
    notes = [rnd.choice([220, 247, 262, 294, 330, 349, 392, 440]) for _ in range(seconds * 4)]
    hiss = random.Random(99)
    frames = bytearray()
    for i in range(rate * seconds):
        f = notes[i * 4 // rate]
        v = gain * (0.5 * math.sin(2 * math.pi * f * i / rate) + 0.25 * math.sin(4 * math.pi * f * i / rate))
        v += noise * (hiss.random() - 0.5)
        frames += struct.pack("<h", int(max(-1.0, min(1.0, v)) * 30000))
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))
    return buf.getvalue()

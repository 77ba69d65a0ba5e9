"""The languages the platform speaks."""

from __future__ import annotations

from enum import StrEnum


class Language(StrEnum):
    en = "en"
    zh = "zh"

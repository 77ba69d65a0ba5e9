"""Applicant and assignee name harmonisation.

``harmonise_name`` gives a key that equal names share however they were typed: case, accents,
punctuation, ``&``/``and``/``und``, and legal-form suffixes (Co., Ltd., Inc., GmbH, 有限公司,
株式会社 ...) removed. The printed name is always kept beside the key.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Longest first, so "co ltd" goes before "ltd" and 股份有限公司 before 有限公司.
_LEGAL_FORMS_LATIN = sorted([
    "co ltd", "company limited", "co limited", "corporation", "corp", "incorporated", "inc", "limited", "ltd",
    "llc", "l l c", "llp", "lp", "plc", "gmbh", "mbh", "gmbh co kg", "co kg", "kg", "ag", "se", "sa", "s a",
    "sas", "sarl", "srl", "spa", "s p a", "bv", "b v", "nv", "n v", "oy", "ab", "as", "a s", "kk", "k k",
    "co", "company", "pty", "pty ltd", "pte", "pte ltd", "ltda", "gmbh & co kg", "kabushiki kaisha",
    "aktiengesellschaft", "gesellschaft mit beschrankter haftung", "societe anonyme", "the",
], key=len, reverse=True)
_LEGAL_FORMS_CJK = ["股份有限公司", "有限责任公司", "有限公司", "集团公司", "株式会社", "有限会社", "合同会社",
                    "公司", "주식회사"]
_ORG_HINTS = re.compile(
    r"\b(co|corp|corporation|inc|ltd|limited|llc|gmbh|ag|sa|bv|nv|kk|company|univ|university|institute|"
    r"laboratories|laboratory|labs|technolog|systems|industries|electric|electronics|group|holdings|"
    r"foundation|gesellschaft|kabushiki|kaisha|plc|pty|srl|spa|trust|bank|hospital|college|center|centre)\b",
    re.IGNORECASE,
)
_ORG_HINTS_CJK = ("公司", "大学", "研究院", "研究所", "株式会社", "学院", "医院", "集团", "中心", "工厂", "厂")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=65536)
def harmonise_name(name: str) -> str:
    """A comparison key for a person or organisation name (empty string for empty input)."""
    text = _fold(name)
    for form in _LEGAL_FORMS_CJK:
        if text.endswith(form) and len(text) > len(form):
            text = text[: -len(form)]
            break
    text = text.replace("&", " and ").replace("+", " and ")
    text = re.sub(r"[^\w\s]", " ", text)
    text = re.sub(r"\b(and|und|et|y)\b", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    changed = True
    while changed and text:
        changed = False
        for form in _LEGAL_FORMS_LATIN:
            if text.endswith(" " + form):
                text = text[: -len(form) - 1].strip()
                changed = True
                break
            if text.startswith(form + " ") and form == "the":
                text = text[len(form) + 1 :]
                changed = True
                break
    return text.replace(" ", "") if _is_cjk(text) else text


@lru_cache(maxsize=65536)
def looks_like_organisation(name: str) -> bool:
    """Whether a name reads as a company's (its legal form, or words such as University); cached
    like ``harmonise_name``, since a loader meets the same names in document after document."""
    return bool(_ORG_HINTS.search(name)) or any(h in name for h in _ORG_HINTS_CJK)


def _is_cjk(text: str) -> bool:
    return any("\u3040" <= c <= "\u9fff" or "\uac00" <= c <= "\ud7af" for c in text)
